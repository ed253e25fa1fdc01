"""The same behaviour, asserted on what a user sees, on both backends: the folder store
and PostgreSQL (a real server the tests start, tests/pg/server.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.pg.backends import NOW, mention, open_store
from triage import query
from triage.errors import Conflict, NotFound
from triage.model import DeliveryStatus, Status
from triage.query import InboxQuery


@pytest.fixture(params=["folder", "postgresql"])
def where(request, tmp_path):
    if request.param == "folder":
        return tmp_path / "store"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(where):
    with open_store(where) as s:
        s.ingest(
            [
                mention(
                    i, brand="Lumio" if i % 3 else "Brightly", platform=("rss", "mastodon")[i % 2]
                )
                for i in range(30)
            ]
        )
        yield s


def listed(store, text="", include_all=False):
    return query.run(store, InboxQuery.parse(text, include_all), NOW)


def test_ingest_counts_and_skips_what_is_known(store):
    assert len(store) == 30
    assert [m.id for m in store.ingest([mention(4), mention(31)])] == ["rss:31"]
    assert len(store) == 31
    assert store.mention("rss:31").text.startswith("Message 31")
    assert store.mention("rss:999") is None


def test_ranking_is_priority_then_newest(store):
    ids = listed(store)
    priorities = [store.view(g).priority for g in ids]
    assert priorities == sorted(priorities, reverse=True)
    assert ids[0] == "mastodon:29"
    store.ingest([mention(100, priority=29.0, hours=0.5)])  # same priority, newer
    assert listed(store)[0] == "rss:100"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "brand:brightly",
            {f"{p}:{i}" for i in range(0, 30, 3) for p in [("rss", "mastodon")[i % 2]]},
        ),
        ("platform:mastodon brand:lumio", {f"mastodon:{i}" for i in range(30) if i % 2 and i % 3}),
        ("allume -brand:lumio platform:rss", {f"rss:{i}" for i in range(0, 30, 6)}),
        ("author:@author3", {f"{('rss', 'mastodon')[i % 2]}:{i}" for i in range(30) if i % 7 == 3}),
        ('"message 2"', {f"{('rss', 'mastodon')[i % 2]}:{i}" for i in (2, *range(20, 30))}),
        (
            "propos lampe is:urgent",
            {f"{('rss', 'mastodon')[i % 2]}:{i}" for i in range(30) if i >= 20},
        ),
    ],
)
def test_filters_list_the_same_groups(store, text, expected):
    store.urgent_threshold = 20.0
    assert set(listed(store, text)) == expected


def test_accents_and_case_do_not_matter(store):
    store.ingest([mention(40, text="Le CAFÉ était froid, déçu par Lumio")])
    assert listed(store, "cafe decu") == ["rss:40"]
    assert listed(store, "Café DÉÇU") == ["rss:40"]


def test_a_misspelt_word_still_finds_the_post(store):
    store.ingest([mention(41, text="remboursement refusé pour ma lampe")])
    assert "rss:41" in listed(store, "rembourssement")


def test_tag_status_and_default_visibility(store):
    store.tag("rss:4", add=["bug", "#urgent"])
    assert store.state("rss:4").tags == ("bug", "urgent")
    assert listed(store, "tag:bug") == ["rss:4"]
    store.tag("rss:4", remove=["urgent"])
    assert listed(store, "tag:urgent") == []
    with pytest.raises(ValueError, match="single words"):
        store.tag("rss:4", add=["two words"])
    store.set_status("rss:4", "done")
    assert "rss:4" not in listed(store)
    assert listed(store, "status:done") == ["rss:4"]
    assert "rss:4" in listed(store, include_all=True)
    counts = query.count(store, NOW)
    assert (counts.groups, counts.open, counts.by_status["done"]) == (30, 29, 1)


def test_unknown_target_is_refused_in_words(store):
    with pytest.raises(NotFound, match="no mention or group"):
        store.tag("rss:999", add=["x"])


def test_assign_and_is_mine(store):
    store.assign("rss:2", "camille")
    assert store.state("rss:2").assignee == "camille"
    assert listed(store, "is:mine") == ["rss:2"]
    store.assign("rss:2", None)
    assert listed(store, "is:mine") == []


def test_a_claim_conflicts_for_someone_else(where, store):
    store.claim("rss:6")
    with open_store(where, user="sam") as other:
        other.refresh()
        with pytest.raises(Conflict, match="camille is already on it"):
            other.claim("rss:6")
        assert other.claim("rss:6", force=True).claimed_by == "sam"
    store.refresh()
    assert store.state("rss:6").claimed_by == "sam"
    assert store.state("rss:6").status is Status.OPEN


def test_handoff_and_its_delivery(store):
    store.handoff("rss:8", "service-client", "needs a refund")
    assert listed(store, "is:handedoff") == ["rss:8"]
    pending = store.pending_handoffs()
    assert [(t, h.team) for t, h in pending] == [("rss:8", "service-client")]
    store.update_handoff("rss:8", DeliveryStatus.DELIVERED)
    assert store.pending_handoffs() == []
    assert store.state("rss:8").handoff.delivery is DeliveryStatus.DELIVERED
    with pytest.raises(ValueError, match="needs a team"):
        store.handoff("rss:8", " ")


def test_reply_goes_through_the_outbox(store):
    assert "rss:10" in listed(store, "is:unanswered")
    reply = store.add_reply("rss:10", "Merci, on regarde !")
    assert [(t, r.key) for t, r in store.pending_outbox()] == [("rss:10", reply.key)]
    store.update_reply(
        "rss:10", reply.key, DeliveryStatus.DELIVERED, posted_url="https://m.example/1"
    )
    assert store.pending_outbox() == []
    state = store.state("rss:10")
    assert state.replies[0].posted_url == "https://m.example/1"
    assert "rss:10" not in listed(store, "is:unanswered")


def test_notes_snooze_and_journal(store):
    store.note("rss:12", "called them")
    store.snooze("rss:12", NOW + timedelta(hours=2))
    assert "rss:12" not in listed(store)
    assert listed(store, "is:snoozed") == ["rss:12"]
    actions = [(e.action, e.target, e.who) for e in store.events()]
    assert actions == [("note", "rss:12", "camille"), ("snooze", "rss:12", "camille")]
    assert list(store.events(since=NOW + timedelta(days=1))) == []


def test_undo_reverts_the_last_action_and_refuses_over_someone_else(where, store):
    store.tag("rss:14", add=["bug"])
    store.set_status("rss:14", "waiting")
    undone = store.undo()
    assert undone.action == "status"
    assert store.state("rss:14").status is Status.NEW
    assert store.state("rss:14").tags == ("bug",)
    with open_store(where, user="sam") as other:
        other.tag("rss:14", add=["later"])
    store.refresh()
    with pytest.raises(Conflict, match="sam changed it since"):
        store.undo()
    assert store.state("rss:14").tags == ("bug", "later")


def test_a_batch_is_one_undo_step(store):
    with store.batch():
        for gid in ("rss:16", "rss:18", "rss:20"):
            store.set_status(gid, "done")
    assert not {"rss:16", "rss:18", "rss:20"} & set(listed(store))
    batch_events = store.undo()
    assert batch_events is not None
    assert {"rss:16", "rss:18", "rss:20"} <= set(listed(store))
    assert store.undo() is None


def test_another_process_action_is_seen_after_refresh(where, store):
    with open_store(where, user="sam") as other:
        other.set_status("rss:22", "done")
    assert store.refresh()
    assert store.state("rss:22").status is Status.DONE
    assert not store.refresh()


def test_grouping_through_the_pipeline(where, tmp_path):
    with open_store(where, pipeline=True) as s:
        text = "Lumio lamp exploded in my kitchen, it is on fire, help"
        s.ingest(
            [
                mention(1, text=text, hours=2),
                mention(2, text=text + "!", hours=1, platform="mastodon"),
            ]
        )
        ids = listed(s)
        assert len(ids) == 1
        assert [m.id for m in s.group(ids[0])] == ["rss:1", "mastodon:2"]
        assert s.resolve("mastodon:2") == ids[0]
        s.tag("mastodon:2", add=["fire"])
        assert s.state(ids[0]).tags == ("fire",)
    with open_store(where, pipeline=True) as again:  # a new process groups with the old
        again.ingest(
            [mention(3, text="Lumio lamp exploded in my kitchen, on fire, help!", hours=0.5)]
        )
        assert len(listed(again)) == 1


def test_between_and_all_mentions(store):
    got = list(store.mentions_between(NOW - timedelta(hours=5, minutes=30), NOW))
    assert sorted(m.id for m in got) == sorted(
        f"{('rss', 'mastodon')[i % 2]}:{i}" for i in range(1, 6)
    )
    assert len(list(store.all_mentions())) == 30


AGREE = [
    "", "status:new", "-status:new", "status:open", "-status:done", "is:unanswered",
    "-is:unanswered", "tag:bug", "-tag:bug", "is:mine", "-is:mine", "is:claimed",
    "is:handedoff", "-is:handedoff", "is:snoozed", "is:urgent -tag:bug", "allume",
    "-allume brand:lumio", "author:@author2", "-author:author2 platform:rss",
    "status:waiting tag:later", "message 1", '"message 12"', "lampe -platform:mastodon",
]  # fmt: skip


def test_every_filter_lists_the_same_on_both_backends(tmp_path, pg_url):
    stores = [open_store(tmp_path / "store"), open_store(pg_url)]
    try:
        for s in stores:
            s.urgent_threshold = 15.0
            s.ingest([mention(i, platform=("rss", "mastodon")[i % 2]) for i in range(40)])
            s.tag("rss:2", add=["bug"])
            s.tag("mastodon:3", add=["Bug", "later"])
            s.set_status("mastodon:3", "waiting")
            s.set_status("rss:4", "done")
            s.claim("rss:6")
            s.assign("rss:8", "camille")
            s.handoff("rss:10", "sav")
            s.add_reply("rss:12", "merci", manual=True)
            s.snooze("rss:14", NOW + timedelta(hours=3))
        for text in AGREE:
            for include_all in (False, True):
                got = [listed(s, text, include_all) for s in stores]
                assert got[0] == got[1], (text, include_all)
    finally:
        for s in stores:
            s.close()
