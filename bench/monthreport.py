"""A month's report on a big folder store with a year of journal, against another checkout.

    .venv/bin/python bench/monthreport.py --store DIR [--baseline CHECKOUT] [--repeat 5]
                                          [--days 30] [--ago 0]

DIR is a folder store built by bench/bigstore.py (`--store`: 1,000,000 real tweets of
../shared/data/twcs-sample.csv over 365 days, old groups marked done). It is WRITTEN: the
first run adds a year of journal (what a team's triage leaves: each closed group's
status change, a reply to a third of the groups with its delivery, hand-offs and their
delivery, tags, a few undos), so copy a shared store first (`cp -a`). Bench stores that
skip the journal flatter the report: it reads the whole journal.

Each run is a fresh process per checkout, interleaved: open the store first screen first
(as `veille report` does), then the report over `--days` days ending `--ago` days before
the store's last day, rendered as Markdown. Printed: medians of wall and CPU seconds of
the report alone (its parts: reading the period, the journal) and of the open; the ratio
to the baseline; and whether the Markdown is byte-identical between the checkouts (the
report's figures must not change). Target: a month <= 3 s. The load average is printed
(other helpers share the machine's cores).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from bench.child import run_child  # noqa: E402

END = datetime(2026, 11, 20, 12, tzinfo=UTC)  # bench/bigstore.py's last moment
MARKER = "bench-journal.json"

CHILD = """
import hashlib, json, os, sys, time
c0, t0 = time.process_time(), time.perf_counter()
from datetime import UTC, datetime, timedelta
from store.inbox import Inbox
inbox = Inbox.open(sys.argv[1], user="bench", defer=True)
first = inbox.ranked_ids()[:50]
[inbox.view(g) for g in first]
opened, opened_cpu = time.perf_counter() - t0, time.process_time() - c0
from app.reports import make_report
from triage.config import BrandConfig, Config
from triage.report import Period
from triage.report_render import to_markdown
end = datetime.fromisoformat(sys.argv[2])
period = Period(end - timedelta(days=int(sys.argv[3])), end)
config = Config(user="bench", brands=(BrandConfig("AppleSupport", competitors=("AmazonHelp",)),
                                      BrandConfig("AmazonHelp", is_competitor=True)))
c1, t1 = time.process_time(), time.perf_counter()
report = make_report(inbox, config, period, end)
md = to_markdown(report)
reported, reported_cpu = time.perf_counter() - t1, time.process_time() - c1
c2, t2 = time.process_time(), time.perf_counter()
n = sum(1 for _ in inbox.events())  # cached by now: the parse cost is in the report
print(json.dumps({"open": opened, "open_cpu": opened_cpu, "report": reported,
    "report_cpu": reported_cpu, "mentions": report.figure("Mentions"),
    "stories": report.figure("Stories"), "answered": report.figure("Answered stories"),
    "events": n, "md": hashlib.sha256(md.encode()).hexdigest(), "md_len": len(md),
    "load": os.getloadavg()[0]}))
if len(sys.argv) > 4:
    open(sys.argv[4], "w").write(md)
