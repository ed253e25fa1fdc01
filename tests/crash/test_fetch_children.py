"""Issue 18 item 5: `kill -9` of `veille fetch` mid-poll leaves no parse worker behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .helpers import ROOT

FEED = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
    + "".join(
        f"<item><title>Lumio {i}</title><link>https://e.org/{i}</link><guid>g{i}</guid>"
        f"<description>lumio lamp {i}</description></item>"
        for i in range(50)
    )
    + "</channel></rss>"
)


@pytest.fixture
def slow_server():
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/slow"):
                release.wait(30)  # a feed that never answers while the test runs
            body = FEED.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address) -> None:
            pass  # the killed fetch resets its connections: expected here

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    release.set()
    server.shutdown()


def _children(pid: int) -> set[int]:
    kids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.add(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_fetch_mid_poll_leaves_no_worker(tmp_path, slow_server, sig):
    config = tmp_path / "config.toml"
    config.write_text(
        'user = "camille"\n\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'\n[[sources]]\nname = "fast"\nkind = "rss"\nurl = "{slow_server}/fast.rss"\n'
        f'\n[[sources]]\nname = "slow"\nkind = "rss"\nurl = "{slow_server}/slow.rss"\n'
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("VEILLE_CRASH_AT", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.main",
            "--config",
            str(config),
            "--store",
            str(tmp_path / "store"),
            "fetch",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while not workers and time.monotonic() < deadline:  # the fast feed was parsed
        time.sleep(0.1)
        workers = _children(proc.pid)
    assert workers, "the fetch should have started a parse worker"
    time.sleep(0.3)
    workers = _children(proc.pid)
    os.kill(proc.pid, sig)
    proc.wait(10)
    gone_by = time.monotonic() + 2
    while any(map(_alive, workers)) and time.monotonic() < gone_by:
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for pid in left:  # do not leak them into the rest of the run
        os.kill(pid, signal.SIGKILL)
    assert not left, "a parse worker outlived veille fetch"
    proc.stdout.read()  # nobody holds the output open any more: this returns
