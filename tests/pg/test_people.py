"""People and rules on both backends (the folder store's `people.json`, PostgreSQL's
`people` table): the list kept and shared, `person:vip` as a filter, a VIP's post
ranked up, a rule acting as `rule:NAME` and `veille rules undo` finding it; the same
commands in a shell on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from app.people import people_of, people_tags, person_record, update_people
from app.rules import ingest_with_rules
from sources.config import parse_config
from store.inbox import Inbox
from store.postgres import PgStore
from triage.filter import KnownValues, parse_filter
from triage.model import Author, Mention, utcnow
from triage.people import add_note, link, set_tags

ROOT = Path(__file__).resolve().parents[2]
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
name = "vip"
when = "person:vip"
tag = ["vip"]
"""


def _post(n: str, text: str, handle: str = "@bob", minutes: float = 0) -> Mention:
    at = utcnow() - timedelta(minutes=minutes)
    return Mention(id=f"rss:{n}", platform="rss", source="feed", url=f"https://f.example/{n}",
                   author=Author(name=handle.strip("@"), handle=handle), text=text,
                   created_at=at, fetched_at=at)  # fmt: skip


def open_store(where, user="camille"):
    from app.runtime import make_pipeline

    pipe = make_pipeline(parse_config(CONFIG))
    if isinstance(where, str):
        return PgStore.open(where, user=user, pipeline=pipe)
    return Inbox.open(where, user=user, pipeline=pipe)


@pytest.fixture(params=["folder", "postgresql"])
def where(request, tmp_path):
    if request.param == "folder":
        return tmp_path / "store"
    return request.getfixturevalue("pg_url")


def test_the_people_list_is_kept_and_shared(where):
    with open_store(where) as one, open_store(where, "sam") as two:
        assert people_of(one).persons == ()
        update_people(one, lambda p: link(p, ["@Ana", "ana.bsky.social"], name="Ana"))
        update_people(two, lambda p: set_tags(p, "ana", ["vip"]))
        update_people(two, lambda p: add_note(p, "@ana", "prefers DMs", "sam", utcnow()))
        ana = people_of(one).find("ANA.bsky.social")
        assert ana is not None and ana.name == "Ana" and ana.tags == ("vip",)
        assert [n.text for n in ana.notes] == ["prefers DMs"]
        assert people_tags(one) == {"vip": frozenset({"ana", "ana.bsky.social"})}
        with pytest.raises(ValueError):
            update_people(one, lambda p: set_tags(p, "nobody here", ["vip"]))
        assert people_of(two).find("ana") == ana  # a refused change changed nothing
    with open_store(where) as again:  # durable
        assert people_of(again).find("ana") == ana


def test_two_writers_lose_neither_change(where):
    with open_store(where) as s:
        s.ingest([_post("0", "Lumio")])

    def tag(n: int) -> None:
        with open_store(where, f"user{n}") as mine:
            for i in range(5):
                update_people(mine, lambda p, n=n, i=i: link(p, [f"h{n}-{i}"]))

    workers = [threading.Thread(target=tag, args=(n,)) for n in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with open_store(where) as s:
        assert len(people_of(s).persons) == 15


def test_vips_are_ranked_up_filtered_and_a_rule_undone_by_name(where):
    config = parse_config(CONFIG)
    with open_store(where) as s:
        update_people(s, lambda p: set_tags(link(p, ["@ana", "ana.bsky.social"]), "ana", ["vip"]))
        new = ingest_with_rules(
            s,
            [
                _post("1", "Lumio sympa", minutes=1),
                _post("2", "Lumio sympa aussi", handle="@Ana"),
                _post("3", "Lumio: je veux un remboursement", minutes=2),
            ],
            config,
        )
        plain, vip, refund = sorted(new, key=lambda m: m.id)
        assert vip.priority == min(100.0, plain.priority + 15)
        assert any(sig.startswith("vip: ana +15") for sig in vip.signals)
        assert s.state(vip.group_id).tags == ("vip",)  # person:vip in a rule
        ranked = s.ranked_ids()
        assert ranked.index(vip.group_id) < ranked.index(plain.group_id)
        flt = parse_filter("person:vip", KnownValues(people=people_tags(s)))
        assert s.ranked_ids(flt) == [vip.group_id]
        assert s.ranked_ids(parse_filter("-person:vip", KnownValues(people=people_tags(s)))) == [
            g for g in s.ranked_ids() if g != vip.group_id
        ]
        state = s.state(refund.group_id)
        assert state.tags == ("refund",) and state.assignee == "ana"
        assert state.updated_by == "rule:refund-fr"
        assert {e.who for e in s.events()} == {"rule:refund-fr", "rule:vip"}
        assert s.user == "camille"  # the rule acted as itself on this thread only
        assert s.undo() is None  # camille did nothing: a rule is not her last action
        assert s.undo(user="rule:refund-fr") is not None
        undone = s.state(refund.group_id)
        assert undone.tags == () and undone.assignee is None and undone.handoff is None
        assert s.state(vip.group_id).tags == ("vip",)
        record = person_record(s, "@ana")
        assert [m.id for m in record.mentions] == ["rss:2"]


def _veille(tmp_path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--store", url, "--config", str(config), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip


def test_the_command_line_on_postgresql(tmp_path, pg_url):
    config = parse_config(CONFIG)
    for args in (
        ("person", "link", "@ana", "ana.bsky.social", "--name", "Ana"),
        ("person", "tag", "ana.bsky.social", "vip"),
        ("person", "note", "@ana", "prefers", "DMs"),
    ):
        done = _veille(tmp_path, pg_url, *args)
        assert done.returncode == 0, done.stderr
    with open_store(pg_url) as s:
        ingest_with_rules(
            s, [_post("1", "Lumio sympa", handle="@ana"), _post("2", "Lumio: remboursement")],
            config,
        )  # fmt: skip
    shown = _veille(tmp_path, pg_url, "person", "ana")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Ana  (ana, ana.bsky.social)")
    assert "tags: #vip" in shown.stdout and "camille: prefers DMs" in shown.stdout
    assert "posts (1):" in shown.stdout
    listed = _veille(tmp_path, pg_url, "list", "person:vip")
    assert listed.returncode == 0, listed.stderr
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["rss:1"]
    undone = _veille(tmp_path, pg_url, "rules", "undo", "refund-fr")
    assert undone.returncode == 0, undone.stderr
    assert "undone: rule refund-fr on rss:2" in undone.stdout
    again = _veille(tmp_path, pg_url, "rules", "undo", "refund-fr")
    assert again.returncode == 1 and "nothing to undo" in again.stderr
    with open_store(pg_url) as s:
        assert s.state("rss:2").tags == () and s.state("rss:1").tags == ("vip",)
