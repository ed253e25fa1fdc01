"""Snapshots of the main screen at 80x24 (one pane), 120x40 and 200x50 (two panes): fixed
clock, fixed store, no config.

Regenerate after an intended change with `pytest tests/tui/test_snapshots.py
--snapshot-update` and look at the SVGs in __snapshots__ before committing them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.inbox import Inbox
from triage.model import Author, Mention

from .conftest import NOW, make_config, mention, sample_mentions

LONG_URL = "https://forum.example.org/t/lumio-glow-battery-swelling-after-the-november-update/48213?page=2#post-17"


def snapshot_mentions() -> list[Mention]:
    """The TUI sample plus a forum post with a title and a long URL, and a claimed one."""
    forum = Mention(
        id="rss:forum-1",
        platform="rss",
        source="forum",
        url=LONG_URL,
        author=Author(name="Marc Dupont", handle="marc.d"),
        title="Lumio Glow: battery swelling after the November update",
        text="Since the update my Lumio Glow gets hot while charging and the back is bulging.",
        created_at=NOW - timedelta(minutes=42),
        fetched_at=NOW,
        brands=("Lumio",),
        priority=78,
        signals=("crisis: batterie gonflée",),
    )
    return [*sample_mentions(), forum, mention(7, "Lumio support answered me in 5 min, bravo", author="gina", priority=15, minutes_ago=3000)]  # fmt: skip


@pytest.fixture
def snapshot_app(tmp_path):
    from tui.app import VeilleApp

    box = Inbox.open(tmp_path / "store", user="tester")
    box.ingest(snapshot_mentions())
    box.tag("mastodon:2", add=["question"])
    with Inbox.open(tmp_path / "store", user="sam") as other:
        other.claim("mastodon:3")
    box.refresh()
    config = make_config()
    sla = lambda view, now: 3600 - (now - view.leader.created_at).total_seconds()  # noqa: E731
    app = VeilleApp(box, config, now=lambda: NOW, poll_interval=0, pane_delay=0, sla_left=sla)
    yield app
    box.close()


def test_main_screen_80x24(snap_compare, snapshot_app):
    """One pane: the list alone, headers, titles with room."""
    assert snap_compare(snapshot_app, terminal_size=(80, 24), press=["j"])


def test_thread_80x24(snap_compare, snapshot_app):
    """One pane: enter shows the thread in the list's place; the URL stays on one line."""
    assert snap_compare(snapshot_app, terminal_size=(80, 24), press=["j", "enter"])


def test_main_screen_120x40(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, terminal_size=(120, 40), press=["j"])


def test_main_screen_200x50(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, terminal_size=(200, 50), press=["j", "j", "k"])
