"""`veille person` and `veille rules` in a shell (the real `python -m cli.main`): a
record across linked handles, tags, notes, a CSV list with bad rows and hostile text
(Rich markup, ANSI escapes, control characters never reach the terminal raw)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store.inbox import Inbox
from triage.model import Author, Mention

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)
HOSTILE = "[bold red]BOOM[/] \x1b[31mred\x1b[0m \x1b]0;title\x07 \x07bell\x08"


def _env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    e["PYTHONPATH"] = str(ROOT)
    return e


def _post(n: int, handle: str, text: str, platform: str = "mastodon") -> Mention:
    return Mention(
        id=f"{platform}:{n}", platform=platform, source="s", url=f"https://e.example/{n}",
        author=Author(name=handle.strip("@"), handle=handle, reach=1000 * n), text=text,
        created_at=NOW - timedelta(minutes=n), fetched_at=NOW, brands=("Lumio",),
        priority=10.0, group_id=f"{platform}:{n}",
    )  # fmt: skip


@pytest.fixture
def world(tmp_path) -> tuple[Path, Path]:
    store = tmp_path / "store"
    with Inbox.open(store, user="camille") as inbox:
        inbox.ingest([
            _post(1, "@ana@mastodon.social", "Lumio remboursement s'il vous plaît"),
            _post(2, "ana.bsky.social", "Toujours pas de remboursement Lumio", "bluesky"),
            _post(3, "@bob", "Lumio est super"),
            _post(4, "@mallory", f"Lumio {HOSTILE}"),
        ])  # fmt: skip
        inbox.add_reply("mastodon:1", "Bonjour Ana, nous regardons.", manual=True)
    config = tmp_path / "config.toml"
    config.write_text(
        'user = "camille"\n[[brands]]\nname = "Lumio"\n'
        '[[rules]]\nname = "refund-fr"\nwhen = "brand:Lumio remboursement"\ntag = "refund"\n'
        '[[rules]]\nname = "vip"\nwhen = "person:vip"\npriority = 10\n'
    )
    return store, config


def _veille(world, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    store, config = world
    argv = [sys.executable, "-m", "cli.main", "--config", str(config), "--store", str(store)]
    done = subprocess.run([*argv, *args], capture_output=True, text=True, env=_env())
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _no_raw_controls(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x08" not in text


def test_a_person_linked_across_platforms_with_tags_notes_and_history(world):
    _veille(world, "person", "link", "@ana@mastodon.social", "ana.bsky.social", "--name", "Ana")
    _veille(world, "person", "tag", "ana.bsky.social", "vip", "journalist")
    _veille(world, "person", "note", "@Ana@Mastodon.social", "prefers", "DMs")
    out = _veille(world, "person", "ana@mastodon.social").stdout
    assert out.startswith("Ana  (ana@mastodon.social, ana.bsky.social)")
    assert "tags: #vip #journalist" in out
    assert "reach: 2,000" in out  # the largest seen on their posts
    assert "camille: prefers DMs" in out
    assert "posts (2):" in out and "bluesky" in out and "mastodon" in out
    assert "our replies (1):" in out and "Bonjour Ana, nous regardons." in out
    record = json.loads(_veille(world, "person", "--json", "ana.bsky.social").stdout)
    assert record["tags"] == ["vip", "journalist"] and len(record["mentions"]) == 2
    assert _veille(world, "person", "list", "vip").stdout.startswith("ana@mastodon.social\tAna")
    listed = _veille(world, "list", "person:vip").stdout.splitlines()
    assert sorted(line.split("\t")[0] for line in listed) == ["bluesky:2", "mastodon:1"]
    _veille(world, "person", "tag", "ana.bsky.social", "-vip")
    assert _veille(world, "list", "person:vip").stdout == ""


def test_an_unknown_handle_and_bad_input_are_said_in_words(world):
    done = _veille(world, "person", "@nobody", check=False)
    assert done.returncode == 1 and "nobody known as '@nobody'" in done.stderr
    done = _veille(world, "person", "tag", "@bob", "two words", check=False)
    assert done.returncode == 1 and "tags are single words" in done.stderr


def test_csv_import_reports_bad_rows_by_line_and_keeps_the_rest(world, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "handles,name,tags,reach,note\n"
        '@bob,Bob,"vip, influencer",1200,met at the fair\n'
        ",no handle,vip,,\n"
        "@carol,Carol,journalist,lots,\n"
        f'@mallory,"{HOSTILE}",blocked,,"{HOSTILE}"\n'
        '"@dave @dave.bsky.social",Dave,,,\n',
        encoding="utf-8",
    )
    done = _veille(world, "person", "import", str(csv_file), check=False)
    assert done.returncode == 1  # some rows were refused: a script sees it
    assert "imported 3 row(s), 2 skipped" in done.stdout
    assert "people.csv, line 3: no handle (row skipped)" in done.stderr
    assert "people.csv, line 4: reach 'lots' is not a whole number (row skipped)" in done.stderr
    bob = _veille(world, "person", "@bob").stdout
    assert "tags: #vip #influencer" in bob and "reach: 3,000" in bob  # 3,000 seen on a post
    assert "met at the fair" in bob
    assert "dave.bsky.social" in _veille(world, "person", "list").stdout
    mallory = _veille(world, "person", "@mallory").stdout
    _no_raw_controls(mallory)
    assert "[bold red]BOOM[/]" in mallory  # markup shown as the text it is
    assert "tags: #blocked" in mallory


def test_a_hostile_csv_file_name_and_cells_never_reach_the_terminal_raw(world, tmp_path):
    name = tmp_path / "list\x1b[2J.csv"
    name.write_text("handles,tags\n\x1b[31m@eve\x1b[0m,vip\n@zed,\x07bad tag\n")
    done = _veille(world, "person", "import", str(name), check=False)
    _no_raw_controls(done.stdout + done.stderr)
    listed = _veille(world, "person", "list").stdout
    _no_raw_controls(listed)


def test_rules_list_and_test_show_what_a_rule_would_match(world):
    listed = _veille(world, "rules", "list").stdout.splitlines()
    assert listed[0].startswith("1. refund-fr\twhen brand:Lumio remboursement\t-> tagged #refund")
    assert listed[1].startswith("2. vip\twhen person:vip\t-> priority +10")
    done = _veille(world, "rules", "test", "refund-fr")
    assert sorted(line.split("\t")[0] for line in done.stdout.splitlines()) == [
        "bluesky:2", "mastodon:1",
    ]  # fmt: skip
    assert "2 group(s) would match" in done.stderr
    done = _veille(world, "rules", "test", "brand:Lumio", "super")
    assert done.stdout.split("\t")[0] == "mastodon:3"
    # as a rule applies it: no stem or spelling expansion (the filter line has them)
    assert len(_veille(world, "list", "rembourser").stdout.splitlines()) == 2
    widened = _veille(world, "rules", "test", "rembourser")
    assert widened.stdout == "" and "0 group(s) would match" in widened.stderr
    bad = _veille(world, "rules", "test", "is:urgnt", check=False)
    assert bad.returncode == 2 and "unknown is:urgnt" in bad.stderr
    nothing = _veille(world, "rules", "undo", "refund-fr", check=False)
    assert nothing.returncode == 1 and "nothing to undo" in nothing.stderr
