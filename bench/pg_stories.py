"""Merge, split and people on PostgreSQL: what a correction costs in a large store.

    .venv/bin/python bench/pg_stories.py [--mentions 200000] [--repeats 20]

The mentions are the real customer tweets of ../shared/data/twcs-sample.csv (5,000,
cycled with their authors; skipped with a message if the file is absent), in stories of
1 to 8 copies, each copy compared (`extra.grouped.with`) with the one before it, as the
pipeline writes them; loaded with COPY into a server started here (fsync on). Then,
each repeated and summarised by medians and p99 (one run, so the ratios compare):
  - a plain triage action (tag), before any correction and with 1,000 corrections;
  - merge two stories, and its undo; split a copy out (its followers go along), undo;
  - merge a story of 2,000 copies into another (the rebuild of a large row);
  - ingest of 100 new copies without corrections and with 1,000 (placing them);
  - another node's refresh after a merge (its caches of story ids are dropped);
  - `person:vip` (60 VIP handles) listed in SQL.
Say the machine's load with the figures.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.postgres import DATA, bench_pg_bin, load_avg  # noqa: E402

START = datetime(2026, 11, 1, tzinfo=UTC)


def summary(name: str, values: list[float]) -> None:
    values = sorted(values)
    p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
    print(
        f"{name:<46} median {statistics.median(values) * 1000:7.1f} ms   "
        f"p99 {p99 * 1000:7.1f} ms   (n={len(values)})"
    )


def mention(i: int, t: dict[str, str], story: str, before: str | None, at: datetime):
    from triage.model import Author, Mention

    extra = {"grouped": {"with": before}} if before else {}
    return Mention(
        id=f"rss:{i}", platform="rss", source=f"src-{i % 40}", url=f"https://e.example/{i}",
        author=Author(t["author_id"], "@" + t["author_id"]), text=t["text"],
        created_at=at, fetched_at=at, brands=("Lumio",), group_id=story,
        priority=float(i % 97), extra=extra,
    )  # fmt: skip


def load(url: str, n: int, rows: list[dict[str, str]]) -> tuple[list[list[str]], float]:
    """COPY n mentions in stories; the stories' ids, their copies in order."""
    import orjson
    import psycopg

    from store.postgres import PgStore
    from store.postgres.rows import group_rows

    PgStore.open(url, user="bench").close()  # migrations
    rng = random.Random(7)
    stories: list[list[str]] = []
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        members = []
        with cur.copy("COPY mentions (id, group_id, created_at, record) FROM STDIN") as cm:
            i = 0
            while i < n:
                size = min(n - i, rng.randint(1, 8))
                ids = [f"rss:{i + k}" for k in range(size)]
                for k, mid in enumerate(ids):
                    at = START + timedelta(seconds=2.5 * (i + k))
                    m = mention(
                        i + k, rows[(i + k) % len(rows)], ids[0], ids[k - 1] if k else None, at
                    )
                    cm.write_row((mid, ids[0], at, orjson.dumps(m.to_json()).decode()))
                    members.append(m)
                stories.append(ids)
                i += size
        with cur.copy(
            "COPY groups (group_id, priority, last_at, size, brands, platforms, haystack, "
            "authors, signals, gen) FROM STDIN"
        ) as cg:
            for g in group_rows(members):
                p = g.params(1)
                cg.write_row(
                    (p["group_id"], p["priority"], p["last_at"], p["size"], p["brands"],
                     p["platforms"], p["haystack"], p["authors"], p["signals"], 1)
                )  # fmt: skip
        cur.execute("UPDATE veille_meta SET mentions = %s, generation = 1", (n,))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return stories, time.perf_counter() - started


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run(url: str, stories: list[list[str]], repeats: int, rows: list[dict[str, str]]) -> None:
    from app.people import people_tags, update_people
    from store.postgres import PgStore
    from triage.filter import KnownValues, parse_filter
    from triage.people import link, set_tags

    rng = random.Random(11)
    multi = [s for s in stories if len(s) >= 4]
    with PgStore.open(url, user="bench") as store, PgStore.open(url, user="other") as other:
        picks = rng.sample(stories, repeats)
        summary(
            "tag, no correction anywhere",
            [timed(lambda s=s: store.tag(s[0], add=["x"])) for s in picks],
        )

        base = len(stories) * 10
        ingests = []
        for r in range(repeats):
            batch = _copies(base + r * 100, stories, rows, rng)
            ingests.append(timed(lambda b=batch: store.ingest(b)))
        summary("ingest 100 copies, no correction anywhere", ingests)

        merges, undos = [], []
        for _ in range(repeats):
            a, b = rng.sample(stories, 2)
            merges.append(timed(lambda a=a, b=b: store.merge(a[0], [b[0]])))
            undos.append(timed(store.undo))
        summary("merge two stories", merges)
        summary("undo the merge", undos)

        splits, undos = [], []
        for _ in range(repeats):
            s = rng.choice(multi)
            splits.append(timed(lambda s=s: store.split(s[2])))  # s[3:] follow it
            assert store.resolve(s[-1]) == s[2]
            undos.append(timed(store.undo))
        summary("split a copy out (its followers go along)", splits)
        summary("undo the split", undos)

        # 1,000 corrections stay (500 merges, 500 splits): the price everyone then pays
        half = len(stories) // 2
        for k in range(500):
            a, b = stories[2 * k], stories[2 * k + 1]
            store.merge(a[0], [b[0]])
        for s in [s for s in stories[1000:half] if len(s) >= 4][:500]:
            store.split(s[1])
        calm = stories[half:]  # stories no correction touched
        picks = rng.sample(calm, repeats)
        summary(
            "tag, with 1,000 corrections",
            [timed(lambda s=s: store.tag(s[0], add=["y"])) for s in picks],
        )

        big = [f"big:{k}" for k in range(2000)]
        with_big = _ingest_story(store, big, rows)
        summary(
            "merge a 2,000-copy story into another",
            [
                timed(lambda: (store.merge(stories[-1][0], [big[0]]), store.undo()))
                for _ in range(max(3, repeats // 4))
            ],
        )
        del with_big

        ingests = []
        for r in range(repeats):
            batch = _copies(base + (repeats + r) * 100, stories, rows, rng)
            ingests.append(timed(lambda b=batch: store.ingest(b)))
        summary("ingest 100 copies, 1,000 corrections", ingests)

        refreshes = []
        for _ in range(repeats):
            a, b = rng.sample(calm, 2)
            other.resolve(b[0])
            store.merge(a[0], [b[0]])
            refreshes.append(timed(other.refresh))
            assert other.resolve(b[0]) == a[0]
        summary("another node's refresh after a merge", refreshes)

        vips = sorted({rows[i]["author_id"] for i in range(0, 3000, 50)})
        update_people(store, lambda p: _vips(p, vips, link, set_tags))
        flt = parse_filter("person:vip", KnownValues(people=people_tags(store)))
        found: list[str] = []
        summary(
            f"person:vip ({len(vips)} handles) in SQL",
            [timed(lambda: found.extend(store.ranked_ids(flt))) for _ in range(repeats)],
        )
        print(f"  person:vip lists {len(found) // repeats} stories")


def _vips(people, handles, link, set_tags):
    for h in handles:
        people = set_tags(link(people, [h]), h, ["vip"])
    return people


def _ingest_story(store, ids: list[str], rows) -> list:
    at = START + timedelta(days=400)
    ms = [mention(k, rows[k % len(rows)], ids[0], ids[k - 1] if k else None, at)
          for k in range(len(ids))]  # fmt: skip
    from dataclasses import replace

    ms = [replace(m, id=i, url=f"https://e.example/{i}") for m, i in zip(ms, ids, strict=True)]
    return store.ingest(ms)


def _copies(first: int, stories, rows, rng) -> list:
    """100 new copies, each of a random stored story (compared with its last copy)."""
    out = []
    for k in range(100):
        s = rng.choice(stories)
        at = START + timedelta(days=500, seconds=first + k)
        out.append(mention(first + k, rows[(first + k) % len(rows)], s[0], s[-1], at))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    bin = bench_pg_bin()
    if bin is None:
        return 0
    from tests.pg.server import running_server

    with open(DATA, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("text")]
    print(f"machine: {os.cpu_count()} cores, {load_avg()} (other work shares it)")
    with running_server(bin, durable=True) as server:
        url = server.create_database("stories")
        stories, took = load(url, args.mentions, rows)
        print(f"loaded {args.mentions} real tweets in {len(stories)} stories in {took:.1f} s")
        run(url, stories, args.repeats, rows)
    print(f"after: {load_avg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
