"""Speed and memory of near-duplicate grouping at 100,000 mentions.

Posts are drawn from a Zipf-distributed vocabulary (a few very common words, a long tail,
like real text), 6-30 words, ~140 an hour over a month; 30 % are copies of a recent post
(retweet, another URL, truncation, hashtags). Three figures, each repeated:

- full regroup: `group_all` on all N posts (target <= 30 s), wall and CPU time (the
  machine is shared: CPU time shows our cost, wall time what a user waits);
- placing one new mention into a grouper already holding all N posts (pruning off, the
  worst case): per-call latency over
  `--probes` new posts, p50/p99 (target p99 <= 2 ms);
- memory: bytes allocated by a grouper holding all N posts, pruning disabled
  (tracemalloc, own pass; target <= 300 MB). In normal use the grouper forgets posts
  older than two windows once it holds 50,000;
- two ~1.3 MB posts prepared and placed by the pipeline (brands, priority, grouping):
  every step after parsing reads a bounded part of a post (issue 11).

Two shapes, each measured on its own: `zipf` (20,000 words, 6-30 a post) and `small`
(one product's complaints: ~230 words, 20-60 a post, as bench/ingest.py's onehost farm:
every post shares most of its words with thousands of others).

Two more shapes are bench/ingest.py's own texts, grouping only (bench/grouping_shapes.py):
`onehost` (its 10,000 one-product posts) and `tweets` (its ~5,000 real tweets, from
../shared/data/twcs-sample.csv; skipped when absent), parsed and prepared as a fetch
does, then placed one by one into a fresh grouper as `Pipeline.process` does: total
thread CPU, per-placement p50/p99 (CPU and wall). With `--baseline DIR` (another
checkout, e.g. `git worktree add /tmp/main main`) its `triage/grouping.py` is timed in
the same runs, alternately, and every decision (group, rule, score, post compared with)
of both is compared.

    .venv/bin/python bench/grouping.py [--n 100000] [--repeat 3] [--probes 2000]
                                       [--shapes zipf,small,onehost,tweets]
                                       [--baseline DIR]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.config import BrandConfig
from triage.grouping import Grouper, group_all
from triage.model import Author, Mention
from triage.pipeline import Pipeline


def vocabulary(rng: random.Random, size: int = 20000) -> list[str]:
    letters = "abcdefghilmnoprstuvéèà"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(2, 10))))
    return sorted(words)


def small_vocabulary() -> tuple[list[str], list[float]]:
    """One product's complaints (bench/feedfarm.py's ~230 words), Zipf-weighted."""
    from bench.feedfarm import SMALL, SMALL_ZIPF

    return SMALL, SMALL_ZIPF


def posts(n: int, seed: int = 1, small: bool = False) -> list[tuple[str, str, datetime]]:
    """`n` posts (30 % copies). `small`: one product's ~230 words, 20-60 words a post
    (what bench/ingest.py's onehost shape serves) instead of 20,000 words, 6-30 a post."""
    rng = random.Random(seed)
    if small:
        vocab, cum = small_vocabulary()
    else:
        vocab = vocabulary(rng)
        cum, total = [], 0.0
        for rank in range(len(vocab)):
            total += 1 / (rank + 1)
            cum.append(total)
    low, high = (20, 60) if small else (6, 30)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out: list[tuple[str, str, datetime]] = []
    at = start
    for i in range(n):
        at += timedelta(seconds=rng.expovariate(1 / 25.7))
        if out and rng.random() < 0.3:
            _, text, _ = out[max(0, len(out) - 1 - int(rng.expovariate(1 / 200)))]
            kind = rng.randrange(4)
            if kind == 0:
                text = f"RT @user{rng.randrange(5000)}: {text}"
            elif kind == 1:
                text = f"{text} https://t.co/{rng.randrange(10**8)}"
            elif kind == 2:
                words = text.split()
                text = " ".join(words[: max(8, int(len(words) * 0.7))]) + "…"
            else:
                text = f"{text} #tag{rng.randrange(50)}"
        else:
            text = " ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(low, high)))
        out.append((f"p:{i}", text, at))
    return out


def huge_posts(repeat: int) -> list[float]:
    """Milliseconds to prepare and place two ~1.3 MB posts that begin alike (issue 11:
    every step after parsing reads a bounded part of a post), one fresh pipeline a run."""
    filler = " ".join(f"mot{i % 997} lampe{i % 13}" for i in range(90_000))
    text = f"Lumio: my order never arrived, refund please. {filler}"
    brands = [BrandConfig("Lumio", keywords=("lumio",), competitors=("Philips",))]
    at = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for r in range(repeat):
        pipeline = Pipeline(brands)
        pipeline.process(_mention("warm", "lumio", at))  # lexicons loaded before timing
        t = time.perf_counter()
        a = pipeline.process(_mention(f"a{r}", text, at))
        b = pipeline.process(_mention(f"b{r}", f"RT @x: {text[:700_000]} end", at))
        out.append((time.perf_counter() - t) * 1000)
        assert b.group_id == a.id
    return out


def _mention(mid: str, text: str, at: datetime) -> Mention:
    author = Author(name="bench", handle="@bench")
    return Mention(f"bench:{mid}", "bench", "bench", "", author, text, at, at)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(shape: str, args: argparse.Namespace) -> dict[str, list[float]]:
    """Regroup, place-one latency and memory on one shape of posts, `args.repeat` times."""
    t = time.perf_counter()
    data = posts(args.n + args.probes, small=shape == "small")
    base, probes = data[: args.n], data[args.n :]
    print(f"== {shape}: generated {len(data)} posts in {time.perf_counter() - t:.1f} s")
    out: dict[str, list[float]] = {
        k: [] for k in ("regroup", "regroup_cpu", "p50", "p99", "max", "cpu99")
    }
    for r in range(args.repeat):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        result = group_all(base)
        out["regroup"].append(time.perf_counter() - t)
        out["regroup_cpu"].append(time.process_time() - c)
        groups = len({m.group_id for m in result.values()})
        del result

        grouper = Grouper(prune_min=10**9)  # worst case: all N held, none forgotten
        for pid, text, at in base:
            grouper.place(pid, text, at)
        lat, cpu = [], []
        for pid, text, at in probes:
            c = time.thread_time_ns()
            t = time.perf_counter_ns()
            grouper.place(pid, text, at)
            lat.append((time.perf_counter_ns() - t) / 1e6)
            cpu.append((time.thread_time_ns() - c) / 1e6)
        out["cpu99"].append(percentile(cpu, 0.99))
        out["p50"].append(percentile(lat, 0.50))
        out["p99"].append(percentile(lat, 0.99))
        out["max"].append(max(lat))
        print(
            f"run {r + 1}: regroup {out['regroup'][-1]:.1f} s wall, "
            f"{out['regroup_cpu'][-1]:.1f} s CPU ({groups} groups), place one:"
            f" p50 {out['p50'][-1]:.3f} ms p99 {out['p99'][-1]:.3f} ms"
            f" (CPU {out['cpu99'][-1]:.3f}) max {out['max'][-1]:.1f} ms; {load()}",
            flush=True,
        )
        del grouper

    gc.collect()
    tracemalloc.start()
    grouper = Grouper(prune_min=10**9)  # worst case: all N held (no pruning of old posts)
    for pid, text, at in base:
        grouper.place(pid, text, at)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["held"], out["peak"] = [current / 2**20], [peak / 2**20]
    return out


def measure_ingest(shape: str, args: argparse.Namespace) -> None:
    """Place bench/ingest.py's texts of `shape`; with a baseline, both, alternately."""
    from bench.grouping_shapes import baseline_module, ingest_items, place_all
    from triage import grouping

    items = ingest_items(shape)
    if items is None:
        return
    runs = [("this branch", grouping)]
    if args.baseline:
        runs.insert(0, ("baseline", baseline_module(Path(args.baseline))))
    print(f"== {shape}: {len(items)} mentions of bench/ingest.py's farm, grouping only")
    totals: dict[str, list[float]] = {label: [] for label, _ in runs}
    cpus: dict[str, list[float]] = {label: [] for label, _ in runs}
    walls: dict[str, list[float]] = {label: [] for label, _ in runs}
    decided: dict[str, dict[str, object]] = {}
    for r in range(args.repeat):
        for label, module in runs if r % 2 == 0 else runs[::-1]:
            gc.collect()
            total, cpu, wall, decisions = place_all(module, items)
            totals[label].append(total)
            cpus[label].extend(cpu)
            walls[label].extend(wall)
            decided[label] = dict(decisions)
            joined = sum(1 for mid, d in decisions.items() if d[0] != mid)
            print(
                f"run {r + 1} {label:<11}: {total:.2f} s CPU, {joined} joined a story,"
                f" p99 {percentile(cpu, 0.99):.3f} ms CPU; {load()}",
                flush=True,
            )
    med = statistics.median
    print(f"--- {shape}: {len(items)} placements, {args.repeat} runs; {load()}")
    for label, _ in runs:
        c, w = cpus[label], walls[label]
        print(
            f"{label:<11}  total {med(totals[label]):.3f} s CPU (min {min(totals[label]):.3f})"
            f"  per placement CPU p50 {percentile(c, 0.5):.3f} ms p99 {percentile(c, 0.99):.3f}"
            f" ms, wall p50 {percentile(w, 0.5):.3f} p99 {percentile(w, 0.99):.3f} ms"
        )
    if args.baseline:
        ratio = med(totals["baseline"]) / med(totals["this branch"])
        same = decided["baseline"] == decided["this branch"]
        print(f"baseline / this branch: x{ratio:.1f} less CPU; decisions identical: {same}")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} cores"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--probes", type=int, default=2000)
    ap.add_argument(
        "--shapes",
        default="zipf,small",
        help="zipf (20,000 words), small (~230), onehost and tweets (bench/ingest.py's texts)",
    )
    ap.add_argument("--baseline", help="another checkout whose triage/grouping.py to compare")
    args = ap.parse_args()

    shapes = [s for s in args.shapes.split(",") if s]
    for shape in shapes:
        if shape in ("onehost", "tweets"):
            measure_ingest(shape, args)
    synthetic = [s for s in shapes if s not in ("onehost", "tweets")]
    if not synthetic:
        return 0
    figures = {shape: measure(shape, args) for shape in synthetic}
    huge = huge_posts(args.repeat)

    def spread(xs: list[float]) -> str:
        return f"(min {min(xs):.3f}, max {max(xs):.3f})"

    med = statistics.median
    for shape, f in figures.items():
        print(f"--- {shape}: N = {args.n}, {args.repeat} runs, medians; {load()}")
        print(f"full regroup      {med(f['regroup']):.2f} s {spread(f['regroup'])}  target <= 30 s")
        print(f"full regroup CPU  {med(f['regroup_cpu']):.2f} s {spread(f['regroup_cpu'])}")
        print(f"place one p50     {med(f['p50']):.3f} ms {spread(f['p50'])}")
        print(f"place one p99     {med(f['p99']):.3f} ms {spread(f['p99'])}  target <= 2 ms")
        print(f"place one p99 CPU {med(f['cpu99']):.3f} ms {spread(f['cpu99'])}  (thread CPU time)")
        print(
            f"memory (grouper)  {f['held'][0]:.0f} MB held, {f['peak'][0]:.0f} MB peak"
            "  target <= 300 MB"
        )
    print(
        f"two 1 MB posts    {med(huge):.1f} ms {spread(huge)}"
        "  (brands, priority, grouping of both: Pipeline.process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
