"""`Poller.health()` reads a source's record again only when its file changed (wave 9).

`veille watch` asks every source's record each round (and the PostgreSQL guard too);
at 2,000 sources that was 2,000 file reads a round. The records are kept with their
file's signature: what this poller saved is not read back, what another process wrote
is. Real files, real processes; the file reads are counted by Python's audit hook."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sources.config import parse_config
from sources.health import HealthFiles, SourceHealth
from sources.poller import Poller, SourceOutcome

ROOT = Path(__file__).resolve().parents[2]
SOURCES = 12
OPENED: list[str] = []


def _count_opens(event: str, args: tuple) -> None:
    if event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_count_opens)  # audit hooks cannot be removed: it only appends paths


def _poller(folder: Path) -> Poller:
    lines = ['user = "camille"']
    for n in range(SOURCES):
        lines += ["[[sources]]", f'name = "feed {n}"', 'kind = "rss"']
        lines += [f'url = "https://forum.example/{n}.xml"', 'every = "5m"']
    return Poller(parse_config("\n".join(lines) + "\n"), folder)


def _reads(folder: Path, call) -> tuple[object, int]:
    start = len(OPENED)
    out = call()
    return out, sum(p.startswith(str(folder)) for p in OPENED[start:])


def _other_process(folder: Path, code: str) -> None:
    """Run `code` in another Python process (`files` is that process's HealthFiles)."""
    script = "from sources.health import HealthFiles, SourceHealth\n"
    script += f"files = HealthFiles({str(folder)!r})\n" + textwrap.dedent(code)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, timeout=60)


def test_health_reads_only_what_another_process_changed(tmp_path):
    folder = tmp_path / "sources"
    poller = _poller(folder)
    poller.save([SourceOutcome(f"feed {n}", "rss", cursor={"etag": f"e{n}"}) for n in range(10)])
    records, reads = _reads(folder, poller.health)
    assert reads == 0  # what this poller saved is known: nothing read back
    assert [r.cursor.get("etag") for r in records] == [f"e{n}" for n in range(10)] + [None] * 2
    assert all(r.status == "ok" for r in records[:10])

    _, reads = _reads(folder, poller.health)
    assert reads == 0

    # another process: one record replaced, one rewritten in place (same size), one removed
    _other_process(
        folder,
        """
        rec = files.load("feed 3", "rss")
        rec.last_error, rec.consecutive_failures = "the server said 503", 1
        files.save(rec)
        path = files.path("feed 5")
        body = path.read_bytes()
        path.write_bytes(body.replace(b'"e5"', b'"x5"'))  # in place: same inode and size
        files.path("feed 7").unlink()
        """,
    )
    records, reads = _reads(folder, poller.health)
    assert reads == 2  # the two changed files, not the twelve
    by_name = {r.name: r for r in records}
    assert by_name["feed 3"].status == "failing"
    assert by_name["feed 3"].last_error == "the server said 503"
    assert by_name["feed 5"].cursor == {"etag": "x5"}
    assert by_name["feed 7"].status == "never polled" and by_name["feed 7"].cursor == {}
    assert by_name["feed 2"].cursor == {"etag": "e2"}

    # a file another process damaged is said, and read again once repaired
    _other_process(folder, 'files.path("feed 2").write_bytes(b"{not json")')
    damaged = {r.name: r for r in poller.health()}["feed 2"]
    assert "unreadable" in damaged.problem and damaged.cursor == {}
    _other_process(
        folder,
        """
        rec = SourceHealth(name="feed 2", kind="rss", cursor={"etag": "fixed"})
        files.save(rec)
        """,
    )
    assert {r.name: r for r in poller.health()}["feed 2"].cursor == {"etag": "fixed"}


def test_a_record_handed_out_is_the_callers_to_change(tmp_path):
    folder = tmp_path / "sources"
    poller = _poller(folder)
    poller.save([SourceOutcome("feed 1", "rss", cursor={"etag": "a", "seen": {"t": 1}})])
    first = {r.name: r for r in poller.health()}["feed 1"]
    first.cursor["etag"] = "changed"
    first.cursor["seen"]["t"] = 2
    first.warnings.append("changed")
    again = {r.name: r for r in poller.health()}["feed 1"]
    assert again.cursor == {"etag": "a", "seen": {"t": 1}} and again.warnings == []
    # and a fresh HealthFiles (another process) reads the same record from the file
    assert HealthFiles(folder).load("feed 1", "rss").cursor == again.cursor


def test_a_missing_folder_is_every_source_never_polled(tmp_path):
    poller = _poller(tmp_path / "nowhere")
    assert [r.status for r in poller.health()] == ["never polled"] * SOURCES


def test_a_copy_of_a_record_holds_every_field_and_shares_nothing_mutable():
    """`SourceHealth.copy` lists the fields by position (a cached record is copied for
    every source each round): a field added later must be copied too."""
    import dataclasses
    from datetime import UTC, datetime

    values = {
        "name": "forum",
        "kind": "rss",
        "last_ok": datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        "last_error": "the server answered 503",
        "last_error_at": datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        "next_poll": datetime(2026, 11, 30, 9, 5, tzinfo=UTC),
        "items_seen": 7,
        "last_items": 3,
        "consecutive_failures": 2,
        "warnings": ["a warning"],
        "cursor": {"etag": 'W/"1"', "seen": ["a"]},
        "problem": "unreadable",
    }
    fields = [f.name for f in dataclasses.fields(SourceHealth)]
    assert sorted(fields) == sorted(values), "a new field: give it a value here"
    record = SourceHealth(**values)
    copied = record.copy()
    assert copied == record
    copied.warnings.append("x")
    copied.cursor["seen"].append("b")
    assert record.warnings == ["a warning"] and record.cursor["seen"] == ["a"]
