"""Reply approval: which replies wait for a second pair of eyes, and who may give it.

A reply waits ("awaiting", `DeliveryStatus.AWAITING`) when an `[[approval]]` entry of
the configuration matches it: its `when` filter matches the group (a brand, a crisis
tag, `is:urgent`...) and/or the reply's author is one of its `authors`. A waiting reply
is never in the outbox. A reviewer approves it (it is queued for sending, as written or
as they edited it) or sends it back with a note; the author sees either in the thread
pane. Nobody approves their own reply; an entry's `reviewers` (when given) are the only
ones who may approve what it holds back.
"""

from __future__ import annotations

from collections.abc import Sequence

from triage.config import ApprovalConfig
from triage.filter import FilterContext, FilterSubject, parse_filter


def matching(
    rules: Sequence[ApprovalConfig], subject: FilterSubject, author: str, ctx: FilterContext
) -> list[ApprovalConfig]:
    """The entries that hold back a reply by `author` on this group."""
    out = []
    for rule in rules:
        if rule.authors and author not in rule.authors:
            continue
        if rule.when and not parse_filter(rule.when).matches(subject, ctx):
            continue
        if rule.when or rule.authors:
            out.append(rule)
    return out


def needs_approval(
    rules: Sequence[ApprovalConfig], subject: FilterSubject, author: str, ctx: FilterContext
) -> ApprovalConfig | None:
    """The first entry that holds back a reply by `author` on this group, or None."""
    found = matching(rules, subject, author, ctx)
    return found[0] if found else None


def review_refusal(
    rules: Sequence[ApprovalConfig],
    subject: FilterSubject,
    author: str,
    reviewer: str,
    ctx: FilterContext,
) -> str | None:
    """Why `reviewer` may not approve `author`'s reply here (None: they may)."""
    if reviewer == author:
        return "you cannot approve your own reply: another reviewer must"
    held = matching(rules, subject, author, ctx)
    allowed = {r for rule in held for r in rule.reviewers}
    if held and all(rule.reviewers for rule in held) and reviewer not in allowed:
        names = ", ".join(sorted(allowed))
        return f"only {names} may approve replies held by {held[0].name!r}"
    return None


def reviewers_of(
    rules: Sequence[ApprovalConfig], subject: FilterSubject, author: str, ctx: FilterContext
) -> list[str]:
    """Who is asked to review (empty: anyone but the author)."""
    held = matching(rules, subject, author, ctx)
    if any(not rule.reviewers for rule in held):
        return []
    return sorted({r for rule in held for r in rule.reviewers if r != author})
