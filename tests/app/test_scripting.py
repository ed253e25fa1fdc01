"""Issue 16: a scripted action reads the configuration through app.scripting's cache
and finds the user folders without platformdirs (app.dirs). The cache must never
answer what a full read would not: a changed file, $USER or veille is read again, and a
wrong file is refused in the same words as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
import pytest

from app import dirs, scripting
from sources.config_values import config_path, user_default
from store.inbox import Inbox
from triage.config import Config, StoreConfig
from triage.model import Author, Mention

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("xdg", [None, "", "relative/dir", "/abs/xdg/", "  "])
@pytest.mark.parametrize("home", ["/home/ana", "/home/ana/", "/"])
def test_the_folders_are_platformdirs_ones(monkeypatch, xdg: str | None, home: str) -> None:
    monkeypatch.setenv("HOME", home)
    for kind, variable in (
        ("config", "XDG_CONFIG_HOME"), ("data", "XDG_DATA_HOME"), ("cache", "XDG_CACHE_HOME")
    ):  # fmt: skip
        if xdg is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, xdg)
        assert dirs.user_dir(kind) == getattr(platformdirs, f"user_{kind}_path")("veille")
    assert dirs.config_file(None) == config_path(None)
    assert dirs.config_file("~/c.toml") == config_path("~/c.toml")
    monkeypatch.setenv("VEILLE_CONFIG", "/etc/v.toml")
    assert dirs.config_file(None) == config_path(None)


def test_the_defaults_are_the_domain_s(monkeypatch) -> None:
    store = StoreConfig()
    assert (store.path, store.mode, store.group) == scripting.STORE_DEFAULTS
    for env in ({"USER": "ana"}, {"USER": "", "LOGNAME": "bo"}, {"USER": "", "LOGNAME": ""}):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        assert scripting.user_default() == user_default() == Config(user=user_default()).user


# ---------------------------------------------------------------------- real commands


@pytest.fixture
def place(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    at = datetime(2026, 11, 20, 8, tzinfo=UTC)
    with Inbox.open(store, user="seed") as inbox:
        inbox.ingest(
            [
                Mention(
                    id=f"rss:{i}", platform="rss", source="t", url=f"https://e.example/{i}",
                    author=Author("A", "@a"), text=f"lamp {i}", created_at=at, fetched_at=at,
                )
                for i in range(3)
            ]
        )  # fmt: skip
    return tmp_path


def veille(place: Path, *args: str, user: str = "tester") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "XDG_CACHE_HOME": str(place / "cache"),
        "VEILLE_STORE": str(place / "store"),
        "USER": user,
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", str(place / "c.toml"), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip


def acted_by(place: Path, target: str, *tags: str, user: str = "tester") -> str:
    proc = veille(place, "tag", target, *tags, user=user)
    assert proc.returncode == 0, proc.stderr
    with Inbox.open(place / "store", user="checker") as inbox:
        return inbox.state(target).updated_by or ""


def cache_file(place: Path) -> Path:
    return place / "cache" / "veille" / scripting.CACHE


def test_a_changed_file_or_user_is_read_again(place: Path) -> None:
    config = place / "c.toml"
    config.write_text('user = "ana"\n')
    assert acted_by(place, "rss:1", "a") == "ana"
    assert cache_file(place).exists()
    assert acted_by(place, "rss:1", "b") == "ana"  # from the cache
    config.write_text('user = "bob"\n')  # same size, maybe the same mtime
    assert acted_by(place, "rss:1", "c") == "bob"
    config.write_text("# no user: $USER\n")
    assert acted_by(place, "rss:1", "d", user="carla") == "carla"
    assert acted_by(place, "rss:1", "e", user="dora") == "dora"


def test_the_cache_answers_only_for_the_code_that_wrote_it(place: Path) -> None:
    """A cache entry is used (a forged user proves it) only while every module that
    read the file is unchanged: an upgraded veille reads the file again."""
    (place / "c.toml").write_text('user = "ana"\n')
    assert acted_by(place, "rss:1", "a") == "ana"
    data = json.loads(cache_file(place).read_text())
    (entry,) = data["entries"].values()
    entry["values"][0] = "mallory"
    cache_file(place).write_text(json.dumps(data))
    assert acted_by(place, "rss:1", "b") == "mallory"
    entry["code"][0][2] += 1  # one module's mtime: another veille
    cache_file(place).write_text(json.dumps(data))
    assert acted_by(place, "rss:1", "c") == "ana"
    cache_file(place).write_text("{not json")  # damaged: read in full, written again
    assert acted_by(place, "rss:1", "d") == "ana"
    assert json.loads(cache_file(place).read_text())["format"] == scripting.FORMAT


def test_a_wrong_file_is_refused_as_before_even_once_cached(place: Path) -> None:
    config = place / "c.toml"
    config.write_text('user = "ana"\n')
    assert acted_by(place, "rss:1", "a") == "ana"
    config.write_text('user = "ana"\n[store]\nmode = "public"\n')
    lean = veille(place, "tag", "rss:1", "b")
    full = veille(place, "list")  # the full runtime, as every command read it before
    assert lean.returncode == full.returncode == 2
    assert lean.stderr == full.stderr and "mode" in lean.stderr
    assert lean.stdout == ""
    (place / "c.toml").unlink()
    missing = veille(place, "tag", "rss:1", "b")
    assert missing.returncode == 2
    assert missing.stderr == veille(place, "list").stderr
    assert "no configuration file here" in missing.stderr


def test_the_cache_is_private(place: Path) -> None:
    (place / "c.toml").write_text('user = "ana"\n[store]\nmode = "private"\n')
    assert acted_by(place, "rss:1", "a") == "ana"
    assert cache_file(place).stat().st_mode & 0o777 == 0o600
    assert cache_file(place).parent.stat().st_mode & 0o777 == 0o700
