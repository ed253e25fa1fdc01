"""A folder store of up to a million mentions, and what opening and reporting on it cost.

    .venv/bin/python bench/bigstore.py [--mentions 1000000] [--days 365] [--store DIR]
                                       [--repeat 3] [--open-left 0.03] [--hot-days 30]

The store is written straight as day partitions (the files `store.partitions` reads:
TinyDB JSON, doc ids from the mention ids), from the real tweets of
`../shared/data/twcs-sample.csv` (5,000 customer-support tweets, reused with new ids and
spread over `--days` days; brands = the support account a tweet talks to) or, when the
file is absent, from bench/synth.py. Ingest would take minutes for a million mentions
and is measured by bench/ingest.py. Groups are the tweets' conversations (a reply joins
the group of the tweet it answers), so the store has real multi-mention groups.

Each figure is a fresh process, `--repeat` times (median, min, max):
  open      Inbox.open(defer=True) to a ranked first screen, as `veille`, `veille
            report` and `veille export` open a store (`--full`: also Inbox.open
            reading every day file, as before issue 16)               target <= 1.5 s
  rss open  peak RSS after that open                                   target <= 600 MB
  report    the last 30 days' report (app.reports.make_report; the day files it
            covers are streamed while the store is not wholly read)    target <= 3 s
  rss peak  peak RSS of the process after the report                   target <= 600 MB
The inbox's hot window (store.hotwindow): the TUI reads the rest of the store behind
its first screen, but only the last `--hot-days` days and every group not closed. A team
that triages closes most of its old stories: the bench marks every group whose newest
copy is older than `--hot-days` done, but `--open-left` of them (a backlog, left open
whatever their age), in the state buckets (a store built before gets them added once).
The closed states are kept as lines from a per-bucket cache (store.statecache): one open
without those caches is measured first (every bucket parsed, the caches written).
  hot load  open + the rest read as the TUI's background load does (finish_loading),
            + its warm-up (the vocabulary and text index, the author index's Mentions)
  rss hot   peak RSS once the inbox holds its hot window             target <= 600 MB
  search    `--all refund`: recall_matching (the old day files read once) + the list
  old month a report over a month a year ago (streamed: the old days are not held)
Other helpers share the machine's 2 cores: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from store.ids import IdIndex  # noqa: E402
from store.partitions import doc_id_for  # noqa: E402
from store.schema import check_schema  # noqa: E402


def _find_csv() -> Path:
    """../shared/data/twcs-sample.csv from the clone or a folder above it (a worktree
    lives deeper); $VEILLE_TWCS overrides (as bench/real_eval.py)."""
    if os.environ.get("VEILLE_TWCS"):
        return Path(os.environ["VEILLE_TWCS"])
    for base in ROOT.parents:
        if (candidate := base / "shared" / "data" / "twcs-sample.csv").exists():
            return candidate
    return ROOT.parent / "shared" / "data" / "twcs-sample.csv"


REAL = _find_csv()
END = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _tweets() -> list[dict[str, str]]:
    with open(REAL, newline="", encoding="utf-8") as fh:
        return [t for t in csv.DictReader(fh) if t["text"] and t["author_id"]]


def _created(tweet: dict[str, str]) -> datetime:
    try:
        return datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
    except (TypeError, ValueError):
        return END


def _root(tweet: dict[str, str], by_id: dict[str, dict[str, str]]) -> str:
    """The first tweet of the conversation `tweet` belongs to (that the sample holds)."""
    seen = {tweet["tweet_id"]}
    while (parent := by_id.get((tweet.get("in_response_to_tweet_id") or "").split(".")[0])) and (
        parent["tweet_id"] not in seen
    ):
        seen.add(parent["tweet_id"])
        tweet = parent
    return tweet["tweet_id"]


def real_records(count: int, days: int) -> list[dict[str, Any]]:
    """`count` mention records from the real tweets (copy k of tweet t is id `t.k`)."""
    tweets = _tweets()
    companies = {t["author_id"] for t in tweets if not t["author_id"].isdigit()}
    by_id = {t["tweet_id"]: t for t in tweets}
    order = {t["tweet_id"]: n for n, t in enumerate(tweets)}
    when = {t["tweet_id"]: _created(t) for t in tweets}
    span = days * 86400
    start = END - timedelta(days=days)
    out: list[dict[str, Any]] = []
    for i in range(count):
        copy, t = divmod(i, len(tweets))
        tweet = tweets[t]
        mid = f"twitter:{tweet['tweet_id']}.{copy}"
        root = _root(tweet, by_id)
        group = f"twitter:{root}.{copy}" if root != tweet["tweet_id"] else None
        words = tweet["text"].split()
        brands = [w.strip("@.,:!?") for w in words if w.startswith("@")]
        brands = [b for b in brands if b in companies][:1] or (
            [tweet["author_id"]] if tweet["author_id"] in companies else []
        )
        # conversations spread over the period, copies interleaved (every day holds every
        # kind of tweet); a reply keeps its real delay after the conversation's first tweet
        r = copy * len(tweets) + order[root]
        at = start + timedelta(seconds=(r * 7919 % count) / count * span)
        at += min(when[tweet["tweet_id"]] - when[root], timedelta(hours=72))
        at = min(at, END)
        author = tweet["author_id"]
        out.append(
            {
                "id": mid,
                "platform": "twitter",
                "source": "twcs",
                "url": f"https://twitter.example/{author}/status/{mid[8:]}",
                "author": {"name": author, "handle": f"@{author}", "url": "", "reach": None},
                "text": tweet["text"],
                "title": "",
                "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "fetched_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "lang": "en",
                "parent_id": group,
                "thread_id": None,
                "brands": brands,
                "keywords": [],
                "group_id": group,
                "priority": float(doc_id_for(mid) % 100),
                "signals": [],
                "extra": {},
            }
        )
    return out


def synth_records(count: int, days: int) -> list[dict[str, Any]]:
    from bench.synth import mentions

    return [m.to_json() for m in mentions(count, days=days, end=END)]


def build(store: Path, count: int, days: int) -> str:
    """Write the store (if not there yet); say which data it holds."""
    kind = "real tweets (twcs-sample.csv)" if REAL.exists() else "synthetic (bench/synth.py)"
    if (store / "meta.json").exists():
        return kind
    t = time.perf_counter()
    records = real_records(count, days) if REAL.exists() else synth_records(count, days)
    from triage.model import Mention

    Mention.from_json(records[0])  # the records are what the store's code reads
    for sub in ("mentions", "state", "journal"):
        (store / sub).mkdir(parents=True, exist_ok=True)
    check_schema(store)
    by_day: dict[str, dict[str, Any]] = defaultdict(dict)
    for rec in records:
        by_day[rec["created_at"][:10]][str(doc_id_for(rec["id"]))] = rec
    for day, rows in by_day.items():
        (store / "mentions" / f"{day}.json").write_bytes(orjson.dumps({"records": rows}))
    IdIndex(store, print).rebuild()
    took = time.perf_counter() - t
    print(f"built {count:,} mentions ({kind}) over {days} days in {took:.1f} s")
    return kind


def triage_old(store: Path, hot_days: int, open_left: float) -> tuple[int, int]:
    """Close every group whose newest copy is older than `hot_days` but `open_left` of
    them (once per store: the states are written to the buckets); (closed, left open)."""
    from store.files import file_signature
    from store.partitions import BUCKETS, bucket_of
    from triage.model import Status, TriageState

    marker = store / "state" / "bench-triaged.json"
    if marker.exists():
        return tuple(json.loads(marker.read_text()))  # type: ignore[return-value]
    days = {p.name: file_signature(p) for p in (store / "mentions").glob("*.json")}
    table = IdIndex(store, print).group_table(days)
    if table is None:  # a copied store (new inodes): index it again, once
        IdIndex(store, print).rebuild()
        table = IdIndex(store, print).group_table(days)
    assert table is not None, "the id index does not cover the store"
    cut = (END - timedelta(days=hot_days)).strftime("%Y-%m-%dT%H:%M:%S")
    at = END - timedelta(days=hot_days)
    buckets: list[dict[str, Any]] = [{} for _ in range(BUCKETS)]
    closed = left = 0
    every = max(1, round(1 / open_left)) if open_left > 0 else 0
    for gid, (_, newest, _) in table.items():
        if newest >= cut:
            continue
        if every and doc_id_for(gid) % every == 0:
            left += 1
            continue
        state = TriageState(gid, Status.DONE, updated_at=at, updated_by="bench", rev=1)
        buckets[bucket_of(gid)][str(doc_id_for(gid))] = state.to_json()
        closed += 1
    for n, rows in enumerate(buckets):
        (store / "state" / f"bucket-{n:02d}.json").write_bytes(orjson.dumps({"records": rows}))
    marker.write_text(json.dumps([closed, left]))
    return closed, left


CHILD = """
import resource, sys, time, json
def hwm():  # this process's peak RSS (VmHWM; ru_maxrss keeps the parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
from store.inbox import Inbox
inbox = Inbox.open(sys.argv[1], user="bench", defer=sys.argv[2] == "defer")
first = inbox.ranked_ids()[:50]
[inbox.view(g) for g in first]
opened = time.perf_counter() - t0
rss_open = hwm()
held = len(inbox.index.raw)
from datetime import datetime, timedelta, UTC
from app.reports import make_report
from triage.config import Config
from triage.report import Period
end = datetime(2026, 11, 20, 12, tzinfo=UTC)
t1 = time.perf_counter()
report = make_report(inbox, Config(user="bench"), Period(end - timedelta(days=30), end), end)
reported = time.perf_counter() - t1
rss = hwm()
print(json.dumps({"open": opened, "report": reported, "rss_open": rss_open, "rss": rss,
                  "held": held, "total": report.total if hasattr(report, "total") else 0}))
