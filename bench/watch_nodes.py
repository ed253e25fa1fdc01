"""Three real `veille watch` processes on one PostgreSQL store (issue 15's "3 watch nodes
over 30 minutes of simulated polling, 0 duplicate polls, alerts, posts").

    .venv/bin/python bench/watch_nodes.py [--sources 40] [--minutes 30] [--repeats 1]

tests/pg/watchfarm.py does the work: N RSS feeds, an alert sink and a loopback Mastodon
on 127.0.0.1, each counting what reaches it; the sources are polled `every = "1s"` (a
round stands for a minute: 30 rounds are 30 simulated minutes, on the real clock, lease,
locks, ledger and outbox), new items carry the real customer tweets of
../shared/data/twcs-sample.csv (generated texts if it is absent), an agent writes a reply
every 0.3 s for the outbox, and the node holding the poller lease is killed -9 half-way;
then up to 60 s with no new item or reply, for the last alerts and posts to go out.
Printed per run: polls and duplicate polls, the longest a feed waited, groups alerted and
duplicate alerts (bursts included), replies posted and duplicate posts, with the load.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.postgres import DATA, bench_pg_bin, load_avg  # noqa: E402


def real_texts() -> list[str]:
    if not DATA.exists():
        return []
    with open(DATA, newline="", encoding="utf-8") as fh:
        return [" ".join(r["text"].split())[:200] for r in csv.DictReader(fh) if r.get("text")]


def run(url: str, sources: int, minutes: int) -> str:
    from tests.pg.watchfarm import run_farm

    with tempfile.TemporaryDirectory(prefix="veille-nodes-") as folder:
        f = run_farm(
            url, Path(folder), seconds=float(minutes), sources=sources, every=1.0,
            texts=real_texts(), drain=60.0,
        )  # fmt: skip
    problems = [
        f"duplicate polls {f.duplicate_polls[:5]}" if f.duplicate_polls else "",
        f"duplicate alerts {f.duplicate_alerts[:5]}" if f.duplicate_alerts else "",
        f"duplicate posts {f.duplicate_posts[:5]}" if f.duplicate_posts else "",
        f"groups never alerted {f.missed[:5]}" if f.missed else "",
        "a Traceback in a node's log" if any("Traceback" in log for log in f.logs) else "",
    ]
    return f.line() + "".join(f"\n  {p}" for p in problems if p)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=40)
    parser.add_argument("--minutes", type=int, default=30, help="simulated minutes (rounds)")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    bin = bench_pg_bin(real_data=False)  # generated texts when the real ones are absent
    if bin is None:
        return 0
    from tests.pg.server import running_server

    print(f"machine: {os.cpu_count()} cores, {load_avg()} (other work shares it)")
    print(f"texts: {'real tweets of ' + str(DATA) if DATA.exists() else 'generated'}")
    with running_server(bin, durable=True) as server:
        for k in range(args.repeats):
            url = server.create_database(f"nodes{k}")
            print(
                f"3 watch nodes, {args.sources} sources every round, {args.minutes} rounds "
                f"(simulated minutes): " + run(url, args.sources, args.minutes)
            )
            print(f"  {load_avg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
