"""What lived in the store folder, on PostgreSQL: the schema's versions, the poller lease
between processes, the shared alert ledger, the sources' records."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from app.runtime import Runtime
from app.services.ledger import Ledger, PgLedger
from store.errors import SchemaTooNew
from store.lease import Lease
from store.postgres import PgStore
from store.postgres.lease import PgLease
from store.postgres.schema import SCHEMA_VERSION
from triage.config import Config

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from app.runtime import Runtime
from triage.config import Config
from store.lease import Lease
rt = Runtime.of(Config(user="ana"), sys.argv[1])
lease = Lease(rt.store_path, "ana", sys.argv[2])
assert lease.acquire()
print("held", flush=True)
while True:
    time.sleep(0.2)
    lease.acquire()
"""


def test_migrations_are_recorded_and_a_newer_schema_is_refused(pg_url):
    with PgStore.open(pg_url, user="ana") as s:
        s.ingest([])
    with psycopg.connect(pg_url, autocommit=True) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaTooNew, match=r"newer veille .* Nothing was changed"):
        PgStore.open(pg_url, user="ana")


def test_the_lease_is_one_row_shared_by_processes(pg_url):
    rt = Runtime.of(Config(user="sam"), pg_url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    inbox = subprocess.Popen(
        [sys.executable, "-c", HOLD, pg_url, "inbox"], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert inbox.stdout is not None and inbox.stdout.readline().strip() == "held"
        mine = Lease(rt.store_path, "sam", "inbox", pid=999_999_999)
        assert isinstance(mine, PgLease)
        assert not mine.acquire()  # a live inbox holds it
        assert mine.current() is not None and mine.current().user == "ana"
        watch = Lease(rt.store_path, "sam", "watch")  # this live process
        assert watch.acquire()  # a watch takes it from an inbox
        assert not mine.acquire()
        watch.release()
    finally:
        os.kill(inbox.pid, signal.SIGKILL)
        inbox.wait(5)


def test_an_alert_is_posted_by_one_node(pg_url):
    rt = Runtime.of(Config(user="sam"), pg_url)
    PgStore.open(pg_url, user="sam").close()
    a = Ledger(rt.store_path / "watch" / "alerts.ledger")
    b = Ledger(rt.store_path / "watch" / "alerts.ledger")
    b.rows.node = "other-host:1"  # as a second machine
    assert isinstance(a, PgLedger)
    assert a.begin("urgent:rss:1#webhook")
    assert not b.begin("urgent:rss:1#webhook")  # a is posting it
    a.add("urgent:rss:1#webhook")
    assert "urgent:rss:1#webhook" in b and b.attempts("urgent:rss:1#webhook") == 0
    assert b.begin("spike:x#log")
    b.abandon("spike:x#log")  # failed: anyone may try again
    assert a.begin("spike:x#log") and a.attempts("spike:x#log") == 1


def test_a_folder_store_keeps_its_files(tmp_path):
    assert type(Lease(tmp_path, "ana", "inbox")) is Lease
    assert type(Ledger(tmp_path / "watch" / "alerts.ledger")) is Ledger
    assert Runtime.of(Config(user="ana"), tmp_path).store_url == ""
