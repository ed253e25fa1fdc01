"""Scripted actions on a large store: `veille tag ID x` and `veille tag --stdin`.

    .venv/bin/python bench/scripted.py [--mentions 100000] [--store DIR] [--repeat 20]
        [--baseline DIR]

Every figure is the wall time of a whole `veille` process (Python start, imports, the
configuration, the lock, the action, the fsyncs), median / p95 / min over `--repeat`
runs, and the median CPU time (user + sys) of the same processes, with in the same run:
  python    `python -c pass`: the floor no command goes under
  parser    `veille --help`: start + building the parser of every subcommand
  tag       `veille tag ID x` (store.scripted: no archive read)      target <= 100 ms
  tag+cfg   the same with a configuration file (`veille config init`'s example),
            read before by an earlier command (app.scripting's cache)  target <= 100 ms
  old tag   the same action through Inbox.open (what `veille tag` did before)
  batch     `veille tag --stdin x` with 1,000 ids (10 of them unknown) target <= 1 s
  undo      `veille undo` of that batch (one step)
With `--baseline DIR` (another checkout, e.g. `git archive main | tar -x -C DIR`), each
row but `old tag` runs that code too, interleaved with this one on the same store
(`base` rows), and the ratio is printed: before and after in one run.
The store is bench/bigstore.py's (real tweets when ../shared/data holds them). The
processes run with their .pyc files written, as an installed veille does. Other helpers
share the 2 cores: the load average is printed; compare the min with the median.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from bench.bigstore import build  # noqa: E402

OLD_TAG = """
import sys
from store.inbox import Inbox
with Inbox.open(sys.argv[1], user="bench") as inbox:
    inbox.tag(sys.argv[2], add=[sys.argv[3]])
"""


def some_ids(store: Path, count: int) -> list[str]:
    ids: list[str] = []
    for day in sorted((store / "mentions").glob("*.json"))[-20:]:
        rows = orjson.loads(day.read_bytes())["records"].values()
        ids += [r["id"] for r in rows]
        if len(ids) >= count:
            break
    return ids[:count]


class Took(float):
    """A process's wall time, with its CPU time (user + sys) as `cpu`."""

    cpu = 0.0


def timed(
    cmd: list[str], env: dict[str, str], stdin: bytes = b"", ok: tuple[int, ...] = (0,)
) -> float:
    """The wall time of one process, and its CPU time (user + sys: what load on the
    shared cores inflates least)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, input=stdin, capture_output=True, env=env, check=False)
    took = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in ok:
        raise SystemExit(f"{cmd[2:]} failed ({out.returncode}): {out.stderr.decode()[-500:]}")
    figure = Took(took)
    figure.cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return figure


def line(name: str, values: list[float], target: float | None = None) -> None:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    med = statistics.median(values)
    verdict = "" if target is None else ("  ok" if med <= target else "  OVER TARGET")
    goal = "" if target is None else f"  target {target * 1000:.0f} ms"
    cpu = statistics.median(getattr(v, "cpu", 0.0) for v in values)
    print(
        f"{name:<12} median {med * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms  "
        f"min {ordered[0] * 1000:8.1f} ms  cpu {cpu * 1000:7.1f} ms  n={len(values)}{goal}{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--store", help="folder to build the store in once and reuse")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--baseline", help="another checkout of veille to run side by side")
    args = parser.parse_args()
    store = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="veille-scr-"))
    kind = build(store, args.mentions, args.days)
    codes = {"": ROOT, **({"base ": Path(args.baseline).resolve()} if args.baseline else {})}
    work = Path(tempfile.mkdtemp(prefix="veille-scr-home-"))
    config = work / "config.toml"
    from sources.config import example_config

    config.write_text(example_config("bench"))
    envs = {}
    for name, code in codes.items():
        env = {**os.environ, "PYTHONPATH": str(code), "VEILLE_STORE": str(store), "USER": "bench"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONSAFEPATH"] = "1"  # `-m cli.main` runs `code`'s veille, not the cwd's
        env["XDG_CACHE_HOME"] = str(work / f"cache{len(envs)}")  # each code its own cache
        env["VEILLE_CONFIG"] = str(store / "no-config.toml")  # defaults, as a bare script has
        envs[name] = env
    py = sys.executable
    veille = [py, "-m", "cli.main"]
    ids = some_ids(store, 990)
    target = ids[len(ids) // 2]
    for env in envs.values():  # .pyc files, the id index if missing, the config cache
        timed([*veille, "tag", target, "warm"], env)
        timed([*veille, "--config", str(config), "tag", target, "warm"], env)

    floor = [timed([py, "-c", "pass"], envs[""]) for _ in range(args.repeat)]
    helps = [timed([*veille, "--help"], envs[""]) for _ in range(args.repeat)]
    runs: dict[str, list[float]] = {}

    def run(row: str, cmd: list[str], stdin: bytes = b"", ok: tuple[int, ...] = (0,)) -> None:
        for name, env in envs.items():  # interleaved: both codes see the same load
            runs.setdefault(f"{name}{row}", []).append(timed(cmd, env, stdin, ok))

    for i in range(args.repeat):
        run("tag", [*veille, "tag", target, f"t{i % 3}"])
        run("tag+cfg", [*veille, "--config", str(config), "tag", target, f"c{i % 3}"])
    old = [timed([py, "-c", OLD_TAG, str(store), target, "old"], envs[""]) for _ in range(3)]
    batch_in = "\n".join([*ids, *(f"nope:{i}" for i in range(10))]).encode() + b"\n"
    for i in range(max(3, args.repeat // 4)):
        for name, env in envs.items():
            runs.setdefault(f"{name}batch", []).append(
                timed([*veille, "tag", "--stdin", f"b{i}"], env, batch_in, ok=(1,))
            )
            runs.setdefault(f"{name}undo", []).append(timed([*veille, "undo"], env))
    load = os.getloadavg()
    print(
        f"scripted actions on {args.mentions:,} mentions ({kind}); "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cpus"
    )
    line("python", floor)
    line("parser", helps)
    targets = {"tag": 0.100, "tag+cfg": 0.100, "batch": 1.0, "undo": None}
    for row, goal in targets.items():
        line(row, runs[row], goal)
        if args.baseline:
            line(f"base {row}", runs[f"base {row}"])
            ratio = statistics.median(runs[row]) / statistics.median(runs[f"base {row}"])
            print(f"{'':9}ratio {row} / base {row}: {ratio:.2f}")
        if row == "tag":
            line("old tag", old)
            print(
                f"{'':9}ratio tag / old tag: {statistics.median(runs['tag']) / statistics.median(old):.2f}"
            )
        if row == "batch":
            print(
                f"{'':9}{len(ids)} ids + 10 unknown ones per batch (exit 1, the unknown said by line)"
            )


if __name__ == "__main__":
    main()
