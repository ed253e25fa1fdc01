"""triage.rules: what a rule matches and plans, in order, once per group; the bump
before a post is stored; the alerts of alerting rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from triage.filter import FilterContext
from triage.model import Author, Mention, Note, Status, TriageState, utcnow
from triage.people import People, link, set_tags, with_people
from triage.rules import Step, bump, make_rule, plan, rule_alerts, trace
from triage.views import GroupView

NOW = utcnow()
CTX = FilterContext("camille", NOW)


def _mention(n: str, text: str, *, handle: str = "@bob", priority: float = 20.0) -> Mention:
    return Mention(
        id=f"rss:{n}", platform="rss", source="s", url=f"https://f.example/{n}",
        author=Author(name="Bob", handle=handle), text=text, created_at=NOW, fetched_at=NOW,
        brands=("Lumio",), priority=priority, group_id=f"rss:{n}",
    )  # fmt: skip


def _view(m: Mention, state: TriageState | None = None) -> GroupView:
    return GroupView(m.id, [m], state or TriageState(m.id), m.priority, m.signals)


def test_a_matching_rule_plans_its_actions_then_its_trace_note():
    rule = make_rule("refund-fr", "brand:Lumio remboursement", tag=("refund",), assign="ana",
                     status=Status.OPEN, snooze=7200.0)  # fmt: skip
    view = _view(_mention("1", "Je veux un remboursement"))
    assert rule.filter.matches(view, CTX)
    steps = plan(rule, view, NOW)
    assert [s.action for s in steps] == ["tag", "assign", "set_status", "snooze", "note"]
    assert steps[0] == Step("tag", ("rss:1", ("refund",)))
    assert steps[3].args[1] == NOW + timedelta(hours=2)
    assert (
        steps[-1].args[1]
        == "rule refund-fr: tagged #refund, assigned to ana, status open, snoozed 2h"
    )


def test_a_rule_that_does_not_match_is_not_applied():
    rule = make_rule("refund-fr", "brand:Lumio remboursement", tag=("refund",))
    assert not rule.filter.matches(_view(_mention("1", "Lumio est super")), CTX)


def test_a_rule_acts_once_per_group_and_skips_what_is_already_so():
    rule = make_rule("r", "lumio", tag=("a", "b"), assign="ana")
    m = _mention("1", "lumio")
    done = TriageState(m.id, notes=(Note(trace(rule), "rule:r", NOW),))
    assert plan(rule, _view(m, done), NOW) == []  # its note is there: a person may have undone
    half = TriageState(m.id, tags=("a",), assignee="ana")
    steps = plan(rule, _view(m, half), NOW)
    assert steps[0] == Step("tag", (m.id, ("b",)))
    assert [s.action for s in steps] == ["tag", "note"]
    assert steps[-1].args[1] == "rule r: tagged #b"


def test_a_hand_off_rule_plans_the_team_and_note():
    rule = make_rule("press", "journaliste", hand_off=("pr", "a journalist asks"))
    steps = plan(rule, _view(_mention("1", "Je suis journaliste")), NOW)
    assert steps[0] == Step("handoff", ("rss:1", "pr", "a journalist asks"))
    from triage.model import Handoff

    sent = TriageState("rss:1", handoff=Handoff("pr", "earlier", "camille", NOW))
    again = plan(rule, _view(_mention("1", "Je suis journaliste"), sent), NOW)
    assert [s.action for s in again] == ["note"]  # not sent to the same team twice


def test_the_priority_bump_is_bounded_and_named_in_the_signals():
    up = make_rule("vip-words", "rappel", priority=50.0)
    down = make_rule("noise", "concours", priority=-30.0)
    m = _mention("1", "rappel produit", priority=80.0)
    bumped = bump(m, [up, down], CTX)
    assert bumped.priority == 100.0  # never past 100
    assert "rule vip-words: +50" in bumped.signals
    quiet = bump(_mention("2", "concours gratuit", priority=10.0), [up, down], CTX)
    assert quiet.priority == 0.0 and "rule noise: -30" in quiet.signals
    same = _mention("3", "rien")
    assert bump(same, [up, down], CTX) is same


def test_rules_see_what_earlier_rules_did_through_the_group_state():
    first = make_rule("tagger", "lumio", tag=("vip-topic",))
    second = make_rule("router", "tag:vip-topic", assign="ana")
    m = _mention("1", "lumio")
    assert not second.filter.matches(_view(m), CTX)
    after_first = TriageState(m.id, tags=("vip-topic",), notes=(Note(trace(first), "x", NOW),))
    assert second.filter.matches(_view(m, after_first), CTX)
    assert plan(first, _view(m, after_first), NOW) == []


def test_person_terms_follow_todays_people_list():
    rule = make_rule("vip", "person:vip", tag=("vip",))
    m = _mention("1", "hello", handle="@Ana")
    assert not rule.filter.matches(_view(m), CTX)  # nobody is a VIP yet
    people = set_tags(link(People(), ["@ana", "ana.bsky.social"]), "ana", ["vip"])
    assert with_people(rule.filter, people).matches(_view(m), CTX)
    other = _mention("2", "hello", handle="@anabelle")
    assert not with_people(rule.filter, people).matches(_view(other), CTX)
    namesake = _mention("3", "hello", handle="@someone_else")  # named Ana, not her handle
    namesake.author.name = "Ana"
    assert not with_people(rule.filter, people).matches(_view(namesake), CTX)


def test_alerting_rules_alert_once_per_group_within_a_day():
    rule = make_rule("crisis", "feu", alert=True, tag=("crisis",))
    m = _mention("1", "feu")
    fresh = TriageState(m.id, notes=(Note(trace(rule), "rule:crisis", NOW),))
    old = TriageState(m.id, notes=(Note(trace(rule), "rule:crisis", NOW - timedelta(days=2)),))
    (alert,) = rule_alerts([_view(m, fresh)], [rule], NOW)
    assert alert.key == "rule:crisis:rss:1" and alert.kind == "rule"
    assert "rule crisis" in alert.title
    assert rule_alerts([_view(m, old)], [rule], NOW) == []
    silent = make_rule("crisis", "feu", tag=("crisis",))
    assert rule_alerts([_view(m, fresh)], [silent], NOW) == []


def test_a_rule_name_is_one_word():
    with pytest.raises(ValueError, match="no spaces"):
        make_rule("refund fr", "lumio", tag=("x",))
