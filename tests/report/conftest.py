"""A real store (Inbox on tmp_path) with known mentions and known journal events.

The store's clock (`store.inbox.utcnow`) is set to known instants while acting, so that
every response time in the report is known to the second. The figures expected from
this store are worked out by hand in test_figures.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store.inbox import Inbox
from triage.model import Author, DeliveryStatus, Mention

T0 = datetime(2026, 11, 10, tzinfo=UTC)
PERIOD_FROM, PERIOD_TO = "2026-11-09", "2026-11-15"  # --to is included: end Nov 16 00:00
NOW = datetime(2026, 11, 16, 6, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> =cmd|' /C calc'!A0 [x](javascript:alert(1)) & \x1b[31m"
CONFIG = """
user = "ana"

[[brands]]
name = "Lumio"
keywords = ["lumio"]
competitors = ["Brightly"]

[[brands]]
name = "Brightly"
keywords = ["brightly"]
is_competitor = true
"""


def mention(
    mid: str,
    at: datetime,
    brand: str,
    priority: float,
    author: str,
    text: str = "about it",
    group: str = "",
    signals: tuple[str, ...] = (),
) -> Mention:
    platform = mid.split(":")[0]
    return Mention(
        id=mid,
        platform=platform,
        source=f"{platform}-src",
        url=f"https://{platform}.example/{mid}",
        author=Author(author.lstrip("@").title(), author),
        text=text,
        created_at=at,
        fetched_at=at + timedelta(minutes=1),
        brands=(brand,),
        group_id=group or mid,
        priority=priority,
        signals=signals,
    )


MENTIONS = [
    mention(
        "mastodon:1", T0, "Lumio", 80, "@zoe", "ma lampe Lumio a pris feu", signals=("negative",)
    ),
    mention(
        "bluesky:2",
        T0 + timedelta(hours=1),
        "Lumio",
        20,
        "@yann",
        "RT lampe Lumio feu",
        group="mastodon:1",
        signals=("tone:negative",),
    ),
    mention("rss:3", T0, "Lumio", 30, "@cara", "Lumio est super", signals=("praise",)),
    mention(
        "reddit:4",
        T0 + timedelta(days=2),
        "Lumio",
        10,
        "@cara",
        "love my lumio",
        signals=("positive",),
    ),
    mention("mastodon:5", T0 + timedelta(days=3), "Brightly", 50, "@dan", "brightly order"),
    mention("rss:6", T0 + timedelta(days=5), "Lumio", 10, '=HYPERLINK("http://evil")', HOSTILE),
    mention("hackernews:7", T0 + timedelta(days=5, hours=12), "Brightly", 5, "@eve", "Brightly HN"),
    mention(
        "hackernews:8",
        T0 + timedelta(days=5, hours=13),
        "Brightly",
        5,
        "@fay",
        "Brightly HN",
        group="hackernews:7",
    ),
    mention("rss:9", datetime(2026, 11, 20, tzinfo=UTC), "Lumio", 90, "@late", "after the period"),
]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def build_store(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import store.inbox as store_inbox

    real_clock = store_inbox.utcnow
    clock = Clock()
    monkeypatch.setattr(store_inbox, "utcnow", clock)

    def at(delta: timedelta, who: str) -> None:
        clock.now = T0 + delta
        inbox.user = who

    with Inbox.open(path, user="ana") as inbox:
        inbox.ingest(MENTIONS)
        at(timedelta(minutes=30), "ana")
        inbox.add_reply("mastodon:1", "Désolés, on regarde", manual=True)
        at(timedelta(hours=1), "ben")
        inbox.tag("mastodon:1", add=["bug"])
        at(timedelta(hours=2), "ana")
        inbox.handoff("rss:3", "sav", "merci")
        at(timedelta(hours=2, minutes=5), "worker")
        inbox.update_handoff("rss:3", DeliveryStatus.DELIVERED)
        at(timedelta(days=2, hours=1), "ben")
        inbox.handoff("reddit:4", "legal", "oops")
        at(timedelta(days=2, hours=2), "ben")
        assert inbox.undo() is not None
        at(timedelta(days=2, hours=5), "ben")
        inbox.add_reply("reddit:4", "Merci !")
        at(timedelta(days=2, hours=6), "ben")
        inbox.set_status("reddit:4", "done")
        at(timedelta(days=3, hours=3), "ana")
        inbox.handoff("mastodon:5", "legal", "to check")
        at(timedelta(days=3, hours=4), "worker")
        inbox.update_handoff("mastodon:5", DeliveryStatus.FAILED, "smtp refused")
    monkeypatch.setattr(store_inbox, "utcnow", real_clock)
    return path


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return build_store(tmp_path / "store", monkeypatch)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path
