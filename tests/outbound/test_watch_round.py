"""`veille watch`'s first round (issue 16): every source answers at once.

Its sources' mentions are stored in batches off the event loop (app.services.batching),
a source's cursor is saved only once its own mentions are stored, and the alert checks
that new mentions trigger are spaced, not one per source; the urgent post still alerts.
Real HTTP on 127.0.0.1, a real folder store, the real Watch."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.rules import ingest_with_rules
from app.services.batching import BatchedStoring
from app.services.settings import watch_settings
from app.services.watch import Watch
from sources.config import parse_config
from sources.health import HealthFiles
from store.inbox import Inbox
from triage.model import Author, Mention

FEEDS = 40
ITEMS = 5


def _feed(n: int) -> bytes:
    now = datetime.now(UTC)
    items = []
    for i in range(ITEMS):
        text = f"feed {n} post {i} about the Lumio lamp, colour {n * 7 + i}"
        if n == 3 and i == 0:
            text = "Lumio battery exploded, someone injured, danger"
        when = format_datetime(now - timedelta(minutes=5 + i))
        items.append(
            f"<item><title>t{n}-{i}</title><link>https://forum.example/{n}/{i}</link>"
            f"<guid>https://forum.example/{n}/{i}</guid><pubDate>{when}</pubDate>"
            f"<description>{text}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f</title>'
        f"<link>https://forum.example/</link><description>d</description>{''.join(items)}"
        "</channel></rss>"
    ).encode()


@pytest.fixture
def farm():
    bodies = {f"/f{n}.xml": _feed(n) for n in range(FEEDS)}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = bodies.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _watch_config(tmp_path: Path, url: str) -> str:
    lines = ['user = "camille"', "[[brands]]", 'name = "Lumio"', 'keywords = ["lumio"]']
    for n in range(FEEDS):
        lines += ["[[sources]]", f'name = "f{n}"', 'kind = "rss"', f'url = "{url}/f{n}.xml"']
        lines.append('every = "1h"')
    return "\n".join(lines) + "\n"


def test_a_first_round_is_stored_in_batches_and_checked_a_few_times(farm, tmp_path):
    config = parse_config(_watch_config(tmp_path, farm))
    store = tmp_path / "store"
    logged: list[tuple[str, dict]] = []
    checks = []

    def log(event: str, stream: object = None, **fields: object) -> None:
        logged.append((event, fields))

    watch = Watch(config, store, watch_settings(config), tick=30.0, log=log)
    check = watch.check

    async def counted_check():  # counts the checks, runs the real one
        every_source_stored = sum(e == "polled" for e, _ in logged) >= FEEDS
        found = await check()
        checks.append([a.kind for a in found])
        if every_source_stored:  # a check has seen the whole round: done
            watch.stop.set()
        return found

    watch.check = counted_check  # type: ignore[method-assign]
    asyncio.run(asyncio.wait_for(watch.run(), timeout=60))

    polled = [f for e, f in logged if e == "polled"]
    assert sorted(f["source"] for f in polled) == sorted(f"f{n}" for n in range(FEEDS))
    assert sum(int(f["new"]) for f in polled) == FEEDS * ITEMS
    assert all(int(f["seen"]) == ITEMS for f in polled)
    # sources answering while a batch was stored went in together
    assert watch.batches is not None and 1 <= watch.batches.calls < FEEDS / 2
    # a check after each stored source would be ~40; they are spaced
    assert len(checks) < FEEDS / 4, len(checks)
    assert any("urgent" in kinds for kinds in checks)  # the dangerous post alerted
    assert any(e == "alert sent" and "exploded" in str(f.get("text")) for e, f in logged)
    with Inbox.open(store, user="camille") as inbox:
        assert len(inbox) == FEEDS * ITEMS
    health = HealthFiles(store / "sources")
    for n in range(FEEDS):  # each cursor saved: its mentions are stored
        record = health.load(f"f{n}", "rss")
        assert record.last_ok is not None and record.last_items == ITEMS


def _mentions(source: str, ids: list[str]) -> list[Mention]:
    at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    return [
        Mention(
            id=f"rss:{mid}", platform="rss", source=source, url=f"https://x.example/{mid}",
            author=Author(name="a"), text=f"post {mid} about Lumio", created_at=at, fetched_at=at,
        )
        for mid in ids
    ]  # fmt: skip


def test_sources_answering_during_a_store_call_wait_together_and_each_is_told(tmp_path):
    stored_calls: list[int] = []
    first_started = threading.Event()
    release = threading.Event()
    logged: list[tuple[str, dict]] = []

    async def scenario(inbox: Inbox) -> None:
        def store(mentions: list[Mention]) -> list[Mention]:
            stored_calls.append(len(mentions))
            if len(stored_calls) == 1:  # the first call is slow: the others arrive meanwhile
                first_started.set()
                release.wait(10)
            return ingest_with_rules(inbox, mentions, None)

        batches = BatchedStoring(store, lambda e, **f: logged.append((e, f)))
        a = asyncio.ensure_future(batches("a", _mentions("a", ["1", "2"])))
        await asyncio.to_thread(first_started.wait, 10)
        b = asyncio.ensure_future(batches("b", _mentions("b", ["3", "twin"])))
        c = asyncio.ensure_future(batches("c", _mentions("c", ["twin", "4", "1"])))
        await asyncio.sleep(0.05)
        assert not b.done() and not c.done()  # not told before their mentions are stored
        release.set()
        await asyncio.gather(a, b, c)
        assert batches.calls == 2

    with Inbox.open(tmp_path / "store", user="camille") as inbox:
        asyncio.run(scenario(inbox))
        assert len(inbox) == 5
    assert stored_calls == [2, 5]
    news = {f["source"]: (f["seen"], f["new"]) for e, f in logged if e == "polled"}
    # the twin is new once (to the first source that brought it); "1" was stored before
    assert news == {"a": (2, 2), "b": (2, 2), "c": (3, 1)}


def test_a_store_call_that_fails_tells_every_source_in_it(tmp_path):
    logged: list[tuple[str, dict]] = []

    async def scenario() -> None:
        def store(mentions: list[Mention]) -> list[Mention]:
            raise OSError(28, "No space left on device")

        batches = BatchedStoring(store, lambda e, **f: logged.append((e, f)))
        got = await asyncio.gather(
            batches("a", _mentions("a", ["1"])),
            batches("b", _mentions("b", ["2"])),
            return_exceptions=True,
        )
        assert all(isinstance(g, OSError) for g in got), got

    asyncio.run(scenario())
    assert not [e for e, _ in logged if e == "polled"]  # nobody is said to be stored
