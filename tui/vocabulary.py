"""The words a filter's typos expand to, never built on the UI thread.

An ingest drops the folder store's folded text index (and the vocabulary built with it):
the next `inbox.vocabulary()` rebuilds it from every group, hundreds of milliseconds at
100,000 mentions. Asked on the UI thread by a keystroke, that froze the screen. Here the
UI thread only reads what is known: the text index's words when the store has them,
else the last vocabulary seen (the store's before the ingest), while a worker thread
rebuilds the store's own; once it is done the screen filters again (`ready`), so the
new mentions' words expand too. The build holds the store's mutex (the lock every
writer takes): an ingest meanwhile waits for it, instead of landing between the build's
reading of the groups and its install (an index without the new groups, kept as current).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection
from typing import Any

from store.textindex import TextIndex
from triage.filter import prepare_vocabulary


class Vocabulary:
    """The freshest vocabulary known without waiting, and its rebuild in a worker."""

    def __init__(self, start: Callable[[Callable[[], None]], Any]) -> None:
        """`start(work)` runs `work` on a worker thread (the screen's `run_worker`)."""
        self._start = start
        self.words: Collection[str] | None = None  # the last vocabulary seen
        self._seen: object = None  # the store's generation `words` was read at
        self.building = False  # a worker is rebuilding the store's vocabulary
        self.ready: Callable[[], None] | None = None  # called by the worker once built

    def current(self, store: Any) -> Collection[str] | None:
        """The store's vocabulary if it has it built, else the last one seen (None
        before any) while a worker rebuilds it. Never builds it on the caller's thread."""
        owner = getattr(store.view, "__self__", None)
        text = getattr(owner, "text_index", None)
        if isinstance(text, TextIndex):  # built and current: an ingest drops it
            self.words = text.words
            return self.words
        if self.building:
            return self.words
        if owner is not None and hasattr(owner, "text_index"):
            stale = True  # a folder store's index, dropped by an ingest
        else:  # another store's (a database's cached word list): by its generation
            stale = self.words is None or getattr(store, "generation", None) != self._seen
        if stale:
            self.building = True
            self._start(lambda: self._rebuild(store))
        return self.words

    def build(self, store: Any) -> Collection[str]:
        """The store's vocabulary, built here (a worker's warm-up) under its mutex."""
        self.building = True  # the screen leaves the store's mutex alone meanwhile
        try:
            generation = getattr(store, "generation", None)
            with getattr(store, "mutex", None) or contextlib.nullcontext():
                words = store.vocabulary()
            prepare_vocabulary(words)  # sorted for the stem look-ups
            self.words, self._seen = words, generation
        finally:
            self.building = False
        return words

    def _rebuild(self, store: Any) -> None:
        try:
            self.build(store)
        except RuntimeError:  # the store changed under the build: the next keystroke asks again
            return
        if self.ready is not None:
            self.ready()
