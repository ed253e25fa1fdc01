"""Replies reach Mastodon and Bluesky (loopback servers with the real shapes), failures are
told in words, and transient ones are retried after the server's Retry-After."""

from __future__ import annotations

import asyncio
import base64

from platform_server import BSKY_DID, MASTO_TOKEN
from world import MASTO_ENV, make_config

from app.services.outbox import OutboxWorker, record_manual_reply, reply_mode
from sources.outbound.bluesky import facets, graphemes, record_key
from store.inbox import Inbox
from triage.model import DeliveryStatus
from tui.services.clipboard import osc52


def _worker(inbox, url, **kw):
    kw.setdefault("timeout", 5)
    kw.setdefault("base_delay", 0.1)
    return OutboxWorker(inbox, make_config(url), **kw)


def _reply(inbox, target):
    (only,) = [r for r in inbox.state(target).replies]
    return only


async def test_mastodon_reply_resolves_remote_post_mentions_author_and_stops_sla(platform, store):
    with Inbox.open(store, user="tester") as inbox:
        reply = inbox.add_reply("mastodon:111", "Bonjour, nous regardons cela !")
        assert inbox.state("mastodon:111").first_response_at is None
        outcomes = await _worker(inbox, platform.url).run_once()
        assert [o.status for o in outcomes] == [DeliveryStatus.DELIVERED]
        (status,) = platform.state.statuses.values()
        assert status["in_reply_to_id"] == "9001"  # the home server's id, not the remote one
        assert status["text"] == "@ana@other.example Bonjour, nous regardons cela !"
        assert platform.state.idempotency == {reply.key: status["id"]}
        state = inbox.state("mastodon:111")
        assert _reply(inbox, "mastodon:111").posted_url == status["url"]
        assert state.first_response_at is not None
        assert inbox.pending_outbox() == []


async def test_bluesky_reply_has_root_parent_byte_offset_facets_and_our_rkey(platform, store):
    text = "Désolé 🙏 voir https://lumio.example/aide et @sav.lumio.test"
    with Inbox.open(store, user="tester") as inbox:
        reply = inbox.add_reply("bluesky:3kparent", text)
        outcomes = await _worker(inbox, platform.url).run_once()
        assert [o.status for o in outcomes] == [DeliveryStatus.DELIVERED], outcomes
        rkey = record_key(reply.at, reply.key)
        record = platform.state.records[rkey]["value"]
        assert record["reply"]["parent"]["uri"] == "at://did:plc:ana/app.bsky.feed.post/3kparent"
        assert record["reply"]["root"]["uri"] == "at://did:plc:zed/app.bsky.feed.post/3kroot"
        raw = text.encode()
        spans = {
            raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
            for f in record["facets"]
        }
        assert spans["https://lumio.example/aide"]["uri"] == "https://lumio.example/aide"
        assert spans["@sav.lumio.test"]["did"] == "did:plc:sav"
        assert _reply(inbox, "bluesky:3kparent").posted_url.endswith(f"/post/{rkey}")
        assert BSKY_DID in platform.state.records[rkey]["uri"]


def test_record_key_is_a_stable_tid_and_graphemes_count_what_users_see():
    from datetime import UTC, datetime

    at = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert record_key(at, "k1") == record_key(at, "k1") != record_key(at, "k2")
    assert len(record_key(at, "k1")) == 13 and record_key(at, "k1")[0] in "234567abcdefghij"
    assert graphemes("👍🏽e\u0301") == 2


async def test_rate_limit_is_waited_out_then_posted_once(platform, store):
    platform.state.faults["/api/v1/statuses"] = ["429"]
    with Inbox.open(store, user="tester") as inbox:
        inbox.add_reply("mastodon:111", "Merci !")
        worker = _worker(inbox, platform.url)
        (first,) = await worker.run_once()
        assert first.status is DeliveryStatus.PENDING
        assert "rate limited until" in _reply(inbox, "mastodon:111").error
        posts = platform.state.requests.count(("POST", "/api/v1/statuses"))
        assert await worker.run_once() == []  # Retry-After not yet elapsed: no request
        assert platform.state.requests.count(("POST", "/api/v1/statuses")) == posts
        await asyncio.sleep(1.1)
        (second,) = await worker.run_once()
        assert second.status is DeliveryStatus.DELIVERED
        assert len(platform.state.statuses) == 1


async def test_server_error_then_timeout_are_retried(platform, store):
    platform.state.faults["/api/v1/statuses"] = ["500", "hang"]
    with Inbox.open(store, user="tester") as inbox:
        inbox.add_reply("mastodon:111", "Merci !")
        worker = _worker(inbox, platform.url, timeout=0.5, base_delay=0.05)
        await worker.run_once()
        assert "server error 500" in _reply(inbox, "mastodon:111").error
        await asyncio.sleep(0.15)
        await worker.run_once()
        assert "timeout" in _reply(inbox, "mastodon:111").error
        assert _reply(inbox, "mastodon:111").status is DeliveryStatus.PENDING
        await asyncio.sleep(0.3)
        await worker.run_once()
        assert _reply(inbox, "mastodon:111").status is DeliveryStatus.DELIVERED


