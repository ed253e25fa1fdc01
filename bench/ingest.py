"""Ingestion benchmark: `veille fetch` side by side with newsboat on a loopback feed farm.

    .venv/bin/python bench/ingest.py [--feeds 200] [--entries 50] [--runs 5]
                                     [--newsboat-threads 1] [--keep DIR] [--parse-only]

Generates `feeds` x `entries` (half RSS 2.0, half Atom; HTML titles and bodies with
entities), serves them from a separate process on 127.0.0.1 (ETag / Last-Modified and
304, gzip when asked), then, per run and in the same run, times:

  1. newsboat `-x reload` into a fresh cache, then again with nothing changed;
  2. `veille fetch` into a fresh store, then again with nothing changed.

Each tool runs as its own process, timed from launch to exit (what a cron job pays).
First, in this process, the parsing alone: `parse_feed` over every feed of the farm with
the fast path, then with feedparser only (the fast path's gain, and how many feeds it
took); `--parse-only` stops there.
Prints medians, p99 (= max at these counts), min-max noise and the ratios veille/newsboat
(targets: first fetch <= 1.0, unchanged <= 0.5), and checks that every entry was stored
(newsboat's SQLite cache; veille's store reopened, mentions and groups counted).

newsboat is the Debian package: `sudo apt-get install newsboat`. Without it the bench
still times veille and says newsboat was skipped.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import html
import itertools
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VEILLE = [str(ROOT / ".venv" / "bin" / "python"), "-m", "cli.main"]
PHASES = re.compile(r"polled in ([0-9.]+) s, stored and grouped in ([0-9.]+) s")

COMMON = [
    "lumio",
    "glow",
    "lamp",
    "battery",
    "app",
    "update",
    "night",
    "mode",
    "broken",
    "love",
    "support",
    "order",
    "delivery",
    "refund",
    "colour",
    "warm",
    "light",
    "review",
    "price",
]
SYLLABLES = ["ka", "lo", "mi", "ré", "tu", "sa", "ven", "dor", "pli", "que", "zan", "or"]
BRANDS = ("Lumio", "Brightly", "Lumio Glow")


# ---------------------------------------------------------------- the feed farm


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Pseudo-words (real posts draw on thousands of words; a tiny vocabulary would make
    every post a near-duplicate of every other and measure nothing real)."""
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return sorted(words)


VOCABULARY = _vocabulary(random.Random(7))
ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, len(VOCABULARY) + 1)))


def _sentence(rng: random.Random, n: int) -> str:
    """Words drawn by Zipf's law, a few of them product words, one brand name."""
    words = rng.choices(VOCABULARY, cum_weights=ZIPF, k=n)
    words[rng.randrange(n)] = rng.choice(COMMON)
    words.insert(rng.randrange(len(words)), rng.choice(BRANDS))
    return " ".join(words).capitalize()


def _entry_html(rng: random.Random) -> str:
    paragraphs = [
        f"<p>{html.escape(_sentence(rng, 14))} &amp; <b>{rng.choice(BRANDS)}</b> "
        f"&mdash; <a href='https://example.org/{rng.randrange(10**6)}'>link</a></p>"
        for _ in range(rng.randint(2, 4))
    ]
    return "".join(paragraphs) + "<ul><li>caf&eacute; &#8220;quoted&#8221;</li></ul>"


def rss_feed(index: int, entries: int, rng: random.Random, base: datetime) -> str:
    items = []
    for j in range(entries):
        when = email.utils.format_datetime(base - timedelta(minutes=7 * j + index))
        title = html.escape(f"<b>{rng.choice(BRANDS)}</b> {_sentence(rng, 6)}")
        items.append(
            f"<item><title>{title}</title>"
            f"<link>https://blog{index}.example.org/posts/{j}</link>"
            f"<guid isPermaLink='false'>feed{index}-entry{j}</guid>"
            f"<pubDate>{when}</pubDate><author>writer{j % 9}@example.org (Writer {j % 9})</author>"
            f"<description>{html.escape(_entry_html(rng))}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Blog {index}</title><link>https://blog{index}.example.org/</link>"
        f"<description>Feed {index}</description><language>en</language>"
        + "".join(items)
        + "</channel></rss>"
    )


