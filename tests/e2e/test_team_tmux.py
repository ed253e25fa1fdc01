"""End to end: two people on one store, and a hand-off that reaches nobody (issue 14).

Real `veille` inboxes in tmux, two users (two config files) on one store, a team whose
webhook is a local 127.0.0.1 server refusing every delivery (403). Read off the screens:
- the second replier is warned: ana presses `r` (she claims the story and writes), then
  ben presses `r` on the same story and is told "ana is answering this";
- a failed hand-off keeps the SLA clock: after ben's `h`, the row shows ✗handoff, the
  status bar says the hand-off failed, and the SLA breached count does not move;
- `q` quits after a hand-off: the process exits 0.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from store.inbox import Inbox
from triage.model import Author, Mention, utcnow

from .tmux_session import Tmux

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

VEILLE = Path(sys.executable).with_name("veille")
STORY = "Lumio lamp caught fire on the nightstand ZULU"


class RefusingHook:
    """A team's incoming webhook on 127.0.0.1 that refuses every post (403: no retry)."""

    def __init__(self) -> None:
        self.posts = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                hook.posts += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = b"invalid token"
                self.send_response(403)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/sav"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _status_line(screen: str) -> str:
    return next(line for line in screen.splitlines() if "SLA breached" in line)


@pytest.fixture
def world(tmp_path):
    hook = RefusingHook()
    tmux = Tmux(f"veille-team-{os.getpid()}-{tmp_path.name}")
    store = tmp_path / "store"
    now = utcnow()
    with Inbox.open(store, user="ana") as inbox:  # a story 3 days old: past every SLA target
        inbox.ingest([
            Mention(
                id="rss:zulu", platform="rss", source="forum",
                url="https://forum.example/t/zulu", author=Author("Zoe", "@zoe"),
                text=STORY, created_at=now - timedelta(days=3),
                fetched_at=now - timedelta(days=3), brands=("Lumio",), group_id="rss:zulu",
                priority=30.0,
            )
        ])  # fmt: skip
    commands = {}
    for user in ("ana", "ben"):
        config = tmp_path / f"{user}.toml"
        config.write_text(
            f'user = "{user}"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
            f'[[teams]]\nname = "sav"\nwebhook = "{hook.url}"\n'
        )
        commands[user] = (
            f"{VEILLE} --config {config} --store {store}; echo VEILLE-EXIT=$?; sleep 30"
        )
    yield tmux, commands, hook
    tmux.kill_server()
    hook.close()


def test_two_inboxes_a_warned_replier_and_a_failed_hand_off(world):
    tmux, commands, hook = world
    tmux.start("ana", commands["ana"])
    tmux.start("ben", commands["ben"])
    for name in ("ana", "ben"):  # the list, then the status bar (drawn a moment later)
        tmux.wait_for(name, "ZULU", timeout=60)
        before = _status_line(tmux.wait_for(name, "SLA breached"))
    assert " 1 SLA breached " in before

    # ana opens the editor on the story: she claims it; ben's inbox shows it
    tmux.keys("ana", "r")
    tmux.wait_for("ben", "✎ana")
    # ben presses r on the same story: told who is answering, and he declines
    tmux.keys("ben", "r")
    screen = tmux.wait_for("ben", "ana is answering this")
    assert "Reply anyway?" in screen
    tmux.keys("ben", "n")
    tmux.wait_gone("ben", "ana is answering this")

    # ben hands the story off to a team whose webhook refuses it
    tmux.keys("ben", "h")
    tmux.wait_for("ben", "Hand off to team")
    tmux.keys("ben", "Enter")
    tmux.wait_for("ben", "Hand off to sav")
    tmux.type("ben", "customer hurt? call her")
    tmux.keys("ben", "Enter")
    screen = tmux.wait_for("ben", "✗handoff")
    assert hook.posts >= 1  # it was really tried
    status = _status_line(tmux.wait_for("ben", "hand-off failed"))
    assert " 1 SLA breached " in status, status  # the clock still runs: nobody was reached
    assert " 1 hand-off failed " in status
    # the other inbox sees the same: still unanswered, still breached
    tmux.wait_for("ana", "✗handoff")
    assert " 1 SLA breached " in _status_line(tmux.wait_for("ana", "hand-off failed"))

    # q quits after a hand-off
    tmux.keys("ben", "q")
    tmux.wait_for("ben", "VEILLE-EXIT=0", timeout=15)
