"""Rules at ingest in one commit per round (`store.acting.Acting.one_commit`, app.rules):
the round's actions are the ones one commit per action gave, each application is still
its own undo step, the journal gets one write, and a process killed after that write
(before any state file) leaves a store whose next writer redoes the WHOLE round, every
rule's actions included (the commit has several authors: `Journal.last_commit`)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.rules import ingest_with_rules
from sources.config import parse_config
from store.inbox import Inbox
from triage.model import Author, Mention, utcnow

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """user = "camille"
[[brands]]
name = "Lumio"
keywords = ["lumio"]
[[teams]]
name = "sav"
[[rules]]
name = "refund"
when = "remboursement"
tag = ["refund"]
assign = "ana"
[[rules]]
name = "escalate"
when = "tag:refund colère"
status = "open"
[[rules]]
name = "outage"
when = "panne"
tag = ["outage"]
hand_off = { team = "sav", note = "panne ?" }
"""

TEXTS = [
    "Lumio {n}: je veux un remboursement, colère",
    "Lumio {n}: panne de la lampe depuis hier soir",
    "Lumio {n}: remboursement et panne, rien ne marche",
    "Lumio {n}: merci pour la livraison rapide",
]


def _posts(count: int) -> list[Mention]:
    now = utcnow()
    out = []
    for n in range(count):
        at = now - timedelta(minutes=count - n)
        text = TEXTS[n % len(TEXTS)].format(n=f"lampe numéro {n} modèle {n * 7}")
        out.append(
            Mention(
                id=f"rss:{n}",
                platform="rss",
                source="feed",
                url=f"https://f.example/{n}",
                author=Author(name="bob", handle="@bob"),
                text=text,
                created_at=at,
                fetched_at=at,
            )
        )
    return out


class OneCommitPerAction:
    """The store without `one_commit`: every rule action commits on its own, as before
    the round (and as the PostgreSQL store still does)."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    def __getattr__(self, name: str) -> Any:
        if name == "one_commit":
            raise AttributeError(name)
        return getattr(self._inbox, name)


def _open(path: Path) -> Inbox:
    from app.runtime import make_pipeline

    return Inbox.open(path, user="camille", pipeline=make_pipeline(parse_config(CONFIG)))


def _decided(inbox: Inbox) -> dict[str, tuple[object, ...]]:
    """What the rules decided, per group: tags, assignee, status, hand-off team."""
    return {
        gid: (s.tags, s.assignee, s.status, s.handoff.team if s.handoff else None, s.rev)
        for gid in inbox.ranked_ids()
        for s in [inbox.state(gid)]
    }


def _timeless(value: Any) -> Any:
    """A journaled value without its clock readings (the round has one moment, the
    actions committed one by one had one each)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in ("at", "updated_at")}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counted(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counted)
    return calls


def test_a_round_decides_what_one_commit_per_action_decided_with_far_fewer_fsyncs(
    tmp_path, monkeypatch
):
    config = parse_config(CONFIG)
    posts = _posts(24)
    fsyncs = _fsyncs(monkeypatch)
    with _open(tmp_path / "each") as inbox:
        ingest_with_rules(OneCommitPerAction(inbox), posts, config)  # type: ignore[arg-type]
        each, each_fsyncs = _decided(inbox), len(fsyncs)
        each_events = [(e.who, e.action, e.target, e.after) for e in inbox.events()]
    fsyncs.clear()
    with _open(tmp_path / "round") as inbox:
        ingest_with_rules(inbox, posts, config)
        once, once_fsyncs = _decided(inbox), len(fsyncs)
        events = list(inbox.events())
    assert once == each
    assert any(t[0] == ("refund",) and t[2].value == "open" for t in once.values())  # chained
    # the same actions, by the same rules, in the same order (times aside)
    assert [(e.who, e.action, e.target, _timeless(e.after)) for e in events] == [
        (w, a, t, _timeless(after)) for w, a, t, after in each_events
    ]
    # one moment for the whole round: how the redo finds it after a kill
    assert len({e.at for e in events if e.who.startswith("rule:")}) == 1
    assert once_fsyncs * 4 < each_fsyncs, (once_fsyncs, each_fsyncs)


def test_each_application_is_still_its_own_undo_step(tmp_path):
    config = parse_config(CONFIG.split('[[rules]]\nname = "escalate"')[0])
    assert [r.name for r in config.rules] == ["refund"]
    with _open(tmp_path / "s") as inbox:
        ingest_with_rules(inbox, _posts(8), config)
        refund = [e for e in inbox.events() if e.who == "rule:refund"]
        batches = list(dict.fromkeys(e.batch for e in refund))
        assert len(batches) == len({e.target for e in refund}) >= 2  # one per group
        last_group = refund[-1].target
        undone = inbox.undo(user="rule:refund")
        assert undone is not None and undone.target == last_group
        assert inbox.state(last_group).tags == ()
        assert inbox.state(refund[0].target).tags == ("refund",)  # the others stay


_CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from app.rules import ingest_with_rules
from sources.config import parse_config
from tests.store.test_rule_round import CONFIG, _open, _posts
with _open(Path({store!r})) as inbox:
    ingest_with_rules(inbox, _posts({count}), parse_config(CONFIG))
print("done")
"""


def _child(store: Path, count: int, crash: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("VEILLE_CRASH_AT", None)
    if crash:
        env["VEILLE_CRASH_AT"] = crash
    code = _CHILD.format(root=str(ROOT), store=str(store), count=count)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_a_round_killed_after_its_journal_write_is_redone_whole_by_the_next_writer(tmp_path):
    count = 12
    whole = _child(tmp_path / "whole", count, None)
    assert whole.returncode == 0, whole.stderr
    # the ingest's own writes reach no "after-journal" point: the first is the round's
    killed = _child(tmp_path / "killed", count, "after-journal")
    assert killed.returncode == -9, (killed.returncode, killed.stderr[-2000:])
    with _open(tmp_path / "whole") as inbox:
        expected = _decided(inbox)
        rules_seen = {e.who for e in inbox.events()}
    assert {"rule:refund", "rule:escalate", "rule:outage"} <= rules_seen
    with _open(tmp_path / "killed") as inbox:
        assert _decided(inbox) == expected  # every rule's actions, not only the last one's
        # and once: a second writer does not apply them again
        inbox.tag(next(iter(expected)), add=["seen"])
    with _open(tmp_path / "killed") as inbox:
        after = _decided(inbox)
        first = next(iter(expected))
        assert {g: v for g, v in after.items() if g != first} == {
            g: v for g, v in expected.items() if g != first
        }
