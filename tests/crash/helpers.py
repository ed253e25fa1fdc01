"""Run `veille` commands as real subprocesses on one store, optionally crashing them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from store.inbox import Inbox
from triage.model import Author, Mention

ROOT = Path(__file__).resolve().parents[2]


def env_for(store: Path, user: str = "shell", crash: str | None = None) -> dict[str, str]:
    env = {**os.environ, "VEILLE_STORE": str(store), "USER": user, "PYTHONPATH": str(ROOT)}
    env.pop("VEILLE_CRASH_AT", None)
    if crash:
        env["VEILLE_CRASH_AT"] = crash
    return env


def veille(
    store: Path, *args: str, user: str = "shell", crash: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        env=env_for(store, user, crash),
        cwd=ROOT,
        timeout=60,
    )


def show_state(store: Path, target: str) -> dict:
    proc = veille(store, "show", target)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["state"]


def mention(i: int, day: int = 20) -> Mention:
    from datetime import UTC, datetime, timedelta

    at = datetime(2026, 11, day, 8, tzinfo=UTC) + timedelta(minutes=i)
    return Mention(
        id=f"rss:{i}",
        platform="rss",
        source="crash",
        url=f"https://example.org/{i}",
        author=Author(f"Author {i}", f"@a{i}"),
        text=f"crash test message {i} about the lamp",
        created_at=at,
        fetched_at=at,
    )


def seed(store: Path, count: int = 20) -> None:
    with Inbox.open(store, user="seed") as inbox:
        inbox.ingest([mention(i) for i in range(count)])
