"""`veille watch`'s first round: how long until every source's mentions are stored, and
how long its event loop is held meanwhile (alerts, the outbox and the poller lease's
renewal all wait on that loop).

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/watch_round.py
        [--shapes onehost,tweets] [--runs 2] [--baseline OTHER_CHECKOUT]

A first round is what an on-call person gets on starting `veille watch` on a new store
(or after a long stop): every source answers at once. Each run, in a fresh process, with
this checkout's code (and `--baseline`'s, alternating, same farm), runs `Watch` as
`veille watch` does, on a folder store, against bench/feedfarm.py's farm served from its
own process on 127.0.0.x (`onehost`: 200 feeds x 50 entries on one host; `tweets`: 30
feeds x 500 real tweets of ../shared/data/twcs-sample.csv), with a probe task on the
loop that sleeps 5 ms at a time and records how late it wakes. It stops once every
source has said `polled`. Printed per run: the round's wall time, the process's CPU,
the mentions and groups stored, the number of store calls (`ingest` calls), the alert
checks run, and the loop's longest stall and its 99th percentile; then medians and, with
a baseline, the ratios. Say the load: it is printed with the figures.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/watch_round.py --health 200,2000
        [--repeats 30] [--baseline OTHER_CHECKOUT]

`Poller.health()`, which the watch calls each round (and the PostgreSQL guard with it),
at N sources whose records are on disk: the first call of a new poller (every file
read), later calls (the median of `--repeats`), and a call after another writer (a
second HealthFiles, as another process would) replaced one record; then the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The child: runs under a checkout (PYTHONPATH), one round, prints one JSON line.
CHILD = r"""
import asyncio, json, sys, time
from collections.abc import Callable
from pathlib import Path
from app.services.settings import watch_settings
from app.services.watch import Watch
from sources.config import load_config

config_path, store, sources = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
config = load_config(config_path)
polled, checks, lags = [], [0], []


def log(event, stream=None, **fields):
    if event == "polled":
        polled.append(int(fields.get("new", 0)))
        if len(polled) >= sources:
            watch.stop.set()
    elif event in ("poller failed", "tick failed", "source failing"):
        print(event, fields, file=sys.stderr)


watch = Watch(config, store, watch_settings(config), tick=30.0, log=log)
check = watch.check


async def counted_check():
    checks[0] += 1
    return await check()


watch.check = counted_check


async def probe():
    while not watch.stop.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append(time.perf_counter() - t0 - 0.005)


async def main():
    task = asyncio.create_task(probe())
    t0, c0 = time.perf_counter(), time.process_time()
    await watch.run()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    await task
    return wall, cpu


wall, cpu = asyncio.run(main())
lags.sort()
batches = getattr(watch, "batches", None)  # batched store calls (else one per source)
calls = batches.calls if batches is not None else len(polled)
print(json.dumps({"wall": wall, "cpu": cpu, "new": sum(polled), "calls": calls,
                  "checks": checks[0], "lag_max": lags[-1] if lags else 0.0,
                  "lag_p99": lags[int(len(lags) * 0.99)] if lags else 0.0}))
"""


# The child of --health: N records saved, then health() timed (ms), one JSON line.
HEALTH = r"""
import json, statistics, sys, tempfile, time
from datetime import timedelta
from sources.config import parse_config
from sources.health import HealthFiles, SourceHealth
from sources.poller import Poller
from triage.model import utcnow

n, repeats = int(sys.argv[1]), int(sys.argv[2])
folder = tempfile.mkdtemp(prefix="health-")
lines = ['user = "bench"']
for i in range(n):
    lines += ["[[sources]]", f'name = "feed {i}"', 'kind = "rss"',
              f'url = "https://forum{i % 40}.example/{i}.xml"', 'every = "5m"']
config = parse_config("\n".join(lines) + "\n")
writer = HealthFiles(folder)  # another process's view of the folder
for i in range(n):
    writer.save(SourceHealth(name=f"feed {i}", kind="rss", last_ok=utcnow(), items_seen=50,
                             next_poll=utcnow() + timedelta(minutes=5), last_items=50,
                             cursor={"etag": f'W/"{i:08x}"', "last_modified": "Mon, 30 Nov 2026"}))
poller = Poller(config, folder)
t0 = time.perf_counter(); first = poller.health(); cold = time.perf_counter() - t0
warm = []
for _ in range(repeats):
    t0 = time.perf_counter(); poller.health(); warm.append(time.perf_counter() - t0)
changed = []
for k in range(repeats):
    rec = writer.load(f"feed {k % n}", "rss"); rec.items_seen += 1; writer.save(rec)
    t0 = time.perf_counter(); got = poller.health(); changed.append(time.perf_counter() - t0)
    assert got[k % n].items_seen == rec.items_seen, "a change was missed"
assert len(first) == n
print(json.dumps({"cold": cold * 1e3, "warm": statistics.median(warm) * 1e3,
                  "changed": statistics.median(changed) * 1e3}))
