"""The groups `veille watch` can alert about, found by an index, not by reading all.

`Watch.decide_raw` used to read the view of every group on every tick (900,000 at a
million mentions) to find the few that can alert. triage.alerts.alert_window says which
groups the urgent and SLA alerts can name at an instant, from what a group's row holds
(the leader's time `first_at`, the rank, the platforms, hence the SLA target): one range
scan of the narrow `groups_counts` index. The rule alerts read the states' notes, which
the client already holds; the states, in memory too, drop what is closed, answered or
snoozed (triage.alerts.may_page) before any view is read. The candidates come back in the
inbox's rank order, so the alerts triage.alerts computes over them are the very list
`groups()` would have given.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from triage.alerts import AlertWindow, may_page, rule_candidates
from triage.model import Mention, TriageState
from triage.sla import MICROBLOGS
from triage.views import GroupView

# `left`: triage.alerts.sla_alerts' seconds left, the target the shortest that applies
# (normal; microblog on any microblog platform; urgent at the threshold), as the counts
# compute it (store.postgres.counts.LATE). A NaN rank is always read (SQL and Python
# disagree on how it compares).
LEFT = (
    "extract(epoch FROM first_at - %(now)s) + least(%(normal)s, "
    "CASE WHEN lower(platforms::text)::text[] && %(micro)s THEN %(microblog)s END, "
    "CASE WHEN priority >= %(urgent)s THEN %(urgent_target)s END)"
)
CANDIDATES = f"""
SELECT g.group_id FROM groups g
WHERE g.group_id IN (
    SELECT group_id FROM groups
    WHERE first_at > %(since)s AND (
        (priority >= %(urgent)s AND first_at > %(urgent_since)s)
        OR ({LEFT} > %(least)s AND {LEFT} <= %(most)s)
        OR priority = 'NaN')
    UNION
    SELECT group_id FROM groups WHERE group_id = ANY(%(ruled)s)
)
ORDER BY g.priority DESC, g.last_at DESC, g.seq
"""


MEMBERS = (
    "SELECT group_id, record FROM mentions WHERE group_id = ANY(%s) "
    "ORDER BY group_id, created_at, id"
)
CHUNK = 2000  # groups read per query


class _Reader(Protocol):
    states: dict[str, TriageState]
    _views: dict[str, GroupView]

    def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]: ...
    def _make_view(self, group_id: str, mentions: list[Mention]) -> GroupView: ...

    def _column(self, sql: str, params: Any = None) -> list[str]: ...
    def state(self, target: str) -> TriageState: ...
    def view(self, group_id: str) -> GroupView: ...


def candidate_query(window: AlertWindow, ruled: Iterable[str]) -> tuple[str, dict[str, Any]]:
    """The SQL and its parameters: the window's groups and the ruled ones, ranked."""
    params = {
        "now": window.now,
        "since": window.since,
        "urgent_since": window.urgent_since,
        "urgent": window.urgent,
        "normal": window.normal,
        "microblog": window.microblog,
        "urgent_target": window.urgent_target,
        "micro": sorted(MICROBLOGS),
        "least": -window.stale - 1.0,  # as AlertWindow.sla_due
        "most": window.warning + 1.0,
        "ruled": sorted(ruled),
    }
    return CANDIDATES, params


class PgAlerting:
    """`alert_groups` for PgReader (a mixin: it reads through the reader's pool)."""

    def alert_groups(
        self: _Reader, window: AlertWindow, now: datetime, rules: bool = False
    ) -> list[GroupView]:
        """Views of the groups that can alert at `now`, ranked as `groups()` ranks them:
        inside `window` and open (may_page), or - when some rule alerts - holding a
        recent rule note. A superset of what alerts; never a group that could be missed."""
        ruled = set(rule_candidates(self.states.values(), now)) if rules else set()
        sql, params = candidate_query(window, ruled)
        ids = [g for g in self._column(sql, params) if g in ruled or may_page(self.state(g), now)]
        views: list[GroupView] = []
        for start in range(0, len(ids), CHUNK):  # kept as made: the view cache holds 20,000
            chunk = ids[start : start + CHUNK]
            made = {g: self._views[g] for g in chunk if g in self._views}
            missing = [g for g in chunk if g not in made]
            members: dict[str, list[Mention]] = {}
            if missing:
                rows = self._query(MEMBERS, (missing,))
                for gid, record in rows:
                    members.setdefault(gid, []).append(Mention.from_json(record))
            made |= {g: self._make_view(g, ms) for g, ms in members.items()}
            views += [made[g] if g in made else self.view(g) for g in chunk]
        return views
