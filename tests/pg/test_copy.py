"""`veille store copy`: folder -> PostgreSQL -> folder, everything kept (merges and
splits, people, every user's read marks included), counted, FROM untouched."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from app.people import people_of, update_people
from tests.pg.backends import NOW, mention, open_store
from triage import query
from triage.people import link, set_tags
from triage.query import InboxQuery

ROOT = Path(__file__).resolve().parents[2]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every data file's digest (dot files are the folder store's own caches, such as
    journal/.checked.json, which any open writes)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def copy(source: str, destination: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "store", "copy", source, destination],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip


def what_users_see(store) -> tuple:
    listing = query.run(store, InboxQuery.parse("", include_all=True), NOW)
    states = {g: store.state(g).to_json() for g in listing}
    undo_chain = [(e.action, e.target, e.who) for e in store.events()]
    return listing, states, undo_chain, query.run(store, InboxQuery.parse("tag:bug"), NOW)


def test_folder_to_postgresql_and_back(tmp_path, pg_url, pg_server):
    folder = tmp_path / "store"
    with open_store(folder) as s:
        s.ingest([mention(i, platform=("rss", "mastodon")[i % 2]) for i in range(50)])
        s.tag("rss:2", add=["bug"])
        s.set_status("mastodon:3", "done")
        s.add_reply("rss:4", "Merci !")
        s.handoff("rss:6", "sav", "refund")
        s.claim("rss:8")
        s.set_status("rss:10", "waiting")
        s.undo()
        s.ingest([replace(mention(60), group_id="rss:12"), replace(mention(61), group_id="rss:14")])
        s.merge("rss:20", ["rss:22", "mastodon:21"])
        s.split("rss:61")
        update_people(s, lambda p: set_tags(link(p, ["@author1", "a1.bsky"]), "author1", ["vip"]))
        for g in ("rss:2", "rss:12", "rss:20"):
            s.mark_read(s.view(g))
        s.flush_reads()
        seen = what_users_see(s)
    with open_store(folder, user="zoë the reviewer") as other:  # a hashed file name
        other.tag("rss:14", add=["seen"])
        other.mark_read(other.view("rss:14"))
        other.flush_reads()
        seen = what_users_see(other)
    before = fingerprint(folder)

    run = copy(str(folder), pg_url)
    assert run.returncode == 0, run.stderr
    assert (
        "52 mentions, 49 groups, 10 triage states, 11 journal events, 1 people, 4 read marks, "
        "checked" in run.stdout
    )
    assert fingerprint(folder) == before  # FROM untouched
    with open_store(pg_url, user="zoë the reviewer") as db:
        assert not db.is_unread(db.view("rss:14")) and db.is_unread(db.view("rss:20"))
    with open_store(pg_url) as db:
        assert what_users_see(db) == seen
        assert [m.id for m in db.group("rss:20")] == ["rss:22", "mastodon:21", "rss:20"]
        assert db.resolve("rss:61") == "rss:61" and db.view("rss:14").size == 1
        assert people_of(db).find("a1.bsky").tags == ("vip",)  # type: ignore[union-attr]
        assert not db.is_unread(db.view("rss:20")) and db.is_unread(db.view("rss:14"))
        assert [t for t, _ in db.pending_outbox()] == ["rss:4"]
        assert db.undo().action == "split"  # the journal came along: undo continues
        assert db.view("rss:14").size == 2
        now_seen = what_users_see(db)[0]

    back = tmp_path / "back"
    again = copy(pg_server.url(pg_url.rsplit("/", 1)[1]), str(back))
    assert again.returncode == 0, again.stderr
    assert "1 people, 4 read marks, checked" in again.stdout
    with open_store(back) as s:
        assert what_users_see(s)[0] == now_seen
        assert s.view("rss:14").size == 2 and s.resolve("rss:22") == "rss:20"
        assert people_of(s).find("@author1") is not None
        assert not s.is_unread(s.view("rss:12"))
        assert s.undo().action == "merge"  # the split was undone on PostgreSQL


def test_copy_refuses_a_destination_that_is_not_empty(tmp_path, pg_url):
    folder = tmp_path / "store"
    with open_store(folder) as s:
        s.ingest([mention(1)])
    with open_store(pg_url) as db:
        db.ingest([mention(2)])
    run = copy(str(folder), pg_url)
    assert run.returncode == 1
    assert "destination store is not empty" in run.stderr
    with open_store(pg_url) as db:
        assert len(db) == 1
