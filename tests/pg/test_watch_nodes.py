"""Two `veille watch` processes on one postgresql:// store: the feed is polled once (the
lease and the sources' records are in the database), the mentions stored once, and the
password given in the URL appears in no log line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.postgres import PgStore
from tests.pg.feedserver import serving
from tests.pg.test_cli import rss

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def feed():
    with serving(lambda: rss(5)) as (base, hits):
        yield f"{base}/feed.xml", hits


def test_two_watch_nodes_poll_a_source_once(tmp_path, pg_url, feed):
    url, hits = feed
    config = tmp_path / "config.toml"
    config.write_text(
        'user = "ana"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[sources]]\nname = "blog"\nkind = "rss"\nurl = "{url}"\nevery = "1h"\n'
        "allow_private = true\n"
    )
    secret_url = pg_url.replace("veille@", "veille:pw-s3cr3t-xyz@")
    PgStore.open(pg_url, user="ana").close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["PYTHONPATH"] = str(ROOT)
    nodes = []
    for n in range(2):
        home = tmp_path / f"home{n}"  # two machines: two local folders
        node_env = {**env, "XDG_DATA_HOME": str(home / "data"), "HOME": str(home)}
        argv = ["--store", secret_url, "--config", str(config), "watch", "--tick", "0.5"]
        nodes.append(
            subprocess.Popen(
                [sys.executable, "-m", "cli.main", *argv],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=node_env,
                cwd=ROOT,
            )
        )
    try:
        with PgStore.open(pg_url, user="check", listen=False) as store:
            deadline = time.monotonic() + 30
            while len(store) < 5 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(store) == 5
        time.sleep(3)  # both nodes run several ticks meanwhile
    finally:
        for p in nodes:
            p.send_signal(signal.SIGTERM)
        logs = [p.communicate(timeout=30)[0] for p in nodes]
    assert [p.returncode for p in nodes] == [0, 0], logs
    assert len(hits) == 1, logs  # one poll for the two nodes: the next is due in an hour
    assert sum("polls this store" in log for log in logs) == 1  # the other said who polls
    assert not any("pw-s3cr3t-xyz" in log for log in logs)
