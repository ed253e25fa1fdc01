"""The old closed groups a hot-window inbox left on disk, read back on demand (issue 16).

`store.hotwindow` decides what an inbox opened with `defer` indexes; this mixin of
`store.inbox.Inbox` brings the rest back when it is asked for, without ever reading the
whole archive into memory: a group by id (`recall`: `veille show OLD`, an undo, a tag
or a merge resolve through it), every old group a history search matches
(`recall_matching`: what `--all`, `status:done` and the like need first), a group some
state opens again (another process's `veille tag --status open OLD`, an undo), and the
stream of every mention (`all_mentions`: what is not indexed is read and let go).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from store.gcpause import cyclic_gc_paused
from store.hotwindow import Cold, day_records, is_closed
from triage import query
from triage.filter import Filter, FilterContext, parse_filter
from triage.model import Mention, Status, TriageState
from triage.query import Counts, SlaLeftClock
from triage.text import fold
from triage.views import GroupView

if TYPE_CHECKING:
    from store.ids import IdIndex
    from store.lock import StoreLock
    from store.merges import GroupedIndex
    from store.partitions import Partitions
    from triage.protocol import StoreReader


class HistoryReads:
    """Mixed into `store.inbox.Inbox` (see the module)."""

    _tally: tuple[tuple[int, int, int], dict[str, int]] | None = None  # cold groups by status

    if TYPE_CHECKING:
        files: Partitions
        index: GroupedIndex
        ids: IdIndex
        lock: StoreLock
        mutex: threading.RLock
        _report: Callable[[str], None]

        def finish_loading(self) -> None: ...
        def group_ids(self) -> list[str]: ...
        @property
        def generation(self) -> int: ...
        def context(self, now: datetime | None = None) -> FilterContext: ...
        def vocabulary(self) -> set[str]: ...

    @property
    def cold(self) -> Cold | None:
        """The copies left on disk (None: the whole archive is indexed)."""
        window = self.files.window
        return window.cold if window is not None and window.cold.groups else None

    def group_counts(self, now: datetime, sla: SlaLeftClock | None = None) -> Counts:
        """`triage.query.count` over the indexed groups, plus the old closed groups left
        on disk in `groups` and `by_status` (none of them is open, urgent or breached):
        the status bar's "N/M shown" stays the archive's."""
        counts = query.count(cast("StoreReader", self), now, sla, ids=self.group_ids())
        cold = self.cold
        if cold is None:
            return counts
        key = (len(cold.groups), len(self.index.states), self.generation)
        if self._tally is None or self._tally[0] != key:
            tally: dict[str, int] = {}
            indexed, status_of = self.index.group_last, self.index.status_of
            for gid in cold.groups:
                if gid not in indexed:
                    status = status_of(gid).value  # a state kept as a line: not built
                    tally[status] = tally.get(status, 0) + 1
            self._tally = (key, tally)
        tally = self._tally[1]
        by_status = {s: n + tally.get(s, 0) for s, n in counts.by_status.items()}
        return replace(counts, groups=counts.groups + sum(tally.values()), by_status=by_status)

    def stored(self) -> int:
        """Mentions in the archive: indexed plus left on disk."""
        cold = self.cold
        return len(self.index) + (len(cold) if cold is not None else 0)

    # ------------------------------------------------------------------ by id
    def cold_group(self, target: str) -> str | None:
        """The old group on disk that `target` (a group or mention id) belongs to."""
        cold = self.cold
        if cold is None or target in self.index.raw:
            return None
        if target in cold:
            return target
        with self.lock:
            gid = self.ids.group_of(target)
        return gid if gid is not None and gid in cold else None

    def recall(self, gid: str) -> int:
        """Index every copy of the old group `gid` (read from its days); how many."""
        cold = self.cold
        if cold is None or gid not in cold:
            return 0
        added = 0
        with self.mutex:
            days = cold.days_of(gid)
            cold.groups.pop(gid, None)
            for day in days:
                for rec in self._day(day):
                    if (rec.get("group_id") or rec["id"]) == gid and self._take(rec, day, cold):
                        added += 1
        return added

    def settle_window(self) -> None:
        """Read back the old groups that also have copies indexed (a group across the
        window's edge is shown whole), once every day is read."""
        cold = self.cold
        if cold is not None:
            for gid in [g for g in cold.groups if g in self.index.group_last]:
                self.recall(gid)

    def revive(self, state: TriageState) -> None:
        """A state for a group not indexed: if it opens an old group, read it back (the
        inbox's counts must include it)."""
        cold = self.cold
        if cold is not None and state.target in cold and not is_closed(state):
            self.recall(state.target)

    # ------------------------------------------------------------------ by search
    def recall_matching(
        self, filter: Filter | str | None = None, now: datetime | None = None
    ) -> int:
        """Index the old groups on disk that `filter` matches (every one without a
        filter): what a history view (`--all`, `status:done`) needs before it asks
        `ranked_ids`. Reads the old days once, a day at a time; a group is judged when
        its last day is read. Returns how many groups were read back."""
        return self.adopt_matching(self.find_matching(filter, now))

    def find_matching(
        self, filter: Filter | str | None = None, now: datetime | None = None
    ) -> list[tuple[str, list[dict[str, Any]]]]:
        """The reading half of `recall_matching`, indexing nothing: a UI runs it on a
        worker and hands the result to `adopt_matching` on the thread that reads the
        index (the TUI's), so the index never changes under a frame."""
        self.finish_loading()
        if self.cold is None:
            return []
        with cyclic_gc_paused():  # a million parsed records, none in a cycle
            return self._find_matching(filter, now)

    def adopt_matching(self, wanted: list[tuple[str, list[dict[str, Any]]]]) -> int:
        """Index what `find_matching` found (a group indexed meanwhile is kept once)."""
        cold = self.cold
        if cold is None or not wanted:
            return 0
        with self.mutex:
            for gid, records in wanted:
                for rec in records:
                    self._take(rec, rec["created_at"][:10], cold)
                cold.groups.pop(gid, None)
        return len(wanted)

    def _find_matching(
        self, filter: Filter | str | None, now: datetime | None
    ) -> list[tuple[str, list[dict[str, Any]]]]:
        cold = self.cold
        if cold is None:
            return []
        flt = parse_filter(filter) if isinstance(filter, str) else filter
        if flt is not None and flt.is_empty:
            flt = None
        if flt is not None and any(t.field == "" and not t.negate for t in flt.terms):
            flt = flt.with_vocabulary(self.vocabulary())
        ctx = self.context(now)
        words = _free_words(flt)
        last = {gid: max(cold.days_of(gid)) for gid in cold.groups}
        wanted: list[tuple[str, list[dict[str, Any]]]] = []
        pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for day in sorted(cold.per_day):
            closing: set[str] = set()
            for rec in self._day(day):
                gid = rec.get("group_id") or rec["id"]
                if gid in last and rec["id"] not in self.index.raw:
                    pending[gid].append(rec)
                    if last[gid] == day:
                        closing.add(gid)
            for gid in closing:
                records = pending.pop(gid)
                if flt is None or (
                    _may_hold(records, words) and self._matches(gid, records, flt, ctx)
                ):
                    wanted.append((gid, records))
        return wanted

    def _matches(
        self, gid: str, records: list[dict[str, Any]], flt: Filter, ctx: FilterContext
    ) -> bool:
        statuses = flt.positive("status")
        if statuses and self.index.status_of(gid) not in {Status(v) for v in statuses}:
            return False  # no record nor state built for a group the status rules out
        state = self.index.state(gid)
        mentions = sorted(
            (Mention.from_json(r) for r in records), key=lambda m: (m.created_at, m.id)
        )
        priority = max(float(r.get("priority") or 0.0) for r in records)
        signals = tuple(dict.fromkeys(s for m in mentions for s in m.signals))
        return flt.matches(GroupView(gid, mentions, state, priority, signals), ctx)

    # ------------------------------------------------------------------ streaming
    def cold_mentions(self) -> Iterator[Mention]:
        """Every copy left on disk, read a day at a time and not kept."""
        cold = self.cold
        if cold is None:
            return
        for day in sorted(cold.per_day):
            for rec in self._day(day):
                if rec["id"] not in self.index.raw and "created_at" in rec:
                    yield Mention.from_json(rec)

    def _day(self, day: str) -> Iterator[dict[str, Any]]:
        path = self.files.root / "mentions" / f"{day}.json"
        try:
            yield from day_records(path)
        except (OSError, ValueError, AttributeError) as exc:
            self._report(f"{path}: could not be read ({exc}); run `veille doctor`")

    def _take(self, rec: dict[str, Any], day: str, cold: Cold) -> bool:
        if rec["id"] in self.index.raw:
            return False
        self.index.add_record(rec)
        cold.taken(rec.get("group_id") or rec["id"], day)
        return True


def _free_words(flt: Filter | None) -> list[set[str]]:
    """Each positive free term's words (the value and its expansions)."""
    if flt is None:
        return []
    return [{t.value, *t.alternatives} for t in flt.terms if t.field == "" and not t.negate]


def _may_hold(records: list[dict[str, Any]], words: list[set[str]]) -> bool:
    """Whether the group's folded text may hold every free term (a superset of
    `Filter.matches`: no Mention is built for a group that cannot match)."""
    if not words or any(" " in w for term in words for w in term):
        return True  # a phrase may span two fields: judged by Filter.matches
    parts: list[Any] = []
    for rec in records:
        parts.append(rec.get("text"))
        if title := rec.get("title"):
            parts.append(title)
        if isinstance(author := rec.get("author"), dict):
            parts += (author.get("name"), author.get("handle"))
        if signals := rec.get("signals"):
            parts += signals
    # the words hold no space: no need to collapse the spaces as the haystack does
    text = "\n".join(p for p in parts if isinstance(p, str)).casefold()
    if all(any(w in text for w in term) for term in words):
        return True  # as written: no need to fold
    if text.isascii():
        return False  # folding ASCII is casefolding: it was judged
    text = fold(text)
    return all(any(w in text for w in term) for term in words)
