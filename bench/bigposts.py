"""Megabyte-long posts: fetched, stored and grouped while another command uses the store.

    .venv/bin/python bench/bigposts.py [--size-mb 1] [--posts 2] [--runs 3]

A feed with `posts` entries of `size-mb` MB of text each (real words, drawn from the
customer-support tweets sample when it is there, ../shared/data/twcs-sample.csv; made up
otherwise) is served on 127.0.0.1. Per run, into a fresh store that already holds one
mention: `veille fetch` starts, and `veille status <that mention> open` runs back to
back on the same store until the fetch ends. Prints the fetch's wall time and its own split (polled /
stored and grouped), whether `status` succeeded and how long it waited, and the parse
alone (in process). Issue 11's target: under 1 s, and `status` succeeds.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VEILLE = [str(ROOT / ".venv" / "bin" / "python"), "-m", "cli.main"]
SAMPLE = ROOT.parent.parent / "shared" / "data" / "twcs-sample.csv"


def words() -> list[str]:
    for candidate in (SAMPLE, Path("/work/shared/data/twcs-sample.csv")):
        if candidate.exists():
            with candidate.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                rows = [row.get("text") or "" for _, row in zip(range(20000), reader, strict=False)]
            found = " ".join(rows).split()
            if found:
                return found
    rng = random.Random(1)
    return [
        "".join(rng.choice("aeioulmnrst") for _ in range(rng.randint(2, 9))) for _ in range(5000)
    ]


def big_feed(size: int, posts: int) -> bytes:
    vocabulary = words()
    rng = random.Random(11)
    now = datetime.now(UTC)
    items = []
    for n in range(posts):
        parts: list[str] = []
        length = 0
        while length < size:
            sentence = " ".join(rng.choices(vocabulary, k=18)) + ". "
            parts.append(sentence)
            length += len(sentence)
        text = f"Lumio post {n}: " + "".join(parts)
        items.append(
            f"<item><title>Lumio long post {n}</title><guid>https://big.example/{n}</guid>"
            f"<pubDate>{format_datetime(now)}</pubDate>"
            f"<description>{escape('<p>' + escape(text) + '</p>')}</description></item>"
        )
    small = (
        "<item><title>Lumio small</title><guid>https://big.example/small</guid>"
        f"<pubDate>{format_datetime(now)}</pubDate><description>Lumio is fine</description></item>"
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Big</title>"
        + small
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def serve(routes: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = routes.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    return time.perf_counter() - started, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--posts", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = int(args.size_mb * 1024 * 1024)
    body = big_feed(size, args.posts)
    small = big_feed(10, 0)
    routes = {"/small.rss": small, "/big.rss": body}
    httpd, base = serve(routes)
    sys.path.insert(0, str(ROOT))
    from sources.rss import parse_feed

    parse_times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        mentions, _ = parse_feed(body, {"content-type": "application/rss+xml"}, base, "b", "rss")
        parse_times.append(time.perf_counter() - started)
    longest = max(len(m.text) for m in mentions)
    print(
        f"feed: {args.posts} posts of {args.size_mb:g} MB ({len(body) / 1e6:.1f} MB body); "
        f"parse alone median {statistics.median(parse_times):.3f} s; longest stored text "
        f"{longest:,} characters"
    )
    fetches, stored, waits = [], [], []
    failures = 0
    for n in range(args.runs):
        work = Path(tempfile.mkdtemp(prefix="veille-big-"))
        env = {**os.environ, "HOME": str(work), "USER": "bench"}
        env.pop("VEILLE_CONFIG", None)
        env.pop("VEILLE_STORE", None)
        config = work / "config.toml"
        store = work / "store"
        lines = ['user = "bench"', "", "[[brands]]", 'name = "Lumio"', 'keywords = ["lumio"]']
        for name in ("small", "big"):
            lines += ["", "[[sources]]", f'name = "{name}"', 'kind = "rss"']
            lines += [f'url = "{base}/{name}.rss"']
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        common = [*VEILLE, "--config", str(config), "--store", str(store)]
        _, done = run([*common, "fetch", "--source", "small"], env)
        assert done.returncode == 0, done.stdout + done.stderr
        holder: dict[str, tuple[float, subprocess.CompletedProcess]] = {}
        thread = threading.Thread(
            target=lambda c=common, e=env, h=holder: h.setdefault("fetch", run([*c, "fetch"], e))
        )
        thread.start()
        calls: list[tuple[float, subprocess.CompletedProcess]] = []
        while thread.is_alive():  # back to back for as long as the fetch runs
            calls.append(
                run(
                    [*common, "status", "rss:https://big.example/small", "open", "--wait", "10"],
                    env,
                )
            )
        thread.join()
        seconds, fetched = holder["fetch"]
        assert fetched.returncode == 0, fetched.stdout + fetched.stderr
        split = next(
            (line for line in fetched.stdout.splitlines() if "stored and grouped in" in line),
            None,
        )
        assert split, fetched.stdout + fetched.stderr
        fetches.append(seconds)
        stored.append(float(split.split("stored and grouped in ")[1].split()[0]))
        waited = max(w for w, _ in calls)
        failed = [c.stderr.strip() for _, c in calls if c.returncode != 0]
        waits.append(waited)
        failures += bool(failed)
        print(
            f"run {n + 1}: fetch {seconds:.2f} s ({split.split('; ', 1)[1]}); {len(calls)} "
            f"concurrent `veille status`: {'all ok' if not failed else 'FAILED: ' + failed[0]}, "
            f"slowest {waited:.2f} s"
        )
    print(
        f"median: fetch {statistics.median(fetches):.2f} s wall, stored and grouped "
        f"{statistics.median(stored):.2f} s, slowest concurrent status {statistics.median(waits):.2f} s; "
        f"runs with a failed status {failures}/{args.runs} (target: stored and grouped < 1 s, 0 failures)"
    )
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
