"""One `veille watch` alert decision on a PostgreSQL store: every group read, or only
those that can alert (store.postgres.alerting).

    .venv/bin/python bench/watch_tick.py [--mentions 100000] [--repeats 5]

The store is bench/postgres.py's (the real tweets of ../shared/data/twcs-sample.csv,
cycled, one every 2.5 s, loaded with COPY), with what a team did: recent stories done,
answered, snoozed, and rule notes. `now` is just after the newest mention (a live
store). Measured, medians of the repeats:
  - before: the old `Watch.decide_raw` (urgent, SLA and rule alerts over `groups()`);
  - after: `Watch.decide_raw` now (the same alerts over `alert_groups`), cold (no view
    cached) and warm (a second tick: only what changed is re-read);
  - the spike alerts' part of a tick (8 days of mentions read), the same in both.
The alerts of both paths are compared (they must be equal). Say the load.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/watch_tick.py \
        --folder /tmp/h16t/r100k [--runs 2] [--checks 4] [--baseline OTHER_CHECKOUT]

A folder store instead (e.g. the 100,000 real tweets of /tmp/h16t/r100k, copied first:
a watch writes its ledger there): each run, in a fresh process with this checkout's code
(and `--baseline`'s, alternating), runs `veille watch`'s `Watch` on a copy, no sources,
a 0.5 s tick, until `--checks` alert checks are done, with a probe task on the loop that
sleeps 5 ms at a time. Printed: the store's open, each check's time (the first builds
every view), and the loop's longest stall during the checks (what the poller lease's
renewal and the outbox wait for); then medians and ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import bench_pg_bin, load, load_avg  # noqa: E402

# The child of --folder: one watch on a store copy, one JSON line (seconds).
FOLDER = r"""
import asyncio, json, sys, time
from pathlib import Path
from app.services.settings import watch_settings
from app.services.watch import Watch
from sources.config import parse_config

store, checks = Path(sys.argv[1]), int(sys.argv[2])
config = parse_config('user = "bench"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n')
took, windows, lags, began = [], [], [], []


def log(event, stream=None, **fields):
    if event == "started":
        began.append(time.perf_counter())
    elif event in ("tick failed", "poller failed"):
        print(event, fields, file=sys.stderr)


watch = Watch(config, store, watch_settings(config), tick=0.5, log=log)
check = watch.check


async def timed_check():
    t0 = time.perf_counter()
    try:
        return await check()
    finally:
        took.append(time.perf_counter() - t0)
        windows.append((t0, time.perf_counter()))
        if len(took) >= checks:
            watch.stop.set()


watch.check = timed_check


async def probe():
    while not watch.stop.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append((t0, time.perf_counter() - t0 - 0.005))


async def main():
    task = asyncio.create_task(probe())
    t0 = time.perf_counter()
    await watch.run()
    await task
    return t0


t0 = asyncio.run(main())
# the probe's sleeps begun in a check or just before it (one a check on the loop holds)
during = [lag for at, lag in lags if any(a - 0.01 <= at <= b for a, b in windows)]
print(json.dumps({"open": began[0] - t0, "checks": took,
                  "stall": max(during, default=0.0), "n": len(windows)}))
