"""`triage.filter.Filter` as a SQL condition on `groups g LEFT JOIN states s`.

Term by term the same rule as `triage.filter._term_matches` (the columns hold the same
folded text), so the PostgreSQL store lists what the folder store lists for any filter,
and the database answers it from its indexes (trigram for words, GIN for brands and
platforms, the rank index for the order) instead of the client reading the archive.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from triage.filter import Filter, FilterContext, Term

CLOSED = ("done", "ignored")
# never opened by the user, or a copy or someone else's note came since (store.reads):
# the groups the user has read are found once (a hashed subplan over their own marks),
# not probed group by group
READ = (  # the groups the user has read to the end (store.postgres.reads)
    "SELECT r.group_id FROM read_marks r "
    "JOIN groups rg ON rg.group_id = r.group_id "
    "LEFT JOIN states st ON st.target = r.group_id "
    "WHERE r.who = %s AND r.copies >= rg.size AND r.notes >= (SELECT count(*) FROM "
    "jsonb_array_elements(coalesce(st.record->'notes', '[]'::jsonb)) n "
    "WHERE n->>'by' <> %s)"
)
UNREAD = f"g.group_id NOT IN ({READ})"
STATE_COLUMN = re.compile(r"\bs\.")


def like(value: str) -> str:
    """A LIKE pattern that finds `value` anywhere (its own % _ \\ taken literally)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _term(term: Term, ctx: FilterContext) -> tuple[str, list[Any]]:
    value = term.value
    match term.field:
        case "":
            # one LIKE per spelling (not LIKE ANY(array), which no index answers): the
            # trigram indexes on haystack and signals serve each one, OR-ed as bitmaps
            patterns = [like(v) for v in (value, *term.alternatives)]
            tests = " OR ".join(["g.haystack LIKE %s", "g.signals LIKE %s"] * len(patterns))
            return f"({tests})", [p for p in patterns for _ in (0, 1)]
        case "brand":  # @> (not = ANY): the GIN index and its element statistics
            return "g.brands @> ARRAY[%s]::text[]", [value]
        case "platform":
            return "g.platforms @> ARRAY[%s]::text[]", [value]
        case "tag":
            return "%s = ANY(s.tags)", [value]
        case "status":
            return "s.status = %s", [value]
        case "author":
            return "g.authors LIKE %s", [like(value.lstrip("@"))]
        case "is":
            return _is(value, ctx)
        case "person":  # m15: the people's handles (store.postgres.people)
            from store.postgres.people import person_clause

            return person_clause(term)
    return "false", []  # pragma: no cover - parse_filter admits no other field


def _is(value: str, ctx: FilterContext) -> tuple[str, list[Any]]:
    if value == "urgent":
        return "g.priority >= %s", [ctx.urgent_threshold]
    if value == "unanswered":
        return "(s.first_response IS NULL AND s.status <> ALL(%s))", [list(CLOSED)]
    if value == "mine":
        return "(s.assignee = %s OR s.claimed_by = %s)", [ctx.user, ctx.user]
    if value == "snoozed":
        return "s.snoozed_until > %s", [ctx.now]
    if value == "claimed":
        return "(s.claimed_by IS NOT NULL AND s.claim_expires > %s)", [ctx.now]
    if value == "handedoff":
        return "s.handed_off", []
    if value == "awaiting":  # a reply waits for a reviewer (store.postgres.approvals)
        return "s.record->'replies' @> %s::jsonb", ['[{"status": "awaiting"}]']
    if value == "unread":  # the user's own marks (store.postgres.reads); no s. column
        return UNREAD, [ctx.user, ctx.user]
    return "false", []


def _true_without_state(term: Term) -> bool:
    """What a term says of a group nobody acted on (no state row: a NEW TriageState)."""
    return (term.field == "status" and term.value == "new") or (
        term.field == "is" and term.value == "unanswered"
    )


def where(flt: Filter, ctx: FilterContext) -> tuple[str, list[Any]]:
    """The WHERE clause on `groups g` (without the keyword) and its parameters.

    A term on the group's columns (NOT NULL) stays bare, so the trigram and GIN indexes
    answer it; a term on the triage state asks the small states table (its status
    index) for the groups it holds true of, or, when a group without a state row
    passes it (status:new, is:unanswered), for those it is false of."""
    parts: list[str] = []
    params: list[Any] = []
    for term in flt.terms:
        sql, args = _term(term, ctx)
        if STATE_COLUMN.search(sql):
            if _true_without_state(term):
                sql = f"g.group_id NOT IN (SELECT target FROM states s WHERE NOT ({sql}))"
            else:
                sql = f"g.group_id IN (SELECT target FROM states s WHERE {sql})"
        parts.append(f"NOT {sql}" if term.negate else sql)
        params += args
    return (" AND ".join(parts) or "true"), params


def visibility(closed: bool, snoozed: bool, now: datetime) -> tuple[str, list[Any]]:
    """triage.query.InboxQuery.hides as SQL on `groups g`: closed groups out unless
    `closed`, snoozed open ones out unless `snoozed` (the small states table decides)."""
    hide: list[str] = []
    params: list[Any] = []
    if not closed:
        hide.append("s.status = ANY(%s)")
        params.append(list(CLOSED))
    if not snoozed:
        hide.append("(s.status <> ALL(%s) AND s.snoozed_until > %s)")
        params += [list(CLOSED), now]
    if not hide:
        return "true", []
    return f"g.group_id NOT IN (SELECT target FROM states s WHERE {' OR '.join(hide)})", params
