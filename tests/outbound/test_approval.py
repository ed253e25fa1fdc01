"""Reply approval end to end: two users on one store (the author and a reviewer), and a
real `veille watch` process that never sends a reply awaiting approval."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from platform_server import MASTO_TOKEN
from world import MASTO_ENV

from store.inbox import Inbox
from triage import approval, query
from triage.config import ApprovalConfig
from triage.errors import Conflict
from triage.model import DeliveryStatus, utcnow

ROOT = Path(__file__).resolve().parents[2]
CRISIS = ApprovalConfig("crisis", when="tag:crisis", reviewers=("camille",))


def test_author_and_reviewer_on_one_store(store):
    with Inbox.open(store, user="junior") as author, Inbox.open(store, user="camille") as boss:
        author.tag("mastodon:111", add=["crisis"])
        view = author.view("mastodon:111")
        ctx = query.context(author, utcnow())
        assert approval.needs_approval([CRISIS], view, "junior", ctx) == CRISIS
        assert approval.needs_approval([CRISIS], author.view("rss:blog-1"), "junior", ctx) is None
        reply = author.submit_reply("mastodon:111", "Nous sommes désolés, on regarde.")
        assert reply.status is DeliveryStatus.AWAITING
        assert author.pending_outbox() == []  # nothing waiting is ever in the outbox
        with pytest.raises(Conflict, match="own reply"):
            author.approve("mastodon:111")
        assert approval.review_refusal([CRISIS], view, "junior", "sam", ctx) is not None
        boss.refresh()
        assert [(t, r.key) for t, r in boss.awaiting()] == [("mastodon:111", reply.key)]
        assert boss.ranked_ids("is:awaiting") == ["mastodon:111"]
        boss.send_back("mastodon:111", "Pas d'excuses publiques, proposez un message privé.")
        author.refresh()
        (back,) = author.state("mastodon:111").replies
        assert back.status is DeliveryStatus.RETURNED and back.reviewed_by == "camille"
        assert "message privé" in back.review_note
        assert author.pending_outbox() == []
        second = author.submit_reply("mastodon:111", "Écrivez-nous en message privé svp.")
        boss.refresh()
        approved = boss.approve("mastodon:111", text="Écrivez-nous en message privé, merci.")
        assert approved.key == second.key and approved.status is DeliveryStatus.PENDING
        author.refresh()
        assert [(t, r.text) for t, r in author.pending_outbox()] == [
            ("mastodon:111", "Écrivez-nous en message privé, merci.")
        ]
        assert boss.ranked_ids("is:awaiting") == []


def _config(tmp_path, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        'user = "junior"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[sources]]\nname = "masto"\nkind = "mastodon"\ninstance = "{url}"\n'
        f'token_env = "{MASTO_ENV}"\nhashtags = ["lumio"]\nevery = "1h"\n'
        '[[approval]]\nname = "crisis"\nwhen = "tag:crisis"\nreviewers = ["camille"]\n'
    )
    return path


def _wait(check, what: str, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_veille_watch_never_sends_a_reply_awaiting_approval(platform, store, tmp_path):
    config = _config(tmp_path, platform.url)
    with Inbox.open(store, user="junior") as inbox:
        inbox.tag("mastodon:111", add=["crisis"])
        waiting = inbox.submit_reply("mastodon:111", "Désolé pour la lampe !")
    env = {**os.environ, MASTO_ENV: MASTO_TOKEN, "PYTHONPATH": str(ROOT), "USER": "junior"}
    err = tmp_path / "watch.err"
    with open(err, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "--config", str(config), "--store", str(store),
             "watch", "--tick", "0.2"],
            stdout=subprocess.DEVNULL, stderr=out, env=env,
        )  # fmt: skip
    try:
        _wait(lambda: " started " in err.read_text(), "watch to start")
        time.sleep(2.0)  # several outbox passes
        assert platform.state.statuses == {}  # awaiting approval: never posted
        with Inbox.open(store, user="camille") as boss:
            boss.approve("mastodon:111")
        _wait(lambda: len(platform.state.statuses) == 1, "the approved reply to be posted")
        (status,) = platform.state.statuses.values()
        assert "Désolé pour la lampe" in status["text"]
        with Inbox.open(store, user="junior") as inbox:
            _wait(
                lambda: inbox.refresh() is not None
                and inbox.state("mastodon:111").replies[0].status is DeliveryStatus.DELIVERED,
                "the delivery to be recorded",
            )
            assert inbox.state("mastodon:111").replies[0].key == waiting.key
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
