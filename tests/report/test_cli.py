"""`veille report` and `veille export` run for real (a subprocess, and main(argv) where
the output is read back), on the store of conftest.py."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

from cli.main import main
from triage.text import sanitize

from .conftest import HOSTILE, PERIOD_FROM, PERIOD_TO

ROOT = Path(__file__).resolve().parents[2]


def veille(store: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--store", str(store), "--config", str(config), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def period_args() -> list[str]:
    return ["--from", PERIOD_FROM, "--to", PERIOD_TO, "--now", "2026-11-16T06:00"]


def test_report_markdown_on_stdout(store, config_file):
    run = veille(store, config_file, "report", *period_args())
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "- Mentions: **8**" in out
    # answers at 30 min, 2 h 05 (a hand-off, at its delivery) and 5 h; the failed one is none
    assert "- Median time to first response: **2 h 05 min**" in out
    assert "- Answered within SLA: **60.0 %**" in out
    assert "- SLA breaches: **2**" in out
    assert re.search(r"\| Lumio vs Brightly +\| +3 \| +8 \| +37\.5 % \|", out)
    assert "\x1b" not in out  # the hostile mention's escape never reaches the terminal
    assert "\\<script\\>" in out  # markdown markup escaped


def test_report_csv_one_file_per_table(store, config_file, tmp_path):
    folder = tmp_path / "csv"
    assert (
        main(
            [
                "--store",
                str(store),
                "--config",
                str(config_file),
                "report",
                *period_args(),
                "--format",
                "csv",
                "--output",
                str(folder),
            ]
        )
        == 0
    )
    names = sorted(p.name for p in folder.iterdir())
    assert "summary.csv" in names and "response_by_person.csv" in names
    with open(folder / "response_by_person.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0] == {
        "person": "ana",
        "answered": "2",  # her failed hand-off of mastodon:5 answers nothing
        "median": "4650.0",
        "p90": "7500.0",
        "on_time": "2",
        "within_sla": "1.0",
        "breaches": "0",
    }
    with open(folder / "top_stories.csv", newline="") as f:
        stories = {r["group"]: r for r in csv.DictReader(f)}
    hostile = stories["rss:6"]
    assert hostile["author"].startswith("'=HYPERLINK")  # formula neutralised
    assert not any(v.startswith(("=", "+", "-", "@")) for r in stories.values() for v in r.values())


def test_report_html_is_self_contained_and_escapes_hostile_text(store, config_file, tmp_path):
    page = tmp_path / "report.html"
    run = veille(store, config_file, "report", *period_args(), "--output", str(page))
    assert run.returncode == 0, run.stderr
    text = page.read_text()
    assert "<svg" in text and "<table>" in text
    assert "<script" not in text.lower()
    assert not re.search(r"<(link|img|iframe|object|embed)\b", text, re.I)
    assert not re.search(r"(src|href)\s*=", text, re.I)
    assert "@font-face" not in text and "@import" not in text and "url(" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "default-src 'none'" in text


def test_report_bad_usage_in_words(store, config_file):
    run = veille(store, config_file, "report", "--since", "forever")
    assert run.returncode == 2 and "not a duration" in run.stderr
    run = veille(store, config_file, "report", "--from", "2026-13-45")
    assert run.returncode == 2 and "not a date" in run.stderr
    run = veille(store, config_file, "report", "--format", "csv")
    assert run.returncode == 2 and "--output" in run.stderr
    run = veille(store.parent / "nothing", config_file, "report")
    assert run.returncode == 2 and "no store" in run.stderr


def test_report_scoped_to_a_brand(store, config_file):
    run = veille(store, config_file, "report", *period_args(), "--brand", "Brightly")
    assert run.returncode == 0, run.stderr
    assert "- Mentions: **3**" in run.stdout


def test_export_jsonl_with_filter(store, config_file):
    run = veille(store, config_file, "export", "brand:lumio", "status:done")
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["reddit:4"]
    assert rows[0]["status"] == "done" and rows[0]["replies"] == 1
    run = veille(store, config_file, "export")  # the inbox's default: done is hidden
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(rows) == 8 and "reddit:4" not in {r["id"] for r in rows}
    run = veille(store, config_file, "export", "--all")
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(rows) == 9
    by_id = {r["id"]: r for r in rows}
    assert by_id["bluesky:2"]["tags"] == ["bug"]  # the group's state reaches its copies
    assert by_id["mastodon:5"]["handoff_delivery"] == "failed"
    # the mention boundary cleaned the hostile text once; the export carries that clean text
    assert by_id["rss:6"]["text"] == sanitize(HOSTILE)
    assert "\x1b" not in run.stdout


def test_export_csv_neutralises_formulas(store, config_file, tmp_path):
    out = tmp_path / "export.csv"
    run = veille(store, config_file, "export", "--all", "--format", "csv", "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert "9 mentions" in run.stderr
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    hostile = next(r for r in rows if r["id"] == "rss:6")
    assert hostile["author_handle"] == '\'=HYPERLINK("http://evil")'
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_export_bad_filter_says_where(store, config_file):
    run = veille(store, config_file, "export", "brand:lumio", "status:bogus")
    assert run.returncode == 2
    assert "unknown status" in run.stderr and "column 13" in run.stderr
    assert "            ^" in run.stderr


def test_report_of_an_empty_period_says_so(store, config_file):
    run = veille(store, config_file, "report", "--from", "2020-01-01", "--to", "2020-01-02")
    assert run.returncode == 0, run.stderr
    assert "- Mentions: **0**" in run.stdout
    assert "- Median time to first response: **—**" in run.stdout
    assert "_Nothing in this period._" in run.stdout