"""


def health_runs(arms: dict[str, Path], sizes: list[int], repeats: int) -> None:
    """--health: Poller.health() at each size, each arm in its own process."""
    from bench.ingest import load

    for n in sizes:
        got: dict[str, dict] = {}
        for arm, code in arms.items():
            env = {**os.environ, "PYTHONPATH": str(code)}
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            args = [sys.executable, "-c", HEALTH, str(n), str(repeats)]
            done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=code)
            if done.returncode:
                print(done.stderr[-3000:])
                raise SystemExit(1)
            got[arm] = json.loads(done.stdout.strip().splitlines()[-1])
            g = got[arm]
            print(
                f"  {n:5d} sources {arm:8s}: first call {g['cold']:7.2f} ms, later calls "
                f"{g['warm']:7.2f} ms, after another writer changed one {g['changed']:7.2f} ms "
                f"(medians of {repeats}); {load()}"
            )
        if "baseline" in got:
            this, base = got["this"], got["baseline"]
            print(
                f"  {n:5d} sources this / baseline: first {this['cold'] / base['cold']:.2f}x, "
                f"later {this['warm'] / base['warm']:.2f}x, "
                f"after a change {this['changed'] / base['changed']:.2f}x"
            )


def one_run(code: Path, config: Path, store: Path, sources: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args = [sys.executable, "-c", CHILD, str(config), str(store), str(sources)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=code, timeout=600)
    if done.returncode:
        print(done.stderr[-3000:])
        raise SystemExit(1)
    if done.stderr.strip():
        print("  child said:", done.stderr.strip()[-500:])
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def line(label: str, runs: list[dict]) -> str:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    return (
        f"{label:9s} round {med('wall'):6.2f} s  CPU {med('cpu'):6.2f} s  "
        f"new {int(med('new')):6d}  store calls {int(med('calls')):4d}  alert checks "
        f"{int(med('checks')):4d}  loop stall max {med('lag_max') * 1000:7.1f} ms, "
        f"p99 {med('lag_p99') * 1000:6.1f} ms"
    )


def _ratios(results: dict[str, list[dict]]) -> Callable[[str], float]:
    def ratio(key: str) -> float:
        return statistics.median(r[key] for r in results["this"]) / max(
            1e-9, statistics.median(r[key] for r in results["baseline"])
        )

    return ratio


def main() -> int:
    from bench.feedfarm import build
    from bench.ingest import count_store, load, serve_farm, veille_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="onehost,tweets")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--baseline", help="also run this checkout's code, same farm")
    parser.add_argument("--health", help="instead: Poller.health() at these source counts")
    parser.add_argument("--repeats", type=int, default=30, help="--health: calls timed")
    args = parser.parse_args()
    if args.health:
        print(f"bench/watch_round.py --health: {load()}")
        arms = {"this": ROOT} | ({"baseline": Path(args.baseline)} if args.baseline else {})
        health_runs(arms, [int(n) for n in args.health.split(",")], args.repeats)
        print(f"done; {load()}")
        return 0
    print(f"bench/watch_round.py: {args.runs} runs per shape; {load()}")
    for shape in args.shapes.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"watch-{shape}-"))
        big = shape != "tweets"
        farm = build(shape, folder / "farm", 200 if big else 30, 50 if big else 500)
        if farm is None:
            print(f"{shape}: skipped (its data is absent)")
            continue
        server, urls = serve_farm(farm, folder / "farm")
        try:
            config = folder / "config.toml"
            veille_config(config, urls, farm)
            arms = {"this": ROOT} | ({"baseline": Path(args.baseline)} if args.baseline else {})
            results: dict[str, list[dict]] = {a: [] for a in arms}
            for run in range(args.runs):
                for arm, code in arms.items():
                    store = folder / f"store-{arm}-{run}"
                    got = one_run(code, config, store, len(urls))
                    got["groups"] = count_store(store)[1] if run == 0 else None
                    results[arm].append(got)
                    print(
                        f"  {shape} run {run + 1} {arm}: round {got['wall']:.2f} s, CPU "
                        f"{got['cpu']:.2f} s, {got['new']} new, {got['calls']} store calls, "
                        f"{got['checks']} alert checks, stall max {got['lag_max'] * 1000:.0f} ms"
                        + (f", {got['groups']} groups" if got["groups"] is not None else "")
                        + f"; {load()}"
                    )
        finally:
            server.terminate()
            server.wait(timeout=5)
        print(f"== {shape}: {len(urls)} sources; medians")
        for arm, runs in results.items():
            print("  " + line(arm, runs))
        if "baseline" in results:
            ratio = _ratios(results)
            print(
                f"  this / baseline: round {ratio('wall'):.2f}x, CPU {ratio('cpu'):.2f}x, "
                f"loop stall max {ratio('lag_max'):.2f}x"
            )
    print(f"done; {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
