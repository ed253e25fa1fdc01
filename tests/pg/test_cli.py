"""The command line on a postgresql:// store: fetch from a feed served on 127.0.0.1,
list, tag; the password never printed; the config file may not hold one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.pg.feedserver import serving

ROOT = Path(__file__).resolve().parents[2]


STORIES = [
    "ma lampe Lumio clignote depuis hier soir",
    "Lumio vient d'ouvrir une boutique à Lyon, super accueil",
    "the Lumio app crashes when I change the colour",
    "remboursement Lumio toujours pas reçu après trois semaines",
    "Lumio glow review: bright, cheap, and the battery lasts",
]


def rss(n: int) -> bytes:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>post {i}</title><link>https://blog.example/{i}</link>"
        f"<guid>https://blog.example/{i}</guid><description>{STORIES[i]}</description>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


@pytest.fixture
def feed():
    with serving(lambda: rss(5)) as (base, _):
        yield f"{base}/feed.xml"


@pytest.fixture
def config(tmp_path, feed):
    path = tmp_path / "config.toml"
    path.write_text(
        'user = "ana"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[sources]]\nname = "blog"\nkind = "rss"\nurl = "{feed}"\nevery = "5m"\n'
        "allow_private = true\n"
    )
    return path


def veille(config, store, *args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env.update(PYTHONPATH=str(ROOT), **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--store", store, "--config", str(config), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip


def test_fetch_list_tag_on_postgresql(config, pg_url):
    run = veille(config, pg_url, "fetch")
    assert run.returncode == 0, run.stderr
    listed = veille(config, pg_url, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 5
    first = rows[0]["id"] if "id" in rows[0] else rows[0]["group_id"]
    tagged = veille(config, pg_url, "tag", first, "bug")
    assert tagged.returncode == 0, tagged.stderr
    only = veille(config, pg_url, "list", "--json", "tag:bug")
    assert len(only.stdout.splitlines()) == 1
    report = veille(config, pg_url, "report", "--since", "7d")
    assert report.returncode == 0, report.stderr
    assert "Lumio" in report.stdout
    export = veille(config, pg_url, "export", "--format", "csv")
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.strip().splitlines()) == 6  # a header and the 5 groups
    sources = veille(config, pg_url, "sources")
    assert sources.returncode == 0 and "blog" in sources.stdout and "ok" in sources.stdout
    again = veille(config, pg_url, "fetch")  # the cursor lives in the database: nothing new
    assert again.returncode == 0, again.stderr
    assert len(veille(config, pg_url, "list", "--json").stdout.splitlines()) == 5


def test_the_password_is_never_printed(config, pg_url):
    secret_url = pg_url.replace("veille@", "veille:s3cr3t-pw@")  # trust auth ignores it
    run = veille(config, secret_url, "fetch")
    assert run.returncode == 0, run.stderr
    for args in (("list",), ("doctor",), ("sources",)):
        done = veille(config, secret_url, *args)
        assert "s3cr3t-pw" not in done.stdout + done.stderr
    down = secret_url.rsplit(":", 1)[0].rsplit(":", 1)[0] + ":s3cr3t-pw@127.0.0.1:1/x"
    failed = veille(config, down, "list")
    assert failed.returncode != 0
    assert "s3cr3t-pw" not in failed.stdout + failed.stderr
    assert "cannot use the PostgreSQL store" in failed.stderr + failed.stdout


def test_a_password_in_the_config_file_is_refused(tmp_path, pg_url):
    path = tmp_path / "config.toml"
    url = pg_url.replace("veille@", "veille:hunter22@")
    path.write_text(f'user = "ana"\n[store]\npath = "{url}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", str(path), "list"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert run.returncode != 0
    assert "must not hold a password" in run.stderr
    assert "hunter22" not in run.stdout + run.stderr
