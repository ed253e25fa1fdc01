"""PostgreSQL store benchmark: N mentions (default 1,000,000) in a server started here.

    .venv/bin/python bench/postgres.py [--mentions 1000000] [--repeats 5]

The mentions are the real customer tweets of ../shared/data/twcs-sample.csv (5,000,
cycled with their authors and brands; skipped with a message if the file is absent),
loaded with COPY. Then, each repeated and summarised by medians:
  - launch to first row: a fresh process opens the store, runs the inbox query and reads
    the first screen's views (wall time from exec, and the client's peak RSS);
  - filter keystrokes: every prefix of a few filters typed in the TUI, to what the inbox
    shows (the database's answer, or for a free word under 3 letters the inbox's own
    scan to a first screenful), p50 / p95;
  - the counts of the status bar (group_counts), with and without SLA breaches;
  - triage actions (tag, status, assign): p50 / p99;
  - 20 concurrent writers (threads, one store each) tagging 5 hot groups: lost updates;
  - 3 real `veille watch` processes (bench/watch_nodes.py) over 30 simulated minutes
    (sources polled every second), the lease holder killed -9 half-way: duplicate polls,
    alerts and posts counted by the servers they reach.
Targets (issue 15): launch <= 1.0 s and <= 200 MB; keystroke p95 <= 100 ms; action p99
<= 10 ms; 0 lost updates; 0 duplicates. Say the machine's load with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "twcs-sample.csv"
if not DATA.exists():
    DATA = Path("/work/shared/data/twcs-sample.csv")
FILTERS = [
    "refund",
    "battery drains",
    "brand:lumio delay",
    "platform:mastodon is:urgent",
    "@sprintcare",
    "-brand:lumio wifi",
    "status:open",
]
PLATFORMS = ("rss", "mastodon", "bluesky", "hackernews", "reddit")
SOURCES = 40


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def ms(v: float) -> str:
    return f"{v * 1000:.1f} ms"


def bench_pg_bin(real_data: bool = True) -> Path | None:
    """The PostgreSQL binaries a bench starts its server with; None after saying why the
    bench skips (the real tweets absent when it needs them, or no initdb)."""
    if real_data and not DATA.exists():
        print(f"skipped: the real data ({DATA}) is absent")
        return None
    from tests.pg.server import pg_bin

    found = pg_bin()
    if found is None:
        print("skipped: PostgreSQL is not installed (no initdb)")
    return found


def load_avg() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------------- loading
def tweets() -> list[dict[str, str]]:
    with open(DATA, newline="", encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if row.get("text")]


def load(url: str, n: int) -> float:
    """COPY n mentions (and their group rows and words) into a migrated database."""
    import orjson
    import psycopg

    from store.postgres import PgStore
    from store.postgres.rows import group_rows
    from store.postgres.schema import AUTHOR_INDEX
    from triage.filter import vocabulary_of
    from triage.model import Author, Mention

    PgStore.open(url, user="bench").close()  # migrations
    rows = tweets()
    brands = ["Lumio", "Lumio", "Lumio", "Brightly"]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rng = random.Random(7)
    started = time.perf_counter()
    words: set[str] = set()
    with psycopg.connect(url) as conn:
        conn.execute(
            "DROP INDEX groups_haystack, groups_authors, groups_signals, groups_brands, "
            "groups_platforms, groups_counts, mentions_author"
        )
        with conn.cursor() as cur:
            with (
                cur.copy("COPY mentions (id, group_id, created_at, record) FROM STDIN") as cm,
            ):
                groups_buffer = []
                for i in range(n):
                    t = rows[i % len(rows)]
                    platform = PLATFORMS[i % len(PLATFORMS)]
                    mid = f"{platform}:{i}"
                    gid = f"{PLATFORMS[(i - 1) % len(PLATFORMS)]}:{i - 1}" if i % 10 == 9 else mid
                    m = Mention(
                        id=mid, platform=platform, source=f"src-{i % SOURCES}",
                        url=f"https://example.org/{platform}/{i}",
                        author=Author(t["author_id"], "@" + t["author_id"]),
                        text=t["text"], created_at=start + timedelta(seconds=2.5 * i),
                        fetched_at=start + timedelta(seconds=2.5 * i + 60),
                        brands=(brands[i % 4],), group_id=gid,
                        priority=round(min(100.0, rng.expovariate(1 / 15)), 1),
                    )  # fmt: skip
                    cm.write_row((mid, gid, m.created_at, orjson.dumps(m.to_json()).decode()))
                    groups_buffer.append(m)
            merged = {}
            for g in group_rows(groups_buffer):
                merged[g.group_id] = g.params(1)
            del groups_buffer
            with cur.copy(
                "COPY groups (group_id, priority, last_at, first_at, size, brands, platforms, "
                "haystack, authors, signals, gen) FROM STDIN"
            ) as cg:
                for p in merged.values():
                    cg.write_row(
                        (p["group_id"], p["priority"], p["last_at"], p["first_at"], p["size"],
                         p["brands"], p["platforms"], p["haystack"], p["authors"], p["signals"], 1)
                    )  # fmt: skip
                    if len(words) < 2_000_000:
                        words |= vocabulary_of([p["haystack"]])
            with cur.copy("COPY words (word) FROM STDIN") as cw:
                for w in words:
                    cw.write_row((w,))
            cur.execute("UPDATE veille_meta SET mentions = %s, generation = 1", (n,))
        conn.execute(AUTHOR_INDEX)
        conn.execute(
            "CREATE INDEX groups_counts ON groups (first_at) INCLUDE (priority, platforms, group_id)"
        )
        conn.execute("CREATE INDEX groups_brands ON groups USING gin (brands)")
        conn.execute("CREATE INDEX groups_platforms ON groups USING gin (platforms)")
        conn.execute("CREATE INDEX groups_haystack ON groups USING gin (haystack gin_trgm_ops)")
        conn.execute("CREATE INDEX groups_authors ON groups USING gin (authors gin_trgm_ops)")
        conn.execute("CREATE INDEX groups_signals ON groups USING gin (signals gin_trgm_ops)")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


# ---------------------------------------------------------------------- measures
def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited through exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_launch(url: str, mode: str) -> None:
    """In a fresh process: open, the inbox query, the first screen's views. `whole`
    lists every ranked group (query.run); `paged` asks one page (query.page, the
    visibility rule in SQL) and the count (query.total)."""
    from store.postgres import PgStore
    from triage import query
    from triage.model import utcnow

    with PgStore.open(url, user="bench") as store:
        if mode == "whole":
            ids = query.run(store, query.InboxQuery(), utcnow())
            rows = len(ids)
        else:
            ids = query.page(store, query.InboxQuery(), utcnow(), 60)
            rows = query.total(store, query.InboxQuery(), utcnow())
        store.prefetch(ids[:60])
        first = store.view(ids[0])
    rss = peak_rss_mb()
    print(json.dumps({"rows": rows, "first": first.group_id, "rss_mb": rss}), flush=True)


def launch(url: str, repeats: int) -> None:
    for mode in ("whole", "paged"):
        times, rss = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, __file__, "--child-launch", url, mode], capture_output=True,
                text=True, check=True,
            ).stdout  # fmt: skip
            times.append(time.perf_counter() - t0)
            got = json.loads(out)
            rss.append(got["rss_mb"])
        print(
            f"launch to first row [{mode}] ({got['rows']} groups): median "
            f"{statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}); "
            f"client peak RSS median {statistics.median(rss):.0f} MB"
        )


def first_page(store, ranked: list[str], flt) -> int:
    """The paged protocol (triage.query.page): one SQL query, LIMIT a screenful."""
    from triage import query
    from triage.model import utcnow

    return len(query.page(store, query.InboxQuery(flt), utcnow(), 60))


def first_screen(store, ranked: list[str], flt) -> int:
    """What the inbox shows after a keystroke (tui/screens/inbox.py): the database's
    answer when it takes the filter, else the inbox's own scan to a first screenful."""
    from triage import query
    from triage.model import utcnow
    from tui.filtering import FilterRun

    if store.answers_filter(flt):
        return len(store.ranked_ids(flt))
    if any(t.field == "" and not t.negate for t in flt.terms):
        flt = flt.with_vocabulary(store.vocabulary())
    run = FilterRun(flt, ranked, store.view, query.context(store, utcnow()))
    run.run_for(0.05, enough=50)  # the inbox's PREFIX_BUDGET and a screenful
    return len(run.found)


