"""Store benchmark: 100,000 realistic mentions over 90 days.

    .venv/bin/python bench/store.py [--mentions 100000] [--keep DIR]

Prints medians and p99 over repeated runs (and the disk's fsync noise, the floor of any
durable action). Targets (2-core machine): open <= 1.0 s and RSS <= 400 MB; one durable
action p50 <= 4 ms, p99 <= 10 ms (4 writer processes: p95 <= 30 ms); ingest 100 new
mentions <= 10 ms; query by brand + status <= 5 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import mentions  # noqa: E402
from store.files import atomic_write  # noqa: E402
from store.inbox import Inbox  # noqa: E402


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def ms(v: float) -> str:
    return f"{v * 1000:.2f} ms"


CHILD_OPEN = """
import resource, sys, time
t0 = time.perf_counter()
from store.inbox import Inbox
inbox = Inbox.open(sys.argv[1], user="bench")
inbox.ranked_ids("brand:lumio status:new")
t1 = time.perf_counter()
print(t1 - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

CHILD_WRITER = """
import sys, time
from store.inbox import Inbox
inbox = Inbox.open(sys.argv[1], user=sys.argv[2])
ids = [g for g in inbox.group_ids()[: 2000]]
out = []
for i in range(int(sys.argv[3])):
    t = time.perf_counter()
    inbox.tag(ids[(i * 37) % len(ids)], add=[f"{sys.argv[2]}-{i}"])
    out.append(time.perf_counter() - t)
print(" ".join(map(str, out)))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--keep", help="build the store in this folder and keep it")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="veille-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "store"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"store benchmark: {args.mentions:,} mentions over 90 days in {store}")

    fs = []
    for _ in range(30):
        t = time.perf_counter()
        atomic_write(folder / "fsync-probe", b"x" * 2048)
        fs.append(time.perf_counter() - t)
    print(
        f"disk noise: one atomic 2 KB write (fsync x2) median {ms(statistics.median(fs))}, p99 {ms(pct(fs, 99))}"
    )

    data = list(mentions(args.mentions))
    t = time.perf_counter()
    with Inbox.open(store, user="bench") as inbox:
        for i in range(0, len(data), 2000):
            inbox.ingest(data[i : i + 2000])
    print(f"build: ingested {len(data):,} in {time.perf_counter() - t:.1f} s")

    opens, rss = [], []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", CHILD_OPEN, str(store)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        o, r = map(float, out.stdout.split())
        opens.append(o)
        rss.append(r)
    print(
        f"open + first query (fresh process, 5 runs): median {statistics.median(opens):.3f} s, max {max(opens):.3f} s; max RSS {max(rss):.0f} MB   [target <= 1.0 s, <= 400 MB]"
    )

    inbox = Inbox.open(store, user="bench")
    ids = inbox.group_ids()[:2000]
    lat = []
    for i in range(300):
        t = time.perf_counter()
        inbox.tag(ids[(i * 13) % len(ids)], add=[f"t{i}"])
        lat.append(time.perf_counter() - t)
    print(
        f"one durable action (300 runs): p50 {ms(statistics.median(lat))}, p99 {ms(pct(lat, 99))}   [target p50 <= 4 ms, p99 <= 10 ms]"
    )

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD_WRITER, str(store), f"w{i}", "100"],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(4)
    ]
    multi = [float(x) for p in procs for x in p.communicate()[0].split()]
    print(
        f"4 writer processes x 100 actions: p50 {ms(statistics.median(multi))}, p95 {ms(pct(multi, 95))}, p99 {ms(pct(multi, 99))}   [target p95 <= 30 ms]"
    )

    batches = []
    last = data[-1].created_at
    extra = list(mentions(2_000, days=1, seed=7, end=last + timedelta(days=1)))
    for i in range(20):
        batch = extra[i * 100 : (i + 1) * 100]
        for m in batch:
            m.id = f"new-{i}-{m.id}"
            m.group_id = m.id
        t = time.perf_counter()
        inbox.ingest(batch)
        batches.append(time.perf_counter() - t)
    print(
        f"ingest 100 new mentions durably (20 runs): median {ms(statistics.median(batches))}, p99 {ms(pct(batches, 99))}   [target <= 10 ms]"
    )

    for query in ("brand:lumio status:new", "brand:glowa status:new platform:mastodon"):
        qs = []
        for _ in range(50):
            t = time.perf_counter()
            rows = inbox.ranked_ids(query)
            qs.append(time.perf_counter() - t)
        print(
            f"query {query!r} -> {len(rows):,} ranked groups (50 runs): median {ms(statistics.median(qs))}, p99 {ms(pct(qs, 99))}   [target <= 5 ms]"
        )
    inbox.groups("brand:lumio status:new")
    t = time.perf_counter()
    views = inbox.groups("brand:lumio status:new")
    print(f"  (the same as {len(views):,} row views, warm: {ms(time.perf_counter() - t)})")


if __name__ == "__main__":
    main()
