"""Rules and people at ingest: what `app.ingest` calls around `store.ingest`.

Before the write, each new post gets the priority bumps of the rules that match it
and the VIP bump of its author (triage.rules.bump, triage.people.vip_bump): priority
is written with the post, so every face ranks it the same. After the write, the rules
act on the groups of the new posts in order (triage.rules.plan), each match one batch
of the store's ordinary durable actions made as `rule:NAME` (journaled, undoable). A
rule that fails on one group (a refused action, a busy store) is logged and the
others go on: a rule never costs a post.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, cast

from app.people import people_of
from store.crash import crash_point
from triage.config import Config
from triage.errors import NotFound
from triage.filter import FilterContext
from triage.model import Mention, utcnow
from triage.people import People, vip_bump, with_people
from triage.protocol import OwesRules, Store
from triage.rules import Rule, Step, plan

Log = Callable[..., None]


def _rules(rules: Sequence[Rule], people: People) -> list[Rule]:
    return [r if not people.persons else _resolved(r, people) for r in rules]


def _resolved(rule: Rule, people: People) -> Rule:
    from dataclasses import replace

    return replace(rule, filter=with_people(rule.filter, people))


def before_store(
    store: Store, mentions: list[Mention], config: Config, people: People | None = None
) -> list[Mention]:
    """The posts with their rule and VIP priority bumps."""
    from triage.rules import bump

    bumping = [r for r in config.rules if r.priority]
    if people is None:
        people = people_of(store)
    if not bumping and not people.persons:
        return mentions
    rules = _rules(bumping, people)
    ctx = FilterContext(store.user, utcnow(), store.urgent_threshold)
    return [
        vip_bump(bump(m, rules, ctx), people, config.people) for m in _prepared(store, mentions)
    ]


def _prepared(store: Store, mentions: list[Mention]) -> list[Mention]:
    """Brands and priority decided (the poller's workers did it for polled posts; the
    store's pipeline would, after the bump, and so undo it)."""
    step = getattr(getattr(store, "pipeline", None), "prepare_step", None)
    if step is None:
        return mentions
    fingerprint = step.fingerprint
    return [
        m if m.prepared is not None and m.prepared.fingerprint == fingerprint else step.prepare(m)
        for m in mentions
    ]


def after_store(
    store: Store,
    new: Iterable[Mention],
    rules: Sequence[Rule],
    people: People | None = None,
    log: Log | None = None,
) -> list[tuple[str, str]]:
    """Apply the rules, in order, to the groups of the new posts; (rule, group) applied.

    A store that can (`one_commit`: the folder store) journals the whole round in one
    write and writes each touched state bucket once, instead of one fsynced commit per
    rule per group; each application stays its own batch (one undo step). A round
    whose commit fails stores none of its actions and says so for each."""
    return _run(store, list(dict.fromkeys(m.group_id or m.id for m in new)), rules, people, log)[0]


def _run(
    store: Store, groups: list[str], rules: Sequence[Rule], people: People | None, log: Log | None
) -> tuple[list[tuple[str, str]], bool]:
    """`after_store` on these groups; and False when the round's commit failed."""
    acting = [r for r in rules if r.acts_on_groups]
    if not acting or not groups:
        return [], True
    acting = _rules(acting, people if people is not None else people_of(store))
    done: list[tuple[str, str]] = []
    one_commit = getattr(store, "one_commit", None)
    try:
        with one_commit() if one_commit is not None else contextlib.nullcontext():
            for gid in groups:
                for rule in acting:
                    _apply(store, rule, gid, done, log)
    except Exception as exc:  # the round's commit (or its lock): none of it is stored
        why = f"{type(exc).__name__}: {exc}"
        if log is not None:
            for name, gid in done or [(r.name, "*") for r in acting]:
                log("rule failed", rule=name, group=gid, why=why)
        return [], False
    if log is not None:
        for name, gid in done:
            log("rule applied", rule=name, group=gid)
    return done, True


def _apply(
    store: Store, rule: Rule, gid: str, done: list[tuple[str, str]], log: Log | None
) -> None:
    """One rule on one group: its actions if its filter matches (a failure is logged,
    the posts are stored and the other rules go on)."""
    try:
        now = utcnow()
        view = store.view(store.resolve(gid))
        if not rule.filter.matches(view, FilterContext(store.user, now, store.urgent_threshold)):
            return
        steps = plan(rule, view, now)
        if steps:
            apply_steps(store, rule, steps)
            done.append((rule.name, view.group_id))
            crash_point("mid-rules")
    except Exception as exc:  # one rule on one group; the posts are stored
        if log is not None:
            log("rule failed", rule=rule.name, group=gid, why=f"{type(exc).__name__}: {exc}")


def apply_steps(store: Store, rule: Rule, steps: Sequence[Step]) -> None:
    """One rule's actions on one group: one batch (one undo step), made as `rule:NAME`."""
    actor: Any = getattr(store, "acting_as", None)
    as_rule: AbstractContextManager[Any] = (
        actor(rule.actor) if actor is not None else contextlib.nullcontext()
    )
    with as_rule, store.batch(f"{rule.actor}:{uuid.uuid4().hex[:12]}"):
        for step in steps:
            getattr(store, step.action)(*step.args)
            crash_point("mid-steps")


def ingest_with_rules(
    store: Store, mentions: list[Mention], config: Config | None, log: Log | None = None
) -> list[Mention]:
    """`store.ingest` with the configuration's rules and people around it."""
    if config is None:
        return store.ingest(mentions)
    people = people_of(store)
    prepared = before_store(store, mentions, config, people)
    owing = _owing(store, config.rules)
    if owing is None:
        new = store.ingest(prepared)
        after_store(store, new, config.rules, people, log)
        return new
    new = owing.ingest(prepared, owe_rules=True)
    if new:
        crash_point("before-rules")
    groups = list(dict.fromkeys(m.group_id or m.id for m in new))
    ran = _run(store, groups, config.rules, people, log)[1]
    try:
        owed, given_up = owing.owed_rules([m.id for m in new] if ran else ())
        if given_up and log is not None:
            log("rules given up", posts=len(given_up), why="their replay was begun too often")
        if owed:
            replay(owing, owed, config.rules, people, log)
    except Exception as exc:  # the posts are stored and ruled; the records wait
        if log is not None:
            log("rules owed not settled", why=f"{type(exc).__name__}: {exc}")
    return new


def _owing(store: Store, rules: Sequence[Rule]) -> OwesRules | None:
    """The store, when it keeps rules owed and some rule acts on groups (else nothing
    is recorded: a configuration without such rules pays nothing)."""
    if getattr(store, "owed_rules", None) is None or not any(r.acts_on_groups for r in rules):
        return None
    return cast(OwesRules, store)


def replay(
    store: OwesRules, owed: Sequence[str], rules: Sequence[Rule], people: People | None,
    log: Log | None = None,
) -> list[tuple[str, str]]:  # fmt: skip
    """Run the rules owed to these posts (claimed by `owed_rules`), then settle them. A
    post no store knows was never stored (its process died before the day files):
    dropped. The rules that already acted on a group skip it (their note is there)."""
    store.refresh()  # the dead process's posts, stored by it
    groups: list[str] = []
    for mid in owed:
        with contextlib.suppress(NotFound):
            groups.append(store.resolve(mid))
    groups = list(dict.fromkeys(groups))
    done, ran = _run(store, groups, rules, people, log)
    if log is not None:
        log("rules replayed", posts=len(owed), groups=len(groups), applied=len(done))
    if ran:
        store.settle_rules(owed)
    return done