def atom_feed(index: int, entries: int, rng: random.Random, base: datetime) -> str:
    items = []
    for j in range(entries):
        when = (base - timedelta(minutes=7 * j + index)).strftime("%Y-%m-%dT%H:%M:%SZ")
        title = html.escape(f"{rng.choice(BRANDS)} &amp; <i>{_sentence(rng, 6)}</i>")
        items.append(
            f"<entry><title type='html'>{title}</title>"
            f"<link rel='alternate' href='https://forum{index}.example.org/t/{j}'/>"
            f"<id>tag:forum{index}.example.org,2026:{j}</id><updated>{when}</updated>"
            f"<author><name>Member {j % 13}</name></author>"
            f"<content type='html'>{html.escape(_entry_html(rng))}</content></entry>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Forum {index}</title><id>tag:forum{index}.example.org,2026:feed</id>"
        f"<updated>{base.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
        f"<link rel='self' href='https://forum{index}.example.org/feed'/>"
        + "".join(items)
        + "</feed>"
    )


def generate(folder: Path, feeds: int, entries: int) -> list[str]:
    rng = random.Random(20261123)
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    names = []
    for i in range(feeds):
        atom = i % 2 == 1
        text = (atom_feed if atom else rss_feed)(i, entries, rng, base)
        name = f"feed{i:03d}.{'atom' if atom else 'rss'}"
        (folder / name).write_bytes(text.encode("utf-8"))
        names.append(name)
    return names


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


def veille_config(path: Path, feed_urls: list[str]) -> None:
    lines = [
        'user = "bench"',
        "",
        "[[brands]]",
        'name = "Lumio"',
        'keywords = ["lumio", "lumio glow"]',
        'competitors = ["Brightly"]',
        "",
        "[[brands]]",
        'name = "Brightly"',
        'keywords = ["brightly"]',
        "is_competitor = true",
    ]
    for url in feed_urls:
        name = url.rsplit("/", 1)[1]
        lines += ["", "[[sources]]", f'name = "{name}"', 'kind = "rss"', f'url = "{url}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(cmd[:4])}... failed ({done.returncode}):\n{done.stdout[-2000:]}"
            f"\n{done.stderr[-2000:]}"
        )
    return seconds, done.stdout


def newsboat_run(work: Path, urls: Path, threads: int, env: dict[str, str]) -> tuple[float, float]:
    cache = work / "newsboat" / "cache.db"
    cache.parent.mkdir(parents=True)
    conf = work / "newsboat" / "config"
    conf.write_text(f"reload-threads {threads}\nshow-read-feeds yes\n", encoding="utf-8")
    cmd = ["newsboat", "-u", str(urls), "-c", str(cache), "-C", str(conf), "-x", "reload"]
    first, _ = timed(cmd, env, work)
    unchanged, _ = timed(cmd, env, work)
    with sqlite3.connect(cache) as db:
        items = db.execute("select count(*) from rss_item").fetchone()[0]
    return first, unchanged, items  # type: ignore[return-value]


