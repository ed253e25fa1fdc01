"""Merges, splits and undos on one PostgreSQL node while another node ingests copies
of the same stories: afterwards every copy is in the story `triage.stories` places it
in (recomputed here from all records and corrections) and every `groups` row counts
exactly its copies, so the ranking, the filters and the views agree."""

from __future__ import annotations

import random
import threading

import psycopg

from store.postgres import PgStore
from tests.pg.backends import mention
from triage.config import BrandConfig
from triage.errors import Conflict, NotFound
from triage.pipeline import Pipeline
from triage.stories import Stories

TOPICS = [
    "lumio glow battery died after two days and support never answered",
    "lumio glow screen cracked in the first week and the shop refuses the warranty",
    "lumio app crashed and lost every photo from my holidays",
    "lumio delivery arrived three weeks late with a broken box",
    "lumio refund still not paid after a month of emails",
]


def copy_of(n: int):
    topic = TOPICS[n % len(TOPICS)]
    return mention(n, text=f"{topic} {'!' * (n % 4)} #{n % 3}", hours=48 - n * 0.1, priority=n % 50)


def open_node(url: str, user: str) -> PgStore:
    return PgStore.open(url, user=user, pipeline=Pipeline([BrandConfig("Lumio", ("lumio",))]))


def check(url: str) -> None:
    with psycopg.connect(url) as conn:
        records = dict(conn.execute("SELECT id, record FROM mentions").fetchall())
        column = dict(conn.execute("SELECT id, group_id FROM mentions").fetchall())
        merged, split = {}, set()
        for target, into, frm in conn.execute(
            "SELECT target, record->>'merged_into', record->>'split_from' FROM states"
        ).fetchall():
            if into:
                merged[target] = into
            if frm:
                split.add(target)
        stories = Stories(records.get, merged, split)
        assert {m: stories.story_of(m) for m in records} == column
        sizes = dict(conn.execute("SELECT group_id, size FROM groups").fetchall())
        counted: dict[str, int] = {}
        for story in column.values():
            counted[story] = counted.get(story, 0) + 1
        assert sizes == counted


def test_corrections_and_ingest_on_two_nodes_agree(pg_url):
    with open_node(pg_url, "seed") as seed:
        seed.ingest([copy_of(n) for n in range(40)])
    errors: list[BaseException] = []
    stop = threading.Event()

    def correct() -> None:
        rnd = random.Random(7)
        try:
            with open_node(pg_url, "camille") as a:
                for step in range(40):
                    a.refresh()
                    stories = a.ranked_ids()
                    try:
                        if step % 3 == 0 and len(stories) > 1:
                            a.merge(stories[0], rnd.sample(stories[1:], 1))
                        elif step % 3 == 1:
                            copies = [m.id for g in stories[:3] for m in a.group(g)[1:]]
                            if copies:
                                a.split(rnd.choice(copies))
                        else:
                            a.undo()
                    except (Conflict, NotFound):
                        pass  # the other node moved it meanwhile: refused, nothing lost
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            stop.set()

    def ingest() -> None:
        try:
            with open_node(pg_url, "poller") as b:
                n = 40
                while not stop.is_set() and n < 200:
                    b.ingest([copy_of(i) for i in range(n, n + 4)])
                    n += 4
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=correct), threading.Thread(target=ingest)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert not errors, errors
    check(pg_url)
    with psycopg.connect(pg_url) as conn:
        done = dict(conn.execute("SELECT action, count(*) FROM events GROUP BY 1").fetchall())
        assert done.get("merge", 0) >= 5 and done.get("split", 0) >= 5, done
        assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] > 60  # type: ignore[index]
    with open_node(pg_url, "camille") as a:
        while a.undo() is not None:
            pass
        check(pg_url)
        assert all(not a.state(g).merged_into for g in a.ranked_ids())
