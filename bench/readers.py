"""The other readers of a big folder store: a person's record and the spike check.

    .venv/bin/python bench/readers.py --store DIR [--baseline CHECKOUT] [--repeat 3]
                                      [--handle @AppleSupport]

DIR is a bench/bigstore.py store (1,000,000 real tweets over 365 days; read only here).
In a fresh process per checkout and run, the store is opened as the inbox opens it (hot
window, the rest loaded: `finish_loading`), then timed:
  person  `app.people.person_record` (`veille person`, the `p` pane): every stored
          record's author read, the old closed groups' day files included
  spikes  what `veille watch` does each tick for spike alerts: 8 days of mentions from
          `lookback(now)` into `triage.alerts.spike_alerts` (a checkout without
          `app.reports.spike_mentions` reads `mentions_between`, as main does)
Printed: medians of CPU and wall seconds, the ratio to the baseline, whether both
checkouts found the same posts and alerts, and the load average (other helpers share
the machine's cores: CPU seconds are what a quiet machine's wall time would be).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.child import run_child  # noqa: E402

CHILD = """
import json, os, sys, time
from datetime import datetime, UTC
from store.inbox import Inbox
inbox = Inbox.open(sys.argv[1], user="bench", defer=True)
inbox.finish_loading()
from app.people import person_record
from triage.alerts import spike_alerts
from triage.spikes import lookback
try:
    from app.reports import spike_mentions
except ImportError:
    def spike_mentions(inbox, now):
        return inbox.mentions_between(lookback(now), now)
c, t = time.process_time(), time.perf_counter()
found = person_record(inbox, sys.argv[2])
person = (time.process_time() - c, time.perf_counter() - t)
now = datetime(2026, 11, 20, 12, tzinfo=UTC)
c, t = time.process_time(), time.perf_counter()
alerts = spike_alerts(spike_mentions(inbox, now), now)
spikes = (time.process_time() - c, time.perf_counter() - t)
print(json.dumps({"person": person, "spikes": spikes, "posts": len(found.mentions),
    "first": [m.id for m in found.mentions[:5]], "alerts": [a.title for a in alerts],
    "load": os.getloadavg()[0]}))
"""


def run(checkout: Path, store: str, handle: str) -> dict:
    return run_child(checkout, CHILD, store, handle)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--baseline")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--handle", default="@AppleSupport")
    args = parser.parse_args()
    arms = {"this": ROOT, **({"baseline": Path(args.baseline).resolve()} if args.baseline else {})}
    runs: dict[str, list[dict]] = {k: [] for k in arms}
    for i in range(args.repeat):
        for name, checkout in arms.items() if i % 2 == 0 else reversed(arms.items()):
            runs[name].append(run(checkout, args.store, args.handle))
    load = os.getloadavg()
    print(f"store {args.store}; person {args.handle}: {runs['this'][0]['posts']:,} posts")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cpus")
    med: dict[tuple[str, str, int], float] = {}
    for name, rs in runs.items():
        for key in ("person", "spikes"):
            for i in (0, 1):  # cpu, wall
                med[(name, key, i)] = statistics.median(r[key][i] for r in rs)
        loads = ", ".join(f"{r['load']:.1f}" for r in rs)
        print(
            f"{name:>8}: person {med[(name, 'person', 0)]:.2f} s cpu "
            f"({med[(name, 'person', 1)]:.2f} wall); spike tick {med[(name, 'spikes', 0)]:.2f} s cpu "
            f"({med[(name, 'spikes', 1)]:.2f} wall); n={len(rs)}; load at each run {loads}"
        )
    if "baseline" in runs:
        for key in ("person", "spikes"):
            ratio = med[("this", key, 0)] / med[("baseline", key, 0)]
            print(f"ratio {key} cpu: {ratio:.2f} (this / baseline)")
        same = all(
            (r["posts"], r["first"], r["alerts"])
            == (runs["baseline"][0]["posts"], runs["baseline"][0]["first"],
                runs["baseline"][0]["alerts"])
            for r in runs["this"] + runs["baseline"]
        )  # fmt: skip
        print(f"same posts and alerts in both checkouts: {same}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
