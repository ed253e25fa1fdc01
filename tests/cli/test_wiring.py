"""What the command line prints is safe for a terminal, what users type is cleaned where
the transitions build it, and filters know the configured brands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store.inbox import Inbox
from triage.model import Author, Mention

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)
NASTY = "bidi \u202eevil\u202c c1 \x9b31m del \x7f ls \u2028 end"


@pytest.fixture
def setup(tmp_path):
    store = tmp_path / "store"
    config = tmp_path / "config.toml"
    config.write_text('user = "ana"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n')
    with Inbox.open(store, user="ana") as box:
        box.ingest(
            [
                Mention(
                    id="rss:1", platform="rss", source="s", url="https://e.example/1",
                    author=Author(name="A\u202eB", handle="@a"), text="Lumio " + NASTY,
                    created_at=NOW, fetched_at=NOW, brands=("Lumio",), group_id="rss:1",
                )
            ]
        )  # fmt: skip
    return store, config


def veille(setup, *args: str) -> subprocess.CompletedProcess[bytes]:
    store, config = setup
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--store", str(store), "--config", str(config), *args],
        capture_output=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip


UNSAFE = ("\u202e", "\u202c", "\x9b", "\x7f", "\u2028", "\x1b")


@pytest.mark.parametrize(
    "args", [("list", "--json"), ("list", "--json", "--counts"), ("show", "rss:1"), ("export",)]
)
def test_json_output_escapes_terminal_controls(setup, args):
    run = veille(setup, *args)
    assert run.returncode == 0, run.stderr
    out = run.stdout.decode()
    assert not any(c in out for c in UNSAFE)
    first = json.loads(out) if args[0] == "show" else json.loads(out.splitlines()[0])
    assert first


def test_the_json_writers_escape_what_older_stores_may_hold():
    """Mentions are cleaned when built, but states written by older versions (notes,
    tags) and anything a backend returns go through the same escaping."""
    import io

    from cli.common import SafeJsonOut, json_line

    value = {"note": NASTY, "tags": ["a\u202eb"]}
    for text in (json_line(value), json_line(value, indent=True)):
        assert not any(c in text for c in UNSAFE)
        assert json.loads(text) == value
    raw = io.BytesIO()
    SafeJsonOut(raw).write(json.dumps(value, ensure_ascii=False).encode() + b"\n")
    assert not any(c in raw.getvalue().decode() for c in UNSAFE)
    assert json.loads(raw.getvalue()) == value


def test_typed_fields_are_cleaned_and_never_echo_escapes(setup):
    run = veille(setup, "tag", "rss:1", "\x1b[2J")
    assert run.returncode == 1 and b"\x1b" not in run.stderr + run.stdout
    assert veille(setup, "tag", "rss:1", "bug\x1b[31m").returncode == 0
    assert veille(setup, "assign", "rss:1", "bob\x1b]0;pwn\x07").returncode == 0
    assert veille(setup, "note", "rss:1", "call\x1b[2J back").returncode == 0
    with Inbox.open(setup[0], user="ana") as box:
        state = box.state("rss:1")
    assert state.tags == ("bug",)
    assert state.assignee == "bob"
    assert state.notes[0].text == "call back"


def test_an_unknown_brand_is_refused_with_the_valid_names(setup):
    for command in ("list", "export"):
        run = veille(setup, command, "brand:Lumo")
        assert run.returncode == 2
        err = run.stderr.decode()
        assert "Lumo" in err and "Lumio" in err
    assert veille(setup, "list", "brand:lumio").stdout.startswith(b"rss:1")
