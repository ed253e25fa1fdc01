"""The one inbox query: what the inbox shows by default, filtered, ranked and counted.

The TUI's list and status bar, `veille list`, `veille export` and the dashboard all ask
this module, so they agree on every count. By default the inbox hides closed groups
(done, ignored) unless the filter names a status, and snoozed ones unless it says
`is:snoozed`; `include_all` (`--all`) shows everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from triage.config import SlaConfig
from triage.filter import Filter, FilterContext, parse_filter
from triage.model import DeliveryStatus, Status, TriageState
from triage.protocol import StoreReader
from triage.views import GroupView

CLOSED = (Status.DONE, Status.IGNORED)
SlaLeft = Callable[[GroupView, datetime], "float | None"]


@dataclass(frozen=True, slots=True)
class Counts:
    """The inbox's figures (the status bar, the dashboard, `veille list --counts`)."""

    open: int  # new, open or waiting, and not snoozed
    urgent: int  # open and ranked urgent
    breached: int  # past their first-response target, not yet answered or closed
    groups: int
    by_status: dict[str, int] = field(default_factory=dict)
    handoffs_failed: int = 0  # open groups whose hand-off reached nobody (retry: R)
    unread: int = 0  # open groups the user has not read since they changed (store.reads)


@dataclass(frozen=True, slots=True)
class InboxQuery:
    """A filter plus the default visibility rule."""

    filter: Filter | None = None
    include_all: bool = False

    @classmethod
    def parse(cls, text: str, include_all: bool = False) -> InboxQuery:
        """FilterError (with the position) when `text` is not a valid filter."""
        return cls(parse_filter(text), include_all)

    @property
    def shows_closed(self) -> bool:
        terms = self.filter.terms if self.filter is not None else ()
        return self.include_all or any(t.field == "status" for t in terms)

    @property
    def shows_snoozed(self) -> bool:
        terms = self.filter.terms if self.filter is not None else ()
        return self.include_all or any(t.field == "is" and t.value == "snoozed" for t in terms)

    def hides(self, state: TriageState, now: datetime) -> bool:
        """Whether the default visibility keeps this state's group out of the list."""
        if state.status in CLOSED:
            return not self.shows_closed
        return state.is_snoozed(now) and not self.shows_snoozed


def is_open(state: TriageState, now: datetime) -> bool:
    return state.status not in CLOSED and not state.is_snoozed(now)


def context(store: StoreReader, now: datetime) -> FilterContext:
    """The filter's context, with the user's read state when the store keeps one."""
    unread = getattr(store, "is_unread", None)
    return FilterContext(store.user, now, store.urgent_threshold, unread)


def visible(
    query: InboxQuery, ids: Iterable[str], state: Callable[[str], TriageState], now: datetime
) -> list[str]:
    """The ids (ranked) that the default visibility keeps."""
    if query.shows_closed and query.shows_snoozed:
        return list(ids)
    return [g for g in ids if not query.hides(state(g), now)]


def run(store: StoreReader, query: InboxQuery, now: datetime) -> list[str]:
    """The group ids the inbox lists for `query`, ranked."""
    return visible(query, store.ranked_ids(query.filter, now), store.state, now)


def page(
    store: StoreReader, query: InboxQuery, now: datetime, limit: int, offset: int = 0
) -> list[str]:
    """One page of `run` (the first screen without listing every group): asked of the
    backend when it answers pages itself (`triage.protocol.PagedReader`)."""
    paged = getattr(store, "ranked_page", None)
    if paged is not None:
        return list(
            paged(query.filter, now, limit, offset, query.shows_closed, query.shows_snoozed)
        )
    return run(store, query, now)[offset : offset + limit]


def total(store: StoreReader, query: InboxQuery, now: datetime) -> int:
    """How many groups `run` lists, counted by the backend when it can."""
    counted = getattr(store, "ranked_count", None)
    if counted is not None:
        return int(counted(query.filter, now, query.shows_closed, query.shows_snoozed))
    return len(run(store, query, now))


@dataclass(frozen=True, slots=True)
class SlaLeftClock:
    """`sla_clock`'s answer: a callable that also says its rule, so a backend that counts
    in its own query (`group_counts`) can apply the same one."""

    sla: SlaConfig
    urgent_threshold: float

    def __call__(self, view: GroupView, now: datetime) -> float | None:
        from triage.sla import time_left

        return time_left(view, self.sla, now, urgent_threshold=self.urgent_threshold)


def sla_clock(sla: SlaConfig | None, urgent_threshold: float) -> SlaLeft | None:
    """Seconds left on a group's first-response clock (triage.sla), or None."""
    if sla is None:
        return None
    return SlaLeftClock(sla, urgent_threshold)


def count(
    store: StoreReader,
    now: datetime,
    sla_left: SlaLeft | None = None,
    ids: Iterable[str] | None = None,
) -> Counts:
    """Counts over every group of the store (or `ids`): the one definition of each figure.

    `sla_left` is the first-response clock (`sla_clock(config.sla, threshold)`); without
    it nothing counts as breached."""
    counted = getattr(store, "group_counts", None)  # a database counts in one query
    if (
        counted is not None
        and ids is None
        and (sla_left is None or isinstance(sla_left, SlaLeftClock))
    ):
        return counted(now, sla_left)
    threshold = store.urgent_threshold
    per_status: dict[Status, int] = dict.fromkeys(Status, 0)
    view_of = store.view
    groups = opened = urgent = breached = failed = unread = 0
    is_unread = getattr(store, "is_unread", None)
    # one pass over every group (100k in a worker): the rule of `is_open`, inlined
    for gid in store.group_ids() if ids is None else ids:
        view = view_of(gid)
        state = view.state
        groups += 1
        per_status[state.status] += 1
        if state.status in CLOSED or (state.snoozed_until and state.snoozed_until > now):
            continue
        opened += 1
        if state.handoff is not None and state.handoff.delivery is DeliveryStatus.FAILED:
            failed += 1
        if view.priority >= threshold:
            urgent += 1
        if is_unread is not None and is_unread(view):
            unread += 1
        if sla_left is not None:
            seconds = sla_left(view, now)
            if seconds is not None and seconds < 0:
                breached += 1
    by_status = {s.value: n for s, n in per_status.items()}
    return Counts(opened, urgent, breached, groups, by_status, failed, unread)
