"""Kill -9 the sender between the request and its acknowledgement: the retry after the
restart must not post or deliver a second time (Mastodon Idempotency-Key, Bluesky rkey
lookup, webhook/e-mail delivery id and per-channel ledger)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store.inbox import Inbox
from triage.model import DeliveryStatus

WORLD = Path(__file__).parent / "world.py"


def _sender(store, platform, smtp_port: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORLD), str(store), platform.url, str(smtp_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after_work(store, platform, path: str, smtp_port: int = 0) -> None:
    """Start a sender, let the server do the work, kill -9 the sender before it hears back."""
    platform.state.hold[path] = 30
    proc = _sender(store, platform, smtp_port)
    assert platform.state.received.wait(20), proc.communicate(timeout=5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    platform.state.hold.pop(path)
    platform.state.release.set()


def _rerun(store, platform, smtp_port: int = 0) -> str:
    out = _sender(store, platform, smtp_port).communicate(timeout=30)
    return out[0] + out[1]


@pytest.mark.parametrize("target", ["mastodon:111", "bluesky:3kparent"])
def test_reply_posted_once_through_a_crash(platform, store, target):
    with Inbox.open(store, user="tester") as inbox:
        reply = inbox.add_reply(target, "Nous regardons, merci de votre patience.")
    path = (
        "/api/v1/statuses"
        if target.startswith("mastodon")
        else "/xrpc/com.atproto.repo.createRecord"
    )
    _kill_after_work(store, platform, path)
    with Inbox.open(store, user="tester") as inbox:  # the crash left it pending, text intact
        (pending,) = inbox.pending_outbox()
        assert pending[1].key == reply.key
    out = _rerun(store, platform)
    assert '["delivered"]' in out, out
    with Inbox.open(store, user="tester") as inbox:
        assert inbox.state(target).replies[0].status is DeliveryStatus.DELIVERED
    if target.startswith("mastodon"):
        assert platform.state.requests.count(("POST", path)) == 2  # sent twice ...
        assert len(platform.state.statuses) == 1  # ... posted once
    else:
        assert platform.state.requests.count(("POST", path)) == 1  # the lookup found it
        assert len(platform.state.records) == 1


def test_handoff_delivered_once_per_channel_through_a_crash(platform, store, smtp):
    with Inbox.open(store, user="camille") as inbox:
        inbox.handoff("mastodon:111", "sav", "Client en colère, lampe défectueuse")
    _kill_after_work(store, platform, "/hooks/sav", smtp.port)
    out = _rerun(store, platform, smtp.port)
    assert '["delivered"]' in out, out
    deliveries = {h["delivery"] for h in platform.state.hooks}
    assert len(deliveries) == 1  # a repeat (if any) carries the same id for the receiver
    payload = platform.state.hooks[-1]["json"]
    text = payload["text"] + str(payload["attachments"])
    for part in ("https://other.example/@ana/111", "Client en colère", "camille", "sav"):
        assert part in text
    assert len(smtp.messages) == 1  # the e-mail channel went out once, after the restart
    body = smtp.messages[0].content.decode()
    assert "Client en col" in body and "https://other.example/@ana/111" in body
    with Inbox.open(store, user="tester") as inbox:
        assert inbox.state("mastodon:111").handoff.delivery is DeliveryStatus.DELIVERED
    assert _rerun(store, platform, smtp.port).strip().endswith("[]")  # nothing left to send
    assert len(smtp.messages) == 1


async def test_handoff_failure_is_told_and_retried(platform, store, smtp):
    from conftest import free_port
    from world import make_config

    from app.services.outbox import OutboxWorker
    from sources.outbound.email import SmtpSettings

    platform.state.faults["/hooks/sav"] = ["500"]
    with Inbox.open(store, user="tester") as inbox:
        inbox.handoff("bluesky:3kparent", "sav", "Presse")
        dead_smtp = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
        worker = OutboxWorker(
            inbox, make_config(platform.url, email="pr@example.com"), smtp=dead_smtp, base_delay=0
        )
        await worker.run_once()
        assert "server error 500" in inbox.state("bluesky:3kparent").handoff.error
        await worker.run_once()  # webhook now fine, SMTP refused
        handoff = inbox.state("bluesky:3kparent").handoff
        assert handoff.delivery is DeliveryStatus.PENDING
        assert "connection refused" in handoff.error
        worker.smtp = SmtpSettings(host="127.0.0.1", port=smtp.port)
        await worker.run_once()
        assert inbox.state("bluesky:3kparent").handoff.delivery is DeliveryStatus.DELIVERED
    assert len(platform.state.hooks) == 1 and len(smtp.messages) == 1
