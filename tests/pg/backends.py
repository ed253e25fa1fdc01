"""Open a store of either backend for the tests: the folder store or PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from store.inbox import Inbox
from store.postgres import PgStore
from triage.config import BrandConfig
from triage.model import Author, Mention
from triage.pipeline import Pipeline
from triage.protocol import Store

NOW = datetime.now(UTC).replace(microsecond=0)


def open_store(where: str | Path, user: str = "camille", pipeline: bool = False) -> Store:
    brands = [BrandConfig("Lumio", ("lumio",)), BrandConfig("Brightly", ("brightly",))]
    pipe = Pipeline(brands) if pipeline else None
    if isinstance(where, str) and where.startswith("postgresql://"):
        return PgStore.open(where, user=user, pipeline=pipe)
    return Inbox.open(where, user=user, pipeline=pipe)


def mention(
    i: int, *, brand: str = "Lumio", platform: str = "rss", hours: float | None = None,
    text: str = "", author: str = "", priority: float | None = None,
) -> Mention:  # fmt: skip
    return Mention(
        id=f"{platform}:{i}",
        platform=platform,
        source=f"{platform}-src",
        url=f"https://example.org/{platform}/{i}",
        author=Author(author or f"Author {i % 7}", f"@author{i % 7}"),
        text=text or f"Message {i} à propos de {brand}: la lampe ne s'allume plus",
        created_at=NOW - timedelta(hours=i if hours is None else hours),
        fetched_at=NOW,
        brands=(brand,),
        priority=float(i % 100) if priority is None else priority,
    )
