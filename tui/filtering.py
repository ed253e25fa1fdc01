"""Filtering 100,000 groups per keystroke without freezing the screen.

The list needs its first screenful at once and the rest soon after. `FilterRun` scans
the ranking in chunks: the UI thread takes the first chunks within a small time budget,
a worker thread finishes the scan, and every chunk checks that its run is still the
latest (a newer keystroke abandons it). When the new filter only narrows the previous
one (more characters on a plain word, or one more term), the scan starts from the
previous complete result instead of the whole store. The free words the text index
cannot judge (one or two letters, punctuation, negated words) are tested over the
ranking's columns of folded text in C (`store.textscan`): a whole pass over 100,000
groups takes ~5-20 ms, so most runs are complete by the time the first screenful is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from itertools import compress

from store.textindex import RankOrder, TextIndex
from store.textscan import FreeWords, judges
from triage.filter import Filter, FilterContext
from triage.views import GroupView

CHUNK = 512  # groups tested one by one (Filter.matches) between two checks
COLUMN_CHUNK = 8192  # groups tested over columns (~1 ms) while holding the GIL


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
    # the free words tested over columns (store.textscan), the rank positions of `ids`
    # they read, and the terms left to Filter.matches (None: none left)
    columns: FreeWords | None = None
    rows: Sequence[int] = ()
    rest: Filter | None = None

    def cancel(self) -> None:
        """A newer keystroke replaced this run: stop at the next chunk (and stop waiting)."""
        self.cancelled = True
        self.painted.set()

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
            order = _order(text, self.ranked)
            answer = text.ranked(self.flt, order)
            if answer is not None:
                ids, exact = answer
                self.indexed = True
                if exact:
                    skip = self.skip
                    self.found = [g for g in ids if g not in skip] if skip else ids
                    self.position = len(self.ids)
                    return
                self.ids = ids
            self._columns(order)
            return
        if text is None:  # dropped by an ingest: let the old one go while it is rebuilt
            _orders.clear()
        # another store's narrowing (or none): the ids that may match, in their order
        narrow = getattr(owner, "narrow", None)
        if narrow is not None and (ids := narrow(self.flt, self.ids)) is not None:
            self.ids = ids

    @property
    def complete(self) -> bool:
        return self.prepared and self.position >= len(self.ids)

    def _columns(self, order: RankOrder) -> None:
        """Test the free words over the ranking's columns, the other terms one by one."""
        judged = [t for t in self.flt.terms if judges(t)]
        if not judged or order.columns() is None:
            return
        rows = order.rows_of(self.ids)
        if rows is None:
            return
        self.columns, self.rows = FreeWords(judged, order), rows
        rest = tuple(t for t in self.flt.terms if not judges(t))
        self.rest = Filter(self.flt.text, rest) if rest else None

    def step(self, count: int = CHUNK) -> None:
        self.prepare()
        start = self.position
        end = min(len(self.ids), start + count)
        ids = self.ids[start:end]
        rest: Filter | None = self.flt
        if self.columns is not None:
            ids = list(compress(ids, self.columns.mask(self.rows[start:end])))
            rest = self.rest
        skip = self.skip
        if skip:
            ids = [g for g in ids if g not in skip]
        if rest is not None:
            matches, view, ctx = rest.matches, self.view, self.ctx
            ids = [g for g in ids if matches(view(g), ctx)]
        self.found.extend(ids)
        self.position = end

    def run_for(self, seconds: float, enough: int) -> None:
        """Scan until `enough` matches, the end, or `seconds` have passed."""
        deadline = time.perf_counter() + seconds
        count = 128
        while not self.complete and len(self.found) < enough and not self.cancelled:
            self.step(count)
            if self.columns is not None and self.rest is None:
                count = min(count * 4, COLUMN_CHUNK)  # rare words: the rest soon
            if time.perf_counter() > deadline:
                break

    def finish(self) -> bool:
        """Scan the rest; False if cancelled on the way (a newer run replaced it)."""
        count = COLUMN_CHUNK if self.columns is not None and self.rest is None else CHUNK
        while not self.complete:
            if self.cancelled:
                return False
            self.step(count)
            time.sleep(0.0005)  # hand the GIL to the UI thread between chunks
        return not self.cancelled


_orders: list[RankOrder] = []


def warm_rank_order(view: Callable[[str], GroupView], ranked: Sequence[str]) -> None:
    """Build the rank order and its columns the first filter keystroke would (~30 ms at
    100,000 groups), once the store's text index exists: a warm-up step."""
    text = getattr(getattr(view, "__self__", None), "text_index", None)
    if isinstance(text, TextIndex):
        _order(text, ranked).columns()


def _order(text: TextIndex, ranked: Sequence[str]) -> RankOrder:
    """The rank order of `ranked` for `text`, kept while both are the same objects."""
    if _orders and _orders[0].fits(text, ranked):
        return _orders[0]
    order = RankOrder(text, ranked)
    _orders[:] = [order]
    return order
