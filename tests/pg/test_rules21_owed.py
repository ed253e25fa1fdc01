"""Rules owed across a kill, on PostgreSQL (store.postgres.owed): the `rules_owed` rows
are written in the ingest's transaction; a real child killed before or between its rules
leaves them; the next ingest (another node's) runs each rule once. A live owner's rows
are left to it, on this host or another (its advisory lock, store.postgres.ownerlock);
rows whose owner held no lock wait for their age; no acting rule, no row."""

from __future__ import annotations

import subprocess

import psycopg
import pytest

from app.rules import ingest_with_rules
from sources.config import parse_config
from tests.store.test_rules21_owed import (
    CONFIG,
    HOSTILE,
    TEXTS,
    assert_ruled_once,
    ceo_groups,
    open_store,
    posts,
    run_killed,
    spawn,
)


def owed_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM rules_owed").fetchone()
    return int(row[0]) if row else 0


# mid-steps@2: the first group tagged and handed off, its note not yet written (each
# action is its own transaction here): the replay writes the note alone
@pytest.mark.parametrize("crash", ["before-rules", "mid-rules", "mid-rules@4", "mid-steps@2"])
def test_a_kill_before_or_between_rules_is_made_good_once(pg_url, crash):
    open_store(pg_url).close()  # the schema, before the child
    run_killed(pg_url, crash)
    assert owed_rows(pg_url) == len(TEXTS)  # committed with the posts
    with open_store(pg_url) as store:
        assert len(store) == len(TEXTS)
        if crash == "before-rules":
            assert all(not store.state(g).notes for g in ceo_groups(store))
        logged: list[tuple[str, dict]] = []
        new = ingest_with_rules(
            store, posts(), parse_config(CONFIG), lambda m, **kw: logged.append((m, kw))
        )
        assert new == []
        assert_ruled_once(store)  # a rule that acted before the kill is not repeated
        assert [m for m, _ in logged if m == "rules replayed"] == ["rules replayed"]
        assert owed_rows(pg_url) == 0
        revs = {g: store.state(g).rev for g in ceo_groups(store)}
        ingest_with_rules(store, posts(), parse_config(CONFIG))
        assert {g: store.state(g).rev for g in ceo_groups(store)} == revs


def elsewhere(url: str) -> None:
    """The rows' owner as if it ran on another host (whose pids this host cannot ask)."""
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE rules_owed SET place = 'elsewhere|boot|pid:[1]'")


# on another host, only the owner's advisory lock (store.postgres.ownerlock) tells it lives
@pytest.mark.parametrize("host", ["this host", "another host"])
def test_a_live_nodes_rows_are_left_to_it_and_taken_once_it_dies(pg_url, host):
    open_store(pg_url).close()
    owner = spawn(pg_url, "hold", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert owner.stdout is not None and owner.stdout.readline() == "stored\n"
        if host == "another host":
            elsewhere(pg_url)
        with open_store(pg_url) as store:
            ingest_with_rules(store, posts(), parse_config(CONFIG))
            assert all(store.state(g).notes == () for g in ceo_groups(store))
            assert owed_rows(pg_url) == len(TEXTS)
            owner.kill()
            owner.wait(10)
            ingest_with_rules(store, posts(), parse_config(CONFIG))
            assert_ruled_once(store)
            assert owed_rows(pg_url) == 0
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait(10)


def test_a_node_killed_on_another_host_is_made_good_at_once(pg_url):
    open_store(pg_url).close()
    run_killed(pg_url, "before-rules")
    elsewhere(pg_url)  # its lock went with its connection: no need to wait 10 minutes
    with open_store(pg_url) as store:
        ingest_with_rules(store, posts()[:1], parse_config(CONFIG))
        assert_ruled_once(store)
    assert owed_rows(pg_url) == 0


def test_rows_of_an_owner_without_its_lock_wait_for_their_age(pg_url):
    open_store(pg_url).close()
    run_killed(pg_url, "before-rules")

    def age(minutes: int) -> None:  # another host, and no lock taken (its connection failed)
        with psycopg.connect(pg_url) as conn:
            conn.execute(
                "UPDATE rules_owed SET place = 'elsewhere|boot|pid:[1]', lock_key = NULL, "
                "at = now() - %s * interval '1 minute'",
                (minutes,),
            )

    age(9)
    with open_store(pg_url) as store:
        ingest_with_rules(store, posts(), parse_config(CONFIG))
        assert all(store.state(g).notes == () for g in ceo_groups(store))
        age(11)
        ingest_with_rules(store, posts()[:1], parse_config(CONFIG))
        assert_ruled_once(store)
    assert owed_rows(pg_url) == 0


def test_a_hostile_id_survives_the_rows(pg_url):
    open_store(pg_url).close()
    ids = [HOSTILE, "rss:ceo-1", "rss:" + "é" * 300, "rss:ceo-3", "rss:{}[]%s%n'); --"]
    run_killed(pg_url, "before-rules", ids)
    with open_store(pg_url) as store:
        ingest_with_rules(store, posts(ids), parse_config(CONFIG))
        assert_ruled_once(store)
    assert owed_rows(pg_url) == 0


def _inserted(url: str) -> int:
    """Rows ever inserted into rules_owed (the store's connections closed: stats flushed)."""
    with psycopg.connect(url) as conn:
        for _ in range(50):
            row = conn.execute(
                "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'rules_owed'"
            ).fetchone()
            if row and row[0]:
                return int(row[0])
            conn.execute("SELECT pg_sleep(0.02)")
            conn.rollback()  # a new stats snapshot
    return 0


@pytest.mark.parametrize("acting", [False, True], ids=["no acting rule", "control"])
def test_no_acting_rule_no_row(pg_url, acting):
    config = parse_config(CONFIG if acting else CONFIG.split("[[rules]]")[0])
    with open_store(pg_url) as store:
        assert len(ingest_with_rules(store, posts(), config)) == len(TEXTS)
    assert owed_rows(pg_url) == 0
    assert _inserted(pg_url) == (len(TEXTS) if acting else 0)
