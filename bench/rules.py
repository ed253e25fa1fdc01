"""What rules and people cost at ingest, on real tweets.

    .venv/bin/python bench/rules.py [--csv PATH] [--runs 3] [--chunk 100]
                                    [--baseline OTHER_CHECKOUT [--pg]]

Reads `../shared/data/twcs-sample.csv` (5,000 real customer-support tweets; never
copied here; skipped when absent) and stores them into a fresh folder store in chunks
of `--chunk` (a poll round each), per run and in the same run:

  1. `store.ingest` alone (what `veille fetch` paid before rules);
  2. `app.rules.ingest_with_rules` with 5 rules (tag, assign, hand_off, status, a
     priority bump) and a people list of 200 handles, 50 of them VIPs.

Prints the medians, min-max, the ratio, how many groups each rule acted on and the
durable actions it took (each rule's application is one batch of store actions, each
fsynced), then `veille rules test`'s look-up (the rule's filter over the store).
Say the machine's load with the figures: other processes share it.

`--baseline OTHER_CHECKOUT` (e.g. a `git archive` of main) times instead, per run, the
ingest with the rules in a fresh process of this checkout and of the other one, in
alternating order: wall, process CPU and fsyncs, the medians and the ratio this /
baseline (median of the per-run ratios). What it shows: the cost of the rules-owed
record (store.owed: one fsynced file and its folder per ingest, removed once the rules
ran) on the normal path, with nothing killed. `--pg` does the same on PostgreSQL (a
durable server started for the run, a fresh database per arm and run: the rows of
store.postgres.owed, written in the ingest's transaction and deleted in one statement
that also asks whether any is due).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

# the checkout whose code is timed (`--baseline` runs this file over another one)
ROOT = Path(os.environ.get("VEILLE_BENCH_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))

from app.rules import ingest_with_rules  # noqa: E402
from app.runtime import make_pipeline  # noqa: E402
from sources.config import parse_config  # noqa: E402
from store.inbox import Inbox  # noqa: E402
from store.people import PeopleFile  # noqa: E402
from triage.model import Author, Mention  # noqa: E402
from triage.people import link, set_tags  # noqa: E402

CONFIG = """user = "bench"
[[brands]]
name = "Apple"
keywords = ["apple", "iphone", "ios", "macbook"]
handles = ["@AppleSupport"]
[[brands]]
name = "Amazon"
keywords = ["amazon", "prime", "kindle"]
handles = ["@AmazonHelp"]
[[brands]]
name = "Sprint"
keywords = ["sprint"]
handles = ["@sprintcare"]
[[teams]]
name = "billing"
[[rules]]
name = "refund"
when = "refund"
tag = ["refund"]
assign = "ana"
[[rules]]
name = "outage"
when = "down"
tag = ["outage"]
hand_off = { team = "billing", note = "outage?" }
[[rules]]
name = "cancel"
when = "cancel"
priority = 10
[[rules]]
name = "apple-battery"
when = "brand:Apple battery"
status = "open"
[[rules]]
name = "vips"
when = "person:vip"
tag = ["vip"]
"""


def _find_csv() -> Path:
    if os.environ.get("VEILLE_TWCS"):
        return Path(os.environ["VEILLE_TWCS"])
    for base in ROOT.parents:
        candidate = base / "shared" / "data" / "twcs-sample.csv"
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "data" / "twcs-sample.csv"


def load(path: Path) -> list[Mention]:
    out = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if not r.get("tweet_id") or r.get("text") is None:
                continue
            at = datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")
            out.append(Mention(
                id=f"twitter:{r['tweet_id']}", platform="twitter", source="twcs",
                url=f"https://twitter.com/i/web/status/{r['tweet_id']}",
                author=Author(name=r["author_id"], handle=f"@{r['author_id']}"),
                text=r["text"], created_at=at, fetched_at=at, lang="en",
            ))  # fmt: skip
    out.sort(key=lambda m: (m.created_at, m.id))
    return out


def run_once(
    mentions: list[Mention], chunk: int, with_rules: bool, handles: list[str],
    url: str | None = None,
) -> tuple[float, Path]:  # fmt: skip
    config = parse_config(CONFIG)
    folder = Path(tempfile.mkdtemp(prefix="veille-bench-rules-"))
    store_path = folder / "store"
    inbox: Any
    if url:
        from store.postgres import PgStore

        inbox = PgStore.open(url, user="bench", pipeline=make_pipeline(config))
    else:
        inbox = Inbox.open(store_path, user="bench", pipeline=make_pipeline(config))
    if with_rules:

        def people(p):  # 200 people, every 4th a VIP
            for i, h in enumerate(handles):
                p = link(p, [h])
                if i % 4 == 0:
                    p = set_tags(p, h, ["vip"])
            return p

        (inbox.people_list if url else PeopleFile(store_path)).update(people)
    started = time.perf_counter()
    with inbox:
        for i in range(0, len(mentions), chunk):
            part = [m for m in mentions[i : i + chunk]]
            if with_rules:
                ingest_with_rules(inbox, part, config)
            else:
                inbox.ingest(part)
    return time.perf_counter() - started, folder


def _handles(mentions: list[Mention]) -> list[str]:
    inbound = [m.author.handle for m in mentions if not m.author.handle[1:].isalpha()]
    return list(dict.fromkeys(inbound))[:200]


def arm(args: argparse.Namespace) -> int:
    """One timed ingest with the rules, in this process (`--baseline`'s child)."""
    mentions = load(args.csv)
    fsyncs = [0]
    real = os.fsync

    def counted(fd: int) -> None:
        fsyncs[0] += 1
        real(fd)

    os.fsync = counted
    cpu = sum(os.times()[:2])
    seconds, folder = run_once(mentions, args.chunk, True, _handles(mentions), args.store_url)
    cpu = sum(os.times()[:2]) - cpu
    shutil.rmtree(folder)
    print(json.dumps({"wall": seconds, "cpu": cpu, "fsyncs": fsyncs[0]}))
    return 0


def record_life(repeat: int = 200) -> None:
    """One record's life on the folder store, alone: written (fsynced, with its folder)
    under the lock, settled, and the folder listed for due ones; wall and CPU medians."""
    from store.owed import FOLDER

    folder = Path(tempfile.mkdtemp(prefix="veille-bench-owed-"))
    walls, cpus = [], []
    try:
        with Inbox.open(folder / "store", user="bench") as inbox:
            ids = [f"twitter:{n}" for n in range(100)]
            for _ in range(repeat):
                t, c = time.perf_counter(), time.process_time()
                with inbox.mutex, inbox.lock:
                    inbox._owe(ids)
                inbox.owed_rules(ids)
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
            assert not any(p.stat().st_size for p in (folder / "store" / FOLDER).iterdir())
    finally:
        shutil.rmtree(folder)
    walls.sort()
    print(f"  one record (100 ids) written, settled, checked: wall median "
          f"{1000 * statistics.median(walls):.2f} ms, p90 {1000 * walls[len(walls) * 9 // 10]:.2f} ms, "
          f"CPU median {1000 * statistics.median(cpus):.3f} ms ({repeat} times, {folder.parent})")  # fmt: skip


def ab(args: argparse.Namespace) -> int:
    """This checkout against `--baseline`, the ingest with rules, each in a fresh process."""
    here = Path(__file__).resolve().parents[1]
    arms = {"this": here, "baseline": args.baseline.resolve()}
    print(f"ingest + 5 rules + people, {args.csv.name} in chunks of {args.chunk}, "
          f"{args.runs} runs per checkout (fresh process each, order alternating); "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    got: dict[str, list[dict]] = {"this": [], "baseline": []}
    with contextlib.ExitStack() as stack:
        server = None
        if args.pg:
            sys.path.insert(0, str(here))
            from tests.pg.server import pg_bin, running_server

            bin = pg_bin()
            if bin is None:
                print("skipped: PostgreSQL is not installed (no initdb)")
                return 0
            server = stack.enter_context(running_server(bin, durable=True))
            print("  on PostgreSQL (a durable server, a fresh database per arm and run)")
        for run in range(args.runs):
            for name in ("this", "baseline") if run % 2 == 0 else ("baseline", "this"):
                env = {**os.environ, "VEILLE_BENCH_ROOT": str(arms[name])}
                argv = [sys.executable, __file__, "--arm", "--csv", str(args.csv),
                        "--chunk", str(args.chunk)]  # fmt: skip
                if server is not None:
                    argv += ["--store-url", server.create_database(f"r{run}{name}")]
                out = subprocess.run(
                    argv, env=env, capture_output=True, text=True, check=True
                ).stdout
                got[name].append(json.loads(out.splitlines()[-1]))
    for name in ("this", "baseline"):
        xs = got[name]
        print(f"  {name:<9} wall median {statistics.median(x['wall'] for x in xs):6.2f} s "
              f"(min-max {min(x['wall'] for x in xs):.2f}-{max(x['wall'] for x in xs):.2f}), "
              f"CPU {statistics.median(x['cpu'] for x in xs):6.2f} s, "
              f"fsyncs {statistics.median(x['fsyncs'] for x in xs):.0f}")  # fmt: skip
    for key in ("wall", "cpu", "fsyncs"):
        if not all(b[key] for b in got["baseline"]):
            continue  # no fsync in this process (PostgreSQL's server makes them)
        ratios = [a[key] / b[key] for a, b in zip(got["this"], got["baseline"], strict=True)]
        print(f"  this / baseline {key:<6} {statistics.median(ratios):.3f} "
              f"(per run: {', '.join(f'{r:.3f}' for r in ratios)})")  # fmt: skip
    if not args.pg:
        record_life()
    print(f"  load average after: {os.getloadavg()[0]:.2f}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=Path, default=_find_csv())
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--baseline", type=Path, help="another checkout, timed in the same run")
    ap.add_argument("--pg", action="store_true", help="with --baseline: on PostgreSQL")
    ap.add_argument("--arm", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--store-url", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.csv.exists():
        print(f"skipped: {args.csv} is absent (real data lives in ../shared/data)")
        return 0
    if args.arm:
        return arm(args)
    if args.baseline is not None:
        return ab(args)
    mentions = load(args.csv)
    handles = _handles(mentions)
    print(f"{len(mentions)} real tweets from {args.csv.name}, chunks of {args.chunk}, "
          f"{args.runs} runs; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    plain, ruled = [], []
    last: Path | None = None
    for _ in range(args.runs):
        seconds, folder = run_once(mentions, args.chunk, False, handles)
        plain.append(seconds)
        shutil.rmtree(folder)
        seconds, folder = run_once(mentions, args.chunk, True, handles)
        ruled.append(seconds)
        if last is not None:
            shutil.rmtree(last)
        last = folder
    for name, xs in (("ingest alone", plain), ("ingest + 5 rules + people", ruled)):
        print(f"  {name:<28} median {statistics.median(xs):6.2f} s  "
              f"({1000 * statistics.median(xs) / len(mentions):.2f} ms/post)  "
              f"min-max {min(xs):.2f}-{max(xs):.2f} s")  # fmt: skip
    print(f"  ratio with/without rules: {statistics.median(ruled) / statistics.median(plain):.2f}")
    assert last is not None
    with Inbox.open(last / "store", user="bench") as inbox:
        events = list(inbox.events())
        by_rule = Counter(e.who for e in events if e.who.startswith("rule:"))
        groups = Counter((e.who, e.target) for e in events if e.who.startswith("rule:"))
        per_rule = Counter(who for who, _ in groups)
        for who in sorted(per_rule):
            print(
                f"  {who:<20} acted on {per_rule[who]:4d} groups, {by_rule[who]:5d} durable actions"
            )
        bumped = sum(
            1
            for m in inbox.all_mentions()
            if any(s.startswith(("rule ", "vip:")) for s in m.signals)
        )
        print(f"  posts ranked up by a rule or as a VIP's: {bumped}")
        config = parse_config(CONFIG)
        for rule in config.rules[:2]:
            times = []
            for _ in range(5):
                t = time.perf_counter()
                ids = inbox.ranked_ids(rule.filter.with_vocabulary(inbox.vocabulary()))
                times.append(time.perf_counter() - t)
            print(f"  rules test {rule.name:<8} {len(ids):4d} groups in "
                  f"{1000 * statistics.median(times):.1f} ms (median of 5)")  # fmt: skip
    shutil.rmtree(last)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
