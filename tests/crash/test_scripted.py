"""Issue 16: scripted actions open no archive (store.scripted + the id index), and
`--stdin` batches: one lock, one journal write, one undo step, bad ids said by line,
nothing acknowledged lost when killed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime

from store.inbox import Inbox
from triage.model import Author, Mention

from .helpers import ROOT, env_for, mention, seed, show_state, veille


def run(store, *args: str, stdin: str = "", crash: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        input=stdin, capture_output=True, text=True, env=env_for(store, "shell", crash),
        cwd=ROOT, timeout=60,
    )  # fmt: skip


def grouped(store, n: int = 3) -> None:
    """rss:100 leads a group whose copies are rss:101 and rss:102."""
    at = datetime(2026, 11, 21, 9, tzinfo=UTC)
    copies = [
        Mention(
            id=f"rss:{100 + i}", platform="rss", source="crash", url=f"https://e.example/{i}",
            author=Author(f"A{i}", f"@a{i}"), text="the lamp caught fire", created_at=at,
            fetched_at=at, group_id="rss:100",
        )
        for i in range(n)
    ]  # fmt: skip
    with Inbox.open(store, user="seed") as inbox:
        inbox.ingest(copies)


def test_a_copy_s_id_tags_its_group_without_the_archive(tmp_path):
    store = tmp_path / "store"
    seed(store, 5)
    grouped(store)
    proc = run(store, "tag", "rss:102", "fire")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rss:100\t")  # the group, not the copy
    assert "fire" in show_state(store, "rss:100")["tags"]
    unknown = run(store, "tag", "rss:999", "x")
    assert unknown.returncode == 1 and "no mention or group with id 'rss:999'" in unknown.stderr


def test_the_id_index_is_rebuilt_when_missing_damaged_or_behind(tmp_path):
    store = tmp_path / "store"
    seed(store, 5)
    shutil.rmtree(store / "ids")  # a store written by an older veille
    assert run(store, "tag", "rss:3", "a").returncode == 0
    for shard in (store / "ids").glob("*.jsonl"):
        if shard.stat().st_size > 2:
            shard.write_bytes(shard.read_bytes()[:-3])  # cut short: shorter than recorded
    assert run(store, "tag", "rss:1", "b").returncode == 0
    assert run(store, "tag", "rss:4", "c").returncode == 0
    # a day written behind the index's back (a writer killed before indexing it)
    day = store / "mentions" / "2026-11-22.json"
    with Inbox.open(store, user="seed") as inbox:
        inbox.ingest([mention(50, day=22)])
    (store / "ids" / "covered.json").write_bytes(b'{"days": {}, "shards": {}}')
    assert day.exists()
    proc = run(store, "tag", "rss:50", "d")
    assert proc.returncode == 0, proc.stderr
    with Inbox.open(store, user="checker") as inbox:
        assert inbox.state("rss:3").tags == ("a",)
        assert inbox.state("rss:1").tags == ("b",)
        assert inbox.state("rss:4").tags == ("c",)
        assert inbox.state("rss:50").tags == ("d",)


def test_stdin_applies_the_good_ids_says_the_bad_ones_and_undoes_as_one(tmp_path):
    store = tmp_path / "store"
    seed(store, 6)
    grouped(store)
    ids = "rss:1\nrss:2\n\nnope:1\n  rss:101  \nrss:3\nnope:2\n"
    proc = run(store, "tag", "--stdin", "bulk", "-spam", stdin=ids)
    assert proc.returncode == 1  # some were refused
    errors = proc.stderr.strip().splitlines()
    assert errors == [
        "veille: line 4: no mention or group with id 'nope:1'",
        "veille: line 7: no mention or group with id 'nope:2'",
    ]
    assert [line.split("\t")[0] for line in proc.stdout.splitlines()] == [
        "rss:1", "rss:2", "rss:100", "rss:3",
    ]  # fmt: skip
    for gid in ("rss:1", "rss:2", "rss:100", "rss:3"):
        assert show_state(store, gid)["tags"] == ["bulk"]
    assert run(store, "status", "--stdin", "done", stdin="rss:1\nrss:2\n").returncode == 0
    assert show_state(store, "rss:1")["status"] == "done"
    undone = run(store, "undo")
    assert undone.returncode == 0, undone.stderr
    assert show_state(store, "rss:1")["status"] == "new"
    assert show_state(store, "rss:1")["tags"] == ["bulk"]
    assert run(store, "undo").returncode == 0  # the whole tag batch: one step
    for gid in ("rss:1", "rss:2", "rss:100", "rss:3"):
        assert show_state(store, gid)["tags"] == []


def test_stdin_usage_mistakes_are_said(tmp_path):
    store = tmp_path / "store"
    seed(store, 2)
    bad = run(store, "status", "--stdin", stdin="rss:1\n")
    assert bad.returncode == 2 and "usage" in bad.stderr.lower()
    wrong = run(store, "status", "--stdin", "finished", stdin="rss:1\n")
    assert wrong.returncode == 2 and "finished" in wrong.stderr
    assert run(store, "assign", "--stdin", "bob", stdin="rss:0\nrss:1\n").returncode == 0
    assert show_state(store, "rss:0")["assignee"] == "bob"
    assert run(store, "note", "--stdin", "call", "back", stdin="rss:1\n").returncode == 0
    assert show_state(store, "rss:1")["notes"][0]["text"] == "call back"


def test_a_batch_killed_after_its_journal_write_is_redone_whole(tmp_path):
    store = tmp_path / "store"
    seed(store, 40)
    ids = "".join(f"rss:{i}\n" for i in range(40))
    for point in ("after-journal", "after-state"):
        killed = run(store, "tag", "--stdin", point, stdin=ids, crash=point)
        assert killed.returncode == -9  # SIGKILL: nothing acknowledged
        assert veille(store, "tag", "rss:0", "next").returncode == 0  # redoes the batch
        with Inbox.open(store, user="checker") as inbox:
            # the journal held the whole batch: every id has it, none half-applied
            assert all(point in inbox.state(f"rss:{i}").tags for i in range(40))
    assert run(store, "undo").returncode == 0  # "next"
    assert run(store, "undo").returncode == 0  # the redone after-state batch, as one
    with Inbox.open(store, user="checker") as inbox:
        assert not any("after-state" in inbox.state(f"rss:{i}").tags for i in range(40))
        assert all("after-journal" in inbox.state(f"rss:{i}").tags for i in range(40))


def test_the_full_store_sees_what_the_scripted_one_wrote(tmp_path):
    store = tmp_path / "store"
    seed(store, 5)
    with Inbox.open(store, user="tui") as inbox:
        assert run(store, "tag", "rss:2", "from-a-script").returncode == 0
        assert inbox.refresh()
        assert inbox.state("rss:2").tags == ("from-a-script",)
        inbox.tag("rss:2", add=["from-the-tui"])  # re-reads the bucket: nothing lost
    assert show_state(store, "rss:2")["tags"] == ["from-a-script", "from-the-tui"]


def test_done_and_snooze_from_a_script(tmp_path):
    store = tmp_path / "store"
    seed(store, 4)
    assert run(store, "done", "--stdin", stdin="rss:0\nrss:1\n").returncode == 0
    assert show_state(store, "rss:1")["status"] == "done"
    assert run(store, "done", "rss:2").returncode == 0
    assert run(store, "done").returncode == 2  # neither an id nor --stdin
    later = run(store, "snooze", "rss:3", "2h")
    assert later.returncode == 0, later.stderr
    assert show_state(store, "rss:3")["snoozed_until"] is not None
    assert run(store, "snooze", "rss:3", "2026-12-24").returncode == 0
    assert show_state(store, "rss:3")["snoozed_until"].startswith("2026-12-24T00:00")
    assert run(store, "snooze", "rss:3", "-").returncode == 0
    assert show_state(store, "rss:3")["snoozed_until"] is None
    bad = run(store, "snooze", "rss:3", "soon")
    assert bad.returncode == 2 and "neither a duration" in bad.stderr
    assert run(store, "undo").returncode == 0  # the wake-up
    assert show_state(store, "rss:3")["snoozed_until"].startswith("2026-12-24")
