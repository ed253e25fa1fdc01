"""Issue 18 item 7: a journal line over 64 KB is redone after a crash; webhook URLs and
redirects into the private network are refused in words."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from sources.base import SourceError
from sources.http import make_client, refuse_private_redirect
from sources.outbound.errors import DeliveryError
from sources.outbound.webhook import deliver_webhook
from sources.poller import Poller
from store.inbox import Inbox
from triage.config import SourceConfig

from .helpers import seed, veille


def test_a_note_over_64_kb_killed_after_its_journal_line_is_redone(tmp_path):
    store = tmp_path / "store"
    seed(store, 3)
    text = "long note " + "x" * 100_000
    with Inbox.open(store, user="tui") as long_lived:
        target = sorted(long_lived.group_ids())[0]
        killed = veille(store, "note", target, text, crash="after-journal")
        assert killed.returncode == -9
        long_lived.tag(target, add=["after"])  # the next writer redoes the long line
    with Inbox.open(store, user="checker") as inbox:
        state = inbox.state(target)
        assert [n.text for n in state.notes] == [text]
        assert "after" in state.tags


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/hook", "javascript:alert(1)", "http://"]
)
def test_a_webhook_url_that_is_not_http_to_a_host_is_refused_for_good(url):
    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await deliver_webhook(client, url, {"text": "x"}, what="team webhook")

    with pytest.raises(DeliveryError) as err:
        asyncio.run(go())
    assert not err.value.retryable  # not retried forever
    assert "only http:// or https://" in str(err.value)
    assert "passwd" not in str(err.value)  # the URL (a secret) is never echoed


@pytest.fixture
def redirector():
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.rss"
    server.shutdown()


def _poll(tmp_path, url: str, **options) -> str:
    config = SourceConfig(name="feed", kind="rss", url=url, options=options)
    poller = Poller(
        [config], tmp_path / "sources", parse="inline", client_factory=lambda: make_client(1.0)
    )
    (outcome,) = asyncio.run(poller.poll_once(save=False))
    return outcome.error


def test_a_feed_redirecting_to_the_metadata_address_is_refused(tmp_path, redirector):
    error = _poll(tmp_path, redirector)
    assert "169.254.169.254" in error and "refused" in error and "allow_private" in error


def test_allow_private_lets_a_source_follow_it(tmp_path, redirector):
    error = _poll(tmp_path, redirector, allow_private=True)
    assert "allow_private" not in error  # followed (and then failed to connect, in words)


def _redirect(origin: str, location: str) -> httpx.Response:
    request = httpx.Request("GET", origin)
    return httpx.Response(302, headers={"Location": location}, request=request)


@pytest.mark.parametrize(
    ("origin", "location", "refused"),
    [
        ("http://93.184.216.34/feed", "http://10.0.0.1/admin", True),
        ("http://93.184.216.34/feed", "http://127.0.0.1:8080/", True),
        ("http://93.184.216.34/feed", "http://[::1]/", True),
        ("http://93.184.216.34/feed", "http://93.184.216.35/feed", False),
        ("http://127.0.0.1:8000/feed", "http://127.0.0.1:8001/feed", False),
        ("http://10.1.2.3/feed", "http://169.254.169.254/", True),
    ],
)
def test_the_redirect_policy(origin, location, refused):
    async def go() -> None:
        await refuse_private_redirect(_redirect(origin, location))

    if refused:
        with pytest.raises(SourceError):
            asyncio.run(go())
    else:
        asyncio.run(go())
