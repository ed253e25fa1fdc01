"""Filtering 100,000 groups per keystroke without freezing the screen.

The list needs its first screenful at once and the rest soon after. `FilterRun` scans
the ranking in chunks: the UI thread takes the first chunks within a small time budget,
a worker thread finishes the scan, and every chunk checks that its run is still the
latest (a newer keystroke abandons it). When the new filter only narrows the previous
one (more characters on a plain word, or one more term), the scan starts from the
previous complete result instead of the whole store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from store.textindex import RankOrder, TextIndex
from triage.filter import Filter, FilterContext
from triage.views import GroupView

CHUNK = 512


def narrows(old: Filter, new: Filter) -> bool:
    """True when every group `new` keeps is also kept by `old` (so scan old's result)."""
    if not new.text.startswith(old.text) or old.is_empty:
        return False
    if any(t.alternatives for t in (*old.terms, *new.terms)):
        return False  # fuzzy expansions are not monotonic
    suffix = new.text[len(old.text) :]
    if suffix[:1].isspace():
        return new.terms[: len(old.terms)] == old.terms  # terms were added: AND narrows
    # the last term grew: only a plain positive word matches by substring
    if len(new.terms) != len(old.terms) or new.terms[:-1] != old.terms[:-1]:
        return False
    last_old, last_new = old.terms[-1], new.terms[-1]
    return (
        last_old.field == "" == last_new.field
        and not last_old.negate
        and not last_new.negate
        and '"' not in old.text
        and last_old.value in last_new.value
    )


@dataclass
class FilterRun:
    """One filter over a ranked list of group ids, resumable chunk by chunk.

    Built on the UI thread (cheap); `prepare` (the vocabulary's expansions, the text
    index) and the scan run on a worker, so a keystroke never waits for them."""

    flt: Filter
    ids: Sequence[str]
    view: Callable[[str], GroupView]
    ctx: FilterContext
    skip: set[str] = field(default_factory=set)  # e.g. snoozed groups
    found: list[str] = field(default_factory=list)
    position: int = 0
    cancelled: bool = False
    vocabulary: Collection[str] | None = None  # expand free words with it (typos, stems)
    ranked: Sequence[str] | None = None  # the whole ranking `ids` comes from, if known
    indexed: bool = False  # `prepare` took the ids from the store's text index
    prepared: bool = False
    painted: threading.Event = field(default_factory=threading.Event)  # first screenful

    def prepare(self) -> None:
        """Expand the free words, then let the store's folded text index name the groups
        a word can match, in rank order; when it answers every term exactly there is
        nothing left to test (`found` is the result). Run by the first `step` if not
        called before."""
        if self.prepared:
            return
        self.prepared = True
        if self.vocabulary is not None:
            self.flt = self.flt.with_vocabulary(self.vocabulary)
        owner = getattr(self.view, "__self__", None)
        text = getattr(owner, "text_index", None)  # store.index.Index's, once built
        if isinstance(text, TextIndex) and self.ranked is not None:
            answer = text.ranked(self.flt, _order(text, self.ranked))
            if answer is not None:
                ids, exact = answer
                self.indexed = True
                if exact:
                    skip = self.skip
                    self.found = [g for g in ids if g not in skip] if skip else ids
                    self.position = len(self.ids)
                    return
                self.ids = ids
                return
        # another store's narrowing (or none): the ids that may match, in their order
        narrow = getattr(owner, "narrow", None)
        if narrow is not None and (ids := narrow(self.flt, self.ids)) is not None:
            self.ids = ids

    @property
    def complete(self) -> bool:
        return self.prepared and self.position >= len(self.ids)

    def step(self, count: int = CHUNK) -> None:
        self.prepare()
        end = min(len(self.ids), self.position + count)
        matches, view, ctx, skip = self.flt.matches, self.view, self.ctx, self.skip
        append = self.found.append
        for gid in self.ids[self.position : end]:
            if gid not in skip and matches(view(gid), ctx):
                append(gid)
        self.position = end

    def run_for(self, seconds: float, enough: int) -> None:
        """Scan until `enough` matches, the end, or `seconds` have passed."""
        deadline = time.perf_counter() + seconds
        while not self.complete and len(self.found) < enough and not self.cancelled:
            self.step(128)
            if time.perf_counter() > deadline:
                break

    def finish(self) -> bool:
        """Scan the rest; False if cancelled on the way (a newer run replaced it)."""
        while not self.complete:
            if self.cancelled:
                return False
            self.step()
            time.sleep(0.0005)  # hand the GIL to the UI thread between chunks
        return not self.cancelled


_orders: list[RankOrder] = []


def warm_rank_order(view: Callable[[str], GroupView], ranked: Sequence[str]) -> None:
    """Build the rank order the first filter keystroke would (~20 ms at 100,000 groups),
    once the store's text index exists: a warm-up step."""
    text = getattr(getattr(view, "__self__", None), "text_index", None)
    if isinstance(text, TextIndex):
        _order(text, ranked)


def _order(text: TextIndex, ranked: Sequence[str]) -> RankOrder:
    """The rank order of `ranked` for `text`, kept while both are the same objects."""
    if _orders and _orders[0].fits(text, ranked):
        return _orders[0]
    order = RankOrder(text, ranked)
    _orders[:] = [order]
    return order
