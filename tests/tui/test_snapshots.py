"""Snapshots of the main screen at 80x24 and 160x48 (fixed clock, fixed store, no config).

Regenerate after an intended change with `pytest tests/tui/test_snapshots.py
--snapshot-update` and look at the SVGs in __snapshots__ before committing them.
"""

from __future__ import annotations

import pytest

from store.inbox import Inbox

from .conftest import make_config, sample_mentions


@pytest.fixture
def snapshot_app(tmp_path):
    from tui.app import VeilleApp

    from .conftest import NOW

    box = Inbox.open(tmp_path / "store", user="tester")
    box.ingest(sample_mentions())
    app = VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, pane_delay=0)
    yield app
    box.close()


def test_main_screen_80x24(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, terminal_size=(80, 24), press=["j"])


def test_main_screen_160x48(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app, terminal_size=(160, 48), press=["j", "j", "k"])
