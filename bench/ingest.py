"""Ingestion benchmark: `veille fetch` side by side with newsboat, on three feed farms.

    .venv/bin/python bench/ingest.py [--shapes onehost,tweets,zipf] [--runs 5]
                                     [--feeds 200] [--entries 50]
                                     [--tweet-feeds 30] [--tweet-entries 500]
                                     [--newsboat-threads 4] [--keep DIR]
                                     [--baseline OTHER_CHECKOUT] [--split]
                                     [--split-runs N]
                                     [--parse] [--parse-only]

The shapes (bench/feedfarm.py) are what real deployments have: `onehost` (200 feeds x
50 entries on ONE site, one product's small vocabulary), `tweets` (30 feeds x 500 real
customer-support tweets on one site, from ../shared/data/twcs-sample.csv; skipped with a
message when the file is absent) and `zipf` (200 small feeds, one site each, a Zipf
vocabulary). Each shape's farm is served from a separate process on 127.0.0.x
(ETag / Last-Modified and 304, gzip when asked), then, per run and in the same run, it
times:

  1. newsboat `-x reload` into a fresh cache, then again with nothing changed;
  2. `veille fetch` into a fresh store, then again with nothing changed.

Each tool runs as its own process, timed from launch to exit (what a cron job pays);
the order alternates between runs. Prints, per shape, medians, p99 (= max at these
counts), min-max noise and the ratios veille/newsboat (median of per-run ratios;
targets: first fetch <= 1.0 (<= 0.5 on `zipf`), unchanged <= 0.5), and checks that
every entry was stored (newsboat's SQLite cache; veille's store reopened, mentions and
groups counted). The machine's load is printed with the figures: on a shared machine,
read the ratios, not the seconds.

`--baseline DIR` also times `veille fetch` from another checkout of the code (say main's,
`git archive main | tar -x -C DIR`), run by this venv's Python, in the same runs: before
and after under the same load.

`--split` then runs one more first fetch per shape through bench/fetch_split.py, which
says where its CPU went: the main process's start-up, polling and storing, the parse
workers' parsing, preparing and sending back; `--split-runs N` does that N times, with
the --baseline checkout's copy in turn, and prints each phase's medians and ratio.

`--parse` first times, in this process, the parsing alone: `parse_feed` over every feed
of the farm with the fast path, then with feedparser only; `--parse-only` stops there.

newsboat is the Debian package: `sudo apt-get install newsboat`. Without it the bench
still times veille and says newsboat was skipped.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import os
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.feedfarm import SHAPES, Farm, atom_feed, build, rss_feed  # noqa: E402

__all__ = ["atom_feed", "rss_feed"]  # tests/sources/test_fastfeed.py builds its feeds with them

VEILLE = [str(ROOT / ".venv" / "bin" / "python"), "-m", "cli.main"]
PHASES = re.compile(r"polled in ([0-9.]+) s, stored and grouped in ([0-9.]+) s")


# ---------------------------------------------------------------- the server (own process)


def serve(folder: Path, hosts: int) -> None:
    """Serve `folder` with validators and 304s; print the port, then serve forever."""
    stamp = email.utils.formatdate(time.time() - 3600, usegmt=True)
    files: dict[str, tuple[bytes, bytes, str]] = {}
    for path in folder.iterdir():
        body = path.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        files["/" + path.name] = (body, gzip.compress(body, 6), etag)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY, as web servers set it (nginx's tcp_nodelay is on by default): the
        # headers and the body are two writes, and with Nagle's algorithm the body waited
        # for the client's delayed ACK of the headers, 40 ms on every kept-alive request
        # (200 feeds on one site took 2.3 s to download, for both tools)
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            found = files.get(self.path.split("?")[0])
            if found is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body, zipped, etag = found
            fresh = self.headers.get("If-None-Match") == etag or (
                self.headers.get("If-None-Match") is None
                and self.headers.get("If-Modified-Since") == stamp
            )
            if fresh:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", stamp)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            use_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
            payload = zipped if use_gzip else body
            kind = "atom+xml" if self.path.endswith(".atom") else "rss+xml"
            self.send_response(200)
            self.send_header("Content-Type", f"application/{kind}; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", stamp)
            if use_gzip:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    # One loopback address per site (127.0.0.2, .3, ...): 200 feeds are 200 web sites, and
    # both tools are polite per host, so one shared address would measure a queue.
    addresses = []
    for i in range(hosts):
        server = ThreadingHTTPServer((f"127.0.0.{2 + i}", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        addresses.append(f"{server.server_address[0]}:{server.server_address[1]}")
    print(" ".join(addresses), flush=True)
    threading.Event().wait()


# ---------------------------------------------------------------- the two tools


def _toml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join('"' + v.replace('"', "") + '"' for v in values) + "]"


def veille_config(path: Path, feed_urls: list[str], farm: Farm) -> None:
    lines = ['user = "bench"']
    for name, keywords, handles in farm.brands:
        lines += ["", "[[brands]]", f'name = "{name}"', f"keywords = {_toml_list(keywords)}"]
        if handles:
            lines.append(f"handles = {_toml_list(handles)}")
    for url in feed_urls:
        name = url.rsplit("/", 1)[1]
        lines += ["", "[[sources]]", f'name = "{name}"', 'kind = "rss"', f'url = "{url}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


CPU: list[float] = []  # CPU seconds (user + system) of each timed process, in order


def _as_from_a_terminal() -> None:
    """Ctrl-C as a terminal or cron gives it: a bench started in the background (`cmd &`
    from a script) passes SIGINT on ignored, and a program then skips what it does for
    Ctrl-C (Python's asyncio installs its own handler, and putting it back once cost a
    first `veille fetch` ~1 s, which such a run never saw)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    """Wall seconds and output of one process; its CPU seconds (with its children's: the
    parse workers) are appended to CPU. CPU time hardly depends on the machine's load,
    so it compares the tools' work where wall time on a shared machine cannot."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        cmd,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_as_from_a_terminal,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(cmd[:4])}... failed ({done.returncode}):\n{done.stdout[-2000:]}"
            f"\n{done.stderr[-2000:]}"
        )
    return seconds, done.stdout


def newsboat_run(
    work: Path, urls: Path, threads: int, env: dict[str, str]
) -> tuple[float, float, int]:
    cache = work / "newsboat" / "cache.db"
    cache.parent.mkdir(parents=True)
    conf = work / "newsboat" / "config"
    conf.write_text(f"reload-threads {threads}\nshow-read-feeds yes\n", encoding="utf-8")
    cmd = ["newsboat", "-u", str(urls), "-c", str(cache), "-C", str(conf), "-x", "reload"]
    first, _ = timed(cmd, env, work)
    unchanged, _ = timed(cmd, env, work)
    with sqlite3.connect(cache) as db:
        items = db.execute("select count(*) from rss_item").fetchone()[0]
    return first, unchanged, int(items)


def veille_run(
    work: Path, config: Path, env: dict[str, str], code: Path = ROOT, name: str = "veille-store"
) -> tuple[float, float, str, str]:
    """Two `veille fetch` (first, unchanged) into a fresh store, running the code in
    `code` (another checkout's, for --baseline: `python -m` imports from the folder it
    runs in before the installed package)."""
    store = work / name
    cmd = [*VEILLE, "--config", str(config), "--store", str(store), "fetch"]
    first, out1 = timed(cmd, env, code)
    unchanged, out2 = timed(cmd, env, code)
    return first, unchanged, out1, out2


def count_store(store: Path) -> tuple[int, int]:
    sys.path.insert(0, str(ROOT))
    from store.inbox import Inbox

    with Inbox.open(store, user="bench") as inbox:
        groups = inbox.ranked_ids()
        total = sum(
            1
            for _ in inbox.mentions_between(
                datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
            )
        )
    return total, len(groups)


# ---------------------------------------------------------------- the run


def parse_figures(farm: Path, names: list[str], runs: int) -> None:
    """The fast path's gain on parsing alone, measured on the farm's own feeds."""
    sys.path.insert(0, str(ROOT))
    from unittest import mock

    from sources import rss
    from sources.fastfeed import parse_simple

    headers = {"content-type": "application/xml; charset=utf-8"}
    bodies = [(farm / name).read_bytes() for name in names]
    taken = sum(1 for body in bodies if parse_simple(body, headers) is not None)

    def one_pass() -> tuple[float, int]:
        started = time.perf_counter()
        count = 0
        for name, body in zip(names, bodies, strict=True):
            count += len(rss.parse_feed(body, headers, f"http://x/{name}", name, "rss")[0])
        return time.perf_counter() - started, count

    fast, slow = [], []
    for _ in range(max(runs, 3)):  # interleaved: both see the same machine load
        seconds, entries = one_pass()
        fast.append(seconds)
        with mock.patch.object(rss, "parse_simple", lambda *a: None):
            seconds, same = one_pass()
        slow.append(seconds)
        assert same == entries
    f, s = statistics.median(fast), statistics.median(slow)
    print(
        f"parsing only (in process, {entries} entries, n={len(fast)}): fast path took "
        f"{taken}/{len(names)} feeds; with it {f:.3f} s ({entries / f:,.0f} entries/s), "
        f"feedparser only {s:.3f} s ({entries / s:,.0f} entries/s): gain x{s / f:.1f}"
    )


def summary(label: str, values: list[float]) -> str:
    med = statistics.median(values)
    return (
        f"{label:<26} median {med:6.3f} s   p99 {max(values):6.3f} s   "
        f"noise {min(values):.3f}-{max(values):.3f} s  (n={len(values)})"
    )


def load() -> str:
    """The machine's load, said with every figure (the cores are shared)."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def build_shape(shape: str, folder: Path, args: argparse.Namespace) -> Farm | None:
    """One shape's farm at the sizes the command line asked for (bench/storing.py too)."""
    big = shape == "tweets"
    feeds, entries = (args.tweet_feeds, args.tweet_entries) if big else (args.feeds, args.entries)
    return build(shape, folder, feeds, entries)


