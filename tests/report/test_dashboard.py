"""The dashboard screen under Textual's Pilot, on a real store: key D opens it, the
figures of the day are shown, a spike is named, hostile text stays text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.inbox import Inbox
from triage.config import BrandConfig, Config
from tui.screens.dashboard import DashboardScreen, compute_figures

from .conftest import mention

NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
MARKUP = "[link=https://evil.example]click me[/link] [@click=app.quit]x[/] \x1b]0;pwned\x07"


def config() -> Config:
    return Config(
        user="ana",
        brands=(
            BrandConfig("Lumio", competitors=("Brightly",)),
            BrandConfig("Brightly", is_competitor=True),
        ),
    )


@pytest.fixture
def dash_store(tmp_path, monkeypatch):
    import store.inbox as store_inbox

    path = tmp_path / "store"
    mentions = [  # a burst of 8 Lumio mentions in the last hour: a spike on a zero baseline
        mention(
            f"mastodon:{n}",
            NOW - timedelta(minutes=5 * n + 1),
            "Lumio",
            20,
            f"@u{n}",
            group="rss:100",  # copies of the hostile story: it is the top story today
        )
        for n in range(8)
    ]
    mentions += [
        mention("rss:100", NOW - timedelta(hours=3), "Lumio", 90, "@hostile", MARKUP),
        mention("rss:101", NOW - timedelta(days=3), "Brightly", 10, "@b"),
        mention("rss:102", NOW - timedelta(days=2), "Brightly", 10, "@c"),
        # the store's first post, 8 days ago: a week of history, so spikes may be told
        mention("rss:103", NOW - timedelta(days=8), "Brightly", 10, "@d"),
    ]
    real = store_inbox.utcnow
    monkeypatch.setattr(store_inbox, "utcnow", lambda: NOW - timedelta(hours=2, minutes=40))
    with Inbox.open(path, user="ana") as inbox:
        inbox.ingest(mentions)
        inbox.add_reply("rss:100", "Nous regardons", manual=True)  # 20 min after the post
    monkeypatch.setattr(store_inbox, "utcnow", real)
    return path


def test_figures_of_the_day(dash_store):
    with Inbox.open(dash_store, user="ana") as inbox:
        f = compute_figures(inbox, config(), NOW)
    assert list(f.hourly) == ["Lumio", "Brightly"]
    assert sum(f.hourly["Lumio"][-24:]) == 9 and sum(f.hourly["Brightly"]) == 2
    assert sum(f.hourly["Brightly"][-24:]) == 0
    assert f.hourly["Lumio"][-1] == 6  # 12:00-12:59: minutes 1..26 after 12:00 ago
    assert f.today.figure("Answered stories") == 1
    assert f.today.figure("Median time to first response") == 20 * 60
    assert f.spikes and f.spikes[0].startswith("spike: Lumio")


async def test_key_d_opens_the_dashboard_and_hostile_text_stays_text(dash_store):
    from tui.app import VeilleApp

    inbox = Inbox.open(dash_store, user="ana")
    app = VeilleApp(inbox, config(), now=lambda: NOW, poll_interval=0, pane_delay=0)
    try:
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.pause()
            await pilot.press("D")
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert screen.figures is not None
            sparklines = list(screen.query("Sparkline"))
            assert len(sparklines) == 4  # 24 h and 7 d for each of the two brands
            assert list(sparklines[0].data) == screen.figures.hourly["Lumio"][-24:]
            shown = "\n".join(strip.text for strip in screen._compositor.render_strips())
            assert "Median time to first response: 20 min" in shown
            assert "spike: Lumio" in shown
            assert "[link=https://evil.example]click me[/link]" in shown  # literal
            assert "\x1b" not in shown
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, DashboardScreen)
            assert app.is_running
    finally:
        inbox.close()
