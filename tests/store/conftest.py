"""Fixtures for the store: a realistic batch of mentions and a fresh store folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triage.model import Author, Mention

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_mention(
    i: int, *, brand: str = "Lumio", platform: str = "rss", hours_ago: float = 0, text: str = ""
) -> Mention:
    return Mention(
        id=f"{platform}:{i}",
        platform=platform,
        source=f"{platform}-src",
        url=f"https://example.org/{platform}/{i}",
        author=Author(f"Author {i % 7}", f"@author{i % 7}"),
        text=text or f"Message {i} à propos de {brand}: la lampe ne s'allume plus",
        created_at=NOW - timedelta(hours=hours_ago if hours_ago else i),
        fetched_at=NOW,
        brands=(brand,),
        priority=float(i % 100),
    )


@pytest.fixture
def mentions() -> list[Mention]:
    return [
        make_mention(i, brand="Lumio" if i % 3 else "Brightly", platform=("rss", "mastodon")[i % 2])
        for i in range(60)
    ]


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"