def serve_farm(farm: Farm, folder: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """Serve a farm from its own process (`serve`): the server, to terminate when done,
    and the feeds' URLs, the farm's hosts taken in turn."""
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(folder), "--hosts", str(farm.hosts)],
        stdout=subprocess.PIPE,
        text=True,
    )
    hosts = server.stdout.readline().split()  # type: ignore[union-attr]
    return server, [f"http://{hosts[i % len(hosts)]}/{n}" for i, n in enumerate(farm.names)]


def split_phases(
    shape: str, config: Path, env: dict[str, str], work_root: Path, args: argparse.Namespace
) -> None:
    """bench/fetch_split.py's phases of a first fetch, `--split-runs` times, alternating
    with the --baseline checkout's own copy (each imports its own code), then medians."""
    from bench.fetch_split import compare, figures

    sides = [("this checkout", ROOT)]
    if args.baseline:
        sides.append(("baseline", Path(args.baseline)))
    runs: dict[str, list[dict[str, float]]] = {side: [] for side, _ in sides}
    for run in range(args.split_runs):
        for side, code in sides if run % 2 == 0 else sides[::-1]:
            split = work_root / f"{shape}-split"
            cmd = [VEILLE[0], str(code / "bench" / "fetch_split.py"), "--config", str(config)]
            _, out = timed([*cmd, "--store", str(split / "store"), "fetch"], env, code)
            line = out.strip().splitlines()[-1]
            print(f"  {side}: {line}; {load()}", flush=True)
            if (found := figures(line)) is not None:
                runs[side].append(found)
            shutil.rmtree(split, ignore_errors=True)
    if args.split_runs > 1 or args.baseline:
        print(compare(runs))


