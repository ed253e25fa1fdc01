"""Search: what stems and signals cost per keystroke and what they find, on real tweets.

    .venv/bin/python bench/search.py [--store DIR] [--repeat 5]

Real data: ../shared/data/twcs-sample.csv (5,000 customer-support tweets, see its
README), ingested into a temporary store through the real pipeline; skipped if absent.
Scale: a store of synthetic mentions (bench/synth.py; --store reuses bench/tui.py's).
For each query: the words found with and without the stem expansions (recall), the time
to expand a query against the store's vocabulary (once per keystroke), and the time of a
full scan of every group (the worker's part of a keystroke), medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store.inbox import Inbox  # noqa: E402
from triage.config import BrandConfig  # noqa: E402
from triage.filter import Filter, parse_filter  # noqa: E402
from triage.model import Author, Mention  # noqa: E402
from triage.pipeline import Pipeline  # noqa: E402

# ../shared/data beside the repository (or beside the folder of work trees)
TWCS = next(
    (p / "shared/data/twcs-sample.csv" for p in (ROOT.parent, ROOT.parent.parent)
     if (p / "shared/data/twcs-sample.csv").exists()),
    ROOT.parent / "shared/data/twcs-sample.csv",
)  # fmt: skip
REAL_QUERIES = ("refund", "charged", "delayed", "cancel", "battery", "injury", "complaint", "annul")
SYNTH_QUERIES = ("lampe", "remboursement", "refunds", "overheat", "dangereuse", "plainte")


def twcs_store(folder: Path) -> Inbox:
    brands = sorted(
        {r["author_id"] for r in csv.DictReader(TWCS.open()) if r["inbound"] == "False"}
    )
    pipeline = Pipeline([BrandConfig(b, keywords=(b,), handles=(f"@{b}",)) for b in brands])
    inbox = Inbox.open(folder, user="bench", pipeline=pipeline)
    mentions = []
    for row in csv.DictReader(TWCS.open()):
        if not row.get("created_at") or not row.get("text"):
            continue  # a damaged row
        at = datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        mentions.append(
            Mention(
                id=f"rss:{row['tweet_id']}", platform="rss", source="twcs",
                url=f"https://twitter.example/{row['tweet_id']}",
                author=Author(name=row["author_id"]), text=row["text"],
                created_at=at, fetched_at=at,
            )
        )  # fmt: skip
    inbox.ingest(mentions)
    return inbox


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def scan(inbox: Inbox, flt: Filter, ids: list[str]) -> int:
    ctx = inbox.context()
    view, matches = inbox.view, flt.matches
    return sum(1 for g in ids if matches(view(g), ctx))


def measure(name: str, inbox: Inbox, queries: tuple[str, ...], repeat: int) -> None:
    ids = inbox.ranked_ids()
    for g in ids:
        inbox.view(g)  # built once, as the TUI's warm-up does
    vocabulary = inbox.vocabulary()
    print(f"\n{name}: {len(ids):,} groups, vocabulary {len(vocabulary):,} words")
    print(
        f"{'query':<14}{'plain':>7}{'stems':>7}  {'expand':>9}  {'scan plain':>11}  {'scan stems':>11}  new words"
    )
    for query in queries:
        plain = parse_filter(query)
        expand_ms = median_ms(lambda q=query: parse_filter(q).with_vocabulary(vocabulary), repeat)
        stemmed = plain.with_vocabulary(vocabulary)
        n_plain, n_stems = scan(inbox, plain, ids), scan(inbox, stemmed, ids)
        plain_ms = median_ms(lambda f=plain: scan(inbox, f, ids), repeat)
        stems_ms = median_ms(lambda f=stemmed: scan(inbox, f, ids), repeat)
        words = ", ".join(stemmed.terms[0].alternatives[:5])
        print(
            f"{query:<14}{n_plain:>7}{n_stems:>7}  {expand_ms:>7.2f}ms  {plain_ms:>9.1f}ms"
            f"  {stems_ms:>9.1f}ms  {words}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", help="a synthetic store folder (bench/tui.py --store)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("plain: substring only (before); stems: with the store's words of the same stem")
    print("(and signals, and fuzzy spellings for a word found nowhere, as the TUI and CLI do)")
    if TWCS.exists():
        with tempfile.TemporaryDirectory() as tmp, twcs_store(Path(tmp) / "s") as inbox:
            measure("twcs-sample (real tweets)", inbox, REAL_QUERIES, args.repeat)
    else:
        print(f"skipped the real data: {TWCS} is absent")
    if args.store:
        with Inbox.open(args.store, user="bench") as inbox:
            measure(f"synthetic store {args.store}", inbox, SYNTH_QUERIES, args.repeat)


if __name__ == "__main__":
    main()
