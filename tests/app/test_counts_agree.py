"""`veille list`, the status bar and the dashboard count one store the same way: they
all ask triage.query (open, urgent, SLA breached, shown of all)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from cli.main import main
from sources.config import load_config
from store.inbox import Inbox
from triage import query
from triage.model import Author, Mention, Status, utcnow

CONFIG = 'user = "tester"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n[sla]\nnormal = "1h"\n'


def _mention(n: int, minutes_ago: int, priority: float) -> Mention:
    now = utcnow()
    return Mention(
        id=f"mastodon:{n}",
        platform="mastodon",
        source="m",
        url=f"https://social.example/@u{n}/{n}",
        author=Author(name=f"user{n}", handle=f"@user{n}"),
        text=f"Lumio post number {n}",
        created_at=now - timedelta(minutes=minutes_ago),
        fetched_at=now,
        brands=("Lumio",),
        priority=priority,
        group_id=f"mastodon:{n}",
    )


def _store(path):
    with Inbox.open(path, user="tester") as box:
        box.ingest(
            [
                _mention(1, 5, 95),  # urgent, fresh
                _mention(2, 300, 90),  # urgent and overdue
                _mention(3, 200, 20),  # overdue
                _mention(4, 10, 30),
                _mention(5, 400, 85),  # done: not open, not breached
                _mention(6, 20, 10),  # snoozed
            ]
        )
        box.set_status("mastodon:5", Status.DONE)
        box.snooze("mastodon:6", utcnow() + timedelta(hours=4))


async def test_list_status_bar_and_dashboard_agree(tmp_path, capsys):
    from tui.app import VeilleApp

    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    store = tmp_path / "store"
    _store(store)

    assert main(["--config", str(cfg), "--store", str(store), "list", "--counts", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["open"] == 4 and cli["shown"] == 4 and cli["groups"] == 6
    assert cli["urgent"] == 2 and cli["breached"] == 2
    assert main(["--config", str(cfg), "--store", str(store), "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == cli["shown"]
    assert main(["--config", str(cfg), "--store", str(store), "list", "--all"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == cli["groups"]

    config = load_config(cfg)
    with Inbox.open(store, user="tester") as box:
        clock = query.sla_clock(config.sla, box.urgent_threshold)
        app = VeilleApp(box, config, poll_interval=0, pane_delay=0, sla_left=clock)
        async with app.run_test(size=(160, 48)) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                bar = str(app.screen.query_one("#status").render())
                if f"{cli['open']} open" in bar:
                    break
            figures = re.search(
                r"(\d+) open .* (\d+) urgent .* (\d+) SLA breached .* (\d+)/(\d+) shown", bar
            )
            assert figures, bar
            assert [int(g) for g in figures.groups()] == [
                cli["open"], cli["urgent"], cli["breached"], cli["shown"], cli["groups"]
            ]  # fmt: skip
            await pilot.press("D")
            dashboard = app.screen
            for _ in range(100):
                await pilot.pause(0.05)
                if getattr(dashboard, "figures", None) is not None:
                    break
            counts = dashboard.figures.inbox
            assert (counts.open, counts.urgent, counts.breached, counts.groups) == (
                cli["open"], cli["urgent"], cli["breached"], cli["groups"]
            )  # fmt: skip
            shown = str(dashboard.query_one("#dash-today").render())
            assert (
                f"{cli['open']} open · {cli['urgent']} urgent · {cli['breached']} SLA breached"
                in shown
            )