def run_shape(farm: Farm, folder: Path, work_root: Path, args: argparse.Namespace) -> dict:
    """Serve one farm and time both tools on it `args.runs` times; the figures."""
    server, feed_urls = serve_farm(farm, folder)
    try:
        urls = work_root / f"urls-{farm.shape}"
        urls.write_text("".join(f"{u}\n" for u in feed_urls), encoding="utf-8")
        config = work_root / f"config-{farm.shape}.toml"
        veille_config(config, feed_urls, farm)
        has_newsboat = shutil.which("newsboat") is not None
        where = "1 loopback host" if farm.hosts == 1 else f"{farm.hosts} loopback hosts"
        print(f"\n== {farm.shape}: {farm.describe}; {where}; {load()}", flush=True)
        if not has_newsboat:
            print("newsboat not found: skipped (install it with `sudo apt-get install newsboat`)")
        nb_first: list[float] = []
        nb_same: list[float] = []
        vf_first: list[float] = []
        vf_same: list[float] = []
        phases: list[tuple[float, float]] = []  # (polled, stored) of each first fetch
        nb_cpu: list[float] = []  # CPU seconds of each first fetch
        vf_cpu: list[float] = []
        bl_first: list[float] = []  # --baseline: the other checkout's first fetch
        bl_cpu: list[float] = []
        for run in range(args.runs):
            work = work_root / f"{farm.shape}-run{run}"
            home = work / "home"
            home.mkdir(parents=True)
            env = {
                **os.environ,
                "HOME": str(home),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_DATA_HOME": str(home / ".local" / "share"),
                "XDG_CACHE_HOME": str(home / ".cache"),
                "XDG_STATE_HOME": str(home / ".local" / "state"),
                "USER": "bench",
            }
            env.pop("VEILLE_CONFIG", None)
            env.pop("VEILLE_STORE", None)
            order = ("newsboat", "veille") if run % 2 == 0 else ("veille", "newsboat")
            if args.baseline:
                order = (*order, "baseline") if run % 2 else ("baseline", *order)
            for tool in order:
                if tool == "newsboat" and has_newsboat:
                    first, same, items = newsboat_run(work, urls, args.newsboat_threads, env)
                    nb_cpu.append(CPU[-2])
                    nb_first.append(first)
                    nb_same.append(same)
                    if items != farm.items:
                        print(f"  newsboat stored {items} of {farm.items} items")
                elif tool == "baseline":
                    first, same, _, _ = veille_run(
                        work, config, env, Path(args.baseline), "baseline-store"
                    )
                    bl_first.append(first)
                    bl_cpu.append(CPU[-2])
                elif tool == "veille":
                    first, same, out1, out2 = veille_run(work, config, env)
                    vf_cpu.append(CPU[-2])
                    vf_first.append(first)
                    vf_same.append(same)
                    split = PHASES.search(out1)
                    if split:
                        phases.append((float(split.group(1)), float(split.group(2))))
                    if run == 0:
                        print("  veille fetch (first run), last line:")
                        print("    " + out1.strip().splitlines()[-1])
                        print("  veille fetch (unchanged), last line:")
                        print("    " + out2.strip().splitlines()[-1])
            stored, groups = count_store(work / "veille-store")
            print(
                f"run {run + 1}: newsboat {nb_first[-1] if nb_first else float('nan'):.3f} / "
                f"{nb_same[-1] if nb_same else float('nan'):.3f} s, veille {vf_first[-1]:.3f} / "
                f"{vf_same[-1]:.3f} s (first / unchanged); veille stored {stored} mentions "
                f"in {groups} groups; {load()}",
                flush=True,
            )
            if stored != farm.expected:
                print(f"  MISSING: veille stored {stored} of {farm.expected} entries")
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        if args.split:
            split_phases(farm.shape, config, env, work_root, args)
    finally:
        server.terminate()
        server.wait(timeout=5)
    print(summary("veille fetch, first", vf_first))
    print(summary("  its CPU (with workers)", vf_cpu))
    print(summary("veille fetch, unchanged", vf_same))
    if phases:
        polled = statistics.median(p for p, _ in phases)
        stored_s = statistics.median(s for _, s in phases)
        rest = statistics.median(vf_first) - polled - stored_s
        print(
            f"  where a first fetch's time goes (medians): polling and parsing {polled:.2f} s,"
            f" storing and grouping {stored_s:.2f} s, start-up and the rest {rest:.2f} s"
        )
    if bl_first:
        print(summary("baseline fetch, first", bl_first))
        print(summary("  its CPU (with workers)", bl_cpu))
        print(
            "this checkout / baseline (median of per-run ratios): first "
            f"{statistics.median(v / b for v, b in zip(vf_first, bl_first, strict=True)):.2f},"
            f" CPU {statistics.median(v / b for v, b in zip(vf_cpu, bl_cpu, strict=True)):.2f}"
        )
    figures = {"shape": farm.shape, "first": statistics.median(vf_first)}
    figures["unchanged"] = statistics.median(vf_same)
    if nb_first:
        print(summary("newsboat reload, first", nb_first))
        print(summary("  its CPU", nb_cpu))
        print(summary("newsboat reload, unchanged", nb_same))
        figures["nb_first"] = statistics.median(nb_first)
        figures["nb_unchanged"] = statistics.median(nb_same)
        figures["r_first"] = statistics.median(
            v / n for v, n in zip(vf_first, nb_first, strict=True)
        )
        figures["r_same"] = statistics.median(v / n for v, n in zip(vf_same, nb_same, strict=True))
        figures["r_cpu"] = statistics.median(v / n for v, n in zip(vf_cpu, nb_cpu, strict=True))
        print(
            f"ratio veille/newsboat (median of per-run ratios): first {figures['r_first']:.2f}"
            f" (target <= {target(farm.shape)}), unchanged {figures['r_same']:.2f}"
            f" (target <= 0.5); CPU time of a first fetch {figures['r_cpu']:.2f}"
        )
    return figures


