"""Issue 18 items 3 and 4: damaged and unreadable files are said in one line, never a
traceback, never silently read as empty; `veille doctor` shows and repairs them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store.inbox import Inbox
from store.partitions import bucket_of

from .helpers import mention, seed, show_state, veille


def _one_line(proc) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr


def _bucket(store: Path, target: str) -> Path:
    return store / "state" / f"bucket-{bucket_of(target):02d}.json"


def _two_targets(store: Path) -> tuple[str, str]:
    with Inbox.open(store, user="t") as inbox:
        ids = sorted(inbox.group_ids())
    x = ids[0]
    return x, next(g for g in ids if bucket_of(g) != bucket_of(x))


def test_a_state_file_cut_in_half_holding_the_last_action(tmp_path):
    store = tmp_path / "store"
    seed(store)
    x, y = _two_targets(store)
    assert veille(store, "tag", y, "kept").returncode == 0
    assert veille(store, "tag", x, "last").returncode == 0
    path = _bucket(store, x)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    listed = veille(store, "list")
    assert listed.returncode == 0  # the rest of the store is fine
    assert str(path) in _one_line(listed) and "veille doctor" in listed.stderr
    assert veille(store, "tag", y, "more").returncode == 0
    refused = veille(store, "tag", x, "again")
    assert refused.returncode != 0 and str(path) in _one_line(refused)
    assert path.read_bytes() == data[: len(data) // 2]  # never overwritten
    doctor = veille(store, "doctor")
    assert doctor.returncode == 1 and "rebuild it from the journal" in doctor.stdout
    repaired = veille(store, "doctor", "--repair")
    assert repaired.returncode == 0, repaired.stderr
    assert "last" in show_state(store, x)["tags"]
    assert {"kept", "more"} <= set(show_state(store, y)["tags"])
    assert list(store.glob("state/*.damaged-*"))  # the damaged copy is kept


def test_a_zero_byte_state_file_is_never_read_as_empty(tmp_path):
    store = tmp_path / "store"
    seed(store)
    x, _ = _two_targets(store)
    assert veille(store, "tag", x, "precious").returncode == 0
    assert veille(store, "status", x, "waiting").returncode == 0
    _bucket(store, x).write_bytes(b"")
    shown = veille(store, "list")
    assert "is empty" in _one_line(shown)
    refused = veille(store, "tag", x, "new")
    assert refused.returncode != 0 and "is empty" in _one_line(refused)
    assert _bucket(store, x).stat().st_size == 0  # the next write did not make it permanent
    assert veille(store, "doctor", "--repair").returncode == 0
    state = show_state(store, x)
    assert "precious" in state["tags"] and state["status"] == "waiting"


def test_a_damaged_day_file_does_not_stop_fetching(tmp_path):
    store = tmp_path / "store"
    seed(store, 5)
    day = store / "mentions" / "2026-11-20.json"
    day.write_text('{"records": {"1": ')
    with Inbox.open(store, user="poller") as inbox:
        assert any("2026-11-20.json" in p for p in inbox.problems)
        fresh = inbox.ingest([mention(i) for i in range(5)])  # the refetch
        assert len(fresh) == 5
        assert any("moved to" in p for p in inbox.problems)
    assert list(store.glob("mentions/2026-11-20.json.damaged-*"))
    with Inbox.open(store, user="checker") as inbox:
        assert len(inbox) == 5


def test_doctor_reports_damaged_journal_lines(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    assert veille(store, "tag", "rss:1", "a").returncode == 0
    (journal,) = store.glob("journal/*.jsonl")
    with open(journal, "ab") as fh:
        fh.write(b'{"broken": \n')
    assert veille(store, "tag", "rss:1", "b").returncode == 0
    doctor = veille(store, "doctor")
    assert "damaged journal line" in doctor.stdout
    assert "Traceback" not in doctor.stderr


def test_every_command_says_a_damaged_journal_line_and_still_works(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    assert veille(store, "tag", "rss:1", "a").returncode == 0
    (journal,) = store.glob("journal/*.jsonl")
    with open(journal, "ab") as fh:
        fh.write(b'{"broken": \n')
    for args in (("list",), ("tag", "rss:1", "b"), ("show", "rss:1"), ("tag", "rss:1", "c")):
        proc = veille(store, *args)
        assert proc.returncode == 0, proc.stderr
        said = [line for line in _one_line(proc).splitlines() if "damaged journal line" in line]
        assert len(said) == 1 and str(journal) in said[0] and "veille doctor" in said[0]
    assert {"a", "b", "c"} <= set(show_state(store, "rss:1")["tags"])


def test_an_unusable_lock_file_is_one_line(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    (store / "lock").unlink()
    (store / "lock").mkdir()
    proc = veille(store, "tag", "rss:1", "x")
    assert proc.returncode != 0
    assert str(store / "lock") in _one_line(proc) and len(proc.stderr.splitlines()) == 1


def test_an_unreadable_state_file_is_one_line(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    path = _bucket(store, "rss:1")
    path.unlink(missing_ok=True)
    path.mkdir()  # reading it fails with an OS error, as a chmod 000 file would for a user
    proc = veille(store, "tag", "rss:1", "x")
    assert proc.returncode != 0
    assert str(path) in _one_line(proc)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_chmod_000_journal_and_a_read_only_store(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    assert veille(store, "tag", "rss:1", "a").returncode == 0
    (journal,) = store.glob("journal/*.jsonl")
    journal.chmod(0)
    proc = veille(store, "tag", "rss:1", "x")
    assert proc.returncode != 0 and "permission denied" in _one_line(proc)
    journal.chmod(0o600)
    journal.unlink()
    (store / "journal").chmod(0o500)
    proc = veille(store, "tag", "rss:1", "y")
    assert proc.returncode != 0 and "permission denied" in _one_line(proc)
    (store / "journal").chmod(0o700)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_report_output_on_a_full_disk_is_one_line(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    proc = veille(store, "report", "--output", "/dev/full")
    assert proc.returncode != 0
    assert "disk is full" in _one_line(proc) and "/dev/full" in proc.stderr


def test_a_journal_that_cannot_be_created_refuses_the_action_in_one_line(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    for path in store.glob("journal/*"):
        path.unlink()
    (store / "journal").rmdir()
    (store / "journal").write_text("")  # not a folder: creating this month's journal fails
    proc = veille(store, "tag", "rss:1", "x")
    assert proc.returncode != 0
    assert "journal" in _one_line(proc) and len(proc.stderr.splitlines()) == 1