async def test_refused_connection_stays_pending_with_reason(store):
    from conftest import free_port

    with Inbox.open(store, user="tester") as inbox:
        inbox.add_reply("mastodon:111", "Merci !")
        await _worker(inbox, f"http://127.0.0.1:{free_port()}").run_once()
        reply = _reply(inbox, "mastodon:111")
        assert reply.status is DeliveryStatus.PENDING
        assert "connection refused" in reply.error


async def test_permanent_failures_are_failed_in_words_and_keep_the_text(
    platform, store, monkeypatch
):
    platform.state.reply_disabled = True
    with Inbox.open(store, user="tester") as inbox:
        inbox.add_reply("bluesky:3kparent", "Nous vous écrivons en privé.")
        inbox.add_reply("rss:blog-1", "Merci pour l'article")
        long = inbox.add_reply("mastodon:111", "x" * 520)
        await _worker(inbox, platform.url).run_once()
        bsky = _reply(inbox, "bluesky:3kparent")
        assert bsky.status is DeliveryStatus.FAILED
        assert "does not allow your replies" in bsky.error
        assert bsky.text == "Nous vous écrivons en privé."
        assert "post it by hand" in _reply(inbox, "rss:blog-1").error
        assert "too long for Mastodon" in _reply(inbox, "mastodon:111").error
        assert _reply(inbox, "mastodon:111").key == long.key

    monkeypatch.setenv(MASTO_ENV, "revoked-token-000")
    with Inbox.open(store, user="tester") as inbox:
        inbox.add_reply("mastodon:111", "Second essai")
        await _worker(inbox, platform.url).run_once()
        second = inbox.state("mastodon:111").replies[-1]
        assert second.status is DeliveryStatus.FAILED
        assert "token expired or revoked" in second.error
        assert "revoked-token-000" not in second.error


async def test_manual_reply_for_platforms_without_api(platform, store):
    config = make_config(platform.url)
    with Inbox.open(store, user="tester") as inbox:
        blog = inbox.mention("rss:blog-1")
        assert reply_mode(config, blog) == "manual"
        assert reply_mode(config, inbox.mention("mastodon:111")) == "api"
        seq = osc52("Merci pour l'article ✨")
        assert seq.startswith("\x1b]52;c;") and seq.endswith("\x07")
        assert base64.b64decode(seq[7:-1]).decode() == "Merci pour l'article ✨"
        reply = record_manual_reply(inbox, "rss:blog-1", "Merci pour l'article ✨")
        state = inbox.state("rss:blog-1")
        assert reply.status is DeliveryStatus.MANUAL
        assert state.first_response_at is not None
        assert inbox.pending_outbox() == []


async def test_facets_skip_unresolvable_handles_and_trailing_punctuation(platform):
    import httpx

    async with httpx.AsyncClient() as client:
        found = await facets(client, platform.url, "Voir https://x.example/a. Merci")
    (link,) = found
    assert link["features"][0]["uri"] == "https://x.example/a"


async def test_mastodon_retry_past_the_idempotency_window_finds_our_reply(platform, store):
    from datetime import timedelta

    import httpx

    from sources.outbound import mastodon
    from triage.model import utcnow

    with Inbox.open(store, user="tester") as inbox:
        mention = inbox.mention("mastodon:111")
    text = "Merci <3 & à bientôt"
    old = utcnow() - timedelta(hours=2)
    async with httpx.AsyncClient() as client:
        kw = {"instance": platform.url, "token": MASTO_TOKEN, "mention": mention, "text": text}
        first = await mastodon.post_reply(client, idempotency_key="k1", **kw)
        # the server forgot the key (kept 1 h): the thread is searched instead
        again = await mastodon.post_reply(client, idempotency_key="k2", created_at=old, **kw)
    assert again == first
    assert len(platform.state.statuses) == 1


async def test_a_pass_with_nothing_to_send_builds_no_http_client(platform, store, monkeypatch):
    """`veille watch` runs a pass every check: building a client loads the system's
    certificates (~45 ms), so an idle pass must not build one; a pass with a reply does."""
    import httpx

    built = []

    class Counted(httpx.AsyncClient):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(httpx, "AsyncClient", Counted)
    with Inbox.open(store, user="tester") as inbox:
        worker = _worker(inbox, platform.url)
        assert await worker.run_once() == []
        assert built == []
        inbox.add_reply("mastodon:111", "Bonjour !")
        outcomes = await worker.run_once()
        assert [o.status for o in outcomes] == [DeliveryStatus.DELIVERED]
        assert built == [1]