def keystrokes(store, repeats: int) -> None:
    ranked = store.ranked_ids()
    for name, shown_by in (("whole", first_screen), ("paged", first_page)):
        keystrokes_by(store, ranked, repeats, name, shown_by)


def keystrokes_by(store, ranked, repeats: int, name: str, shown_by) -> None:
    from triage.filter import FilterError, parse_filter

    p95s, p50s, sizes = [], [], {}
    for _ in range(repeats):
        times = []
        for text in FILTERS:
            for k in range(1, len(text) + 1):
                try:
                    flt = parse_filter(text[:k])
                except FilterError:
                    continue
                t0 = time.perf_counter()
                shown = shown_by(store, ranked, flt)
                times.append(time.perf_counter() - t0)
                sizes[text] = shown
        p95s.append(pct(times, 95))
        p50s.append(pct(times, 50))
    print(
        f"filter keystroke to the inbox's first screen [{name}] ({len(times)} keystrokes x "
        f"{repeats}): p50 median "
        f"{ms(statistics.median(p50s))}, p95 median {ms(statistics.median(p95s))} "
        f"(runs {', '.join(ms(p) for p in p95s)}); matches: "
        + "; ".join(f"{t!r} {n}" for t, n in sizes.items())
    )


def actions(store, ids: list[str], repeats: int) -> None:
    """Actions on rows the inbox shows (their views read, as the screen reads them)."""
    rng = random.Random(3)
    store.prefetch(ids)
    p99s, p50s = [], []
    for r in range(repeats):
        times = []
        for i in range(300):
            gid = rng.choice(ids)
            t0 = time.perf_counter()
            if i % 3 == 0:
                store.tag(gid, add=[f"t{r}"])
            elif i % 3 == 1:
                store.set_status(gid, "waiting")
            else:
                store.assign(gid, "camille")
            times.append(time.perf_counter() - t0)
        p99s.append(pct(times, 99))
        p50s.append(pct(times, 50))
    print(
        f"triage action (300 x {repeats}): p50 median {ms(statistics.median(p50s))}, "
        f"p99 median {ms(statistics.median(p99s))} (runs {', '.join(ms(p) for p in p99s)})"
    )
    floor(store, repeats)


