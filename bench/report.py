"""Report benchmark: `veille report` over 100,000 mentions and their journal.

    .venv/bin/python bench/report.py [--mentions 100000] [--actions 6000] [--repeat 5]
                                     [--keep DIR]

Builds a store with bench/synth.py (90 days) and a journal of real triage actions
(replies, hand-offs and their delivery, tags, status changes, undos) made through the
Inbox API, on /dev/shm when there is one (the actions' fsyncs are set-up cost, not what
is measured). Then, in a fresh process per run: open the store, build the report for the
whole period, render Markdown and HTML; and stream `veille export` of every mention to
/dev/null. Prints medians, worst (p99 of few runs), spread, and each process's peak RSS.
Target: report (open + figures + rendering) <= 3 s and <= 400 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import mentions  # noqa: E402
from store.errors import Conflict  # noqa: E402
from store.inbox import Inbox  # noqa: E402
from triage.model import DeliveryStatus  # noqa: E402

END = "2026-11-20T12:00"

CHILD_REPORT = """
import json, resource, sys, time
from datetime import datetime, timedelta, UTC
t0 = time.perf_counter()
from store.inbox import Inbox
from triage.config import BrandConfig, Config
from triage.report import Period
from triage.report_render import to_html, to_markdown
from app.reports import make_report
t1 = time.perf_counter()
inbox = Inbox.open(sys.argv[1], user="bench")
t2 = time.perf_counter()
end = datetime.fromisoformat(sys.argv[2]).replace(tzinfo=UTC)
config = Config(user="bench", brands=(
    BrandConfig("Lumio", competitors=("Brightly", "Lumenza", "Glowa")),
    BrandConfig("Brightly", is_competitor=True), BrandConfig("Lumenza", is_competitor=True),
    BrandConfig("Glowa", is_competitor=True)))
period = Period(end - timedelta(days=91), end)
for _ in inbox.mentions_between(period.start, period.end):  # the store's cost, apart
    pass
t25 = time.perf_counter()
report = make_report(inbox, config, period, end + timedelta(hours=1))
t3 = time.perf_counter()
md, page = to_markdown(report), to_html(report)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "open": t2 - t1, "read": t25 - t2, "figures": t3 - t25,
    "render": t4 - t3,
    "total": (t4 - t0) - (t25 - t2),  # the extra read pass is measured apart, not counted
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "mentions": report.figure("Mentions"), "answered": report.figure("Answered stories"),
    "md_kb": len(md) / 1024, "html_kb": len(page) / 1024}))
"""

CHILD_EXPORT = """
import json, resource, sys, time
t0 = time.perf_counter()
from store.inbox import Inbox
from triage.model import utcnow
from app.reports import export_rows, write_jsonl
inbox = Inbox.open(sys.argv[1], user="bench")
t1 = time.perf_counter()
rss_open = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
with open(os.devnull, "wb") as out:
    n = write_jsonl(export_rows(inbox, None, utcnow()), out)
t2 = time.perf_counter()
print(json.dumps({"open": t1 - t0, "export": t2 - t1, "rows": n, "rss_open_mb": rss_open,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""".replace("import json,", "import os, json,")


def build(path: Path, count: int, actions: int) -> None:
    t = time.perf_counter()
    with Inbox.open(path, user="ana") as inbox:
        batch = []
        for m in mentions(count):
            batch.append(m)
            if len(batch) == 5000:
                inbox.ingest(batch)
                batch = []
        inbox.ingest(batch)
        t_ingest = time.perf_counter() - t
        rng = random.Random(7)
        groups = inbox.group_ids()
        people = ("ana", "ben", "chloe", "dan")
        for i in range(actions):
            inbox.user = people[i % 4]
            gid = rng.choice(groups)
            roll = rng.random()
            if roll < 0.35:
                inbox.add_reply(gid, "Merci, nous regardons", manual=rng.random() < 0.5)
            elif roll < 0.55:
                inbox.handoff(gid, rng.choice(("sav", "legal", "pr")), "to check")
                inbox.update_handoff(
                    gid, rng.choice((DeliveryStatus.DELIVERED, DeliveryStatus.FAILED))
                )
            elif roll < 0.75:
                inbox.tag(gid, add=[rng.choice(("bug", "praise", "complaint", "press"))])
            elif roll < 0.9:
                inbox.set_status(gid, rng.choice(("open", "done", "ignored", "waiting")))
            else:
                with contextlib.suppress(Conflict):  # changed since by someone: refused
                    inbox.undo()
        events = sum(1 for _ in inbox.events())
    print(
        f"store: {count:,} mentions ingested in {t_ingest:.1f} s; journal of {events:,} events "
        f"({actions:,} actions) built in {time.perf_counter() - t - t_ingest:.1f} s"
    )


def run_child(code: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout)


def summary(name: str, values: list[float], unit: str = "s") -> str:
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med * 100 if med else 0.0
    return (
        f"  {name:<9} median {med:7.3f} {unit}  min {min(values):7.3f}  "
        f"worst(p99) {max(values):7.3f}  spread {spread:4.0f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--actions", type=int, default=6_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="reuse (or create) the store in this folder")
    args = parser.parse_args()

    base = "/dev/shm" if Path("/dev/shm").is_dir() else None
    tmp = None if args.keep else tempfile.mkdtemp(prefix="veille-bench-report-", dir=base)
    path = Path(args.keep or tmp) / "store"  # type: ignore[arg-type]
    try:
        if not (path / "meta.json").exists():
            build(path, args.mentions, args.actions)
        print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f} (shared machine)")
        runs = [run_child(CHILD_REPORT, str(path), END) for _ in range(args.repeat)]
        first = runs[0]
        print(
            f"report over {first['mentions']:,} mentions, {first['answered']:,} answered stories "
            f"(Markdown {first['md_kb']:.0f} KB, HTML {first['html_kb']:.0f} KB), "
            f"{args.repeat} fresh processes:"
        )
        print("  (open and read: the store loading its files and building Mention records;")
        print("   figures: triage.report over them and the journal, reading the store again;")
        print("   render: Markdown + HTML; total: import + open + figures + render, the `read`")
        print("   pass is a separate measurement of the store's share and not counted twice)")
        for key in ("import", "open", "read", "figures", "render", "total"):
            print(summary(key, [r[key] for r in runs]))
        print(summary("peak RSS", [r["rss_mb"] for r in runs], "MB"))
        total = statistics.median(r["total"] for r in runs)
        rss = max(r["rss_mb"] for r in runs)
        verdict = "OK" if total <= 3.0 and rss <= 400 else "OVER TARGET"
        print(
            f"  target <= 3 s and <= 400 MB: median {total:.2f} s, worst RSS {rss:.0f} MB: {verdict}"
        )
        exports = [run_child(CHILD_EXPORT, str(path)) for _ in range(max(1, args.repeat // 2))]
        print(f"export of {exports[0]['rows']:,} mentions as JSON Lines to /dev/null:")
        print(summary("export", [r["export"] for r in exports]))
        growth = [r["rss_mb"] - r["rss_open_mb"] for r in exports]
        print(
            f"  peak RSS {max(r['rss_mb'] for r in exports):.0f} MB, of which "
            f"{max(growth):.0f} MB added by the export over the opened store"
        )
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
