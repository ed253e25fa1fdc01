"""Rules and people at ingest (app.rules) on a real folder store: the rule's actions
are the store's durable actions journaled as `rule:NAME`, one undo step, once per
group; priority bumps and VIPs are written with the post."""

from __future__ import annotations

from datetime import timedelta

from app.rules import ingest_with_rules
from sources.config import parse_config
from store.inbox import Inbox
from store.people import PeopleFile
from triage.model import Author, Mention, utcnow
from triage.people import link, set_tags

CONFIG = """user = "camille"
[[brands]]
name = "Lumio"
keywords = ["lumio"]
[[teams]]
name = "sav"
[[rules]]
name = "refund-fr"
when = "brand:Lumio remboursement"
tag = ["refund"]
assign = "ana"
hand_off = { team = "sav", note = "remboursement" }
[[rules]]
name = "escalate"
when = "tag:refund colère"
status = "open"
priority = 20
[[rules]]
name = "vip"
when = "person:vip"
tag = ["vip"]
"""


def _post(n: str, text: str, handle: str = "@bob", minutes: float = 0) -> Mention:
    at = utcnow() - timedelta(minutes=minutes)
    return Mention(id=f"rss:{n}", platform="rss", source="feed", url=f"https://f.example/{n}",
                   author=Author(name=handle.strip("@"), handle=handle), text=text,
                   created_at=at, fetched_at=at)  # fmt: skip


def _open(tmp_path) -> tuple[Inbox, object]:
    from app.runtime import make_pipeline

    config = parse_config(CONFIG)
    return Inbox.open(tmp_path / "store", user="camille", pipeline=make_pipeline(config)), config


def test_a_rule_tags_assigns_and_hands_off_as_itself_in_one_undo_step(tmp_path):
    inbox, config = _open(tmp_path)
    with inbox:
        (new,) = ingest_with_rules(inbox, [_post("1", "Lumio: je veux un remboursement")], config)
        state = inbox.state(new.group_id)
        assert state.tags == ("refund",) and state.assignee == "ana"
        assert state.handoff is not None and state.handoff.team == "sav"
        assert state.handoff.by == "rule:refund-fr"
        (note,) = state.notes
        assert note.by == "rule:refund-fr"
        assert note.text == "rule refund-fr: tagged #refund, assigned to ana, handed off to sav"
        events = [e for e in inbox.events() if e.target == new.group_id]
        assert {e.who for e in events} == {"rule:refund-fr"}
        assert len({e.batch for e in events}) == 1 and events[0].batch
        assert inbox.user == "camille"  # the store's own user again
        assert inbox.undo() is None  # camille did nothing: a rule is not her last action
        assert inbox.undo(user="rule:refund-fr") is not None
        undone = inbox.state(new.group_id)
        assert undone.tags == () and undone.assignee is None and undone.notes == ()
        assert undone.handoff is None


def test_rules_apply_in_order_and_once_per_group(tmp_path):
    inbox, config = _open(tmp_path)
    with inbox:
        (first,) = ingest_with_rules(
            inbox, [_post("1", "Lumio remboursement, colère !", minutes=5)], config
        )
        state = inbox.state(first.group_id)
        # "escalate" sees the tag "refund-fr" set just before it
        assert state.status.value == "open"
        assert [n.text.split(":")[0] for n in state.notes] == ["rule refund-fr", "rule escalate"]
        inbox.assign(first.group_id, "bob")  # a person decides otherwise
        copy = _post("2", "Lumio remboursement, colère !")
        (second,) = ingest_with_rules(inbox, [copy], config)
        assert second.group_id == first.group_id  # a copy of the same story
        assert inbox.state(first.group_id).assignee == "bob"  # not overridden by the rule


def test_priority_rules_see_the_post_alone_and_vips_are_ranked_up(tmp_path):
    inbox, config = _open(tmp_path)
    with inbox:
        PeopleFile(tmp_path / "store").update(
            lambda p: set_tags(link(p, ["@ana", "ana.bsky.social"]), "ana", ["vip"])
        )
        plain, vip = ingest_with_rules(
            inbox,
            [_post("1", "Lumio sympa", minutes=1), _post("2", "Lumio sympa aussi", handle="@Ana")],
            config,
        )
        assert vip.priority == min(100.0, plain.priority + 15)
        assert any(s.startswith("vip: ana +15") for s in vip.signals)
        assert inbox.state(vip.group_id).tags == ("vip",)  # person:vip in a rule
        assert inbox.state(plain.group_id).tags == ()
        assert inbox.ranked_ids()[0] == vip.group_id