def target(shape: str) -> float:
    return 0.5 if shape == "zipf" else 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes")
    parser.add_argument("--feeds", type=int, default=200, help="feeds of onehost and zipf")
    parser.add_argument("--entries", type=int, default=50, help="entries a feed (onehost, zipf)")
    parser.add_argument("--tweet-feeds", type=int, default=30)
    parser.add_argument("--tweet-entries", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--newsboat-threads", type=int, default=4, help="newsboat reload-threads")
    parser.add_argument("--keep", help="keep the work folder here")
    parser.add_argument(
        "--baseline", help="also time `veille fetch` from this checkout (e.g. main's), same run"
    )
    parser.add_argument("--split", action="store_true", help="say where a first fetch's CPU goes")
    parser.add_argument(
        "--split-runs", type=int, default=1, help="--split this many times (with --baseline's)"
    )
    parser.add_argument("--parse", action="store_true", help="time parsing alone first")
    parser.add_argument("--parse-only", action="store_true", help="time parsing alone, then stop")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--hosts", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.hosts)
        return 0

    work_root = Path(args.keep or tempfile.mkdtemp(prefix="veille-ingest-"))
    print(
        f"bench/ingest.py: {args.runs} runs per shape, newsboat reload-threads "
        f"{args.newsboat_threads}; {load()}"
    )
    results = []
    try:
        for shape in [s.strip() for s in args.shapes.split(",") if s.strip()]:
            folder = work_root / f"farm-{shape}"
            farm = build_shape(shape, folder, args)
            if farm is None:
                continue
            if args.parse or args.parse_only:
                parse_figures(folder, farm.names, args.runs)
            if not args.parse_only:
                results.append(run_shape(farm, folder, work_root, args))
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    if results:
        print(f"\n== summary (medians; {load()})")
        print(
            f"{'shape':<9} {'veille first':>12} {'newsboat':>9} {'ratio':>6} {'target':>6}"
            f" {'veille same':>12} {'newsboat':>9} {'ratio':>6} {'CPU ratio':>9}"
        )
        for f in results:
            print(
                f"{f['shape']:<9} {f['first']:>11.3f}s {f.get('nb_first', float('nan')):>8.3f}s"
                f" {f.get('r_first', float('nan')):>6.2f} {target(f['shape']):>6}"
                f" {f['unchanged']:>11.3f}s {f.get('nb_unchanged', float('nan')):>8.3f}s"
                f" {f.get('r_same', float('nan')):>6.2f} {f.get('r_cpu', float('nan')):>9.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