"""


HOT_CHILD = """
import resource, sys, time, json
def hwm():  # this process's peak RSS (VmHWM; ru_maxrss keeps the parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
c0 = time.process_time()
t0 = time.perf_counter()
from store.inbox import Inbox
from triage import query
inbox = Inbox.open(sys.argv[1], user="bench", defer=True, hot_days=int(sys.argv[2]))
first = inbox.ranked_ids()[:50]
[inbox.view(g) for g in first]
opened, opened_cpu = time.perf_counter() - t0, time.process_time() - c0
inbox.finish_loading()  # what the TUI's background load ends with, then its warm-up:
inbox.vocabulary()  # the folded text index
authors = list(inbox.all_mentions())  # the author index's Mentions (tui.app)
loaded, loaded_cpu = time.perf_counter() - t0, time.process_time() - c0
rss_hot = hwm()
held, stored = len(inbox.index.raw), len(inbox)
from datetime import datetime, timedelta, UTC
from app.reports import make_report
from triage.config import Config
from triage.report import Period
end = datetime(2026, 11, 20, 12, tzinfo=UTC)
t1, c1 = time.perf_counter(), time.process_time()
read_back = inbox.recall_matching("refund", end)
recalled, recalled_cpu = time.perf_counter() - t1, time.process_time() - c1
found = query.run(inbox, query.InboxQuery.parse("refund", include_all=True), end)
searched, searched_cpu = time.perf_counter() - t1, time.process_time() - c1
start = end - timedelta(days=330)
t2, c2 = time.perf_counter(), time.process_time()
report = make_report(inbox, Config(user="bench"), Period(start, start + timedelta(days=30)), end)
reported, reported_cpu = time.perf_counter() - t2, time.process_time() - c2
rss = hwm()
print(json.dumps({"hot": loaded, "rss_hot": rss_hot, "held": held, "stored": stored,
                  "search": searched, "found": len(found), "read_back": read_back,
                  "old_month": reported, "rss": rss, "open": opened, "open_cpu": opened_cpu,
                  "hot_cpu": loaded_cpu, "recall": recalled, "recall_cpu": recalled_cpu,
                  "search_cpu": searched_cpu, "old_month_cpu": reported_cpu}))
