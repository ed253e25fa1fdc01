"""Where one `veille fetch` spends its CPU, phase by phase, main process and parse workers.

    .venv/bin/python bench/fetch_split.py --config FILE --store DIR fetch

Runs `cli.main` in this process with measuring points wrapped around the poll round, the
store step, and each parse worker's calls (parse, prepare, sending the result back), then
prints one line after veille's own output:

    cpu split: main start-up 0.31 s, polling 0.62 s, storing 1.60 s, rest 0.03 s;
    workers (2): parse 0.81 s, prepare 3.02 s, sending back 0.12 s, 200 calls

A bench helper (bench/ingest.py --split runs it once per shape, or `--split-runs N` times
beside the baseline's own copy, then `compare` gives each phase's medians and ratio):
it wraps private
functions of sources.poller and concurrent.futures, which a release may rename; the
figures are process CPU seconds, which the machine's load changes far less than wall time.
Workers write their running totals to a folder of their own (they are other processes).
"""

from __future__ import annotations

import atexit
import concurrent.futures.process as futures_process
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import app.ingest as ingest  # noqa: E402
import cli.main  # noqa: E402
import sources.poller as poller  # noqa: E402

FOLDER = Path(tempfile.mkdtemp(prefix="veille-split-"))
MAIN: dict[str, float] = {}
WORKER = {"parse": 0.0, "prepare": 0.0, "send": 0.0, "calls": 0}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _note_worker() -> None:
    (FOLDER / f"{os.getpid()}.json").write_text(json.dumps(WORKER), encoding="utf-8")


_parse_then_prepare = poller._parse_then_prepare


def _timed_parse_then_prepare(prepare: Any, parse: Any, *args: Any) -> Any:
    """Worker side: parse, then prepare, each timed (the poller's own order)."""
    started = time.thread_time()
    mentions, warnings = parse(*args)
    parsed = time.thread_time()
    result = _parse_then_prepare(prepare, lambda *_: (mentions, warnings))
    WORKER["parse"] += parsed - started
    WORKER["prepare"] += time.thread_time() - parsed
    WORKER["calls"] += 1
    return result


_sendback = futures_process._sendback_result


def _timed_sendback(*args: Any, **kwargs: Any) -> Any:
    started = time.thread_time()
    try:
        return _sendback(*args, **kwargs)
    finally:
        WORKER["send"] += time.thread_time() - started
        _note_worker()


_poll_once = poller.Poller.poll_once


async def _timed_poll_once(self: poller.Poller, *args: Any, **kwargs: Any) -> Any:
    MAIN["poll_start"] = _cpu()
    try:
        return await _poll_once(self, *args, **kwargs)
    finally:
        MAIN["poll_end"] = _cpu()


_ingest_with_rules = ingest.ingest_with_rules


def _timed_ingest(*args: Any, **kwargs: Any) -> Any:
    MAIN["store_start"] = _cpu()
    try:
        return _ingest_with_rules(*args, **kwargs)
    finally:
        MAIN["store_end"] = _cpu()


def report() -> str:
    workers = [json.loads(p.read_text(encoding="utf-8")) for p in FOLDER.glob("*.json")]
    where = f"workers ({len(workers)})"
    if WORKER["calls"]:  # --parse thread or inline: parsed in this process
        workers.append(WORKER)
        where = "parsing in the main process"
    total = {k: sum(w[k] for w in workers) for k in WORKER}
    end = _cpu()
    start = MAIN.get("poll_start", end)
    polled = MAIN.get("poll_end", start) - start
    stored = MAIN.get("store_end", 0.0) - MAIN.get("store_start", 0.0)
    rest = end - start - polled - stored
    return (
        f"cpu split: main start-up {start:.2f} s, polling {polled:.2f} s, storing "
        f"{stored:.2f} s, rest {rest:.2f} s; {where}: parse "
        f"{total['parse']:.2f} s, prepare {total['prepare']:.2f} s, sending back "
        f"{total['send']:.2f} s, {int(total['calls'])} calls"
    )


FIGURES = re.compile(
    r"main start-up ([0-9.]+) s, polling ([0-9.]+) s, storing ([0-9.]+) s, rest (-?[0-9.]+) s; "
    r".*?: parse ([0-9.]+) s, prepare ([0-9.]+) s, sending back ([0-9.]+) s"
)
NAMES = ("start-up", "polling", "storing", "rest", "parse", "prepare", "sending back")


def figures(line: str) -> dict[str, float] | None:
    """The phases of one `cpu split:` line, by name (None if it is not one)."""
    found = FIGURES.search(line)
    return None if found is None else dict(zip(NAMES, map(float, found.groups()), strict=True))


def compare(runs: dict[str, list[dict[str, float]]]) -> str:
    """Median CPU seconds of each phase per side (bench/ingest.py --split-runs), and the
    first side's over the second's: the main process's phases, then the workers'."""
    medians = {
        side: {k: statistics.median(r[k] for r in got) for k in NAMES}
        for side, got in runs.items()
        if got
    }
    lines = []
    for side, m in medians.items():
        main = m["start-up"] + m["polling"] + m["storing"] + m["rest"]
        lines.append(
            f"  {side} (medians of {len(runs[side])}): main {main:.2f} s = start-up "
            f"{m['start-up']:.2f} + polling {m['polling']:.2f} + storing {m['storing']:.2f} + "
            f"rest {m['rest']:.2f}; workers parse {m['parse']:.2f}, prepare {m['prepare']:.2f}, "
            f"sending back {m['sending back']:.2f}"
        )
    if len(medians) == 2:
        (a, ma), (b, mb) = medians.items()
        ratios = ", ".join(f"{k} {ma[k] / mb[k]:.2f}" for k in NAMES if mb[k] > 0)
        lines.append(f"  {a} / {b} per phase (CPU): {ratios}")
    return "\n".join(lines)


def main() -> int:
    poller._parse_then_prepare = _timed_parse_then_prepare  # looked up at each call
    futures_process._sendback_result = _timed_sendback
    poller.Poller.poll_once = _timed_poll_once  # type: ignore[method-assign]
    ingest.ingest_with_rules = _timed_ingest
    sys.argv = ["veille", *sys.argv[1:]]
    code = cli.main.main()
    sys.stdout.flush()
    # the workers end (and write their last totals) when the interpreter shuts the pool
    # down; concurrent.futures joins them at exit, before this atexit hook runs
    atexit.register(lambda: print(report(), flush=True))
    return code


if __name__ == "__main__":
    sys.exit(main())
