"""End to end: the inbox polls by itself when nobody else does (issue 14 items 1 and 10).

Real `veille` processes in tmux on one store, a feed served on 127.0.0.1 and nothing else
running: a post published on the feed appears in the open inbox; with two inboxes open
only one polls (the poller lease) and the other says who does; when tmux kills the
polling inbox's session the process is gone within 2 s and the other inbox takes over.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest

from store.inbox import Inbox

from .tmux_session import Tmux

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

VEILLE = Path(sys.executable).with_name("veille")


class Feed:
    """An RSS feed on 127.0.0.1 whose items the test publishes."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.gets = 0
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                feed.gets += 1
                now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
                items = "".join(
                    f"<item><guid>https://forum.example/t/{g}</guid><title>{html.escape(t)}"
                    f"</title><link>https://forum.example/t/{g}</link><pubDate>{now}</pubDate>"
                    "</item>"
                    for g, t in list(feed.items)
                )
                body = (
                    '<?xml version="1.0"?><rss version="2.0"><channel><title>forum</title>'
                    f"{items}</channel></rss>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purpose (tmux reaps it)
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.fixture
def world(tmp_path):
    feed = Feed()
    tmux = Tmux(f"veille-poll-{os.getpid()}-{tmp_path.name}")
    config = tmp_path / "config.toml"
    config.write_text(
        'user = "camille"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[sources]]\nname = "forum"\nkind = "rss"\nurl = "{feed.url}"\nevery = "1s"\n'
    )
    store = tmp_path / "store"
    Inbox.open(store, user="camille").close()
    yield feed, tmux, f"exec {VEILLE} --config {config} --store {store}", store
    tmux.kill_server()
    feed.close()


def _holder(store: Path) -> dict:
    try:
        return orjson.loads((store / "poller.lease").read_bytes())
    except (OSError, ValueError):
        return {}


def test_an_open_inbox_polls_alone_and_two_inboxes_share_one_poller(world):
    feed, tmux, command, store = world
    first = tmux.start("first", command, width=180)
    tmux.wait_for("first", "this inbox polls")
    feed.items.append(("1", "Lumio lamp flickers since the update ALPHA"))
    tmux.wait_for("first", "ALPHA")  # nothing else runs: the inbox fetched it

    second = tmux.start("second", command, width=180)
    screen = tmux.wait_for("second", "camille's inbox polls")  # not this one
    assert "ALPHA" in screen
    feed.items.append(("2", "Lumio charger warm after an hour BRAVO"))
    tmux.wait_for("first", "BRAVO")
    tmux.wait_for("second", "BRAVO")  # seen through the store, not polled twice
    assert _holder(store)["pid"] == first
    time.sleep(2.0)
    assert "camille's inbox polls" in tmux.screen("second")

    # tmux kills the polling inbox's session: it is gone within 2 s, the other takes over
    tmux.run("kill-session", "-t", "first")
    killed = time.monotonic()
    while _alive(first) and time.monotonic() - killed < 5:
        time.sleep(0.05)
    gone_after = time.monotonic() - killed
    assert not _alive(first)
    assert gone_after < 2.0, f"the inbox outlived its terminal by {gone_after:.1f} s"
    feed.items.append(("3", "Lumio app forgets my schedule CHARLIE"))
    tmux.wait_for("second", "CHARLIE")
    tmux.wait_for("second", "this inbox polls")
    assert _holder(store)["pid"] == second
