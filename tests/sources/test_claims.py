"""A post several feeds carry is prepared by one parse worker; every copy gets its
fields, the same a preparer gives it alone (`sources.claims`, `share_prepared`)."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime
from functools import partial

from sources.claims import Claims
from sources.poller import Poller
from triage.config import BrandConfig, SourceConfig
from triage.model import Author, Mention
from triage.pipeline import Pipeline, Preparer, content_key, share_prepared

from .conftest import Reply
from .test_poller import RSS

AT = datetime(2026, 1, 1, tzinfo=UTC)
BRANDS = [BrandConfig(name="Lumio", keywords=("lumio",))]
TEXTS = [
    "my lumio lamp stopped working again, 3 days waiting for a refund!!!",
    "Thanks @lumio, the night mode is great",
    "LUMIO WORST SUPPORT EVER. never again",
    "how do I pair the lumio glow with my phone?",
    "lumio app not loading since the update, called twice, nobody answered",
    "love my new lamp",
]


def _mention(i: int, text: str) -> Mention:
    return Mention(
        id=f"rss:{i}", platform="rss", source="s", url=f"https://x/{i}",
        author=Author(name="a"), text=text, created_at=AT, fetched_at=AT,
    )  # fmt: skip


def test_a_content_is_claimed_by_the_first_worker_only() -> None:
    claims = Claims(slots=4096)
    first = [_mention(i, t) for i, t in enumerate(TEXTS[:4])]
    later = [_mention(10 + i, t) for i, t in enumerate(TEXTS[2:])]  # two already met
    claims.me = 1
    assert claims.mine(first) == first
    claims.me = 2
    assert [m.text for m in claims.mine(later)] == TEXTS[4:]
    claims.me = 1
    assert [m.text for m in claims.mine(later)] == TEXTS[2:4]  # its own, again
    claims.clear()
    claims.me = 2
    assert claims.mine(later) == later


def test_unprepared_copies_get_their_twins_fields() -> None:
    preparer = Preparer(BRANDS)
    done = preparer.prepare_owned([_mention(i, t) for i, t in enumerate(TEXTS)])
    copies = [_mention(100 + i, t) for i, t in enumerate(TEXTS)]
    alone = _mention(200, "a post nobody prepared")
    assert share_prepared([*done, *copies, alone]) == len(TEXTS)
    for copy, twin in zip(copies, done, strict=True):
        assert (copy.brands, copy.keywords, copy.priority, copy.signals, copy.prepared) == (
            twin.brands, twin.keywords, twin.priority, twin.signals, twin.prepared,
        )  # fmt: skip
    assert alone.prepared is None


def _item(n: int) -> str:
    return (
        f"<item><title>post {n}</title><guid isPermaLink='false'>g{n}</guid>"
        f"<description>{TEXTS[n % len(TEXTS)]} #{n}</description>"
        f"<pubDate>Sun, 22 Nov 2026 08:00:00 GMT</pubDate></item>"
    )


def _feed(window: range) -> str:
    items = "".join(_item(n) for n in window)
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{items}</channel></rss>"
    )


def _marking(prepare, mentions: list[Mention]) -> list[Mention]:
    """Runs in a parse worker: mark what this worker prepared."""
    for m in prepare(mentions):
        m.extra["by"] = os.getpid()
    return mentions


async def test_overlapping_feeds_each_post_prepared_once(server, tmp_path) -> None:
    """12 search feeds over one site, each post in three of them (as bench/ingest.py's
    `tweets` shape): prepared once, by one worker, and every copy has its fields."""
    pipeline = Pipeline(BRANDS)
    configs = [
        SourceConfig(
            name=f"f{k}", kind="rss",
            url=server.route(f"/f{k}", Reply(200, RSS, _feed(range(10 * k, 10 * k + 30)))),
        )
        for k in range(12)
    ]  # fmt: skip
    prepare = partial(_marking, pipeline.prepare_hook())
    with Poller(
        configs, tmp_path / "s", parse="process", prepare=prepare, warm=pipeline.warm_hook()
    ) as poller:
        outcomes = await poller.poll_once(save=False)
    mentions = [m for o in outcomes for m in o.mentions]
    assert len(mentions) == 12 * 30
    by: defaultdict[tuple[object, ...], set[int]] = defaultdict(set)
    for m in mentions:
        if "by" in m.extra:
            by[content_key(m)].add(m.extra["by"])
    assert len(by) == len({content_key(m) for m in mentions})
    assert all(len(workers) == 1 for workers in by.values())
    alone = Preparer(BRANDS)
    for m in mentions:
        assert m.prepared is not None
        fields = alone.fields(m)
        assert (m.brands, m.keywords, m.priority, m.signals, m.prepared.norm) == (
            fields["brands"], fields["keywords"], fields["priority"], fields["signals"],
            fields["prepared"].norm,  # type: ignore[attr-defined]
        )  # fmt: skip
