"""The real inbox (Textual, headless) on PostgreSQL: paged (tui.paging) against the whole
ranking (the folder store's path, `ranked_ids` and the hidden sets built in Python).

    .venv/bin/python bench/tui_postgres.py [--mentions 200000] [--repeats 3]
                                           [--baseline CHECKOUT]

--baseline measures another checkout (e.g. of main) with this same bench, in the same run.

The mentions are the real tweets of ../shared/data/twcs-sample.csv, loaded with COPY by
bench/postgres.py (skipped with a message if the file is absent). Each run is a fresh
process: from its first line to the first row painted, then End pressed 10 times while
the screen's warm-up workers run and 10 times after them (each loads the next page when
paged), the time from the key to the end of the first frame that drew the list with the
cursor on the last row (paged: the last row loaded before, the next page below it); medians printed, with the
machine's load (other work shares it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT  # this bench's checkout (its helpers: bench.postgres, tests.pg.server)
if "--code" in sys.argv:  # measure another checkout's veille (--baseline) with this bench
    ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(ROOT))


async def child(url: str, mode: str) -> None:
    from store.postgres import PgStore
    from triage.config import BrandConfig, Config
    from tui import paging
    from tui.app import VeilleApp
    from tui.widgets.mention_list import MentionList

    if mode == "whole":  # the path a store without ranked_page takes
        paging.Pager.of = classmethod(lambda cls, screen: None)  # type: ignore[assignment]
    store = PgStore.open(url, user="bench")
    config = Config(user="bench", brands=(BrandConfig("Lumio"), BrandConfig("Brightly")))
    app = VeilleApp(store, config, poll_interval=0)
    ends: list[float] = []  # while the warm-up workers run
    warm: list[float] = []  # after them
    async with app.run_test(size=(160, 48)) as pilot:
        mlist = app.screen.query_one(MentionList)
        while mlist.first_paint is None:
            await asyncio.sleep(0.001)
        launch = mlist.first_paint - STARTED
        await pilot.pause()
        screen = app.screen
        wanted: list[Callable[[], bool]] = []
        shown: list[float] = []
        painted: list[bool] = []  # the list was drawn in the current frame
        original = screen._compositor_refresh
        render_lines = mlist.render_lines

        def spied(crop: object) -> object:
            painted.append(True)
            return render_lines(crop)  # type: ignore[arg-type]

        mlist.render_lines = spied  # type: ignore[method-assign,assignment]

        def refresh_and_note() -> None:
            painted.clear()
            original()
            if wanted and not shown and painted and wanted[0]():
                shown.append(time.perf_counter())

        screen._compositor_refresh = refresh_and_note  # type: ignore[method-assign]
        for phase in (ends, warm):
            if phase is warm:  # the warm-up (views, vocabulary, author index) is over
                await app.workers.wait_for_complete()
            for _ in range(10):
                paged = mode != "whole"
                if not paged:  # the cursor is already on the last row: from the top again
                    await pilot.press("home")
                    await pilot.pause()
                before = len(mlist.ids)
                wanted.append(  # on the last row; paged, the next page there below it
                    lambda before=before, paged=paged: (
                        mlist.cursor == before - 1 and len(mlist.ids) > before
                        if paged
                        else mlist.cursor == len(mlist.ids) - 1
                    )
                )
                t = time.perf_counter()
                await pilot.press("end")
                while not shown and time.perf_counter() < t + 10:
                    await asyncio.sleep(0.001)
                phase.append(shown[0] - t if shown else 10.0)  # to the frame showing it
                wanted.clear()
                shown.clear()
                assert mode == "whole" or len(mlist.ids) > before
        rows = len(mlist.ids)
        app.exit()
    end, after = statistics.median(ends), statistics.median(warm)
    print(json.dumps({"launch": launch, "end": end, "warm": after, "rows": rows}))
    sys.stdout.flush()
    import os

    os._exit(0)  # workers still counting or warming up: not part of the figure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("URL", "MODE"))
    parser.add_argument(
        "--baseline", help="another checkout (e.g. of main) measured in the same run, alternated"
    )
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(*args.child))
        return 0
    from bench.postgres import bench_pg_bin, load, load_avg

    bin = bench_pg_bin()
    if bin is None:
        return 0
    from tests.pg.server import running_server

    print(f"machine: {load_avg()} (other work shares it)")
    with running_server(bin, durable=True) as server:
        url = server.create_database("bench")
        print(f"loaded {args.mentions} mentions with COPY in {load(url, args.mentions):.1f} s")
        codes = {"after": str(HERE)}
        if args.baseline:
            codes = {"before": args.baseline, **codes}
        for name, code in codes.items():
            medians = {}
            for mode in ("paged", "whole"):
                runs = []
                for _ in range(args.repeats):
                    out = subprocess.run(
                        [sys.executable, __file__, "--child", url, mode, "--code", code],
                        capture_output=True, text=True, check=True, timeout=600,
                    ).stdout  # fmt: skip
                    runs.append(json.loads(out.strip().splitlines()[-1]))
                launch = statistics.median(r["launch"] for r in runs)
                end = statistics.median(r["end"] for r in runs)
                warm = statistics.median(r["warm"] for r in runs)
                medians[mode] = launch
                each = ", ".join(f"{r['launch']:.2f}" for r in runs)
                print(
                    f"{name} [{mode}] start to first row: median {launch:.2f} s "
                    f"(runs {each}); End key to the frame showing it (the next page when "
                    f"paged) during warm-up: median {end * 1000:.0f} ms, after it: "
                    f"{warm * 1000:.0f} ms; rows after 20 End: {runs[-1]['rows']}"
                )
            print(f"{name}: ratio whole/paged launch: {medians['whole'] / medians['paged']:.1f}x")
    print(f"machine after: {load_avg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
