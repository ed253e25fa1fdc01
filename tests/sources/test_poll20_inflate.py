"""Feed bodies are inflated where they are parsed (a worker process), not in the main
process that drives the round: the same byte cap, the same words, the same mentions, for
gzip, zlib-wrapped and raw deflate, several gzip members, bombs and broken streams."""

from __future__ import annotations

import gzip
import zlib

import pytest

from sources.base import SourceError
from sources.bodies import raw_cap
from sources.http import fetch, make_client
from sources.poller import Poller
from triage.config import SourceConfig

from .conftest import Reply

RSS = {"Content-Type": "application/rss+xml"}


def feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>Lumio {i}</title><guid>https://f.example/{i}</guid>"
        f"<pubDate>Mon, 30 Nov 2026 05:{i % 60:02d}:00 GMT</pubDate>"
        f"<description>post {i} &amp; more</description></item>"
        for i in range(n)
    )
    return f"<rss version='2.0'><channel><title>F</title>{items}</channel></rss>".encode()


def as_read(mention) -> dict:
    """What a feed's body decides of a mention (not which source, nor when it was fetched)."""
    return mention.to_json() | {"source": None, "fetched_at": None, "extra": None}


def raw_deflate(body: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(body) + packer.flush()


async def poll_all(tmp_path, routes: dict[str, Reply], server, parse: str = "process", **opts):
    configs = [
        SourceConfig(name=name, kind="rss", url=server.route(f"/{name}", reply), options=opts)
        for name, reply in routes.items()
    ]
    with Poller(configs, tmp_path / parse, parse=parse) as poller:
        return {o.name: o for o in await poller.poll_once(save=False)}


async def test_every_coding_gives_the_plain_bodys_mentions_through_the_workers(
    server, tmp_path
) -> None:
    body = feed(40)
    half = len(body) // 2
    routes = {
        "plain": Reply(200, RSS, body),
        "gzip": Reply(200, {**RSS, "Content-Encoding": "gzip"}, gzip.compress(body)),
        "xgzip": Reply(200, {**RSS, "Content-Encoding": "x-gzip"}, gzip.compress(body)),
        "zlib": Reply(200, {**RSS, "Content-Encoding": "deflate"}, zlib.compress(body)),
        "raw": Reply(200, {**RSS, "Content-Encoding": "deflate"}, raw_deflate(body)),
        "members": Reply(
            200,
            {**RSS, "Content-Encoding": "gzip"},
            gzip.compress(body[:half]) + gzip.compress(body[half:]),
        ),
    }
    got = await poll_all(tmp_path, routes, server)
    assert all(o.ok for o in got.values()), {n: o.error for n, o in got.items()}
    plain = [as_read(m) for m in got["plain"].mentions]
    assert len(plain) == 40 and plain[3]["text"] == "post 3 & more"
    for name in routes:
        assert [as_read(m) for m in got[name].mentions] == plain, name


async def test_a_gzip_bomb_is_refused_in_the_same_words_when_a_worker_inflates_it(
    server, tmp_path
) -> None:
    bomb = gzip.compress(b"<" * (50 * 1024 * 1024), 9)  # ~50 KB on the wire, 50 MB inflated
    members = gzip.compress(b"\x00" * (8 * 1024 * 1024), 9) * 4  # 32 MB in 4 members
    routes = {
        "bomb": Reply(200, {**RSS, "Content-Encoding": "gzip"}, bomb),
        "members": Reply(200, {**RSS, "Content-Encoding": "gzip"}, members),
    }
    for parse in ("process", "inline"):
        got = await poll_all(tmp_path, routes, server, parse=parse, max_bytes=1024 * 1024)
        assert [o.error for o in got.values()] == ["answer larger than 1 MB"] * 2, parse
        assert not any(o.mentions for o in got.values())


async def test_a_broken_stream_says_so_in_words(server, tmp_path) -> None:
    good = gzip.compress(feed(5))
    broken = good[:20] + bytes(b ^ 0x5A for b in good[20:60]) + good[60:]
    routes = {"broken": Reply(200, {**RSS, "Content-Encoding": "gzip"}, broken)}
    got = await poll_all(tmp_path, routes, server)
    assert got["broken"].error == "the answer's compression is broken"
    # and a JSON answer, inflated as it arrives, says the same, without retrying
    url = server.route("/api", Reply(200, {"Content-Encoding": "gzip"}, broken))
    async with make_client() as client:
        with pytest.raises(SourceError, match=r"^the answer's compression is broken$"):
            await fetch(client, url)
    assert sum(seen.path == "/api" for seen in server.requests) == 1


async def test_a_compressed_body_is_left_compressed_and_its_raw_size_capped(server) -> None:
    body = feed(30)
    url = server.route("/gz", Reply(200, {**RSS, "Content-Encoding": "gzip"}, gzip.compress(body)))
    async with make_client() as client:
        kept = await fetch(client, url, inflate=False)
        inflated = await fetch(client, url)
    assert kept.encoding == "gzip" and gzip.decompress(kept.body) == body
    assert inflated.encoding == "" and inflated.body == body
    # more compressed bytes than any body within the cap could need: refused as they come,
    # in the cap's words, without reading them all
    cap = 64 * 1024
    noise = gzip.compress(bytes(range(256)) * 4096, 0)  # stored, not compressed: ~1 MB
    assert len(noise) > raw_cap(cap)

    def endless():
        while True:
            yield noise

    url = server.route("/noise", Reply(200, {**RSS, "Content-Encoding": "gzip"}, endless()))
    async with make_client() as client:
        with pytest.raises(SourceError, match=r"^answer larger than 64 KB$"):
            await fetch(client, url, inflate=False, max_bytes=cap)
    assert server.bytes_sent < 40 * 1024 * 1024
