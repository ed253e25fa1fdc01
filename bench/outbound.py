"""Outbound figures: reply latency through the outbox, and the cost of one alert check.

1. A reply from "pressed send" (add_reply: durable in the outbox) to "delivered" (posted
   on a loopback Mastodon server and recorded), one at a time: what a community
   manager waits for, minus the worker's tick.
2. One `veille watch` alert decision (urgent + SLA + spikes) on a store of N mentions:
   it runs every tick, so it must stay well under the tick (30 s by default).

Run: .venv/bin/python bench/outbound.py [N]   (prints medians, p99 and the run-to-run noise)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "outbound"))

from platform_server import MASTO_TOKEN, PlatformServer  # noqa: E402
from world import MASTO_ENV, make_config, mentions  # noqa: E402

from app.services.outbox import OutboxWorker  # noqa: E402
from app.services.settings import WatchSettings  # noqa: E402
from app.services.watch import Watch  # noqa: E402
from bench.synth import mentions as synth  # noqa: E402
from store.inbox import Inbox  # noqa: E402
from triage.model import utcnow  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def reply_latency(runs: int = 3, per_run: int = 40) -> None:
    import os

    os.environ[MASTO_ENV] = MASTO_TOKEN
    medians, everything = [], []
    with PlatformServer() as server, tempfile.TemporaryDirectory() as tmp:
        inbox = Inbox.open(Path(tmp) / "store", user="bench")
        with inbox:
            inbox.ingest(mentions())
            worker = OutboxWorker(inbox, make_config(server.url))

            async def one_run() -> list[float]:
                out = []
                for i in range(per_run):
                    t0 = time.perf_counter()
                    inbox.add_reply("mastodon:111", f"Merci, réponse {i}")
                    await worker.run_once()
                    out.append((time.perf_counter() - t0) * 1000)
                return out

            for _ in range(runs):
                times = asyncio.run(one_run())
                medians.append(statistics.median(times))
                everything += times
    print(f"reply pressed -> delivered (loopback Mastodon), {runs} runs x {per_run}:")
    print(f"  median {statistics.median(everything):.1f} ms  p99 {pct(everything, 0.99):.1f} ms")
    print(f"  run medians {', '.join(f'{m:.1f}' for m in medians)} ms (noise)")


def alert_check(count: int, repeats: int = 15) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        now = utcnow()
        with Inbox.open(store, user="bench") as inbox:
            inbox.ingest(synth(count, days=30, end=now - timedelta(minutes=1)))
        watch = Watch(make_config("http://127.0.0.1:9"), store, WatchSettings())
        watch.inbox = Inbox.open(store, user="bench")
        times, found = [], 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            found = len(watch.decide_raw(now))
            times.append((time.perf_counter() - t0) * 1000)
        watch.inbox.close()
    print(f"alert decision on {count} mentions ({found} alerts found), {repeats} repeats:")
    print(
        f"  median {statistics.median(times):.0f} ms  p99 {pct(times, 0.99):.0f} ms  "
        f"min {min(times):.0f} max {max(times):.0f} ms"
    )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    reply_latency()
    alert_check(n)
