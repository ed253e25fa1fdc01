"""`triage.filter.Filter` as a SQL condition on `groups g LEFT JOIN states s`.

Term by term the same rule as `triage.filter._term_matches` (the columns hold the same
folded text), so the PostgreSQL store lists what the folder store lists for any filter,
and the database answers it from its indexes (trigram for words, GIN for brands and
platforms, the rank index for the order) instead of the client reading the archive.
"""

from __future__ import annotations

import re
from typing import Any

from triage.filter import Filter, FilterContext, Term

CLOSED = ("done", "ignored")
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
        case "brand":
            return "%s = ANY(g.brands)", [value]
        case "platform":
            return "%s = ANY(g.platforms)", [value]
        case "tag":
            return "%s = ANY(s.tags)", [value]
        case "status":
            return "coalesce(s.status, 'new') = %s", [value]
        case "author":
            return "g.authors LIKE %s", [like(value.lstrip("@"))]
        case "is":
            return _is(value, ctx)
    return "false", []  # pragma: no cover - parse_filter admits no other field


def _is(value: str, ctx: FilterContext) -> tuple[str, list[Any]]:
    if value == "urgent":
        return "g.priority >= %s", [ctx.urgent_threshold]
    if value == "unanswered":
        return "(s.first_response IS NULL AND coalesce(s.status, 'new') <> ALL(%s))", [list(CLOSED)]
    if value == "mine":
        return "(s.assignee = %s OR s.claimed_by = %s)", [ctx.user, ctx.user]
    if value == "snoozed":
        return "s.snoozed_until > %s", [ctx.now]
    if value == "claimed":
        return "(s.claimed_by IS NOT NULL AND s.claim_expires > %s)", [ctx.now]
    if value == "handedoff":
        return "s.handed_off", []
    return "false", []


def where(flt: Filter, ctx: FilterContext) -> tuple[str, list[Any]]:
    """The WHERE clause (without the keyword) and its parameters; "true" when empty."""
    parts: list[str] = []
    params: list[Any] = []
    for term in flt.terms:
        sql, args = _term(term, ctx)
        if STATE_COLUMN.search(sql):  # a missing state row gives NULL: the term is false
            sql = f"coalesce({sql}, false)"
        # the group's columns are NOT NULL: left bare, so the indexes can answer
        parts.append(f"NOT {sql}" if term.negate else sql)
        params += args
    return (" AND ".join(parts) or "true"), params
