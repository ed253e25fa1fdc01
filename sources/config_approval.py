"""`[[approval]]` in the configuration: replies that wait for a reviewer (triage.approval).

    [[approval]]
    name = "crisis"
    when = "tag:crisis"              # the filter language; and/or
    authors = ["junior1", "junior2"] # everything these users write
    reviewers = ["camille"]          # who may approve (empty: anyone but the author)

Declared here, linked into sources/config.py (the one schema) by its field.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from sources.config_values import Bad
from triage.config import ApprovalConfig


class Approval(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One [[approval]] table, as the schema (sources/config.py) parses it."""

    name: str
    when: str = ""
    authors: list[str] = []
    reviewers: list[str] = []


def approval_entries(items: Sequence[Approval]) -> tuple[ApprovalConfig, ...]:
    """The checked entries; Bad (with where) for an entry that would hold nothing back,
    an invalid filter or a name used twice."""
    if not items:  # the filter parser (and rapidfuzz behind it) only when needed
        return ()
    from triage.filter import FilterError, parse_filter

    seen: set[str] = set()
    out = []
    for i, a in enumerate(items):
        where: list[str | int] = ["approval", i]
        name = a.name.strip()
        if not name or name in seen:
            raise Bad(f"[[approval]] #{i + 1}: needs a unique name", where, "name")
        seen.add(name)
        if not a.when.strip() and not a.authors:
            raise Bad(f"[[approval]] {name}: say which replies wait: when = \"...\" and/or "
                      "authors = [...]", where, "when")  # fmt: skip
        if a.when.strip():
            try:
                parse_filter(a.when)
            except FilterError as exc:
                raise Bad(f"[[approval]] {name}: when is not a valid filter: {exc}", where,
                          "when") from None  # fmt: skip
        authors = tuple(u.strip() for u in a.authors if u.strip())
        reviewers = tuple(u.strip() for u in a.reviewers if u.strip())
        out.append(ApprovalConfig(name, a.when.strip(), authors, reviewers))
    return tuple(out)
