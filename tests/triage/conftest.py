"""Builders for triage tests: mentions and brand configurations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triage.config import BrandConfig
from triage.model import Author, Mention

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_mention(
    n: int | str,
    text: str,
    *,
    minutes: float = 0,
    platform: str = "mastodon",
    reach: int | None = None,
    title: str = "",
    at: datetime | None = None,
) -> Mention:
    created = at or T0 + timedelta(minutes=minutes)
    return Mention(
        id=f"{platform}:{n}",
        platform=platform,
        source="test",
        url=f"https://example.test/{n}",
        author=Author(name="Ana", handle="@ana", reach=reach),
        text=text,
        title=title,
        created_at=created,
        fetched_at=created,
    )


@pytest.fixture
def brands() -> list[BrandConfig]:
    return [
        BrandConfig(
            name="Lumio",
            keywords=("lumio",),
            aliases=("lumio halo",),
            handles=("@lumio",),
            hashtags=("#lumio",),
            exclude=("lumio beach",),
            competitors=("Philips", "Ikea"),
        ),
        BrandConfig(
            name="Philips",
            keywords=("philips",),
            exclude=("philips screwdriver", "philips head"),
            is_competitor=True,
        ),
    ]
