"""The Inbox as a user sees it: actions stick, undo reverts, others' work shows up."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from store.errors import Conflict, NotFound, SchemaTooNew
from store.inbox import BUCKETS, Inbox, doc_id_for
from triage import query
from triage.model import DeliveryStatus, Status, utcnow

from .conftest import make_mention


def test_ingest_stores_each_mention_once_partitioned_by_day(store_dir, mentions):
    with Inbox.open(store_dir, user="ana") as inbox:
        assert len(inbox.ingest(mentions)) == 60
        assert inbox.ingest(mentions[:10]) == []  # a re-poll stores nothing twice
    days = sorted(p.name for p in (store_dir / "mentions").glob("*.json"))
    assert len(days) == 3  # 60 hours back from noon spans three UTC days
    reopened = Inbox.open(store_dir, user="ana")
    assert len(reopened) == 60
    assert reopened.mention("rss:0").text == mentions[0].text
    stored = json.loads((store_dir / "mentions" / "2026-11-20.json").read_text())["records"]
    assert str(doc_id_for("rss:0")) in stored


def test_actions_are_durable_and_journaled(store_dir, mentions):
    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    inbox.tag("rss:0", add=["bug", "#vip"])
    inbox.set_status("rss:0", "waiting")
    inbox.assign("rss:0", "bob")
    inbox.note("rss:0", "rappeler demain")
    inbox.snooze("rss:0", utcnow() + timedelta(hours=2))
    inbox.handoff("rss:0", "service-client", "commande 1234 perdue")
    again = Inbox.open(store_dir, user="bob").state("rss:0")
    assert again.tags == ("bug", "vip")
    assert again.status is Status.WAITING
    assert again.assignee == "bob"
    assert again.notes[0].text == "rappeler demain" and again.notes[0].by == "ana"
    assert again.handoff.team == "service-client"
    assert again.handoff.delivery is DeliveryStatus.PENDING
    assert again.first_response_at is None  # only a DELIVERED hand-off stops the SLA clock
    actions = [e.action for e in Inbox.open(store_dir, user="x").events()]
    assert actions == ["tag", "status", "assign", "note", "snooze", "handoff"]


def test_a_mention_id_acts_on_its_group_and_unknown_ids_are_refused(store_dir, mentions):
    inbox = Inbox.open(store_dir, user="ana")
    copy = make_mention(999, hours_ago=1)
    copy.group_id = "rss:2"
    inbox.ingest([*mentions, copy])
    inbox.tag("rss:999", add=["dup"])
    assert inbox.state("rss:2").tags == ("dup",)
    assert [m.id for m in inbox.group("rss:2")] == ["rss:2", "rss:999"]
    with pytest.raises(NotFound, match="no mention or group"):
        inbox.tag("rss:nope", add=["x"])
    with pytest.raises(ValueError, match="expected one of"):
        inbox.set_status("rss:2", "finished")


def test_undo_reverts_the_users_last_action_one_step_at_a_time(store_dir, mentions):
    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    inbox.tag("rss:0", add=["bug"])
    inbox.set_status("rss:0", "done")
    other = Inbox.open(store_dir, user="bob")
    other.tag("rss:2", add=["bob-tag"])
    assert inbox.undo().action == "status"
    assert inbox.state("rss:0").status is Status.NEW
    assert inbox.undo().action == "tag"
    assert inbox.state("rss:0").tags == ()
    assert inbox.undo() is None  # ana has nothing left; bob's action is untouched
    other.refresh()
    assert other.state("rss:2").tags == ("bob-tag",)


def test_undo_never_overwrites_someone_elses_later_change(store_dir, mentions):
    ana = Inbox.open(store_dir, user="ana")
    ana.ingest(mentions)
    ana.set_status("rss:0", "done")
    Inbox.open(store_dir, user="bob").set_status("rss:0", "open")
    with pytest.raises(Conflict, match="bob changed it since"):
        ana.undo()
    assert ana.state("rss:0").status is Status.OPEN


def test_claims_conflict_until_they_expire_or_are_forced(store_dir, mentions):
    ana = Inbox.open(store_dir, user="ana")
    ana.ingest(mentions)
    ana.claim("rss:0")
    bob = Inbox.open(store_dir, user="bob")
    with pytest.raises(Conflict, match="ana is already on it"):
        bob.claim("rss:0")
    assert bob.claim("rss:0", force=True).claimed_by == "bob"
    ana.claim("rss:2", minutes=-1)  # already expired
    assert bob.claim("rss:2").claimed_by == "bob"


def test_other_processes_changes_show_after_refresh(store_dir, mentions):
    ana = Inbox.open(store_dir, user="ana")
    ana.ingest(mentions[:30])
    bob = Inbox.open(store_dir, user="bob")
    gen = ana.generation
    bob.tag("rss:4", add=["x"])
    bob.ingest(mentions[30:])
    assert ana.generation > gen
    assert ana.refresh() is True
    assert ana.state("rss:4").tags == ("x",)
    assert len(ana) == 60
    assert ana.refresh() is False


def test_queries_by_brand_status_tag_and_text(store_dir, mentions):
    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    inbox.set_status("rss:4", "done")
    inbox.tag("mastodon:5", add=["bug"])
    lumio = inbox.groups("brand:lumio")
    assert len(lumio) == 40 and all("Lumio" in v.brands for v in lumio)
    assert [v.priority for v in lumio] == sorted((v.priority for v in lumio), reverse=True)
    assert [v.group_id for v in inbox.groups("status:done")] == ["rss:4"]
    assert len(inbox.groups("brand:lumio -status:done")) == 39
    assert [v.group_id for v in inbox.groups("tag:bug platform:mastodon")] == ["mastodon:5"]
    assert [v.group_id for v in inbox.groups('"message 17 "')] == ["mastodon:17"]
    assert len(inbox.groups("allume")) == 60  # accents and case ignored: "s'allume"
    assert len(inbox.groups("alume")) == 60  # a misspelling still finds the word
    counts = query.count(inbox, utcnow())
    assert counts.open == 59 and counts.by_status["done"] == 1


def test_outbox_lists_pending_replies_until_delivered(store_dir, mentions):
    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    reply = inbox.add_reply("rss:0", "Bonjour, écrivez-nous en privé.")
    assert inbox.pending_outbox() == [("rss:0", reply)]
    assert inbox.state("rss:0").first_response_at is None
    inbox.update_reply("rss:0", reply.key, DeliveryStatus.DELIVERED, posted_url="https://m/1")
    assert inbox.pending_outbox() == []
    state = Inbox.open(store_dir, user="x").state("rss:0")
    assert state.replies[0].posted_url == "https://m/1"
    assert state.first_response_at is not None


def test_a_store_from_a_newer_veille_is_refused_untouched(store_dir, mentions):
    Inbox.open(store_dir, user="ana").ingest(mentions)
    meta = store_dir / "meta.json"
    meta.write_text('{"schema": 99}')
    before = {p: p.read_bytes() for p in store_dir.rglob("*") if p.is_file()}
    with pytest.raises(SchemaTooNew, match="newer veille"):
        Inbox.open(store_dir, user="ana")
    assert {p: p.read_bytes() for p in store_dir.rglob("*") if p.is_file()} == before


def test_a_corrupt_file_is_reported_and_the_rest_opens(store_dir, mentions):
    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    inbox.tag("rss:0", add=["kept"])
    (store_dir / "mentions" / "2026-11-19.json").write_text('{"records": {"1": ')
    reopened = Inbox.open(store_dir, user="ana")
    assert any("2026-11-19.json is not valid JSON" in p for p in reopened.problems)
    assert 0 < len(reopened) < 60
    assert reopened.state("rss:0").tags == ("kept",)


def test_a_leftover_temp_file_is_cleaned_at_start(store_dir, mentions):
    Inbox.open(store_dir, user="ana").ingest(mentions)
    leftover = store_dir / "state" / ".bucket-01.json.123.tmp-veille"
    leftover.write_text("half")
    Inbox.open(store_dir, user="ana")
    assert not leftover.exists()


def test_state_lives_in_small_buckets_apart_from_the_archive(store_dir, mentions):
    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    archive = {p: p.stat().st_mtime_ns for p in (store_dir / "mentions").glob("*.json")}
    inbox.tag("rss:0", add=["x"])
    assert {p: p.stat().st_mtime_ns for p in archive} == archive
    assert len(list((store_dir / "state").glob("bucket-*.json"))) == 1
    assert BUCKETS == 64


def test_an_event_journaled_by_a_killed_writer_is_redone_by_the_next(store_dir, mentions):
    """A writer killed after the journal append but before its bucket write."""
    import orjson

    from triage.model import Event

    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    state = inbox.tag("rss:0", add=["a"])
    orphan = Event(
        "e-orphan",
        utcnow(),
        "bob",
        "tag",
        "rss:0",
        {"tags": ["a"]},
        {"tags": ["a", "b"]},
        state.rev + 1,
    )
    journal = next((store_dir / "journal").glob("*.jsonl"))
    with open(journal, "ab") as fh:
        fh.write(
            orjson.dumps(orphan.to_json()) + b"\n" + b'{"id": "torn", "at": "2026-'
        )  # and a torn line
    reopened = Inbox.open(store_dir, user="carl")
    assert reopened.state("rss:0").tags == ("a", "b")
    reopened.tag("rss:0", add=["c"])  # cuts the torn line (never acknowledged) off first
    final = Inbox.open(store_dir, user="x")
    assert final.state("rss:0").tags == ("a", "b", "c")
    assert [e.id for e in final.events()][-2] == "e-orphan"
    assert not any("damaged journal line" in p for p in final.problems)
    assert b'"torn"' not in journal.read_bytes()


@pytest.mark.parametrize(
    "query",
    [
        "brand:lumio",
        "status:new",
        "brand:lumio status:done",
        "platform:rss status:open brand:brightly",
        "brand:lumio brand:brightly",
        "platform:mastodon -status:new",
        "brand:lumio allume",
    ],
)
def test_index_answers_equal_a_full_scan(store_dir, mentions, query):
    from triage.filter import parse_filter

    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    for i in range(0, 60, 4):
        inbox.set_status(mentions[i].id, ("done", "open")[i % 8 == 0])
    flt, ctx = parse_filter(query), inbox.context()
    assert inbox.ranked_ids(query) == [v.group_id for v in inbox.groups() if flt.matches(v, ctx)]


@pytest.mark.parametrize(
    "words",
    ["allume", "ALLUMÉ", "rembour", "remboursement", "@user1", "#smarthome", "réinit", "xyzzy",
     "lampe -scam", "la lampe", "lumio allume", "remboursment", "crisis", "scam refund"],
)  # fmt: skip
def test_the_folded_text_index_keeps_a_scan_s_answers(store_dir, mentions, words):
    """Free words are answered from the folded text index (store.textindex) once the
    vocabulary is built: the same groups, in the same order, as testing every group."""
    from triage.filter import parse_filter

    inbox = Inbox.open(store_dir, user="ana")
    inbox.ingest(mentions)
    ctx = inbox.context()
    flt = parse_filter(words).with_vocabulary(inbox.vocabulary())
    assert inbox.index._text is not None  # built with the vocabulary
    scan = [v.group_id for v in inbox.groups() if flt.matches(v, ctx)]
    assert inbox.ranked_ids(words) == scan
    found = inbox.index._text.candidates(flt)
    assert found is None or set(scan) <= found  # a superset, never fewer