def veille_run(work: Path, config: Path, env: dict[str, str]) -> tuple[float, float, str, str]:
    store = work / "veille-store"
    cmd = [*VEILLE, "--config", str(config), "--store", str(store), "fetch"]
    first, out1 = timed(cmd, env, ROOT)
    unchanged, out2 = timed(cmd, env, ROOT)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--newsboat-threads", type=int, default=1, help="newsboat reload-threads")
    parser.add_argument("--keep", help="keep the work folder here")
    parser.add_argument("--parse-only", action="store_true", help="time parsing alone, then stop")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), min(args.feeds, 250))
        return 0

    work_root = Path(args.keep or tempfile.mkdtemp(prefix="veille-ingest-"))
    farm = work_root / "farm"
    farm.mkdir(parents=True, exist_ok=True)
    names = generate(farm, args.feeds, args.entries)
    expected = args.feeds * args.entries
    parse_figures(farm, names, args.runs)
    if args.parse_only:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
        return 0
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(farm), "--feeds", str(args.feeds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        hosts = server.stdout.readline().split()  # type: ignore[union-attr]
        feed_urls = [f"http://{hosts[i % len(hosts)]}/{n}" for i, n in enumerate(names)]
        base_url = f"{len(hosts)} loopback hosts (127.0.0.2-{hosts[-1].split(':')[0]})"
        urls = work_root / "urls"
        urls.write_text("".join(f"{u}\n" for u in feed_urls), encoding="utf-8")
        config = work_root / "config.toml"
        veille_config(config, feed_urls)
        has_newsboat = shutil.which("newsboat") is not None
        print(
            f"feed farm: {args.feeds} feeds x {args.entries} entries = {expected} entries "
            f"on {base_url}; {os.cpu_count()} cores; newsboat reload-threads "
            f"{args.newsboat_threads}"
        )
        if not has_newsboat:
            print("newsboat not found: skipped (install it with `sudo apt-get install newsboat`)")
        nb_first: list[float] = []
        nb_same: list[float] = []
        vf_first: list[float] = []
        vf_same: list[float] = []
        phases: list[tuple[float, float]] = []  # (polled, stored) of each first fetch
        for run in range(args.runs):
            work = work_root / f"run{run}"
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
            for tool in order:
                if tool == "newsboat" and has_newsboat:
                    first, same, items = newsboat_run(work, urls, args.newsboat_threads, env)
                    nb_first.append(first)
                    nb_same.append(same)
                    if items != expected:
                        print(f"  newsboat stored {items} of {expected} entries")
                elif tool == "veille":
                    first, same, out1, out2 = veille_run(work, config, env)
                    vf_first.append(first)
                    vf_same.append(same)
                    split = PHASES.search(out1)
                    if split:
                        phases.append((float(split.group(1)), float(split.group(2))))
                    if run == 0:
                        print("  veille fetch (first run), last lines:")
                        for line in out1.strip().splitlines()[-3:]:
                            print("    " + line)
                        print("  veille fetch (unchanged), last lines:")
                        for line in out2.strip().splitlines()[-3:]:
                            print("    " + line)
            stored, groups = count_store(work / "veille-store")
            print(
                f"run {run + 1}: newsboat {nb_first[-1] if nb_first else float('nan'):.3f} / "
                f"{nb_same[-1] if nb_same else float('nan'):.3f} s, veille {vf_first[-1]:.3f} / "
                f"{vf_same[-1]:.3f} s (first / unchanged); veille stored {stored} mentions "
                f"in {groups} groups",
                flush=True,
            )
            if stored != expected:
                print(f"  MISSING: veille stored {stored} of {expected} entries")
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        print()
        print(summary("veille fetch, first", vf_first))
        print(summary("veille fetch, unchanged", vf_same))
        if phases:
            polled = statistics.median(p for p, _ in phases)
            stored = statistics.median(s for _, s in phases)
            rest = statistics.median(vf_first) - polled - stored
            print(
                f"  where a first fetch's time goes (medians): polling and parsing {polled:.2f} s,"
                f" storing and grouping {stored:.2f} s, start-up and the rest {rest:.2f} s"
            )
        if nb_first:
            print(summary("newsboat reload, first", nb_first))
            print(summary("newsboat reload, unchanged", nb_same))
            r_first = statistics.median(v / n for v, n in zip(vf_first, nb_first, strict=True))
            r_same = statistics.median(v / n for v, n in zip(vf_same, nb_same, strict=True))
            print(
                f"ratio veille/newsboat (median of per-run ratios): first {r_first:.2f} "
                f"(target <= 1.0), unchanged {r_same:.2f} (target <= 0.5)"
            )
    finally:
        server.terminate()
        server.wait(timeout=5)
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
