"""TUI benchmark at 100,000 mentions, headless (Textual's run_test).

    .venv/bin/python bench/tui.py [--mentions 100000] [--store DIR] [--repeat 5]
                                  [--baseline CHECKOUT]

--baseline measures another checkout of veille (e.g. `git worktree add /tmp/base main`)
with this same bench, runs alternated, both reported: before and after in one run.

Each run is a fresh process (so memory and launch are those of one `veille`), reported
as median / p99 over runs and keys (targets from issue 16):
  launch    process start (before importing Textual and the store) to the first
            row of the list drawn; the store opened first screen first, as
            `veille` does (Inbox.open(defer=True))                      median <= 1.0 s
  filter    one keystroke in the filter line to the screen showing its outcome: the
            list's rows for the new text (its first screenful), or its error  p95 <= 40 ms
  cursor    one `j` to the screen showing the cursor on the next row      p95 <= 16 ms
  memory    peak RSS of the process after typing filters                      <= 500 MB
  pane      one `j` to the frame that drew the thread pane showing the new cursor's
            group (it follows once the cursor rests: pane_delay, 60 ms)    no target
  new       the first filter key after new mentions dropped the store's text index
            (a record added to the index, as a refresh adds another process's; the
            bench store is not written), and when the index was rebuilt   no target
A key's figure ends with the first frame (the screen's compositor refresh) that drew the
list (or the filter's error line) once the screen held that key's outcome (the cursor
moved; `InboxScreen.shown_filter` is the typed text), however long after Pilot's press
returned it comes: a result computed in a worker and shown later is counted in full, a
frame that drew only the filter line's echo does not count, a key never shown counts
as 5 s. A list that repaints only the lines that changed may have none to draw (the
new result's first screenful is the one on screen): then the figure ends when the
screen holds the outcome and every line of the list shows what its rows hold. The thread
pane follows the cursor once it rests (pane_delay) and is not part of the cursor figure.
The store is built once with bench/synth.py (kept with --store).
Other processes on the 2 shared cores add noise: compare p99 with the median, and the
CPU time the process spent per key (every thread, from the key to its frame), which the
machine's load changes far less than the wall time.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if "--code" in sys.argv:  # measure another checkout's veille (--baseline) with this bench
    ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
WORDS = ("lampe", "remboursement", "brand:Lumio", "-scam")
PANES = 5  # keys per run after which the thread pane is waited for
AFTER_NEW = 3  # filter keys per run right after new mentions (the text index dropped)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, values: list[float], target: float, p: int = 50) -> None:
    """Median, p95, p99; the target applies to the median or to the `p` percentile."""
    med = statistics.median(values)
    judged = med if p == 50 else pct(values, p)
    verdict = "ok" if judged <= target else "OVER TARGET"
    print(
        f"{name:<8} median {ms(med):>10}  p95 {ms(pct(values, 95)):>10}  "
        f"p99 {ms(pct(values, 99)):>10}  min {ms(min(values)):>10}  n={len(values):<4} "
        f"target {'p' + str(p) if p != 50 else 'median'} {ms(target)}  {verdict}"
    )


def outcome(screen: object) -> str:
    """The filter text whose outcome (rows or error) the screen shows. A checkout from
    before `shown_filter` (--baseline) showed it within the keystroke: its text, or
    the error line the keystroke put up."""
    shown = getattr(screen, "shown_filter", None)
    if shown is not None:
        return str(shown)
    error = screen.query_one("#filter-error")  # type: ignore[attr-defined]
    value = screen.query_one("#filter").value  # type: ignore[attr-defined]
    return str(value if error.display else screen.filter_text)  # type: ignore[attr-defined]


def build(store: Path, count: int) -> None:
    from bench.synth import mentions
    from store.inbox import Inbox

    if (store / "meta.json").exists():
        return
    t = time.perf_counter()
    data = list(mentions(count))
    with Inbox.open(store, user="bench") as inbox:
        for i in range(0, len(data), 5000):
            inbox.ingest(data[i : i + 5000])
    print(f"built a store of {count:,} mentions in {time.perf_counter() - t:.1f} s")


async def one_run(store: Path, keys: int) -> dict[str, object]:
    from store.inbox import Inbox
    from triage.config import BrandConfig, Config
    from tui.app import VeilleApp
    from tui.widgets.mention_list import MentionList

    t_open = time.perf_counter()
    inbox = Inbox.open(store, user="bench", defer=True)  # as `veille` opens it (cli.inbox)
    opened = time.perf_counter() - t_open
    config = Config(user="bench", brands=(BrandConfig("Lumio"), BrandConfig("Brightly")))
    app = VeilleApp(inbox, config, now=lambda: NOW, poll_interval=0)
    filters: list[float] = []
    cursors: list[float] = []
    filter_cpu: list[float] = []  # CPU time of the process (every thread) per key
    filter_texts: list[str] = []  # the filter line's text after each key (--detail)
    after_new: list[float] = []  # the first filter key after new mentions
    rebuilt: list[float] = []  # that key to the store's text index rebuilt
    cursor_cpu: list[float] = []
    panes: list[float] = []  # a key to the thread pane showing the cursor's group
    async with app.run_test(size=(160, 48)) as pilot:
        mlist = app.screen.query_one(MentionList)
        while mlist.first_paint is None:
            await asyncio.sleep(0.001)
        launch = mlist.first_paint - STARTED
        first_rows = list(mlist.ids[:40])
        while inbox.loading:
            await asyncio.sleep(0.01)
        loaded = time.perf_counter() - STARTED
        while not app.screen._vocabulary_ready:  # keys are measured once warmed up
            await asyncio.sleep(0.05)
        exact = list(mlist.ids[:40]) == first_rows  # the first screen was already right
        await pilot.pause()
        screen = app.screen
        wanted: list[Callable[[set[str]], bool]] = []  # what this key must show
        held: list[Callable[[], bool]] = []  # the screen holds this key's outcome
        shown: list[float] = []
        spent: list[float] = []  # process CPU time when shown
        painted: set[str] = set()  # the widgets drawn in the current frame
        original = screen._compositor_refresh

        def spy(widget: object, name: str) -> None:
            render_lines = widget.render_lines  # type: ignore[attr-defined]

            def spied(crop: object) -> object:
                painted.add(name)
                return render_lines(crop)

            widget.render_lines = spied  # type: ignore[attr-defined]

        spy(mlist, "list")
        spy(screen.query_one("#filter-error"), "error")

        def current() -> bool:
            """Every line of the list shows what its rows now hold (a list that keeps
            what it drew, `MentionList._painted`; an older one: never known)."""
            painted = getattr(mlist, "_painted", None)
            if painted is None:
                return False
            height = min(mlist.size.height, mlist.scrollable_content_region.height)
            # the frame's context once (per line it read ~5 Textual properties: ~4 ms a
            # check of the whole list, taken from the UI thread every 1 ms of waiting)
            context = mlist._key_context() if hasattr(mlist, "_key_context") else None
            return all(painted.get(y) == mlist._line_key(y, context) for y in range(1, height))

        def refresh_and_note() -> None:
            painted.clear()
            original()
            if wanted and not shown and (wanted[0](painted) or (held[0]() and current())):
                shown.append(time.perf_counter())
                spent.append(time.process_time())

        screen._compositor_refresh = refresh_and_note  # type: ignore[method-assign]

        async def seen(t: float, cpu: float) -> tuple[float, float]:
            """From the key to the end of the first frame drawn once `wanted` holds
            (the screen shows this key's outcome), however long after Pilot's press
            returned it comes: a late result is counted, never dropped."""
            deadline = t + 5
            while not shown and time.perf_counter() < deadline:
                if held[0]() and current():
                    shown.append(time.perf_counter())
                    spent.append(time.process_time())
                    break
                await asyncio.sleep(0.001)
            latency = shown[0] - t if shown else 5.0
            used = spent[0] - cpu if spent else 5.0
            wanted.clear()
            held.clear()
            shown.clear()
            spent.clear()
            return latency, used

        for _ in range(keys):
            before = mlist.cursor
            wanted.append(lambda drawn, before=before: mlist.cursor == before + 1 and "list" in drawn)
            held.append(lambda: False)  # a cursor move always has two lines to draw
            t, c = time.perf_counter(), time.process_time()
            await pilot.press("j")
            latency, used = await seen(t, c)
            cursors.append(latency)
            cursor_cpu.append(used)
        pane = screen.query_one("#thread")
        spy(pane, "pane")
        for _ in range(PANES):  # the thread pane once the cursor rests (not a target)
            wanted.append(
                lambda drawn: "pane" in drawn
                and pane._group == mlist.current.group_id
                and getattr(pane, "settled", True)  # an older checkout wraps at once
            )
            held.append(lambda: False)
            t, c = time.perf_counter(), time.process_time()
            await pilot.press("j")
            latency, used = await seen(t, c)
            panes.append(latency)
        await pilot.press("slash")
        filter_input = app.screen.query_one("#filter")
        for word in WORDS:
            filter_input.value = ""
            await pilot.pause(0.3)
            for n, char in enumerate(word, 1):
                text = word[:n]
                wanted.append(
                    lambda drawn, text=text: outcome(screen) == text and bool(drawn & {"list", "error"})
                )
                held.append(lambda text=text: outcome(screen) == text)
                t, c = time.perf_counter(), time.process_time()
                # watched while Pilot's press waits for idle (2 x 20 ms at least): rows that
                # need no frame (the same first screenful) are seen when the screen holds them
                watch = asyncio.ensure_future(seen(t, c))
                await pilot.press(char)
                latency, used = await watch
                filters.append(latency)
                filter_cpu.append(used)
                filter_texts.append(text)
        # New mentions drop the store's text index: a record is added to the index as
        # `refresh()` adds what another process stored (nothing is written to the bench
        # store), the screen re-reads the ranking, then the first key of a filter.
        index = inbox.view.__self__
        for k in range(AFTER_NEW):
            filter_input.value = ""
            await pilot.pause(0.3)
            while index.text_index is None:  # the last rebuild (a worker's, or the key's)
                await asyncio.sleep(0.01)
            record = dict(index.raw[next(iter(index.raw))])
            record["id"] = record["group_id"] = f"bench:new:{k}"
            index.add_record(record)
            screen.reload(keep=mlist.current_id)
            await pilot.pause(0.3)
            wanted.append(lambda drawn: outcome(screen) == "l" and bool(drawn & {"list"}))
            held.append(lambda: outcome(screen) == "l")
            t, c = time.perf_counter(), time.process_time()
            watch = asyncio.ensure_future(seen(t, c))
            await pilot.press("l")
            latency, _ = await watch
            after_new.append(latency)
            while index.text_index is None:
                await asyncio.sleep(0.005)
            rebuilt.append(time.perf_counter() - t)
        await pilot.pause(0.5)  # let the filter workers finish before reading memory
    inbox.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "launch": launch,
        "store_open": opened,
        "loaded": loaded,
        "exact": exact,
        "mentions": len(inbox),
        "filters": filters,
        "cursors": cursors,
        "filter_cpu": filter_cpu,
        "filter_texts": filter_texts,
        "after_new": after_new,
        "rebuilt": rebuilt,
        "cursor_cpu": cursor_cpu,
        "panes": panes,
        "peak_mb": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--store", help="store folder to build once and reuse")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument(
        "--baseline", help="another checkout (e.g. of main) measured in the same run, alternated"
    )
    parser.add_argument(
        "--detail", action="store_true", help="also print each filter text's median and max"
    )
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    store = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="veille-tui-")) / "s"
    if args.one:
        print(json.dumps(asyncio.run(one_run(store, args.keys))))
        return
    build(store, args.mentions)
    codes = {"after": str(ROOT)}
    if args.baseline:
        codes = {"before": args.baseline, **codes}
    print(
        f"TUI benchmark: {args.mentions:,} mentions, {args.repeat} runs of "
        f"{' and '.join(codes)} (alternated), {os.cpu_count()} cpus; load average before "
        f"{os.getloadavg()[0]:.2f} (other helpers share the cores)"
    )
    results: dict[str, list[dict]] = {name: [] for name in codes}
    for _ in range(args.repeat):
        for name, code in codes.items():
            out = subprocess.run(
                [sys.executable, __file__, "--one", "--store", str(store), "--keys",
                 str(args.keys), "--code", code],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"load average after {os.getloadavg()[0]:.2f}")
    for name, runs in results.items():
        print(f"--- {name}: {codes[name]}; {runs[-1]['mentions']:,} mentions")
        summary(runs)
        if args.detail:
            detail(runs)


def summary(runs: list[dict]) -> None:
    launches = [r["launch"] for r in runs]
    opens = [r["store_open"] for r in runs]
    loads = [r["loaded"] for r in runs]
    exact = [r["exact"] for r in runs]
    filters = [f for r in runs for f in r["filters"]]
    cursors = [c for r in runs for c in r["cursors"]]
    peaks = [r["peak_mb"] for r in runs]
    report("launch", launches, 1.0)
    print(f"         of which Inbox.open (the store's part): median {ms(statistics.median(opens))}")
    print(
        f"         the rest of the store indexed by {ms(statistics.median(loads))} (median); "
        f"first screen unchanged once it was: {sum(exact)}/{len(exact)} runs"
    )
    report("filter", filters, 0.040, p=95)
    report("cursor", cursors, 0.016, p=95)
    for name in ("filter", "cursor"):
        cpu = [c for r in runs for c in r.get(f"{name}_cpu", ())]
        if cpu:
            print(
                f"         {name} CPU of the process per key (all threads; load-independent): "
                f"median {ms(statistics.median(cpu))}, p95 {ms(pct(cpu, 95))}"
            )
    panes = [p for r in runs for p in r.get("panes", ())]
    if panes:
        print(
            f"pane     median {ms(statistics.median(panes)):>10}  p95 {ms(pct(panes, 95)):>10}  "
            f"n={len(panes):<4} a key to the thread pane showing the cursor's group (after "
            f"its 60 ms of rest; no target)"
        )
    after = [a for r in runs for a in r.get("after_new", ())]
    if after:
        rebuilt = [a for r in runs for a in r.get("rebuilt", ())]
        print(
            f"new      median {ms(statistics.median(after)):>10}  max {ms(max(after)):>10}  "
            f"n={len(after):<4} the first filter key after new mentions (the text index "
            f"dropped); index rebuilt {ms(statistics.median(rebuilt))} after that key"
        )
    peak = statistics.median(peaks)
    verdict = "ok" if peak <= 500 else "OVER TARGET"
    print(
        f"memory   peak RSS median {peak:.0f} MB, max {max(peaks):.0f} MB (target 500 MB)  {verdict}"
    )

def detail(runs: list[dict]) -> None:
    """Each filter text's latency over the runs (which keystrokes make the tail)."""
    by_text: dict[str, list[tuple[float, float]]] = {}
    for r in runs:
        for text, wall, cpu in zip(r.get("filter_texts", ()), r["filters"], r["filter_cpu"], strict=False):
            by_text.setdefault(text, []).append((wall, cpu))
    print("         filter keys (text: median wall / max wall / median CPU, ms):")
    cells = [
        f"{text!r}: {1000 * statistics.median(w for w, _ in v):.0f}/"
        f"{1000 * max(w for w, _ in v):.0f}/{1000 * statistics.median(c for _, c in v):.0f}"
        for text, v in by_text.items()
    ]
    for k in range(0, len(cells), 4):
        print("           " + "   ".join(cells[k : k + 4]))


if __name__ == "__main__":
    main()
