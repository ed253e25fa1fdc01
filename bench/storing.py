"""The first fetch's second half alone: preparing, grouping and storing what was polled.

    .venv/bin/python bench/storing.py [--shapes onehost,tweets,zipf] [--runs 5]
                                      [--baseline OTHER_CHECKOUT] [--profile N]
                                      [--compare]

bench/ingest.py times a whole `veille fetch` (polling, parsing, storing) against
newsboat; this bench times only what happens to the polled posts, so that a change to
that half shows above the network's noise. For each farm shape of bench/feedfarm.py it
serves the farm (bench/ingest.py's server, its own process), polls it once with the real
poller WITHOUT the preparation hook and keeps the parsed posts (pickled in a work
folder). Then, per run, a fresh process (this checkout's code, or `--baseline`'s in the
same run, the order alternating) loads them and times, in process CPU seconds and wall:

  1. `prepare`: the per-mention half of the pipeline (`Preparer.prepare_owned`: brands,
     priority, sentiment, normal form) over every polled post, what the parse workers
     do (they share the work across the cores; the CPU is the same);
  2. `store`: a fresh folder store opened with the pipeline and
     `app.rules.ingest_with_rules` (grouping, the day files, the id index, the fsyncs):
     what `veille fetch` reports as "stored and grouped".

It prints medians and the ratio this checkout / baseline per phase (median of per-run
ratios), with the machine's load. `--compare` checks that both checkouts stored the same
records, field by field, and the same state and id files. `--profile N` prints the N
costliest functions of one store phase (cProfile, this checkout).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pickle
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


# ---------------------------------------------------------------- capture (this checkout)


def capture(shape: str, work: Path, args: argparse.Namespace) -> Path | None:
    """Serve the farm, poll it once (no preparation), pickle the parsed posts."""
    sys.path.insert(0, str(ROOT))
    from bench.ingest import build_shape, serve_farm, veille_config

    folder = work / f"farm-{shape}"
    farm = build_shape(shape, folder, args)
    if farm is None:
        return None
    server, urls = serve_farm(farm, folder)
    try:
        config_file = work / f"config-{shape}.toml"
        veille_config(config_file, urls, farm)
        from sources.config import load_config
        from sources.poller import Poller

        config = load_config(config_file)
        with Poller(config, work / f"poll-{shape}", parse="process") as poller:
            outcomes = asyncio.run(poller.poll_once(save=False))
    finally:
        server.terminate()
        server.wait(timeout=5)
    fetched = [m for o in outcomes if o.ok for m in o.mentions]
    out = work / f"{shape}.pickle"
    out.write_bytes(pickle.dumps((str(config_file), fetched)))
    print(f"{shape}: {farm.describe}: {len(fetched)} posts polled", flush=True)
    return out


# ---------------------------------------------------------------- one timed run (any code)


def time_once(posts: Path, store: Path, profile: int) -> None:
    """In a fresh process whose sys.path starts with the code to time: print JSON."""
    from app.rules import ingest_with_rules
    from app.runtime import Runtime
    from sources.config import load_config
    from store.gcpause import cyclic_gc_paused

    config_file, fetched = pickle.loads(posts.read_bytes())
    config = load_config(config_file)
    rt = Runtime.of(config, store)
    pipeline = rt.pipeline
    with cyclic_gc_paused(keep=True):  # as `veille fetch` runs
        hook = pipeline.prepare_hook()
        pipeline.warm_hook()()
        profiler = cProfile.Profile() if profile else None
        c0, w0 = _cpu(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        prepared = hook(fetched)
        c1, w1 = _cpu(), time.perf_counter()
        if profiler is not None:
            profiler.disable()
            print("== prepare", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(profile)
            profiler = cProfile.Profile()
            profiler.enable()
        with rt.open_store() as inbox:
            new = ingest_with_rules(inbox, prepared, config)
        c2, w2 = _cpu(), time.perf_counter()
        if profiler is not None:
            profiler.disable()
            print("== store", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(profile)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumtime").print_stats(profile)
    print(
        json.dumps(
            {
                "prepare_cpu": c1 - c0,
                "prepare_wall": w1 - w0,
                "store_cpu": c2 - c1,
                "store_wall": w2 - w1,
                "new": len(new),
            }
        )
    )


def run_arm(code: Path, posts: Path, store: Path, profile: int = 0) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(code)
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--time", str(posts), "--store", str(store)]
        + (["--profile", str(profile)] if profile else []),
        env=env,
        cwd=code,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{code}: failed\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    if profile:
        print(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- comparing two stores


def store_files(store: Path) -> dict[str, object]:
    """What a fetch wrote that must not change: every day file's records, state, ids."""
    out: dict[str, object] = {}
    for path in sorted((store / "mentions").glob("*.json")):
        out[f"mentions/{path.name}"] = json.loads(path.read_text(encoding="utf-8"))
    for sub in ("state", "ids"):
        for path in sorted((store / sub).glob("*")):
            if path.is_file() and not path.name.endswith((".cache", ".delta")):
                out[f"{sub}/{path.name}"] = path.read_text(encoding="utf-8")
    return out


