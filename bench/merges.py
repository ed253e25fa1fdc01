"""What grouping by hand costs the folder store (issue 17): nothing until someone merges.

Real data: the tweets of `../shared/data/twcs-sample.csv` (inbound and outbound, see
bench/real_eval.py) through the real pipeline into a fresh store, then the same rows
again `--copies` times with new ids a week apart (the sample is 5,000 rows; the copies
only make the store larger, each copy grouped by the real pipeline). Printed, as
medians of `--repeat` runs, with ratios in the same run:

- the groups the pipeline made, read by the plain `store.index.Index` and by
  `store.merges.GroupedIndex` with no correction (must be identical) and the time to
  index every record both ways;
- one pass of `view()` over every group, both ways (the list's filter scan);
- a merge and a split, from the call to the next ranking (the index is rebuilt once);
- opening the store with no correction and with 20 merges and 20 splits.

    .venv/bin/python bench/merges.py [--copies 9] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.real_eval import CSV, brand_configs, load_rows, to_mention  # noqa: E402
from store.inbox import Inbox  # noqa: E402
from store.index import Index  # noqa: E402
from store.merges import GroupedIndex  # noqa: E402
from triage.pipeline import Pipeline  # noqa: E402


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=9)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not CSV.exists():
        print(f"skipped: {CSV} is absent (real data lives in ../shared/data)")
        return 0
    base = [to_mention(r, False) for r in load_rows(CSV)]
    mentions = [
        replace(m, id=f"{m.id}-{k}", created_at=m.created_at + timedelta(days=7 * k))
        for k in range(args.copies + 1)
        for m in base
    ]
    print(f"load {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        with Inbox.open(path, user="bench", pipeline=Pipeline(brand_configs())) as inbox:
            inbox.ingest(mentions)
            raw = dict(inbox.index.raw)
        print(f"{len(raw)} real mentions (twcs-sample x{args.copies + 1}) in the store")

        def build(kind: type[Index]) -> Index:
            index = kind()
            for rec in raw.values():
                index.add_record(rec)
            return index

        plain, grouped = build(Index), build(GroupedIndex)
        same = {g: plain.group(g) for g in plain.group_ids()} == {
            g: grouped.group(g) for g in grouped.group_ids()
        }
        print(f"groups: {len(plain.group_ids())} plain, {len(grouped.group_ids())} grouped, "
              f"identical: {same}")  # fmt: skip
        rows = []
        for _ in range(args.repeat):
            t_plain, t_grouped = timed(lambda: build(Index)), timed(lambda: build(GroupedIndex))
            ids = plain.group_ids()
            v_plain = timed(lambda: [plain.view(g) for g in ids])  # noqa: B023
            v_grouped = timed(lambda: [grouped.view(g) for g in ids])  # noqa: B023
            rows.append((t_plain, t_grouped, v_plain, v_grouped))
        t_plain, t_grouped, v_plain, v_grouped = (med(list(c)) for c in zip(*rows, strict=True))
        print(f"index every record: plain {t_plain * 1000:.0f} ms, grouped {t_grouped * 1000:.0f} ms"
              f" (x{t_grouped / t_plain:.2f})")  # fmt: skip
        print(f"view() of every group (cached views): plain {v_plain * 1000:.1f} ms, "
              f"grouped {v_grouped * 1000:.1f} ms (x{v_grouped / v_plain:.2f})")  # fmt: skip

        with Inbox.open(path, user="bench") as inbox:
            opens_plain = [timed(lambda: Inbox.open(path, user="b").close()) for _ in range(3)]
            ranked = inbox.ranked_ids()
            merges, splits = [], []
            for n in range(args.repeat):
                a, b = ranked[2 * n], ranked[2 * n + 1]
                merges.append(timed(lambda: (inbox.merge(a, [b]), inbox.ranked_ids())))  # noqa: B023
            multi = [g for g in inbox.group_ids() if len(inbox.group(g)) > 1]

            def a_copy(g: str) -> str:  # not the story's own post (that one cannot leave)
                return next(m.id for m in reversed(inbox.group(g)) if m.id != g)

            for g in multi[: args.repeat]:
                copy = a_copy(g)
                splits.append(timed(lambda: (inbox.split(copy), inbox.ranked_ids())))  # noqa: B023
            for n in range(args.repeat, 20):
                inbox.merge(ranked[2 * n], [ranked[2 * n + 1]])
            for g in multi[args.repeat : 20]:
                inbox.split(a_copy(g))
            opens_fixed = [timed(lambda: Inbox.open(path, user="b").ranked_ids()) for _ in range(3)]
        print(f"merge, then the ranking: median {med(merges) * 1000:.0f} ms "
              f"(max {max(merges) * 1000:.0f}); split: median {med(splits) * 1000:.0f} ms"
              f" ({len(splits)} splits)")  # fmt: skip
        print(f"open + first ranking: no correction {med(opens_plain):.2f} s, "
              f"20 merges + 20 splits {med(opens_fixed):.2f} s "
              f"(x{med(opens_fixed) / med(opens_plain):.2f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
