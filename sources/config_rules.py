"""The `[[rules]]` and `[people]` tables of the configuration schema (sources/config.py
holds the file's one schema and includes these): their Structs and their value checks.

A rule's `when` is parsed with the filter language's own parser, so a bad filter is
refused when the file is read (with its line), never when the first post arrives. A
rule has no reply action, and a key that asks for one is refused in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from sources.config_lines import ConfigError, did_you_mean, line_of, name_of
from sources.config_values import DURATION, parse_duration
from sources.config_values import Bad as _Bad

if TYPE_CHECKING:  # the rule engine and the people model load only for a [[rules]] table:
    from triage.people import PeopleSettings  # reading the file stays cheap (`veille tag`)
    from triage.rules import Rule

# triage.rules.MAX_BUMP, triage.people.VIP_BUMP and MAX_VIP_BUMP, repeated for the schema's
# bounds so that importing it does not import those modules (tests/app/test_config_lazy.py)
MAX_BUMP = 50.0
VIP_BUMP = 15.0
MAX_VIP_BUMP = 30.0

# keys that would make a rule speak for the brand: refused with the reason
REPLY_KEYS = ("reply", "replies", "answer", "respond", "post", "template", "send")


class _HandOff(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    team: str
    note: str = ""


class _Rule(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: str
    when: str
    tag: list[str] | str = []
    assign: str = ""
    hand_off: _HandOff | str = ""
    status: str = ""
    snooze: str = ""
    priority: Annotated[float, msgspec.Meta(ge=-MAX_BUMP, le=MAX_BUMP)] = 0.0
    alert: bool = False


class _People(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    vip_bump: Annotated[float, msgspec.Meta(ge=0.0, le=MAX_VIP_BUMP)] = VIP_BUMP


def refuse_replies(data: dict[str, Any], text: str, path: str) -> None:
    """A rule that asks to post a reply is refused before anything else is checked."""
    rules = data.get("rules")
    if not isinstance(rules, list):
        return
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        for key in rule:
            if str(key).lower() in REPLY_KEYS:
                raise ConfigError(
                    f"{name_of(['rules', i, str(key)])}: a rule can never post a reply; "
                    "a rule may tag, assign, hand_off, status, snooze, priority or alert "
                    "(a reply is always written and sent by a person)",
                    path,
                    line_of(text, ["rules", i], str(key)),
                )


def build_rules(
    rules: Sequence[_Rule], brands: Sequence[str], teams: Sequence[str]
) -> tuple[Rule, ...]:
    if not rules:
        return ()
    from triage.filter import FilterError, KnownValues, parse_filter
    from triage.model import Status
    from triage.rules import ACTIONS, NAME, Rule

    seen: set[str] = set()
    out = []
    for i, r in enumerate(rules):
        where: list[str | int] = ["rules", i]
        name = r.name.strip()
        if not NAME.match(name):
            raise _Bad(
                f"{name_of([*where, 'name'])} {name!r}: a rule's name is one word of letters, "
                "digits, '-', '_' or '.' (it names the rule in the journal)",
                where,
                "name",
            )
        if name in seen:
            raise _Bad(
                f"rules: the name {name!r} is used twice; each must be unique", where, "name"
            )
        seen.add(name)
        try:
            flt = parse_filter(r.when, KnownValues(brands=list(brands) or None))
        except FilterError as exc:
            raise _Bad(f"rule {name!r}: when is not a valid filter: {exc}", where, "when") from None
        if flt.is_empty:
            raise _Bad(
                f'rule {name!r}: when = "" would match every post; say what it is about '
                '(e.g. when = "brand:Lumio remboursement")',
                where,
                "when",
            )
        tags: list[str] = []
        for t in [r.tag] if isinstance(r.tag, str) else r.tag:
            t = t.strip().lstrip("#")
            if not t or any(c.isspace() or not c.isprintable() for c in t):
                raise _Bad(f"rule {name!r}: tag {t!r} is not one word", where, "tag")
            tags.append(t)
        hand_off = None
        if r.hand_off:
            team, note = (
                (r.hand_off, "") if isinstance(r.hand_off, str)
                else (r.hand_off.team, r.hand_off.note)
            )  # fmt: skip
            if team.strip() not in teams:
                known = ", ".join(teams) or "none is configured ([[teams]])"
                raise _Bad(
                    f"rule {name!r}: hand_off to unknown team {team!r}"
                    f"{did_you_mean(team, list(teams))}; teams: {known}",
                    where,
                    "hand_off",
                )
            hand_off = (team.strip(), note.strip())
        status = None
        if r.status:
            try:
                status = Status.parse(r.status)
            except ValueError as exc:
                raise _Bad(f"rule {name!r}: status: {exc}", where, "status") from None
        snooze = 0.0
        if r.snooze:
            if not DURATION.match(r.snooze):
                raise _Bad(
                    f'rule {name!r}: snooze must be a duration with its unit, such as "2h" or '
                    f'"1d", got {r.snooze!r}',
                    where,
                    "snooze",
                )
            snooze = parse_duration(r.snooze)
        rule = Rule(
            name, r.when, flt, tuple(tags), r.assign.strip() or None, hand_off, status, snooze,
            float(r.priority), r.alert,
        )  # fmt: skip
        if not rule.acts_on_groups and not rule.priority:
            raise _Bad(
                f"rule {name!r} does nothing: give it an action ({', '.join(ACTIONS)})", where
            )
        out.append(rule)
    return tuple(out)


def build_people(p: _People | msgspec.UnsetType) -> PeopleSettings | None:
    """None without a [people] table: the defaults, without loading triage.people."""
    if isinstance(p, msgspec.UnsetType):
        return None
    from triage.people import PeopleSettings

    return PeopleSettings(vip_bump=p.vip_bump)