"""


FIRST_CHILD = """
import sys, time, json
c0 = time.process_time()
t0 = time.perf_counter()
from store.inbox import Inbox
inbox = Inbox.open(sys.argv[1], user="bench", defer=True, hot_days=int(sys.argv[2]))
[inbox.view(g) for g in inbox.ranked_ids()[:50]]
print(json.dumps({"open": time.perf_counter() - t0, "open_cpu": time.process_time() - c0,
                  "built": len(inbox.index.states), "lines": len(inbox.index.cold_states)}))
"""


def first_open(store: Path, hot_days: int, env: dict[str, str]) -> dict[str, float]:
    """An open with no state cache (the first after an upgrade, or after every bucket
    changed): every bucket parsed, its cache written (store.statecache)."""
    for cache in (store / "ids").glob("states-*.cache"):
        cache.unlink()
    out = subprocess.run(
        [sys.executable, "-c", FIRST_CHILD, str(store), str(hot_days)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    if out.returncode:
        print(out.stderr[-2000:])
        raise SystemExit(1)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def figure(name: str, values: list[float], unit: str, target: float) -> None:
    med = statistics.median(values)
    verdict = "ok" if med <= target else "OVER TARGET"
    print(
        f"{name:<8} median {med:9.2f} {unit}  min {min(values):9.2f}  max {max(values):9.2f}"
        f"  n={len(values)}  target {target:g} {unit}  {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--store", help="folder to build the store in once and reuse")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also open the whole store")
    parser.add_argument("--hot-days", type=int, default=30)
    parser.add_argument("--hot-only", action="store_true", help="only the hot window's figures")
    parser.add_argument("--open-left", type=float, default=0.03)
    args = parser.parse_args()
    store = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="veille-big-"))
    kind = build(store, args.mentions, args.days)
    closed, left = triage_old(store, args.hot_days, args.open_left)
    print(f"old groups (newest copy > {args.hot_days} days): {closed:,} done, {left:,} left open")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed veille has its .pyc files
    modes = ["defer", "full"] if args.full else ["defer"]
    if args.hot_only:
        modes = []
    results: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    hot: list[dict[str, float]] = []
    first = first_open(store, args.hot_days, env)
    for _ in range(args.repeat):
        for mode in modes:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(store), mode],
                capture_output=True, text=True, env=env,
            )  # fmt: skip
            if out.returncode:
                print(out.stderr[-2000:])
                raise SystemExit(1)
            results[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
        out = subprocess.run(
            [sys.executable, "-c", HOT_CHILD, str(store), str(args.hot_days)],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        if out.returncode:
            print(out.stderr[-2000:])
            raise SystemExit(1)
        hot.append(json.loads(out.stdout.strip().splitlines()[-1]))
    load = os.getloadavg()
    count = sum(1 for _ in (store / "mentions").glob("*.json"))
    print(f"folder store: {args.mentions:,} mentions in {count} day files, {kind}")
    print(f"load average {load[0]:.2f} on {os.cpu_count()} cpus (other helpers share them)")
    for mode in modes:
        runs = results[mode]
        how = (
            "opened first screen first (as veille, report, export do)"
            if mode == "defer"
            else "opened whole (every day file read)"
        )
        print(f"-- {how}: {runs[0]['held']:,} mentions in memory after open")
        figure("open", [r["open"] for r in runs], "s", 1.5)
        figure("rss open", [r["rss_open"] for r in runs], "MB", 600)
        figure("report", [r["report"] for r in runs], "s", 3.0)
        figure("rss peak", [r["rss"] for r in runs], "MB", 600)
    print(
        f"-- the inbox's hot window ({args.hot_days} days + every group not closed): "
        f"{hot[0]['held']:,} of {hot[0]['stored']:,} mentions in memory once loaded"
    )
    print("   (cpu: the process's own CPU seconds, what a quiet machine's wall time would be)")
    print(
        f"   triage states: {first['built']:,} built at open, {first['lines']:,} closed ones kept "
        f"as lines (store.statecache); the first open without their cache: "
        f"{first['open']:.2f} s ({first['open_cpu']:.2f} s cpu)"
    )
    figure("open", [r["open"] for r in hot], "s", 1.5)
    figure("open cpu", [r["open_cpu"] for r in hot], "s", 1.5)
    figure("hot load", [r["hot"] for r in hot], "s", 60)
    figure("load cpu", [r["hot_cpu"] for r in hot], "s", 60)
    figure("rss hot", [r["rss_hot"] for r in hot], "MB", 600)
    print(f"   `--all refund`: {hot[0]['found']} groups, {hot[0]['read_back']} read back from disk")
    figure("recall", [r["recall"] for r in hot], "s", 60)
    figure("rcl cpu", [r["recall_cpu"] for r in hot], "s", 60)
    figure("search", [r["search"] for r in hot], "s", 60)
    figure("srch cpu", [r["search_cpu"] for r in hot], "s", 60)
    figure("old month", [r["old_month"] for r in hot], "s", 3.0)
    figure("mon cpu", [r["old_month_cpu"] for r in hot], "s", 3.0)
    figure("rss peak", [r["rss"] for r in hot], "MB", 600)


if __name__ == "__main__":
    main()
