"""triage.query.count in one SQL query: the inbox's figures without reading any view.

The same definitions as `triage.query.count` (open: not done or ignored and not snoozed;
urgent: open and ranked at or above the threshold; a failed hand-off; breached: open,
unanswered, and its leader older than the first-response target of triage.sla, the
shortest of normal, microblog - any platform of the story - and urgent). One pass over
the groups, joined to the small states and hand-off tables; the leader's time is the
row's `first_at` (schema FIRST_AT), so no mention is read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from store.postgres.sqlfilter import UNREAD
from triage.query import CLOSED, Counts, SlaLeftClock
from triage.sla import MICROBLOGS

COUNTS = """
SELECT coalesce(s.status, 'new'),
       count(*),
       count(*) FILTER (WHERE {open}),
       count(*) FILTER (WHERE {open} AND g.priority >= %(urgent)s),
       count(*) FILTER (WHERE {open} AND h.delivery = 'failed'),
       {breached},
       count(*) FILTER (WHERE {open} AND {unread})
FROM groups g
LEFT JOIN states s ON s.target = g.group_id
LEFT JOIN handoffs h ON h.target = g.group_id
GROUP BY 1
"""
OPEN = (
    "(coalesce(s.status, 'new') <> ALL(%(closed)s) "
    "AND NOT coalesce(s.snoozed_until > %(now)s, false))"
)
ALLOWED = (
    "least(%(normal)s, "
    "CASE WHEN lower(g.platforms::text)::text[] && %(micro)s THEN %(microblog)s ELSE %(normal)s END, "
    "CASE WHEN g.priority >= %(sla_urgent)s THEN %(urgent_s)s ELSE %(normal)s END)"
)


def counts_query(
    now: datetime, urgent: float, sla: SlaLeftClock | None, user: str = ""
) -> tuple[str, dict[str, Any]]:
    """The query and its parameters; `user`'s read marks give the unread count."""
    params: dict[str, Any] = {
        "closed": [c.value for c in CLOSED], "now": now, "urgent": urgent, "user": user
    }  # fmt: skip
    if sla is None:
        breached = "0"
    else:
        breached = (
            f"count(*) FILTER (WHERE {OPEN} AND s.first_response IS NULL AND "
            f"g.first_at + {ALLOWED} * interval '1 second' < %(now)s)"
        )
        params |= {
            "normal": sla.sla.normal,
            "microblog": sla.sla.microblog,
            "urgent_s": sla.sla.urgent,
            "sla_urgent": sla.urgent_threshold,
            "micro": sorted(MICROBLOGS),
        }
    unread = UNREAD.replace("%s", "%(user)s")
    return COUNTS.format(open=OPEN, breached=breached, unread=unread), params


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