def compare(a: Path, b: Path) -> list[str]:
    fa, fb = store_files(a), store_files(b)
    problems = [f"only in one store: {k}" for k in sorted(set(fa) ^ set(fb))]
    for key in sorted(set(fa) & set(fb)):
        if key.startswith("mentions/"):
            ra = fa[key]["records"]  # type: ignore[index]
            rb = fb[key]["records"]  # type: ignore[index]
            if ra != rb:
                diff = [d for d in set(ra) | set(rb) if ra.get(d) != rb.get(d)]
                problems.append(f"{key}: {len(diff)} records differ, e.g. {diff[:1]}")
                d = diff[0]
                problems.append(f"   {ra.get(d)}\n   {rb.get(d)}")
        elif fa[key] != fb[key] and key != "ids/covered.json":  # inodes
            problems.append(f"{key} differs")
    return problems


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default="onehost,tweets,zipf")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--tweet-feeds", type=int, default=30)
    parser.add_argument("--tweet-entries", type=int, default=500)
    parser.add_argument("--baseline", help="also time this checkout (e.g. main's), same runs")
    parser.add_argument("--profile", type=int, default=0, help="print N costliest functions")
    parser.add_argument("--compare", action="store_true", help="compare the stores' contents")
    parser.add_argument("--keep", help="keep the work folder here")
    parser.add_argument("--time", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time:
        here = Path(__file__).resolve().parent  # bench/store.py would shadow the package
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
        time_once(Path(args.time), Path(args.store), args.profile)
        return 0

    sys.path.insert(0, str(ROOT))
    from bench.ingest import load

    work = Path(args.keep or tempfile.mkdtemp(prefix="veille-storing-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"bench/storing.py: {args.runs} runs per shape; {load()}")
    try:
        for shape in [s.strip() for s in args.shapes.split(",") if s.strip()]:
            posts = work / f"{shape}.pickle"
            if not posts.exists():
                found = capture(shape, work, args)
                if found is None:
                    print(f"{shape}: skipped (no data)")
                    continue
            if args.profile:
                run_arm(ROOT, posts, work / f"{shape}-profile", args.profile)
                shutil.rmtree(work / f"{shape}-profile", ignore_errors=True)
            arms: dict[str, list[dict[str, float]]] = {"this": [], "base": []}
            for run in range(args.runs):
                order = ["this", "base"] if run % 2 == 0 else ["base", "this"]
                for arm in order:
                    if arm == "base" and not args.baseline:
                        continue
                    code = ROOT if arm == "this" else Path(args.baseline)
                    store = work / f"{shape}-{arm}-{run}"
                    shutil.rmtree(store, ignore_errors=True)
                    arms[arm].append(run_arm(code, posts, store))
                if args.compare and args.baseline and run == 0:
                    problems = compare(work / f"{shape}-this-0", work / f"{shape}-base-0")
                    print(f"  stores compared: {'identical' if not problems else 'DIFFER'}")
                    for p in problems[:10]:
                        print("   ", p)
                for arm in ("this", "base"):
                    shutil.rmtree(work / f"{shape}-{arm}-{run}", ignore_errors=True)
            print(f"\n== {shape}: {arms['this'][0]['new'] if arms['this'] else 0} new; {load()}")
            for arm, label in (("this", "this checkout"), ("base", "baseline")):
                got = arms[arm]
                if not got:
                    continue
                line = f"{label:<14}"
                for key in ("prepare_cpu", "prepare_wall", "store_cpu", "store_wall"):
                    line += f" {key} {statistics.median(g[key] for g in got):6.3f} s"
                print(line + f"  (n={len(got)})")
            if arms["base"]:
                ratios = {
                    key: statistics.median(
                        t[key] / b[key] for t, b in zip(arms["this"], arms["base"], strict=True)
                    )
                    for key in ("prepare_cpu", "store_cpu", "store_wall")
                }
                print(
                    "this / baseline (median of per-run ratios): "
                    + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
                )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
