"""Schema FIRST_AT (issue 15 at 1M): the counts read each group's leader time from its row
(no join to the mentions), and a thread pane's author history comes from an index.

The counts must still agree with the walk over every view (triage.query.count) when a
group's oldest member arrives after the group (least of both), when a row is written
without the column (a rebuilt row: the trigger fills it), and on a database written
before the migration (the backfill)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import psycopg
import pytest

from store.postgres import PgStore
from store.postgres.schema import FIRST_AT, MIGRATIONS
from tests.pg.backends import NOW, mention
from triage import query
from triage.config import SlaConfig
from triage.model import Author


def in_group(i: int, group: str, hours: float, platform: str = "rss"):
    m = mention(i, hours=hours, platform=platform, priority=10.0)
    return dataclasses.replace(m, group_id=group)


def counts_agree(store: PgStore) -> query.Counts:
    clock = query.sla_clock(SlaConfig(), store.urgent_threshold)
    walked = query.count(store, NOW, clock, ids=store.group_ids())  # view by view
    assert query.count(store, NOW, clock) == walked  # one SQL query on first_at
    return walked


def test_an_older_member_arriving_later_makes_the_group_breached(pg_url):
    with PgStore.open(pg_url, user="ana") as store:
        store.ingest([in_group(1, "rss:1", hours=0.1)])  # fresh: within the SLA
        assert counts_agree(store).breached == 0
        store.ingest([in_group(2, "rss:1", hours=30)])  # its true leader, a day old
        assert store.view("rss:1").leader.id == "rss:2"
        assert counts_agree(store).breached == 1


def test_a_row_written_without_first_at_gets_it_from_its_mentions(pg_url):
    with PgStore.open(pg_url, user="ana") as store:
        store.ingest([in_group(1, "rss:1", hours=30), in_group(2, "rss:1", hours=1)])
        with psycopg.connect(pg_url, autocommit=True) as conn:  # as a merge's rebuild might
            row = conn.execute("SELECT * FROM groups WHERE group_id = 'rss:1'").fetchone()
            names = [d.name for d in conn.execute("SELECT * FROM groups LIMIT 0").description]
            conn.execute("DELETE FROM groups")
            kept = [n for n in names if n != "first_at"]
            conn.execute(
                f"INSERT INTO groups ({', '.join(kept)}) VALUES ({', '.join(['%s'] * len(kept))})",
                [v for n, v in zip(names, row, strict=True) if n != "first_at"],
            )
            first = conn.execute("SELECT first_at FROM groups").fetchone()[0]
        assert first == NOW - timedelta(hours=30)
        assert counts_agree(store).breached == 1


def test_a_database_written_before_the_migration_is_brought_to_it(pg_url):
    with PgStore.open(pg_url, user="ana") as store:
        store.ingest([in_group(i, f"rss:{i - i % 3}", hours=i * 5) for i in range(12)])
    with psycopg.connect(pg_url, autocommit=True) as conn:  # back to the schema before it
        conn.execute("DROP TRIGGER groups_first_at ON groups")
        conn.execute("DROP FUNCTION veille_group_first_at")
        conn.execute("DROP INDEX mentions_author")
        conn.execute("ALTER TABLE groups DROP COLUMN first_at")
        # FIRST_AT's version and the later ones (rules21's rules_owed: IF NOT EXISTS)
        since = MIGRATIONS.index(FIRST_AT) + 1
        conn.execute("DELETE FROM schema_migrations WHERE version >= %s", (since,))
    with PgStore.open(pg_url, user="ana") as store:
        walked = counts_agree(store)
        assert walked.groups == 4 and walked.breached == 3  # leaders 10 h (not yet), 25, 40, 55 h
    with psycopg.connect(pg_url) as conn:
        missing = conn.execute("SELECT count(*) FROM groups WHERE first_at IS NULL").fetchone()
        assert missing == (0,)


def test_an_authors_history_is_their_mentions_on_that_platform_newest_first(pg_url):
    def by(i: int, handle: str, platform: str = "mastodon"):
        m = mention(i, platform=platform, hours=i)
        return dataclasses.replace(m, author=Author("Ana", handle))

    with PgStore.open(pg_url, user="ana") as store:
        store.ingest(
            [by(1, "@ana@masto.example"), by(2, "@Ana@Masto.example"), by(3, "@bob@masto.example"),
             by(4, "@ana@masto.example", platform="bluesky"), by(5, "@ana@masto.example")]
        )  # fmt: skip
        leader = store.mention("mastodon:1")
        assert leader is not None
        found = [m.id for m in store.author_mentions(leader)]
        assert found == ["mastodon:1", "mastodon:2", "mastodon:5"]  # newest first
        assert [m.id for m in store.author_mentions(leader, limit=2)] == found[:2]
        nameless = dataclasses.replace(by(6, ""), author=Author("Zoé Martin", ""))
        store.ingest([nameless])
        assert [m.id for m in store.author_mentions(nameless)] == ["mastodon:6"]


@pytest.mark.parametrize("limit", [1, 200])
def test_the_author_lookup_uses_the_index(pg_url, limit):
    with PgStore.open(pg_url, user="ana") as store:
        store.ingest([mention(i, platform="mastodon") for i in range(50)])
        leader = store.mention("mastodon:1")
        assert leader is not None
        with psycopg.connect(pg_url) as conn:
            conn.execute("SET enable_seqscan = off")
            from store.postgres.schema import AUTHOR_KEY

            plan = conn.execute(
                f"EXPLAIN SELECT record FROM mentions WHERE ({AUTHOR_KEY}) = (%s, lower(%s)) "
                "ORDER BY created_at DESC LIMIT %s",
                ("mastodon", leader.author.handle, limit),
            ).fetchall()
        assert "mentions_author" in " ".join(r[0] for r in plan)


def test_the_unread_figure_agrees_with_the_walk_after_reads(pg_url):
    with PgStore.open(pg_url, user="ana") as store:
        store.ingest([in_group(i, f"rss:{i}", hours=i) for i in range(6)])
        store.tag("rss:1", add=["lu"])  # a group with a state row, read
        store.mark_read(store.view("rss:1"))
        store.mark_read(store.view("rss:2"))  # one without, read
        store.set_status("rss:3", "done")  # closed: counted nowhere as unread
        store.mark_read(store.view("rss:3"))
        walked = counts_agree(store)
        assert walked.unread == 3  # rss:0, rss:4, rss:5
