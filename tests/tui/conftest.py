"""Fixtures for the TUI tests: a real store in a temporary folder, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.inbox import Inbox
from triage.config import BrandConfig, Config, TeamConfig, Template
from triage.model import Author, Mention

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

HOSTILE = [
    "[link=https://evil.example]click me[/link]",
    "[@click=app.quit]x[/]",
    "[B]bold?[/B] and [$accent]accent[/]",
    "osc52 \x1b]52;c;aGVsbG8=\x07 title \x1b]0;pwned\x07 csi \x1b[31mred\x1b[0m c1 \x9b31m",
    "bidi \u202eevil\u202c end",
]


def mention(
    n: int,
    text: str,
    *,
    platform: str = "mastodon",
    author: str = "",
    brand: str = "Lumio",
    priority: float = 10.0,
    minutes_ago: int = 10,
    group: str = "",
) -> Mention:
    mid = f"{platform}:{n}"
    return Mention(
        id=mid,
        platform=platform,
        source=f"{platform}-src",
        url=f"https://social.example/@u{n}/{n}",
        author=Author(name=author or f"user{n}", handle=f"@{author or f'user{n}'}"),
        text=text,
        created_at=NOW - timedelta(minutes=minutes_ago),
        fetched_at=NOW,
        brands=(brand,),
        priority=priority,
        group_id=group or mid,
    )


def sample_mentions() -> list[Mention]:
    return [
        mention(1, "Lumio app crashed and lost my photos, remboursement svp", author="ana", priority=90, minutes_ago=95),
        mention(2, "Is the Lumio Glow worth it? Question for owners", author="bob", priority=55, minutes_ago=30),
        mention(3, "Love my Lumio lamp, best purchase this year", author="chloe", priority=20, minutes_ago=5),
        mention(4, "Lumio app crashed and lost my photos, refund please!", author="dan", priority=85, minutes_ago=90, group="mastodon:1"),
        mention(5, "Brightly vs Lumio: which one?", platform="hackernews", author="eve", brand="Brightly", priority=30, minutes_ago=200),
        mention(6, "Lumio livraison en retard depuis 2 semaines", platform="rss", author="fabien", priority=60, minutes_ago=600),
    ]  # fmt: skip


def make_config(user: str = "tester") -> Config:
    return Config(
        user=user,
        brands=(
            BrandConfig("Lumio", keywords=("lumio",)),
            BrandConfig("Brightly", is_competitor=True),
        ),
        teams=(TeamConfig("service-client"), TeamConfig("pr")),
        templates=(Template("ack", "Bonjour {author}, merci ! L'équipe {brand}."),),
    )


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store"
    with Inbox.open(path, user="tester") as inbox:
        inbox.ingest(sample_mentions())
    return path


@pytest.fixture
def inbox(store_path):
    box = Inbox.open(store_path, user="tester")
    yield box
    box.close()


@pytest.fixture
def make_app(inbox):
    from tui.app import VeilleApp

    def factory(**kwargs):
        kwargs.setdefault("now", lambda: NOW)
        kwargs.setdefault("poll_interval", 0)
        kwargs.setdefault("pane_delay", 0)
        box = kwargs.pop("inbox", inbox)
        config = kwargs.pop("config", make_config(box.user))
        return VeilleApp(box, config, **kwargs)

    return factory


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines (topmost screen, modals included)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def notifications(app) -> list[str]:
    """The messages of the notifications currently shown (toasts)."""
    return [n.message for n in app._notifications]
