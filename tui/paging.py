"""The inbox a page at a time, for a store that answers pages itself (a database).

Listing every ranked id (900,000 at 1M mentions) and building the hidden sets in Python
costs seconds on PostgreSQL; `triage.query.page` asks the database for one page instead.
The inbox screen shows the first page at once, counts the total in a worker, and asks
for the next page when the cursor nears the end of what is loaded; a filter change
pages again from the top. A store without `ranked_page` (the folder store) keeps the
screen's own path: `Pager.of` answers None for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from triage import query
from triage.protocol import PagedReader

if TYPE_CHECKING:
    from tui.screens.inbox import InboxScreen

PAGE_SIZE = 200  # groups per page (tests make it small)
MARGIN = 20  # fetch the next page when the cursor is this close to the loaded end


class Pager:
    """Which page of which query the inbox screen has loaded, and the query's total."""

    def __init__(self, screen: InboxScreen, store: PagedReader) -> None:
        self.screen = screen
        self.store = store
        self.rule = query.InboxQuery(None)
        self.exhausted = False
        self.loaded: set[str] = set()  # every id a page brought (duplicates are dropped)
        self.total: int | None = None  # matching groups, counted by the store
        self.everything: int | None = None  # every group, closed and snoozed too
        self.turn = 0  # bumps on every re-page: a stale count is dropped

    @classmethod
    def of(cls, screen: InboxScreen) -> Pager | None:
        """The screen's pager, or None when its store does not answer pages."""
        pager = getattr(screen, "_pager", None)
        if pager is None:
            store = screen.vapp.inbox
            if getattr(store, "ranked_page", None) is None:
                return None
            pager = cls(screen, cast(PagedReader, store))
            screen._pager = pager  # type: ignore[attr-defined]
        return pager

    def _size(self) -> int:
        return max(PAGE_SIZE, self.screen.mention_list.size.height + 10)

    def refilter(self, keep: str | None) -> None:
        """The first page(s) of the current filter, from the top (enough to keep `keep`'s
        row when the list is re-read after a change), and a worker counts the total."""
        screen = self.screen
        flt = screen.flt
        if screen._vocabulary_ready and flt and any(t.field == "" and not t.negate for t in flt.terms):
            words = screen.words.current(self.store)  # never built here (tui.vocabulary)
            flt = flt.with_vocabulary(words) if words is not None else flt
        self.rule = query.InboxQuery(flt)
        self.turn += 1
        self.total = None
        limit = max(self._size(), len(screen.mention_list.ids) if keep else 0)
        ids = self._fetch(limit, 0, fresh=True)
        self.exhausted = len(ids) < limit
        screen._last = None
        screen._show(ids, keep, complete=self.exhausted)
        if self.exhausted:
            self.total = len(ids)
            screen._render_status()
        self._count(self.turn)

    def _fetch(self, limit: int, offset: int, *, fresh: bool = False) -> list[str]:
        if fresh:
            self.loaded = set()
        page = query.page(self.store, self.rule, self.screen.vapp.now(), limit, offset)
        ids = [g for g in page if g not in self.loaded]
        self.loaded.update(ids)
        self._prefetch(ids)
        return ids

    def _prefetch(self, ids: list[str]) -> None:
        """The page's views in one query (a database's `prefetch`), not one per row drawn."""
        prefetch = getattr(self.store, "prefetch", None)
        if prefetch is not None and ids:
            prefetch(ids)

    def more(self) -> None:
        """The next page when the cursor is near the end of the loaded rows."""
        rows = self.screen.mention_list
        ids = list(rows.ids)
        if self.exhausted or rows.cursor < len(ids) - MARGIN:
            return
        size = self._size()
        page = query.page(self.store, self.rule, self.screen.vapp.now(), size, len(ids))
        if len(page) < size:
            self.exhausted = True
        fresh = [g for g in page if g not in self.loaded]  # acted on, or seen already
        self.loaded.update(fresh)
        self._prefetch(fresh)
        if fresh:
            rows.set_rows(ids + fresh, keep=rows.current_id)
        if self.exhausted:
            self.screen.filter_complete = True
        self.screen._render_status()

    def _count(self, turn: int) -> None:
        store, rule, now = self.store, self.rule, self.screen.vapp.now()

        def count() -> None:
            try:
                total = query.total(store, rule, now)
                everything = store.ranked_count(None, now, True, True)
            except Exception:  # the database went away: the status bar keeps "+"
                return
            self.screen.app.call_from_thread(self._counted, turn, total, everything)

        self.screen.run_worker(count, thread=True, group="page-count", exclusive=True)

    def _counted(self, turn: int, total: int, everything: int) -> None:
        if turn != self.turn:
            return
        self.total, self.everything = total, everything
        self.screen.filter_complete = True  # the count is exact: no "+" after it
        self.screen._render_status()

    def counts(self, shown: int, total: int) -> tuple[int, int]:
        """(shown, total) for the status bar: the store's counts less the rows acted on
        out of the list since (an action drops its row without a recount)."""
        if self.total is None:
            return shown, max(total, self.everything or 0)
        gone = len(self.loaded) - len(self.screen.mention_list.ids)
        return max(shown, self.total - max(0, gone)), self.everything or total

    @staticmethod
    def follow(screen: InboxScreen) -> None:
        if (pager := Pager.of(screen)) is not None:
            pager.more()

    @staticmethod
    def status(screen: InboxScreen, shown: int, total: int) -> tuple[int, int]:
        pager = Pager.of(screen)
        return (shown, total) if pager is None else pager.counts(shown, total)


def page_instead(screen: Any, keep: str | None) -> bool:
    """Re-page the inbox screen when its store answers pages; False otherwise."""
    pager = Pager.of(screen)
    if pager is None:
        return False
    pager.refilter(keep)
    return True