"""


def add_journal(store: Path, seed: int = 16) -> int:
    """A year of triage in the journal, once (see the module); the number of events."""
    marker = store / "journal" / MARKER
    if marker.exists():
        return int(json.loads(marker.read_text())["events"])
    from store.files import file_signature
    from store.ids import IdIndex
    from store.journal import Journal
    from triage.state import Handoff, Reply

    days = {p.name: file_signature(p) for p in (store / "mentions").glob("*.json")}
    table = IdIndex(store, print).group_table(days)
    if table is None:
        IdIndex(store, print).rebuild()
        table = IdIndex(store, print).group_table(days)
    assert table is not None, "the id index does not cover the store"
    rng = random.Random(seed)
    closed = END - timedelta(days=30)  # bench/bigstore.py's done states' moment
    cut = (END - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S")
    people = ["ana", "ben", "chloe", "dev", "emma", "farid"]
    months: dict[str, list[bytes]] = {}
    n = 0

    def put(at: datetime, action: str, target: str, before: Any, after: Any, **more: Any) -> str:
        nonlocal n
        n += 1
        eid = f"{rng.getrandbits(128):032x}"
        line = {"id": eid, "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "who": more.pop("who"),
                "action": action, "target": target, "before": before, "after": after,
                "rev": more.pop("rev", 1), "undoes": more.pop("undoes", None), **more}  # fmt: skip
        months.setdefault(f"{at:%Y-%m}", []).append(orjson.dumps(line) + b"\n")
        return eid

    for gid, (_priority, newest, _days) in table.items():
        last = datetime.fromisoformat(newest)
        who = rng.choice(people)
        roll = rng.random()
        if roll < 0.33:  # a reply, sent by the outbox a minute later
            at = last + timedelta(minutes=rng.uniform(5, 30 * 60))
            key = f"{rng.getrandbits(64):016x}"
            reply = Reply(key, "Thanks, we're on it: DM us.", who, at, gid).to_json()
            put(at, "reply", gid, {"replies": [], "status": "new"},
                {"replies": [reply], "status": "open"}, who=who)  # fmt: skip
            posted = {**reply, "status": "delivered", "posted_url": "https://x.example/p"}
            put(at + timedelta(minutes=1), "reply-status", gid, {"replies": [reply]},
                {"replies": [posted], "first_response_at": posted["at"]}, who="outbox", rev=2)  # fmt: skip
        elif roll < 0.36:  # a hand-off, delivered
            at = last + timedelta(minutes=rng.uniform(5, 600))
            h = Handoff("sav", "please call", who, at).to_json()
            put(at, "handoff", gid, {"handoff": None}, {"handoff": h}, who=who)
            put(at + timedelta(seconds=20), "handoff-status", gid, {"handoff": h},
                {"handoff": {**h, "delivery": "delivered"}}, who="worker", rev=2)  # fmt: skip
        elif roll < 0.45:  # a tag, undone one time in ten
            at = last + timedelta(minutes=rng.uniform(5, 600))
            tag = put(at, "tag", gid, {"tags": []}, {"tags": ["billing"]}, who=who)
            if rng.random() < 0.1:
                put(at + timedelta(seconds=30), "undo", gid, {"tags": ["billing"]},
                    {"tags": []}, who=who, rev=2, undoes=tag)  # fmt: skip
        if newest < cut:  # closed within three days (the state says `closed`: no matter)
            done = min(closed, last + timedelta(hours=rng.uniform(1, 72)))
            put(done, "status", gid, {"status": "new"}, {"status": "done"}, who=who, rev=3)
    for month, lines in sorted(months.items()):  # each month in time order, as appended
        lines.sort(key=lambda line: orjson.loads(line)["at"])
        (store / "journal" / f"{month}.jsonl").write_bytes(b"".join(lines))
    journal = Journal(store / "journal")
    journal.set_applied(journal.mark())  # every event is in its state already (no redo)
    marker.write_text(json.dumps({"events": n}))
    return n


def run(checkout: Path, store: Path, end: datetime, days: int, md_out: str | None) -> dict:
    return run_child(checkout, CHILD, str(store), end.isoformat(), str(days),
                     *([md_out] if md_out else []))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True, help="a bench/bigstore.py store (written!)")
    parser.add_argument("--baseline", help="another checkout (e.g. a worktree of main)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--ago", type=int, default=0, help="days before the store's end")
    parser.add_argument("--keep-md", help="folder for each checkout's Markdown")
    args = parser.parse_args()
    store = Path(args.store)
    events = add_journal(store)
    end = END - timedelta(days=args.ago)
    arms = {"this": ROOT}
    if args.baseline:
        arms["baseline"] = Path(args.baseline).resolve()
    runs: dict[str, list[dict]] = {k: [] for k in arms}
    for i in range(args.repeat):
        for name, checkout in arms.items() if i % 2 == 0 else reversed(arms.items()):
            md = str(Path(args.keep_md) / f"{name}.md") if args.keep_md and i == 0 else None
            runs[name].append(run(checkout, store, end, args.days, md))
    load = os.getloadavg()
    first = runs["this"][0]
    print(f"store {store}: {first['mentions']:,} mentions and {first['stories']:,} stories in "
          f"the {args.days} days to {end:%Y-%m-%d %H:%M}; journal of {events:,} events")  # fmt: skip
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cpus")
    for name, rs in runs.items():

        def med(key: str, rs: list[dict] = rs) -> float:
            return statistics.median(r[key] for r in rs)

        worst = max(r["report"] for r in rs)
        loads = ", ".join(f"{r['load']:.1f}" for r in rs)
        print(f"{name:>8}: report {med('report'):.2f} s wall (max {worst:.2f}), "
              f"{med('report_cpu'):.2f} s cpu; open {med('open'):.2f} s wall, "
              f"{med('open_cpu'):.2f} s cpu; n={len(rs)}; load at each run {loads}")  # fmt: skip
    if "baseline" in runs:
        this, base = runs["this"], runs["baseline"]
        for key in ("report", "report_cpu"):
            ratio = statistics.median(r[key] for r in this) / statistics.median(
                r[key] for r in base
            )
            print(f"ratio {key}: {ratio:.2f} (this / baseline)")
        same = {r["md"] for r in this} == {r["md"] for r in base} and len(
            {r["md"] for r in this}
        ) == 1
        print(f"Markdown identical across checkouts and runs: {same}"
              f" ({this[0]['md_len']:,} chars, sha256 {this[0]['md'][:12]})")  # fmt: skip
        if not same:
            raise SystemExit(1)
    target = statistics.median(r["report"] for r in runs["this"])
    print(f"target: a month <= 3 s wall: {'ok' if target <= 3.0 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
