"""`veille store copy`: folder -> PostgreSQL -> folder, everything kept, FROM untouched."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.pg.backends import NOW, mention, open_store
from triage import query
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
        seen = what_users_see(s)
    before = fingerprint(folder)

    run = copy(str(folder), pg_url)
    assert run.returncode == 0, run.stderr
    assert "50 mentions, 50 groups, 6 triage states, 7 journal events, checked" in run.stdout
    assert fingerprint(folder) == before  # FROM untouched
    with open_store(pg_url) as db:
        assert what_users_see(db) == seen
        assert [t for t, _ in db.pending_outbox()] == ["rss:4"]
        db.undo()  # the journal came along: undo continues where it was
        assert db.state("rss:8").claimed_by is None

    back = tmp_path / "back"
    again = copy(pg_server.url(pg_url.rsplit("/", 1)[1]), str(back))
    assert again.returncode == 0, again.stderr
    with open_store(back) as s:
        assert what_users_see(s)[0] == seen[0]
        assert s.state("rss:8").claimed_by is None


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
