"""How long a `veille tag` waits while a large fetch is stored (issue 18 item 6).

Real data: the inbound tweets of `../shared/data/twcs-sample.csv` (see bench/real_eval.py)
go through the real pipeline (brands, grouping) into a fresh store in one ingest, as a
large first fetch would, while a second process tags in a loop with the store lock.
Printed per repeat and as medians: the ingest's duration, the time it held the lock,
and the tagger's waits during the ingest (median, max). Skips when the data is absent.

    .venv/bin/python bench/ingest_lock.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.real_eval import CSV, brand_configs, load_rows, to_mention  # noqa: E402
from store.inbox import Inbox  # noqa: E402
from store.lock import StoreLock  # noqa: E402
from triage.pipeline import Pipeline  # noqa: E402

TAGGER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from store.inbox import Inbox
inbox = Inbox.open(Path({store!r}), user="tagger", lock_timeout=60)
stop = Path({store!r}) / "stop-bench"
n = 0
while not stop.exists():
    t = time.perf_counter()
    inbox.tag("twitter:seed", add=[f"t{{n}}"])
    print(time.time(), time.perf_counter() - t, flush=True)
    n += 1
"""


class TimedLock(StoreLock):
    held: float = 0.0

    def __enter__(self) -> StoreLock:
        result = super().__enter__()
        if self._depth == 1:
            self._since = time.perf_counter()
        return result

    def __exit__(self, *exc: object) -> None:
        if self._depth == 1:
            TimedLock.held += time.perf_counter() - self._since
        super().__exit__(*exc)


def one_run(mentions: list, seed) -> tuple[float, float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        with Inbox.open(store, user="seed") as inbox:
            inbox.ingest([seed])
        code = TAGGER.format(root=str(ROOT), store=str(store))
        tagger = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)  # the tagger is up and tagging
        inbox = Inbox.open(store, user="poller", pipeline=Pipeline(brand_configs()))
        inbox.lock = TimedLock(store / "lock", timeout=60)
        TimedLock.held = 0.0
        start_wall, t = time.time(), time.perf_counter()
        inbox.ingest(mentions)
        took = time.perf_counter() - t
        end_wall = time.time()
        inbox.close()
        (store / "stop-bench").touch()
        out, _ = tagger.communicate(timeout=120)
    waits = []
    for line in out.splitlines():
        at, wait = map(float, line.split())
        if at >= start_wall and at - wait <= end_wall:  # overlaps the ingest
            waits.append(wait)
    waits = waits or [0.0]
    return took, TimedLock.held, statistics.median(waits), max(waits)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not CSV.exists():
        print(f"skipped: {CSV} is absent (real data lives in ../shared/data)")
        return 0
    rows = [r for r in load_rows(CSV) if r["inbound"] == "True"]
    mentions = sorted((to_mention(r, True) for r in rows), key=lambda m: (m.created_at, m.id))
    seed = to_mention({**rows[0], "tweet_id": "seed"}, False)
    print(f"{len(mentions)} real mentions (twcs-sample inbound) in one ingest")
    runs = []
    for n in range(args.repeat):
        took, held, med, worst = one_run(mentions, seed)
        runs.append((took, held, med, worst))
        print(
            f"run {n + 1}: ingest {took:.2f} s, lock held {held:.2f} s "
            f"({held / took:.0%}); tag waits median {med * 1000:.0f} ms, max {worst * 1000:.0f} ms"
        )
    took, held, med, worst = (statistics.median(c) for c in zip(*runs, strict=True))
    print(
        f"median: ingest {took:.2f} s, lock held {held:.2f} s ({held / took:.0%} of it); "
        f"tag waits median {med * 1000:.0f} ms, max {worst * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
