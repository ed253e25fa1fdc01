"""Inbox rules: what a `[[rules]]` entry matches and what it plans to do (pure).

A rule is a filter (`when`, the one filter language) and actions: tag, assign, hand
off, status, snooze, a priority bump and an alert. Never a reply: nothing here can plan
one (the configuration refuses the key), so a rule cannot speak for the brand.

Two moments, both at ingest (app.rules applies them):
- before a new post is stored, the rules with a `priority` bump are matched against the
  post alone (brand, platform, author, words, is:urgent, person:); the bump is written
  with the post, so every face ranks it the same, and the signal names the rule;
- once stored, the rules are matched in order against the post's group, each seeing
  what the earlier ones did, and each match becomes one batch of store actions made as
  the actor `rule:NAME`, ended by a note "rule NAME: tagged #x, ..." (the thread pane
  and `veille show` show it; the journal names the rule; undo takes it back).
A rule acts on a group once: a group whose notes already say "rule NAME:" is skipped,
so a new copy arriving later does not undo a person's decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from triage.alerts import Alert
from triage.filter import Filter, FilterContext, parse_filter
from triage.model import Mention, Status, TriageState
from triage.views import GroupView

ACTOR_PREFIX = "rule:"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_BUMP = 50.0  # a rule moves a post at most this far (priority is 0-100)
STALE = timedelta(hours=24)  # a rule's alert about an older match is not sent
ACTIONS = ("tag", "assign", "hand_off", "status", "snooze", "priority", "alert")


@dataclass(frozen=True, slots=True)
class Rule:
    """One `[[rules]]` entry, checked (sources.config builds it)."""

    name: str
    when: str
    filter: Filter = field(default_factory=Filter, compare=False)
    tag: tuple[str, ...] = ()
    assign: str | None = None
    hand_off: tuple[str, str] | None = None  # (team, note)
    status: Status | None = None
    snooze: float = 0.0  # seconds
    priority: float = 0.0  # added to a matching post's priority, within +-MAX_BUMP
    alert: bool = False

    @property
    def actor(self) -> str:
        """Who the journal says acted: `rule:NAME`."""
        return ACTOR_PREFIX + self.name

    @property
    def acts_on_groups(self) -> bool:
        return bool(
            self.tag or self.assign is not None or self.hand_off or self.status
            or self.snooze or self.alert
        )  # fmt: skip

    def describe(self) -> str:
        """What the rule does, in words (`veille rules list`)."""
        return ", ".join(_words(self, None)) or "nothing"


def make_rule(name: str, when: str, **actions: object) -> Rule:
    """A rule, its filter parsed (FilterError, ValueError in words)."""
    if not NAME.match(name):
        raise ValueError(
            f"rule name {name!r}: letters, digits, '-', '_' or '.', at most 64, no spaces"
        )
    return Rule(name, when, parse_filter(when), **actions)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Step:
    """One store action of a rule's application: `action` names the store method."""

    action: str  # the store method: tag | assign | handoff | set_status | snooze | note
    args: tuple[object, ...]


def trace_prefix(name: str) -> str:
    return f"rule {name}: "


def applied(state: TriageState, name: str) -> bool:
    """Whether rule `name` already acted on this group (its note is there)."""
    prefix = trace_prefix(name)
    return any(n.text.startswith(prefix) for n in state.notes)


def matches(rule: Rule, view: GroupView, ctx: FilterContext) -> bool:
    return rule.filter.matches(view, ctx)


def plan(rule: Rule, view: GroupView, now: datetime) -> list[Step]:
    """The store actions `rule` makes on a group it matches, the trace note last;
    [] when it already acted there or has nothing to do on a group."""
    state = view.state
    if not rule.acts_on_groups or applied(state, rule.name):
        return []
    gid = view.group_id
    steps: list[Step] = []
    new_tags = [t for t in rule.tag if t not in state.tags]
    if new_tags:
        steps.append(Step("tag", (gid, tuple(new_tags))))
    if rule.assign is not None and rule.assign != state.assignee:
        steps.append(Step("assign", (gid, rule.assign or None)))
    if rule.hand_off is not None and (
        state.handoff is None or state.handoff.team != rule.hand_off[0]
    ):
        steps.append(Step("handoff", (gid, rule.hand_off[0], rule.hand_off[1])))
    if rule.status is not None and rule.status != state.status:
        steps.append(Step("set_status", (gid, rule.status)))
    if rule.snooze:
        steps.append(Step("snooze", (gid, now + timedelta(seconds=rule.snooze))))
    steps.append(Step("note", (gid, trace(rule, state))))
    return steps


def trace(rule: Rule, state: TriageState | None = None) -> str:
    """The note a rule leaves: "rule refund-fr: tagged #refund, assigned to ana"."""
    return trace_prefix(rule.name) + (", ".join(_words(rule, state)) or "matched")


def _words(rule: Rule, state: TriageState | None) -> list[str]:
    out: list[str] = []
    tags = [t for t in rule.tag if state is None or t not in state.tags]
    if tags:
        out.append("tagged " + " ".join("#" + t for t in tags))
    if rule.assign is not None and (state is None or rule.assign != state.assignee):
        out.append(f"assigned to {rule.assign}" if rule.assign else "unassigned")
    if rule.hand_off is not None and (
        state is None or state.handoff is None or state.handoff.team != rule.hand_off[0]
    ):
        out.append(f"handed off to {rule.hand_off[0]}")
    if rule.status is not None and (state is None or rule.status != state.status):
        out.append(f"status {rule.status.value}")
    if rule.snooze:
        out.append(f"snoozed {_span(rule.snooze)}")
    if rule.priority:
        out.append(f"priority {rule.priority:+g}")
    if rule.alert:
        out.append("alert")
    return out


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


# -- before a post is stored: the priority bumps


def bump(mention: Mention, rules: Sequence[Rule], ctx: FilterContext) -> Mention:
    """The post with every matching rule's priority bump (0-100, each bump named in the
    signals); the same post when none matches. Matched against the post alone."""
    bumps = [r for r in rules if r.priority]
    if not bumps:
        return mention
    view = GroupView(mention.id, [mention], TriageState(mention.id), mention.priority,
                     tuple(mention.signals))  # fmt: skip
    priority, signals = mention.priority, list(mention.signals)
    for rule in bumps:
        if rule.filter.matches(view, ctx):
            priority += rule.priority
            signals.append(f"rule {rule.name}: {rule.priority:+g}")
    if len(signals) == len(mention.signals):
        return mention
    return replace(mention, priority=min(100.0, max(0.0, priority)), signals=tuple(signals))


# -- alerts (veille watch asks these with its other alerts)


def rule_alerts(views: Iterable[GroupView], rules: Sequence[Rule], now: datetime) -> list[Alert]:
    """One alert per group an alerting rule acted on in the last 24 h (key
    `rule:NAME:GROUP`, so the watch's ledger sends each once)."""
    alerting = {r.name for r in rules if r.alert}
    if not alerting:
        return []
    found: list[Alert] = []
    for view in views:
        for note in view.state.notes:
            name = _rule_of(note.text)
            if name in alerting and now - note.at <= STALE:
                leader = view.leader
                snippet = " ".join((leader.title or leader.text).split())[:90]
                found.append(
                    Alert(
                        "rule",
                        f"rule:{name}:{view.group_id}",
                        f"rule {name}: {leader.author.display} on {leader.platform}: {snippet}",
                        leader.url,
                    )
                )
    return found


def _rule_of(text: str) -> str | None:
    if not text.startswith("rule "):
        return None
    head, sep, _ = text[5:].partition(": ")
    return head if sep and NAME.match(head) else None