def floor(store, repeats: int) -> None:
    """What any durable write costs on this machine now: one row updated and committed
    (fsync), no veille code - the floor under an action's figures."""
    p99s, p50s = [], []
    with store.pool.connection() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id int PRIMARY KEY, n int)")
        conn.execute("INSERT INTO bench_floor VALUES (1, 0) ON CONFLICT DO NOTHING")
        conn.commit()
        for _ in range(repeats):
            times = []
            for _ in range(300):
                t0 = time.perf_counter()
                conn.execute("UPDATE bench_floor SET n = n + 1 WHERE id = 1")
                conn.commit()
                times.append(time.perf_counter() - t0)
            p99s.append(pct(times, 99))
            p50s.append(pct(times, 50))
    print(
        f"  the floor, one row updated and committed (300 x {repeats}): p50 median "
        f"{ms(statistics.median(p50s))}, p99 median {ms(statistics.median(p99s))} "
        f"(runs {', '.join(ms(p) for p in p99s)})"
    )


def counts(store, repeats: int) -> None:
    """The status bar's figures (triage.query.count -> group_counts, one SQL query)."""
    from triage import query
    from triage.config import SlaConfig
    from triage.model import utcnow

    clock = query.sla_clock(SlaConfig(), store.urgent_threshold)
    for name, sla in (("with SLA breaches", clock), ("without SLA", None)):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            got = query.count(store, utcnow(), sla)
            times.append(time.perf_counter() - t0)
        print(
            f"counts {name} ({got.groups} groups, {got.breached} breached): median "
            f"{ms(statistics.median(times))} (runs {', '.join(ms(t) for t in times)})"
        )


def writers(url: str, ids: list[str], n_writers: int = 20, each: int = 25) -> None:
    from store.postgres import PgStore

    hot = ids[:5]
    acked: list[tuple[str, str]] = []
    lock = threading.Lock()

    def work(w: int) -> None:
        with PgStore.open(url, user=f"w{w}", listen=False) as s:
            for i in range(each):
                gid = hot[(w + i) % len(hot)]
                s.tag(gid, add=[f"w{w}-{i}"])
                with lock:
                    acked.append((gid, f"w{w}-{i}"))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(n_writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - t0
    with PgStore.open(url, user="check", listen=False) as s:
        present = {(g, t) for g in hot for t in s.state(g).tags}
    lost = [a for a in acked if a not in present]
    print(
        f"{n_writers} concurrent writers x {each} tags on {len(hot)} hot groups: "
        f"{len(acked)} acknowledged, lost updates {len(lost)}, {len(acked) / took:.0f} actions/s"
    )


# ---------------------------------------------------------------------- watch nodes
def nodes(server) -> None:
    """3 real `veille watch` processes (bench/watch_nodes.py), on a database of their
    own on the same server: each alert check reads every group's view (Watch.decide_raw),
    which a million-mention archive would turn into the figure."""
    from bench.watch_nodes import run

    url = server.create_database("nodes")
    print(f"3 watch nodes, {SOURCES} sources, 30 simulated minutes: {run(url, SOURCES, 30)}")


# ---------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="no writers, no watch nodes")
    parser.add_argument("--child-launch", nargs=2, metavar=("URL", "MODE"))
    args = parser.parse_args()
    if args.child_launch:
        child_launch(*args.child_launch)
        return 0
    bin = bench_pg_bin()
    if bin is None:
        return 0
    from tests.pg.server import running_server

    print(f"machine: {os.cpu_count()} cores, {load_avg()} (other work shares it)")
    with running_server(bin, durable=True) as server:  # fsync on: real durability
        url = server.create_database("bench")
        took = load(url, args.mentions)
        print(
            f"loaded {args.mentions} mentions with COPY (+ groups, words, indexes) in {took:.1f} s"
        )
        from store.postgres import PgStore

        launch(url, args.repeats)
        with PgStore.open(url, user="bench") as store:
            ids = store.ranked_ids()[:2000]
            keystrokes(store, max(1, args.repeats // 2 + 1))
            counts(store, args.repeats)
            actions(store, ids, max(1, args.repeats // 2 + 1))
        if not args.quick:
            writers(url, ids)
            nodes(server)
    print(f"machine after: {load_avg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
