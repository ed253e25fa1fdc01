"""Rules owed across a kill, on the folder store (store.owed, app.rules): a real child
process stores posts and is killed (SIGKILL, `VEILLE_CRASH_AT`) before or while their
`[[rules]]` run; the next ingest of the same posts (the cursor was not saved: they come
back) runs each rule exactly once. A live owner's posts are left to it; a configuration
with no acting rule writes nothing; a hostile id survives the record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from app.rules import before_store, ingest_with_rules
from sources.config import parse_config
from store.inbox import Inbox
from store.owed import FOLDER, MAX_TRIES
from triage.model import Author, Mention, dt_to_json, utcnow

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """user = "camille"
[[brands]]
name = "Lumio"
keywords = ["lumio"]
[[teams]]
name = "comms"
[[rules]]
name = "ceo"
when = "brand:Lumio pdg"
tag = ["crisis"]
hand_off = { team = "comms", note = "le PDG est cité" }
alert = true
[[rules]]
name = "watchers"
when = "tag:crisis"
assign = "ana"
"""

TEXTS = [
    "Lumio : le PDG a menti sur la panne des lampes de salon",
    "Lumio remboursement refusé, colis perdu depuis trois semaines",
    "Mon chargeur Lumio chauffe, le PDG devrait répondre aux clients",
    "Lumio bluetooth capricieux après la mise à jour de mardi",
    "Le PDG de Lumio invité à la radio ce matin parle de garantie",
]
HOSTILE = 'rss:a"b\n../../etc\\x\u202e😀 <b>&amp;\x00'


def posts(ids: list[str] | None = None) -> list[Mention]:
    now = utcnow()
    ids = ids or [f"rss:ceo-{n}" for n in range(len(TEXTS))]
    return [
        Mention(
            id=mid,
            platform="rss",
            source="forum",
            url=f"https://forum.example/{n}",
            author=Author(f"Client {n}", f"@client{n}"),
            text=TEXTS[n % len(TEXTS)],
            created_at=now - timedelta(minutes=10 - n),
            fetched_at=now,
        )
        for n, mid in enumerate(ids)
    ]


def open_store(where: Path | str) -> Any:
    """The folder store at a path, or the PostgreSQL store at a URL (tests/pg)."""
    from app.runtime import make_pipeline

    pipeline = make_pipeline(parse_config(CONFIG))
    if str(where).startswith("postgresql://"):
        from store.postgres import PgStore

        return PgStore.open(str(where), user="camille", pipeline=pipeline)
    return Inbox.open(Path(where), user="camille", pipeline=pipeline)


def child(store: str, mode: str, ids: str) -> None:
    """In the child process: `rules` runs ingest_with_rules; `hold` stores with the
    record and then waits (a live owner whose rules have not run yet)."""
    config = parse_config(CONFIG)
    batch = posts(orjson.loads(ids) or None)
    with open_store(store) as inbox:
        if mode == "rules":
            ingest_with_rules(inbox, batch, config)
        else:
            inbox.ingest(before_store(inbox, batch, config), owe_rules=True)
            print("stored", flush=True)
            sys.stdin.read()
    print("done", flush=True)


def spawn(
    store: Path | str, mode: str, crash: str | None = None, ids: list[str] | None = None, **kw
):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("VEILLE_CRASH_AT", None)
    if crash:
        env["VEILLE_CRASH_AT"] = crash
    code = "import sys; from tests.store.test_rules21_owed import child; child(*sys.argv[1:])"
    argv = [sys.executable, "-c", code, str(store), mode, orjson.dumps(ids or []).decode()]
    return subprocess.Popen(argv, env=env, cwd=ROOT, text=True, **kw)


def run_killed(store: Path | str, crash: str, ids: list[str] | None = None) -> None:
    proc = spawn(store, "rules", crash, ids, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, out, err[-2000:])


def acts(inbox: Any, gid: str) -> list[tuple[str, str]]:
    """(who, action) of every rule act on the group, in order."""
    return [
        (e.who, e.action) for e in inbox.events() if e.target == gid and e.who.startswith("rule:")
    ]


def ceo_groups(inbox: Any) -> list[str]:
    return sorted({inbox.resolve(m.id) for m in inbox.all_mentions() if "PDG" in m.text})


def assert_ruled_once(inbox: Any) -> None:
    groups = ceo_groups(inbox)
    assert len(groups) == 3
    for gid in groups:
        state = inbox.state(gid)
        assert state.tags == ("crisis",) and state.assignee == "ana", state
        assert state.handoff is not None and state.handoff.team == "comms"
        assert [n.text.split(":")[0] for n in state.notes] == ["rule ceo", "rule watchers"]
        assert acts(inbox, gid) == [
            ("rule:ceo", "tag"), ("rule:ceo", "handoff"), ("rule:ceo", "note"),
            ("rule:watchers", "assign"), ("rule:watchers", "note"),
        ]  # fmt: skip
    assert sorted(t for t, _ in inbox.pending_handoffs()) == groups  # queued once each
    for mid in inbox.all_mentions():
        if "PDG" not in mid.text:
            assert inbox.state(inbox.resolve(mid.id)).tags == ()


def owed_files(store: Path) -> list[Path]:
    folder = store / FOLDER
    """The records still owed (an emptied file is a process's free slot)."""
    return sorted(p for p in folder.glob("*.json") if p.stat().st_size) if folder.exists() else []


@pytest.mark.parametrize("crash", ["before-rules", "mid-rules", "mid-rules@4", "mid-steps@2"])
def test_a_kill_before_or_amid_the_rules_is_made_good_once_by_the_next_ingest(tmp_path, crash):
    store = tmp_path / "store"
    run_killed(store, crash)
    assert len(owed_files(store)) == 1  # the record outlived its process
    with open_store(store) as inbox:
        assert len(inbox) == len(TEXTS)
        assert all(not inbox.state(g).notes for g in ceo_groups(inbox))  # nothing ran yet
        logged: list[tuple[str, dict]] = []
        new = ingest_with_rules(
            inbox, posts(), parse_config(CONFIG), lambda m, **kw: logged.append((m, kw))
        )
        assert new == []  # the posts came back, known: their rules ran all the same
        assert_ruled_once(inbox)
        assert ("rules replayed", {"posts": 5, "groups": 5, "applied": 6}) in logged
        assert owed_files(store) == []
        revs = {g: inbox.state(g).rev for g in ceo_groups(inbox)}
        ingest_with_rules(inbox, posts(), parse_config(CONFIG))  # and never again
        assert {g: inbox.state(g).rev for g in ceo_groups(inbox)} == revs


def test_a_kill_after_the_record_before_the_posts_drops_the_record(tmp_path):
    store = tmp_path / "store"
    run_killed(store, "after-owed")
    assert len(owed_files(store)) == 1
    with open_store(store) as inbox:
        assert len(inbox) == 0  # killed before the day files: nothing stored
        new = ingest_with_rules(inbox, posts(), parse_config(CONFIG))
        assert len(new) == len(TEXTS)  # stored now, ruled now, once
        assert_ruled_once(inbox)
        assert owed_files(store) == []


def test_a_live_owners_posts_are_left_to_it_and_taken_once_it_dies(tmp_path):
    store = tmp_path / "store"
    owner = spawn(store, "hold", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert owner.stdout is not None and owner.stdout.readline() == "stored\n"
        with open_store(store) as inbox:
            ingest_with_rules(inbox, posts(), parse_config(CONFIG))  # a second process
            assert all(inbox.state(g).notes == () for g in ceo_groups(inbox))
            assert len(owed_files(store)) == 1
            owner.kill()
            owner.wait(10)  # reaped, as a shell or systemd would
            ingest_with_rules(inbox, posts(), parse_config(CONFIG))
            assert_ruled_once(inbox)
            assert owed_files(store) == []
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait(10)


def _age(path: Path, minutes: float, place: str | None = None, tries: int | None = None) -> None:
    """Rewrite a record as an older one (another host's, if `place`): its format is the
    contract between processes of one store."""
    raw = orjson.loads(path.read_bytes())
    raw["at"] = dt_to_json(utcnow() - timedelta(minutes=minutes))
    if place is not None:
        raw["owner"]["place"] = place
    if tries is not None:
        raw["tries"] = tries
    path.write_bytes(orjson.dumps(raw))


def test_another_hosts_record_waits_for_its_age(tmp_path):
    store = tmp_path / "store"
    run_killed(store, "before-rules")
    (record,) = owed_files(store)
    _age(record, 9, place="elsewhere|boot|pid:[1]")  # alive or not, we cannot tell
    with open_store(store) as inbox:
        ingest_with_rules(inbox, posts(), parse_config(CONFIG))
        assert all(inbox.state(g).notes == () for g in ceo_groups(inbox))
        _age(record, 11, place="elsewhere|boot|pid:[1]")  # past OWED_AGE (10 min)
        ingest_with_rules(inbox, [], parse_config(CONFIG))  # not even a post needed
        ingest_with_rules(inbox, posts()[:1], parse_config(CONFIG))
        assert_ruled_once(inbox)


def test_a_record_replayed_too_often_is_given_up_in_words(tmp_path):
    store = tmp_path / "store"
    run_killed(store, "before-rules")
    (record,) = owed_files(store)
    _age(record, 0, tries=MAX_TRIES)
    logged: list[tuple[str, dict]] = []
    with open_store(store) as inbox:
        ingest_with_rules(
            inbox, posts(), parse_config(CONFIG), lambda m, **kw: logged.append((m, kw))
        )
        assert all(inbox.state(g).notes == () for g in ceo_groups(inbox))
    assert [m for m, _ in logged] == ["rules given up"]
    assert logged[0][1]["posts"] == len(TEXTS) and owed_files(store) == []


def test_a_torn_record_is_removed_and_harms_nothing(tmp_path):
    store = tmp_path / "store"
    with open_store(store) as inbox:
        ingest_with_rules(inbox, posts(), parse_config(CONFIG))
        (store / FOLDER / "torn.json").write_bytes(b'{"owner": {"place": "x", "pid"')
        ingest_with_rules(inbox, posts(), parse_config(CONFIG))
        assert_ruled_once(inbox)
    assert owed_files(store) == []


def test_a_hostile_id_survives_the_record(tmp_path):
    store = tmp_path / "store"
    ids = [HOSTILE, "rss:ceo-1", "rss:" + "é" * 300, "rss:ceo-3", "rss:{}[]%s%n"]
    run_killed(store, "before-rules", ids)
    with open_store(store) as inbox:
        ingest_with_rules(inbox, posts(ids), parse_config(CONFIG))
        assert_ruled_once(inbox)
        (hostile,) = [m.id for m in inbox.all_mentions() if "etc" in m.id]  # cleaned
        assert hostile.startswith('rss:a"b ../../etc') and "\x00" not in hostile
        assert inbox.state(inbox.resolve(hostile)).tags == ("crisis",)
    assert owed_files(store) == []


@pytest.mark.parametrize(
    "rules",
    ["", '[[rules]]\nname = "up"\nwhen = "pdg"\npriority = 10\n'],
    ids=["no rule", "a priority rule only"],
)
def test_a_configuration_with_no_acting_rule_writes_no_record(tmp_path, rules):
    config = parse_config(CONFIG.split("[[rules]]")[0] + rules)
    store = tmp_path / "store"
    with Inbox.open(store, user="camille") as inbox:
        assert len(ingest_with_rules(inbox, posts(), config)) == len(TEXTS)
    assert not (store / FOLDER).exists()


def test_the_normal_path_leaves_no_record_and_reuses_one_file(tmp_path):
    store = tmp_path / "store"
    with open_store(store) as inbox:
        for n in range(len(TEXTS)):
            ingest_with_rules(inbox, posts()[: n + 1], parse_config(CONFIG))
        assert_ruled_once(inbox)
    assert owed_files(store) == []
    (slot,) = (store / FOLDER).iterdir()  # every record written into it, one fsync each
    assert slot.stat().st_size == 0


def test_an_idle_empty_file_of_another_process_is_cleared_after_the_age(tmp_path):
    store = tmp_path / "store"
    with open_store(store) as inbox:
        ingest_with_rules(inbox, posts()[:1], parse_config(CONFIG))
        (mine,) = (store / FOLDER).iterdir()
        theirs = store / FOLDER / "0123456789abcdef.json"
        theirs.write_bytes(b"")
        old = time.time() - 11 * 60
        for path in (mine, theirs):
            os.utime(path, (old, old))
        ingest_with_rules(inbox, posts()[:2], parse_config(CONFIG))
        assert list((store / FOLDER).iterdir()) == [mine]  # its own slot is kept
