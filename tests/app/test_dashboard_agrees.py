"""Banner, dashboard, status bar and `veille list` tell one story (issue 14 item 11): the
spike in the same words ("usually ~N" alike, top stories by their text, not raw ids),
"within SLA" is "—" when nothing was answered, and the backlog is the open count."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from cli.main import main
from sources.config import load_config
from store.inbox import Inbox
from triage import query
from triage.model import Author, Mention, utcnow
from tui.integration import make_spike

CONFIG = 'user = "tester"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n[sla]\nnormal = "1h"\n'


def _mention(n: str, minutes_ago: float, text: str, group: str) -> Mention:
    now = utcnow()
    return Mention(
        id=f"mastodon:{n}",
        platform="mastodon",
        source="m",
        url=f"https://social.example/@u/{n}",
        author=Author(name=f"user{n}", handle=f"@user{n}"),
        text=text,
        created_at=now - timedelta(minutes=minutes_ago),
        fetched_at=now,
        brands=("Lumio",),
        priority=40,
        group_id=f"mastodon:{group}",
    )


def _store(path) -> None:
    day = 24 * 60
    mentions = [  # a week of history: two posts a day at this hour
        _mention(f"d{d}-{i}", d * day + 20 + i, f"Lumio routine question {d}-{i}", f"d{d}-{i}")
        for d in range(1, 9)
        for i in range(2)
    ]
    mentions += [  # yesterday's still-open stories (not "today" for a report)
        _mention(f"y{i}", day - 60 - i, f"Lumio old ticket {i}", f"y{i}") for i in range(3)
    ]
    mentions += [  # the last hour: 14 posts about one story, 4 about another
        _mention(f"s{i}", 5 + i, "La lampe Lumio clignote après la mise à jour", "story-a")
        for i in range(14)
    ]
    mentions += [
        _mention(f"t{i}", 30 + i, "Lumio app crashes at start", "story-b") for i in range(4)
    ]
    with Inbox.open(path, user="tester") as box:
        box.ingest(mentions)


async def test_banner_dashboard_status_bar_and_list_agree(tmp_path, capsys):
    from tui.app import VeilleApp

    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    store = tmp_path / "store"
    _store(store)
    assert main(["--config", str(cfg), "--store", str(store), "list", "--counts", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)

    config = load_config(cfg)
    with Inbox.open(store, user="tester") as box:
        clock = query.sla_clock(config.sla, box.urgent_threshold)
        app = VeilleApp(
            box, config, poll_interval=0, pane_delay=0, sla_left=clock, spike=make_spike(config)
        )
        async with app.run_test(size=(200, 50)) as pilot:
            banner = ""
            for _ in range(100):
                await pilot.pause(0.05)
                banner = str(app.screen.query_one("#spike").render())
                bar = str(app.screen.query_one("#status").render())
                if "spike" in banner and f"{cli['open']} open" in bar:
                    break
            assert "spike: Lumio" in banner, banner
            assert f" {cli['open']} open " in bar, bar
            await pilot.press("D")
            dashboard = app.screen
            for _ in range(100):
                await pilot.pause(0.05)
                if getattr(dashboard, "figures", None) is not None:
                    break
            await pilot.pause()
            spikes = str(dashboard.query_one("#dash-spikes").render())
            today = str(dashboard.query_one("#dash-today").render())

    (line,) = dashboard.figures.spikes
    assert line in banner  # the same words, "usually ~N" included
    usual_banner = re.search(r"usually ~[\d.]+", banner)
    usual_dash = re.search(r"usually ~[\d.]+", spikes)
    assert usual_banner and usual_dash and usual_banner.group() == usual_dash.group()
    assert "“La lampe Lumio clignote" in spikes  # a story by its text
    assert "mastodon:story-a" not in spikes and "mastodon:story-a" not in banner
    assert "Answered within SLA: —" in today  # nothing answered: no 0.0 %
    assert "0.0 %" not in today
    assert f"Open backlog: {cli['open']}" in today  # the status bar's and list's count
    assert cli["open"] == 3 + 2 + 16  # yesterday's, the two stories, the week's posts
