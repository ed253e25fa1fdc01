"""Issue 17's team actions on both backends (the folder store and PostgreSQL), asserted
on what the author, the reviewer and each reader see: reply approval and unread per
person; `veille merge|split|undo` on PostgreSQL (the stories themselves:
tests/pg/test_stories.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.pg.backends import mention, open_store
from triage import approval, query
from triage.config import ApprovalConfig
from triage.errors import Conflict
from triage.model import DeliveryStatus, utcnow

ROOT = Path(__file__).resolve().parents[2]
CRISIS = ApprovalConfig("crisis", when="tag:crisis", reviewers=("camille",))


@pytest.fixture(params=["folder", "postgresql"])
def where(request, tmp_path):
    if request.param == "folder":
        return tmp_path / "store"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def two(where):
    """The author (junior) and the reviewer (camille) on one store of 6 groups."""
    with open_store(where, user="junior") as author:
        author.ingest([mention(i) for i in range(6)])
        with open_store(where, user="camille") as boss:
            yield author, boss


def test_a_reply_awaiting_approval_is_never_in_the_outbox(two):
    author, boss = two
    author.tag("rss:1", add=["crisis"])
    ctx = query.context(author, utcnow())
    assert approval.needs_approval([CRISIS], author.view("rss:1"), "junior", ctx) == CRISIS
    reply = author.submit_reply("rss:1", "Nous sommes désolés, on regarde.")
    assert reply.status is DeliveryStatus.AWAITING
    assert author.pending_outbox() == [] and boss.pending_outbox() == []
    with pytest.raises(Conflict, match="own reply"):
        author.approve("rss:1")
    boss.refresh()
    assert [(t, r.key) for t, r in boss.awaiting()] == [("rss:1", reply.key)]
    assert boss.ranked_ids("is:awaiting") == ["rss:1"]
    assert "rss:1" not in boss.ranked_ids("-is:awaiting")

    boss.send_back("rss:1", "Pas d'excuses publiques, proposez un message privé.")
    author.refresh()
    (back,) = author.state("rss:1").replies
    assert back.status is DeliveryStatus.RETURNED and back.reviewed_by == "camille"
    assert "message privé" in back.review_note
    assert [r.key for _, r in author.reviewed("junior")] == [reply.key]
    assert author.pending_outbox() == []

    second = author.submit_reply("rss:1", "Écrivez-nous en message privé svp.")
    boss.refresh()
    approved = boss.approve("rss:1", text="Écrivez-nous en message privé, merci.")
    assert approved.key == second.key and approved.status is DeliveryStatus.PENDING
    author.refresh()
    assert [(t, r.text) for t, r in author.pending_outbox()] == [
        ("rss:1", "Écrivez-nous en message privé, merci.")
    ]
    assert boss.ranked_ids("is:awaiting") == [] and boss.awaiting() == []


def test_an_approval_is_not_undone_it_is_queued(two):
    """Approving queues a reply for sending, like a reply: not on the undo stack."""
    author, boss = two
    author.submit_reply("rss:2", "Bonjour, on s'en occupe.")
    boss.refresh()
    boss.tag("rss:2", add=["vu"])
    boss.approve("rss:2")
    assert boss.undo().action == "tag"  # the step before: the approval stays
    author.refresh()
    assert author.state("rss:2").tags == ()
    assert [r.status for r in author.state("rss:2").replies] == [DeliveryStatus.PENDING]
    assert [t for t, _ in author.pending_outbox()] == ["rss:2"]
    assert author.ranked_ids("is:awaiting") == []


def test_unread_is_each_persons_own(two):
    junior, camille = two
    everything = set(junior.group_ids())
    assert set(junior.ranked_ids("is:unread")) == everything
    assert junior.mark_read(junior.view("rss:3")) is True
    assert junior.mark_read(junior.view("rss:3")) is False  # nothing new: nothing written
    junior.flush_reads()
    assert not junior.is_unread(junior.view("rss:3"))
    assert set(junior.ranked_ids("is:unread")) == everything - {"rss:3"}
    assert junior.ranked_ids("-is:unread") == ["rss:3"]
    camille.refresh()
    assert camille.is_unread(camille.view("rss:3"))  # camille did not open it
    assert set(camille.ranked_ids("is:unread")) == everything

    junior.note("rss:3", "my own note")  # one's own note leaves it read
    assert not junior.is_unread(junior.view("rss:3"))
    assert "rss:3" not in junior.ranked_ids("is:unread")
    camille.refresh()
    camille.note("rss:3", "regardez le lien")  # someone else's note: unread again
    junior.refresh()
    assert junior.is_unread(junior.view("rss:3"))
    assert "rss:3" in junior.ranked_ids("is:unread")

    junior.mark_read(junior.view("rss:3"))
    junior.flush_reads()
    assert "rss:3" not in junior.ranked_ids("is:unread")
    camille.ingest([replace(mention(40), group_id="rss:3")])  # a new copy: unread again
    junior.refresh()
    assert junior.view("rss:3").size == 2
    assert junior.is_unread(junior.view("rss:3"))
    assert "rss:3" in junior.ranked_ids("is:unread")


def test_read_marks_survive_a_restart(where):
    with open_store(where, user="junior") as s:
        s.ingest([mention(i) for i in range(3)])
        s.mark_read(s.view("rss:1"))
        s.flush_reads()
    with open_store(where, user="junior") as again:
        assert not again.is_unread(again.view("rss:1"))
        assert set(again.ranked_ids("is:unread")) == {"rss:0", "rss:2"}


def _veille(tmp_path, url: str, user: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / f"{user}.toml"
    config.write_text(f'user = "{user}"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--store", url, "--config", str(config), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip


def test_the_command_line_reviews_on_postgresql(tmp_path, pg_url):
    with open_store(pg_url, user="junior") as author:
        author.ingest([mention(i) for i in range(3)])
        author.submit_reply("rss:1", "Bonjour, on regarde.")
    queue = _veille(tmp_path, pg_url, "camille", "awaiting")
    assert queue.returncode == 0, queue.stderr
    assert queue.stdout.startswith("rss:1\tjunior\t")
    own = _veille(tmp_path, pg_url, "junior", "approve", "rss:1")
    assert own.returncode != 0 and "own reply" in own.stderr
    done = _veille(tmp_path, pg_url, "camille", "approve", "rss:1")
    assert done.returncode == 0, done.stderr
    assert "queued for posting" in done.stdout
    merged = _veille(tmp_path, pg_url, "camille", "merge", "rss:0", "rss:2")
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout == "rss:0\tmerged\tcopies=2\n"
    with open_store(pg_url, user="junior") as author:
        assert [t for t, _ in author.pending_outbox()] == ["rss:1"]
        assert sorted(author.ranked_ids()) == ["rss:0", "rss:1"]
    split = _veille(tmp_path, pg_url, "camille", "split", "rss:2")
    assert split.returncode == 0, split.stderr
    assert split.stdout == "rss:2\tsplit\tcopies=1\n"
    again = _veille(tmp_path, pg_url, "camille", "split", "rss:0")
    assert again.returncode == 1 and "the story itself" in again.stderr
    for _ in range(2):  # the split, then the merge
        undone = _veille(tmp_path, pg_url, "camille", "undo")
        assert undone.returncode == 0, undone.stderr
    with open_store(pg_url, user="junior") as author:
        assert sorted(author.ranked_ids()) == ["rss:0", "rss:1", "rss:2"]
