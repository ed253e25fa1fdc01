"""bench/fetch_split.py: a real `veille fetch` (real server, real store, parse workers)
says where its CPU went, and fetches exactly what it fetches without the measuring."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from store.inbox import Inbox

from .conftest import Reply
from .test_fetch_cli import RSS, feed, write_config

ROOT = Path(__file__).resolve().parents[2]
SPLIT = re.compile(
    r"^cpu split: main start-up ([0-9.]+) s, polling ([0-9.]+) s, storing ([0-9.]+) s, "
    r"rest (-?[0-9.]+) s; workers \((\d)\): parse ([0-9.]+) s, prepare ([0-9.]+) s, "
    r"sending back ([0-9.]+) s, (\d+) calls$"
)


def test_a_fetch_through_the_split_stores_everything_and_says_where_the_cpu_went(server, tmp_path):
    a = server.route("/a.rss", Reply(headers={"Content-Type": RSS}, body=feed(40)))
    b = server.route("/b.rss", Reply(headers={"Content-Type": RSS}, body=feed(30, start=40)))
    config = write_config(tmp_path, [("a", a), ("b", b)])
    store = tmp_path / "store"
    args = ["--config", str(config), "--store", str(store), "fetch"]
    done = subprocess.run(
        [sys.executable, "bench/fetch_split.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    assert lines[:2] == ["a: 40 new, 0 unchanged", "b: 30 new, 0 unchanged"]
    found = SPLIT.match(lines[-1])
    assert found, lines[-1]
    start, polling, storing, _, workers, parse, prepare, _, calls = found.groups()
    assert int(calls) == 2 and 1 <= int(workers) <= 2  # one call per feed, in the workers
    assert float(start) > 0 and float(polling) >= 0 and float(storing) > 0
    assert float(parse) > 0 and float(prepare) > 0
    with Inbox.open(store, user="camille") as inbox:
        stored = inbox.mentions_between(datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC))
        assert len({m.id for m in stored}) == 70