"""


def folder_runs(args: argparse.Namespace) -> int:
    """--folder: the alert checks of a watch on a copy of a folder store, A/B."""
    import json
    import shutil
    import subprocess

    source = Path(args.folder)
    if not (source / "mentions").is_dir():
        print(f"{source}: not a folder store (absent?); skipped")
        return 0
    arms = {"this": ROOT} | ({"baseline": Path(args.baseline)} if args.baseline else {})
    print(f"bench/watch_tick.py --folder {source}: {args.runs} runs; {load_avg()}")
    results: dict[str, list[dict]] = {a: [] for a in arms}
    with tempfile.TemporaryDirectory(prefix="watch-tick-") as tmp:
        for run in range(args.runs):
            for arm, code in arms.items():
                store = Path(tmp) / f"{arm}-{run}"
                shutil.copytree(source, store, symlinks=True)
                env = {**os.environ, "PYTHONPATH": str(code)}
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                cmd = [sys.executable, "-c", FOLDER, str(store), str(args.checks)]
                done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=code)
                shutil.rmtree(store)
                if done.returncode:
                    print(done.stderr[-3000:])
                    return 1
                got = json.loads(done.stdout.strip().splitlines()[-1])
                results[arm].append(got)
                print(
                    f"  run {run + 1} {arm:8s}: open {got['open']:.2f} s, checks "
                    + ", ".join(f"{c * 1000:.0f}" for c in got["checks"])
                    + f" ms, loop stall max during them {got['stall'] * 1000:.0f} ms; "
                    + load_avg(),
                    flush=True,
                )
    med: dict[str, dict[str, float]] = {}
    for arm, runs in results.items():
        med[arm] = {
            "first": statistics.median(r["checks"][0] for r in runs),
            "later": statistics.median(c for r in runs for c in r["checks"][1:]),
            "stall": statistics.median(r["stall"] for r in runs),
        }
        m = med[arm]
        print(
            f"{arm:8s} medians: first check {m['first']:.3f} s, later checks "
            f"{m['later']:.3f} s, loop stall max {m['stall'] * 1000:.0f} ms"
        )
    if "baseline" in med:
        t, b = med["this"], med["baseline"]
        print(
            f"this / baseline: first check {t['first'] / b['first']:.2f}x, later "
            f"{t['later'] / b['later']:.2f}x, loop stall max {t['stall'] / max(b['stall'], 1e-6):.3f}x"
        )
    print(f"done; {load_avg()}")
    return 0


def old_decide(watch, now: datetime) -> list:
    """`Watch.decide_raw` before the narrowing, minus the spikes (timed apart)."""
    from triage import alerts as decide
    from triage.rules import rule_alerts

    watch.inbox.refresh()
    views = watch.inbox.groups(now=now)
    threshold = watch.inbox.urgent_threshold
    found = decide.urgent_alerts(views, threshold, now)
    found += decide.sla_alerts(views, watch.config.sla, threshold, now, 900.0)
    return found + rule_alerts(views, watch.config.rules, now)


def new_decide(watch, now: datetime) -> list:
    """`Watch.decide_raw` now, minus the spikes (timed apart)."""
    from triage import alerts as decide
    from triage.rules import rule_alerts

    watch.inbox.refresh()
    threshold = watch.inbox.urgent_threshold
    views = watch._alert_views(now, threshold)
    found = decide.urgent_alerts(views, threshold, now)
    found += decide.sla_alerts(views, watch.config.sla, threshold, now, 900.0)
    return found + rule_alerts(views, watch.config.rules, now)


def spikes(watch, now: datetime) -> int:
    from triage import alerts as decide
    from triage.spikes import lookback

    recent = watch.inbox.mentions_between(lookback(now), now)
    return len(decide.spike_alerts(recent, now))


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def plan(store, watch, now: datetime) -> str:
    """The scans of the candidate query (an index range scan, not the whole table)."""
    from store.postgres.alerting import candidate_query
    from triage import alerts as decide

    window = decide.alert_window(watch.config.sla, store.urgent_threshold, now, 900.0)
    sql, params = candidate_query(window, [])
    rows = store._query("EXPLAIN " + sql, params)
    scans = [r[0].strip().lstrip("-> ") for r in rows if "Scan" in r[0]]
    return "; ".join(s.split("  (")[0] for s in scans)


def act(store, ids: list[str], now: datetime) -> None:
    """What a team did in the last two days: done, answered, snoozed, rule notes."""
    from triage.model import DeliveryStatus, Status

    for n, gid in enumerate(ids):
        if n % 5 == 0:
            store.set_status(gid, Status.DONE)
        elif n % 5 == 1:
            reply = store.add_reply(gid, "Thanks, we are on it.")
            store.update_reply(gid, reply.key, DeliveryStatus.DELIVERED)
        elif n % 5 == 2:
            store.snooze(gid, now + timedelta(hours=4))
        elif n % 5 == 3:
            store.note(gid, "rule vip: tagged #vip")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--folder", help="instead: a watch's checks on a copy of this store")
    parser.add_argument("--runs", type=int, default=2, help="--folder: runs per checkout")
    parser.add_argument("--checks", type=int, default=4, help="--folder: checks per run")
    parser.add_argument("--baseline", help="--folder: also run this checkout's code")
    args = parser.parse_args()
    if args.folder:
        return folder_runs(args)
    bin = bench_pg_bin()
    if bin is None:
        return 0
    from app.services.settings import WatchSettings
    from app.services.watch import Watch
    from store.postgres import PgStore
    from tests.pg.server import running_server
    from triage.config import Config
    from triage.rules import Rule

    print(f"machine: {os.cpu_count()} cores, {load_avg()} (other work shares it)")
    with running_server(bin) as server:
        url = server.create_database("bench")
        took = load(url, args.mentions)
        print(f"loaded {args.mentions} mentions with COPY in {took:.1f} s")
        newest = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(seconds=2.5 * args.mentions)
        now = newest + timedelta(minutes=5)
        config = Config(user="watch", rules=(Rule("vip", "vip", alert=True),))
        with PgStore.open(url, user="bench") as store, tempfile.TemporaryDirectory() as tmp:
            groups = len(store.group_ids())
            recent = store._column(
                "SELECT group_id FROM groups WHERE first_at > %s ORDER BY md5(group_id) LIMIT 400",
                (now - timedelta(days=2),),
            )
            act(store, recent, now)
            watch = Watch(config, Path(tmp), WatchSettings())
            watch.inbox = store
            window_ids = watch._alert_views(now, store.urgent_threshold)
            print("candidate query plan:", plan(store, watch, now))
            print(
                f"{groups} groups; {len(recent)} recent ones acted on; "
                f"{len(window_ids)} can alert at now (read by the narrowed path)"
            )
            before, after_cold, after_warm, spike = [], [], [], []
            same = True
            for _ in range(args.repeats):
                store._views.clear()
                t, old = timed(old_decide, watch, now)
                before.append(t)
                store._views.clear()
                t, new = timed(new_decide, watch, now)
                after_cold.append(t)
                t, again = timed(new_decide, watch, now)
                after_warm.append(t)
                same = same and old == new == again
                spike.append(timed(spikes, watch, now)[0])
                print(  # as it goes: a long run cut short keeps its figures
                    f"  repeat: before {before[-1]:.2f} s, after cold {after_cold[-1]:.2f} s, "
                    f"warm {after_warm[-1]:.2f} s, spikes {spike[-1]:.2f} s",
                    flush=True,
                )
            alerts = len(old)  # type: ignore[arg-type]
            b, c, w = (statistics.median(x) for x in (before, after_cold, after_warm))
            print(f"alerts (urgent + SLA + rule): {alerts}; same from both paths: {same}")
            print(f"before: every group read     median {b:.3f} s")
            print(f"after: cold (no view cached) median {c:.3f} s  ({b / c:.1f}x)")
            print(f"after: warm (the next tick)  median {w:.3f} s  ({b / w:.1f}x)")
            print(
                f"spike alerts (8 days of mentions), both: median {statistics.median(spike):.3f} s"
            )
            print(f"repeats {args.repeats}; {load_avg()}")
            if not same:
                print("MISMATCH: the narrowed path gave other alerts")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
