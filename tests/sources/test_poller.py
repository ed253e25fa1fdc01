"""The poller: health in words, backoff that honours Retry-After, cursors only after storage,
and the watch loop handing mentions over on each source's own interval."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sources.health import HealthFiles, SourceHealth
from sources.poller import Poller
from triage.config import SourceConfig
from triage.model import utcnow

from .conftest import Reply

RSS = {"Content-Type": "application/rss+xml"}


def feed(*ids: int) -> str:
    items = "".join(
        f"<item><title>Lumio {i}</title><guid isPermaLink='false'>g{i}</guid>"
        f"<pubDate>Sun, 22 Nov 2026 08:00:0{i % 10} GMT</pubDate></item>"
        for i in ids
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{items}</channel></rss>"
    )


async def test_failures_back_off_exponentially_and_retry_after_is_a_floor(server, tmp_path):
    configs = [
        SourceConfig(name="down", kind="rss", every=60, url=server.route("/down", Reply(404))),
        SourceConfig(
            name="busy",
            kind="rss",
            every=60,
            url=server.route("/busy", Reply(429, {"Retry-After": "7200"})),
        ),
    ]
    poller = Poller(configs, tmp_path / "sources", parse="inline")
    delays = []
    for _ in range(3):
        outcomes = await poller.poll_once(save=False)
        before = utcnow()
        records = {r.name: r for r in poller.save(outcomes)}
        delays.append((records["down"].next_poll - before).total_seconds())
        busy = records["busy"]
        assert (busy.next_poll - before) >= timedelta(seconds=7190)
    assert 50 < delays[0] < 70 and 100 < delays[1] < 140 and 200 < delays[2] < 280
    down = HealthFiles(tmp_path / "sources").load("down")
    assert down.consecutive_failures == 3 and down.status == "failing"
    assert "404 Not Found" in down.last_error and down.last_ok is None


async def test_cursor_only_advances_when_the_caller_saves(server, tmp_path):
    etag = '"v1"'

    def answer(seen):
        if seen.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(200, {**RSS, "ETag": etag}, feed(1, 2))

    configs = [SourceConfig(name="f", kind="rss", url=server.route("/f", answer))]
    poller = Poller(configs, tmp_path / "sources", parse="inline")
    first = await poller.poll_once(save=False)
    assert len(first[0].mentions) == 2
    # the caller crashed before storing: nothing saved, so the next poll refetches
    again = await poller.poll_once(save=False)
    assert len(again[0].mentions) == 2 and not again[0].unchanged
    poller.save(again)
    third = await poller.poll_once(save=False)
    assert third[0].unchanged
    health = HealthFiles(tmp_path / "sources").load("f")
    assert health.items_seen == 2 and health.last_error == "" and health.status == "ok"


async def test_run_hands_mentions_over_on_each_sources_interval(server, tmp_path):
    pages = [Reply(200, RSS, feed(1)), Reply(200, RSS, feed(1, 2))]
    configs = [SourceConfig(name="fast", kind="rss", every=0.3, url=server.route("/f", pages))]
    got: list[tuple[str, list[str]]] = []
    stop = asyncio.Event()

    async def on_mentions(name, mentions):
        got.append((name, [m.native_id for m in mentions]))
        if len(got) == 2:
            stop.set()

    poller = Poller(  # as `veille watch` builds it
        configs, on_mentions=on_mentions, state_path=tmp_path / "poller.json", parse="inline"
    )
    await asyncio.wait_for(poller.run(stop, tick=0.05), timeout=10)
    assert got == [("fast", ["fast#g1"]), ("fast", ["fast#g1", "fast#g2"])]
    assert HealthFiles(tmp_path / "sources").load("fast").items_seen == 3


def test_a_damaged_health_file_costs_a_repoll_not_a_crash(tmp_path):
    files = HealthFiles(tmp_path)
    files.save(SourceHealth(name="a/b: ünïcode", kind="rss", items_seen=3, cursor={"etag": "x"}))
    assert files.load("a/b: ünïcode").cursor == {"etag": "x"}
    files.path("a/b: ünïcode").write_bytes(b"{half a rec")
    record = files.load("a/b: ünïcode", "rss")
    assert record.cursor == {} and "unreadable" in record.problem
    assert not list(tmp_path.glob(".health-*"))  # no temp files left behind


async def test_the_pipelines_first_half_runs_in_the_worker_that_parsed(server, tmp_path):
    from triage.config import BrandConfig
    from triage.pipeline import Pipeline

    pipeline = Pipeline([BrandConfig(name="Lumio", keywords=("lumio",))])
    configs = [
        SourceConfig(name="f", kind="rss", url=server.route("/f", Reply(200, RSS, feed(1, 2))))
    ]
    with Poller(
        configs, tmp_path / "sources", parse="process", prepare=pipeline.prepare_hook()
    ) as p:
        [outcome] = await p.poll_once(save=False)
    assert outcome.ok and len(outcome.mentions) == 2
    for m in outcome.mentions:  # decided in the worker process, shipped back prepared
        assert m.brands == ("Lumio",) and m.prepared is not None
        assert m.prepared.fingerprint == pipeline.prepare_step.fingerprint
    stored = [pipeline.process(m) for m in outcome.mentions]
    assert [m.prepared for m in stored] == [None, None] and stored[0].brands == ("Lumio",)


async def test_a_few_requests_at_a_time_to_one_host_never_more(server, tmp_path):
    """Politeness per host that still keeps a few connections busy: twelve feeds on one
    site are fetched PER_HOST at a time (not one by one, not all at once)."""
    import threading
    import time

    from sources.http import PER_HOST

    lock = threading.Lock()
    in_flight = [0]
    most = [0]

    def slow(seen):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.2)
        with lock:
            in_flight[0] -= 1
        return Reply(200, RSS, feed(1))

    configs = [
        SourceConfig(name=f"f{i}", kind="rss", url=server.route(f"/f{i}", slow)) for i in range(12)
    ]
    outcomes = await Poller(configs, tmp_path / "sources", parse="inline").poll_once(save=False)
    assert all(o.ok and len(o.mentions) == 1 for o in outcomes)
    assert 2 <= most[0] <= PER_HOST == 4
