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

    .venv/bin/python bench/grouping.py [--n 100000] [--repeat 3] [--probes 2000]
"""

from __future__ import annotations

import argparse
import gc
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


def posts(n: int, seed: int = 1) -> list[tuple[str, str, datetime]]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    cum, total = [], 0.0
    for rank in range(len(vocab)):
        total += 1 / (rank + 1)
        cum.append(total)
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
            text = " ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(6, 30)))
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--probes", type=int, default=2000)
    args = ap.parse_args()

    t = time.perf_counter()
    data = posts(args.n + args.probes)
    base, probes = data[: args.n], data[args.n :]
    print(f"generated {len(data)} posts in {time.perf_counter() - t:.1f} s")

    regroup, regroup_cpu, p50s, p99s, maxes, cpu99s = [], [], [], [], [], []
    for r in range(args.repeat):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        result = group_all(base)
        regroup.append(time.perf_counter() - t)
        regroup_cpu.append(time.process_time() - c)
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
        cpu99s.append(percentile(cpu, 0.99))
        p50s.append(percentile(lat, 0.50))
        p99s.append(percentile(lat, 0.99))
        maxes.append(max(lat))
        print(
            f"run {r + 1}: regroup {regroup[-1]:.1f} s wall, {regroup_cpu[-1]:.1f} s CPU"
            f" ({groups} groups), place one:"
            f" p50 {p50s[-1]:.3f} ms p99 {p99s[-1]:.3f} ms (CPU {cpu99s[-1]:.3f}) max {maxes[-1]:.1f} ms"
        )
        del grouper

    gc.collect()
    tracemalloc.start()
    grouper = Grouper(prune_min=10**9)  # worst case: all N held (no pruning of old posts)
    for pid, text, at in base:
        grouper.place(pid, text, at)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    huge = huge_posts(args.repeat)

    def spread(xs: list[float]) -> str:
        return f"(min {min(xs):.3f}, max {max(xs):.3f})"

    print(f"--- N = {args.n}, {args.repeat} runs, medians; shared 2-core machine, noisy")
    print(f"full regroup      {statistics.median(regroup):.2f} s {spread(regroup)}  target <= 30 s")
    print(f"full regroup CPU  {statistics.median(regroup_cpu):.2f} s {spread(regroup_cpu)}")
    print(f"place one p50     {statistics.median(p50s):.3f} ms {spread(p50s)}")
    print(f"place one p99     {statistics.median(p99s):.3f} ms {spread(p99s)}  target <= 2 ms")
    print(
        f"place one p99 CPU {statistics.median(cpu99s):.3f} ms {spread(cpu99s)}  (thread CPU time)"
    )
    print(
        f"memory (grouper)  {current / 2**20:.0f} MB held, {peak / 2**20:.0f} MB peak  target <= 300 MB"
    )
    print(
        f"two 1 MB posts    {statistics.median(huge):.1f} ms {spread(huge)}"
        "  (brands, priority, grouping of both: Pipeline.process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
