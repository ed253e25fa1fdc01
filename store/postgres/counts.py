"""triage.query.count in one SQL query: the inbox's figures without reading any view.

The same definitions as `triage.query.count` (open: not done or ignored and not snoozed;
urgent: open and ranked at or above the threshold; a failed hand-off; breached: open,
unanswered, and its leader older than the first-response target of triage.sla, the
shortest of normal, microblog - any platform of the story - and urgent).

At a million groups the cost is the pass over them, so that pass joins nothing: every
group is counted as a group nobody acted on (status new, open, unanswered, no hand-off),
its leader's time read from its own row (`first_at`, schema FIRST_AT); then the groups
that do have a state row (the few acted on, found from the small states table by the
primary key) take back that default and add what their state says. The breach test
compares `first_at` with three precomputed instants, cheapest first; the unread figure
is the groups less those the user read to the end (a count of the read marks, not a
probe per group).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from store.postgres.sqlfilter import READ, UNREAD
from triage.query import CLOSED, Counts, SlaLeftClock
from triage.sla import MICROBLOGS

COUNTS = """
WITH stated AS MATERIALIZED (
    SELECT g.group_id, g.priority, g.first_at, g.platforms, s.status, s.snoozed_until,
           s.first_response, h.delivery
    FROM states s JOIN groups g ON g.group_id = s.target
    LEFT JOIN handoffs h ON h.target = s.target
)
SELECT 'new', count(*), count(*),
       count(*) FILTER (WHERE g.priority >= %(urgent)s), 0,
       count(*) FILTER (WHERE {late}),
       count(*) - (SELECT count(*) FROM ({read}) r)
FROM groups g
UNION ALL
SELECT 'new', -count(*), -count(*),
       -count(*) FILTER (WHERE g.priority >= %(urgent)s), 0,
       -count(*) FILTER (WHERE {late}),
       -count(*) FILTER (WHERE {unread})
FROM stated g
UNION ALL
SELECT g.status, count(*), count(*) FILTER (WHERE g.open),
       count(*) FILTER (WHERE g.open AND g.priority >= %(urgent)s),
       count(*) FILTER (WHERE g.open AND g.delivery = 'failed'),
       count(*) FILTER (WHERE g.open AND g.first_response IS NULL AND {late}),
       count(*) FILTER (WHERE g.open AND {unread})
FROM (SELECT g.group_id, g.priority, g.first_at, g.platforms, g.first_response, g.delivery,
             coalesce(g.status, 'new') AS status, {open} AS open
      FROM stated g OFFSET 0) g
GROUP BY 1
"""
OPEN = (
    "(coalesce(g.status, 'new') <> ALL(%(closed)s) "
    "AND NOT coalesce(g.snoozed_until > %(now)s, false))"
)
# the leader older than the shortest allowed time: normal, urgent (by rank), microblog
LATE = (
    "(g.first_at < %(normal_at)s OR (g.priority >= %(sla_urgent)s AND g.first_at < %(urgent_at)s)"
    " OR (g.first_at < %(micro_at)s AND lower(g.platforms::text)::text[] && %(micro)s))"
)


def counts_query(
    now: datetime, urgent: float, sla: SlaLeftClock | None, user: str = ""
) -> tuple[str, dict[str, Any]]:
    """The query and its parameters; `user`'s read marks give the unread count."""
    params: dict[str, Any] = {
        "closed": [c.value for c in CLOSED], "now": now, "urgent": urgent, "user": user
    }  # fmt: skip
    if sla is None:
        late = "false"
    else:
        late = LATE
        params |= {
            "normal_at": now - timedelta(seconds=sla.sla.normal),
            "urgent_at": now - timedelta(seconds=sla.sla.urgent),
            "micro_at": now - timedelta(seconds=sla.sla.microblog),
            "sla_urgent": sla.urgent_threshold,
            "micro": sorted(MICROBLOGS),
        }
    unread = UNREAD.replace("%s", "%(user)s")
    read = READ.replace("%s", "%(user)s")
    return COUNTS.format(open=OPEN, late=late, unread=unread, read=read), params


def to_counts(rows: list[tuple[Any, ...]]) -> Counts:
    from triage.model import Status

    by_status = {s.value: 0 for s in Status}
    opened = urgent = failed = breached = groups = unread = 0
    for status, n, o, u, f, b, r in rows:
        by_status[status] = by_status.get(status, 0) + int(n)
        groups += int(n)
        opened += int(o)
        urgent += int(u)
        failed += int(f)
        breached += int(b)
        unread += int(r)
    return Counts(opened, urgent, breached, groups, by_status, failed, unread)
