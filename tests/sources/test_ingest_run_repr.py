"""A first fetch's result is not formatted whole when `asyncio.run` returns it.

`asyncio.run` puts SIGINT's handler back on the way out and, in doing so, formats the
repr of its task's result (Python 3.11: `signal.getsignal` turns the handler, a partial
naming the task, into an enum and builds a ValueError message with its repr). With the
generated dataclass repr, 10,000 fetched mentions cost ~1 s of every first fetch.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from app.ingest import IngestRun
from sources.poller import SourceOutcome
from triage.model import Author, Mention


def _outcomes(sources: int, each: int) -> list[SourceOutcome]:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        SourceOutcome(
            f"feed{s}",
            "rss",
            [
                Mention(
                    id=f"rss:{s}-{i}",
                    platform="rss",
                    source=f"feed{s}",
                    url=f"https://example.org/{s}/{i}",
                    author=Author(name="someone"),
                    text="the lamp stopped working again " * 4,
                    created_at=at,
                    fetched_at=at,
                )
                for i in range(each)
            ],
        )
        for s in range(sources)
    ]


def test_the_repr_of_a_run_counts_instead_of_listing() -> None:
    run = IngestRun(_outcomes(20, 50), new_ids={"a", "b"}, polled_seconds=1.5)
    shown = repr(run)
    assert shown.startswith("IngestRun(20 sources, 1000 mentions, 2 new")
    assert len(shown) < 200


def test_asyncio_run_returning_a_run_formats_no_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    formatted = []
    original = Mention.__repr__

    def counting(self: Mention) -> str:
        formatted.append(self.id)
        return original(self)

    monkeypatch.setattr(Mention, "__repr__", counting)
    run = IngestRun(_outcomes(10, 20))

    async def fetch() -> IngestRun:
        return run

    assert asyncio.run(fetch()) is run
    assert formatted == []
