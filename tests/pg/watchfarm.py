"""Several real `veille watch` processes on one postgresql:// store, against servers on
127.0.0.1 that count what reaches them (tests/pg/test_watch_farm.py, bench/watch_nodes.py).

- the feed farm: N RSS feeds (`/feeds/K.xml`), each request logged with its time; a feed
  gains an item every few rounds (a round is one `every`), so polls find new mentions;
- the alert sink (`/hooks/alerts`, the watches' `[watch] alert_webhook`): every alert
  posted, single or in a burst digest; each feed item carries a token (`s3r17`) that the
  rule alert's title repeats, so an item alerted twice is seen whatever message it was in;
- the platform: tests/outbound's loopback Mastodon (`/api/v1/statuses` with
  Idempotency-Key), to which the watches' outbox posts the replies an agent writes.

Time is compressed, not faked: the sources are polled `every = "1s"` (a round stands for
a minute), so 30 rounds of 3 nodes are 30 simulated minutes of polling on the real
clock, the real lease, locks, ledger and outbox. Half-way the node holding the poller
lease is killed with SIGKILL. A duplicate poll is a request for a feed less than half a
round after the previous one; a duplicate alert an item's token in two deliveries; a
duplicate post a reply text the platform created twice.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "outbound"))

from platform_server import MASTO_TOKEN, PlatformServer  # noqa: E402

MASTO_ENV = "VEILLE_FARM_MASTO_TOKEN"
HOOK_ENV = "VEILLE_FARM_ALERT_HOOK"
# a request the killed node sent just before SIGKILL may reach the farm's clock this late
KILL_SLACK = 0.25
TOKEN = re.compile(r"\bs(\d+)r(\d+)\b")
WORDS = [
    "lampe",
    "batterie",
    "écran",
    "wifi",
    "appli",
    "commande",
    "livraison",
    "facture",
    "remboursement",
    "clignote",
    "chauffe",
    "bruit",
    "câble",
    "chargeur",
    "mise-à-jour",
    "compte",
    "mot-de-passe",
    "colis",
    "garantie",
    "retour",
    "panne",
    "bluetooth",
    "son",
    "image",
    "réglage",
    "capteur",
    "moteur",
    "porte",
    "filtre",
    "notice",
    "taille",
    "couleur",
]


def varied_text(k: int, r: int) -> str:
    """An item's text: its token and words that differ from every other item's (so the
    grouping keeps them apart and each makes a group, hence a rule alert)."""
    n = len(WORDS)
    picked = [WORDS[(k * 7 + r * 3 + j * 11) % n] for j in range(5)]
    return f"s{k}r{r} Lumio {' '.join(picked)} {k * 1000 + r}"


@dataclass
class Farm:
    """The feeds and the alert sink, one server (its requests counted here)."""

    sources: int
    every: float
    stride: int = 3  # a feed gains an item every `stride` rounds
    texts: list[str] = field(default_factory=list)  # real texts to use, if given
    t0: float = field(default_factory=time.monotonic)
    polls: list[tuple[int, float]] = field(default_factory=list)  # (feed, seconds since t0)
    alerts: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    frozen: int | None = None  # the last round that brings an item (the run's drain)

    def text(self, k: int, r: int) -> str:
        if not self.texts:
            return varied_text(k, r)
        return f"s{k}r{r} Lumio {self.texts[(k * 7919 + r * 104729) % len(self.texts)]}"

    def feed(self, k: int) -> bytes:
        now = time.monotonic() - self.t0
        with self.lock:
            self.polls.append((k, now))
        current = int(now / self.every)
        if self.frozen is not None:
            current = min(current, self.frozen)
        rounds = [r for r in range(max(0, current - 3 * self.stride), current + 1)]
        items = "".join(
            f"<item><guid>s{k}r{r}</guid><title>{escape(self.text(k, r))}</title>"
            f"<link>https://forum.example/s{k}/r{r}</link>"
            f"<pubDate>{format_datetime(datetime.now(UTC))}</pubDate></item>"
            for r in rounds
            if (r + k) % self.stride == 0
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>feed {k}</title>'
            f"{items}</channel></rss>"
        ).encode()

    @contextlib.contextmanager
    def serving(self) -> Iterator[str]:
        farm = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = re.fullmatch(r"/feeds/(\d+)\.xml", self.path)
                if not found:
                    self.send_error(404)
                    return
                body = farm.feed(int(found.group(1)))
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with farm.lock:
                    farm.alerts.append(json.loads(raw or b"{}"))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()

    # ------------------------------------------------------------------ figures
    def duplicate_polls(
        self, before: float | None = None, killed: float | None = None
    ) -> list[tuple[int, float, float]]:
        """(feed, time, gap) of each request less than half a round after the previous.

        A feed asked for again across `killed` (the moment, on this farm's clock, the
        polling node was killed) is not a duplicate: the killed node may have asked for it
        and died before it recorded the answer, and then the feed must be polled again."""
        last: dict[int, float] = {}
        found = []
        with self.lock:
            polls = sorted(self.polls, key=lambda p: p[1])
        for k, t in polls:
            if before is not None and t > before:
                break
            if k in last and t - last[k] < self.every / 2:
                across_kill = killed is not None and last[k] <= killed + KILL_SLACK and t >= killed
                if not across_kill:
                    found.append((k, t, t - last[k]))
            last[k] = t
        return found

    def longest_wait(self) -> float:
        """The longest a feed went unpolled (a round, or a takeover after the kill)."""
        by_feed: dict[int, list[float]] = {}
        with self.lock:
            for k, t in self.polls:
                by_feed.setdefault(k, []).append(t)
            end = time.monotonic() - self.t0
        # from the first poll on (the nodes take a moment to start), to the end of the run
        gaps = [b - a for ts in by_feed.values() for a, b in itertools.pairwise([*ts, end])]
        return max(gaps, default=0.0)

    def alerted_items(self, group_of: dict[str, str] | None = None) -> Counter[str]:
        """How many deliveries named each group (single alerts and bursts alike), by
        the token of its first item. An alert names the group's leader, which may be
        another of its items than the first (`group_of`: item token -> group token;
        `s1r11` and `s4r11` share four of their five words and make one group)."""
        seen: Counter[str] = Counter()
        with self.lock:
            alerts = list(self.alerts)
        for a in alerts:
            tokens = {"s{}r{}".format(*t) for t in TOKEN.findall(str(a.get("text", "")))}
            for group in {(group_of or {}).get(t, t) for t in tokens}:
                seen[group] += 1
        return seen


def group_tokens(conn: Any) -> dict[str, str]:
    """Item token -> the token of its group (the group's id is its first item's)."""
    out = {}
    for mid, gid in conn.execute("SELECT id, group_id FROM mentions WHERE id LIKE 'rss:%'"):
        item, group = TOKEN.findall(mid), TOKEN.findall(gid)
        if item and group:
            out["s{}r{}".format(*item[0])] = "s{}r{}".format(*group[0])
    return out


@dataclass
class Figures:
    rounds: float
    polls: int
    duplicate_polls: list[tuple[int, float, float]]
    longest_wait: float
    groups: list[str]  # the items that made a group (each should be alerted once)
    missed: list[str]  # groups never alerted
    alerts_delivered: int
    items_alerted: int
    duplicate_alerts: list[str]
    replies: int
    posted: int
    duplicate_posts: list[str]
    post_requests: int
    held_by_dead: int  # replies the killed node had taken: sent once its hold lapses
    killed: int | None
    killed_at: float | None
    pollers: int
    logs: list[str]
    twice: list[str] = field(default_factory=list)  # the deliveries of a duplicate alert

    def line(self) -> str:
        return (
            f"{self.polls} polls over {self.rounds:.0f} rounds, duplicate polls "
            f"{len(self.duplicate_polls)}, longest wait {self.longest_wait:.1f} s; "
            f"{self.items_alerted}/{len(self.groups)} groups alerted in "
            f"{self.alerts_delivered} deliveries, duplicate alerts {len(self.duplicate_alerts)}; "
            f"{self.posted}/{self.replies} replies posted ({self.post_requests} POSTs; "
            f"{self.held_by_dead} held by the killed node), "
            f"duplicate posts {len(self.duplicate_posts)}; lease holder (pid {self.killed}) "
            f"killed -9 at {self.killed_at or 0:.1f} s, {self.pollers} nodes held the lease"
        )


def config_text(feeds: str, platform: str, sources: int, every: str) -> str:
    lines = [
        'user = "watch"',
        '[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]',
        f'[watch]\nalert_webhook_env = "{HOOK_ENV}"',
        '[[rules]]\nname = "lumio"\nwhen = "brand:lumio"\ntag = ["seen"]\nalert = true',
        f'[[sources]]\nname = "masto"\nkind = "mastodon"\ninstance = "{platform}"\n'
        f'token_env = "{MASTO_ENV}"\nevery = "1d"\nhashtags = ["lumio"]\nallow_private = true',
    ]
    for k in range(sources):
        lines.append(
            f'[[sources]]\nname = "feed{k}"\nkind = "rss"\nurl = "{feeds}/feeds/{k}.xml"\n'
            f'every = "{every}"\nallow_private = true'
        )
    return "\n".join(lines) + "\n"


def start_node(
    folder: Path, n: int, pg_url: str, config: Path, hook: str, tick: float,
    crash: str | None = None,
):  # fmt: skip
    home = folder / f"node{n}"  # each node its own machine: its own local folders
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env |= {
        "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(home / "data"), "HOME": str(home),
        MASTO_ENV: MASTO_TOKEN, HOOK_ENV: hook, "PYTHONFAULTHANDLER": "1",
    }  # fmt: skip
    if crash:
        env["VEILLE_CRASH_AT"] = crash  # store.crash: the node kills itself there
    log = open(folder / f"node{n}.log", "w")  # noqa: SIM115 - the child writes it
    argv = ["--store", pg_url, "--config", str(config), "watch", "--tick", str(tick)]
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", *argv], stdout=log, stderr=subprocess.STDOUT,
        env=env, cwd=ROOT,
    )  # fmt: skip


def masto_mention(n: int):
    from triage.model import Author, Mention

    now = datetime.now(UTC)
    return Mention(
        id=f"mastodon:{n}", platform="mastodon", source="masto",
        url=f"https://other.example/@client{n % 5}/{n}",
        author=Author(f"Client {n % 5}", f"@client{n % 5}@other.example"),
        text=f"Bonjour Lumio, question {n}", created_at=now, fetched_at=now, brands=("Lumio",),
    )  # fmt: skip


def run_farm(
    pg_url: str, folder: Path, *, seconds: float, sources: int = 8, nodes: int = 3,
    every: float = 1.0, tick: float = 0.5, reply_every: float = 0.3, texts: list[str] | None = None,
    drain: float = 30.0, crash: str | None = None,
) -> Figures:  # fmt: skip
    """Run `nodes` watches for `seconds` (the lease holder killed half-way), then up to
    `drain` seconds more with no new item or reply, for the last alerts and posts to go
    out; the figures. `crash`: instead, the first node is started alone, takes the lease,
    and kills itself at that point of store.crash (`before-rules@4`: its fourth ingest
    that stored something, before the rules ran), the others started once it holds the poller lease."""
    import psycopg

    from store.postgres import PgStore

    folder.mkdir(parents=True, exist_ok=True)
    farm = Farm(sources, every, texts=texts or [])
    with farm.serving() as base, PlatformServer() as platform:
        config = folder / "config.toml"
        config.write_text(config_text(base, platform.url, sources, f"{every:g}s"))
        PgStore.open(pg_url, user="agent").close()  # the schema, before the nodes race
        hook = f"{base}/hooks/alerts"
        died: list[float] = []  # when the crashing node died (time.monotonic())
        if crash:
            farm.t0 = time.monotonic()  # it polls at once
            procs = [start_node(folder, 0, pg_url, config, hook, tick, crash)]
            first = procs[0]
            threading.Thread(
                target=lambda: (first.wait(), died.append(time.monotonic())), daemon=True
            ).start()
            _lease_taken(pg_url, first.pid)
            procs += [start_node(folder, n, pg_url, config, hook, tick) for n in range(1, nodes)]
        else:
            procs = [start_node(folder, n, pg_url, config, hook, tick) for n in range(nodes)]
            farm.t0 = time.monotonic()
        try:
            started = time.monotonic() + 60  # the nodes start (imports, connections)
            while not farm.polls and time.monotonic() < started:
                time.sleep(0.1)
            run = _drive(
                pg_url, farm, platform, procs, seconds, reply_every, died if crash else None
            )
            farm.frozen = int((time.monotonic() - farm.t0) / every)
            _drain(pg_url, farm, platform, run, drain)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        rounds = (time.monotonic() - farm.t0) / every
        with psycopg.connect(pg_url) as conn:
            held_targets = [
                t
                for (t,) in conn.execute(
                    "SELECT target FROM outbox WHERE status = 'pending' AND taken_by LIKE %s",
                    (f"%:{run.killed}",),
                )
            ]
            made = conn.execute("SELECT group_id FROM groups WHERE group_id LIKE 'rss:%'")
            groups = sorted({"s{}r{}".format(*t) for (g,) in made for t in TOKEN.findall(g)})
            group_of = group_tokens(conn)
        with platform.state.lock:
            texts_posted = Counter(s["text"] for s in platform.state.statuses.values())
            requests = sum(1 for r in platform.state.requests if r == ("POST", "/api/v1/statuses"))
    alerted = farm.alerted_items(group_of)
    dups = {k for k, n in alerted.items() if n > 1}
    logs = [(folder / f"node{n}.log").read_text(errors="replace") for n in range(nodes)]
    posted_texts = {r for r in run.replies if any(r in t for t in texts_posted)}
    # a reply the killed node posted before it could mark it sent is still pending
    # under its name: posted (the idempotency key keeps it from a second post), not held
    held = [t for t in held_targets if run.reply_of.get(t) not in posted_texts]
    return Figures(
        rounds=rounds,
        polls=len(farm.polls),
        duplicate_polls=farm.duplicate_polls(
            killed=None if run.killed_clock is None else run.killed_clock - farm.t0
        ),
        longest_wait=farm.longest_wait(),
        groups=groups,
        missed=sorted(set(groups) - set(alerted)),
        alerts_delivered=len(farm.alerts),
        items_alerted=len(alerted),
        duplicate_alerts=sorted(k for k, n in alerted.items() if n > 1),
        replies=len(run.replies),
        posted=len(posted_texts),
        duplicate_posts=sorted(t for t, n in texts_posted.items() if n > 1),
        post_requests=requests,
        held_by_dead=len(held),
        killed=run.killed,
        killed_at=run.killed_at,
        pollers=len(run.holders),
        logs=logs,
        twice=[
            f"{a.get('veille_alert')}: {str(a.get('text', '')).splitlines()[0][:100]}"
            for a in farm.alerts
            if any(
                group_of.get(f"s{k}r{r}", f"s{k}r{r}") in dups
                for k, r in TOKEN.findall(str(a.get("text", "")))
            )
        ],
    )


@dataclass
class _Run:
    killed: int | None = None
    killed_at: float | None = None
    killed_clock: float | None = None  # time.monotonic() when the kill was sent
    holders: set[str] = field(default_factory=set)
    replies: list[str] = field(default_factory=list)
    reply_of: dict[str, str] = field(default_factory=dict)  # outbox target -> its text


def _lease_taken(pg_url: str, pid: int, timeout: float = 60) -> None:
    """Wait until the process `pid` holds the poller lease."""
    import psycopg

    end = time.monotonic() + timeout
    with psycopg.connect(pg_url, autocommit=True) as conn:
        while time.monotonic() < end:
            if conn.execute("SELECT to_regclass('poller_lease') IS NOT NULL").fetchone()[0]:  # type: ignore[index]
                row = conn.execute("SELECT holder->>'pid' FROM poller_lease").fetchone()
                if row and row[0] == str(pid):
                    return
            time.sleep(0.05)
    raise AssertionError(f"node {pid} never took the poller lease")


def _drive(
    pg_url: str, farm: Farm, platform: PlatformServer, procs: list[subprocess.Popen],
    seconds: float, reply_every: float, died: list[float] | None = None,
) -> _Run:  # fmt: skip
    """The agent's side: answers customers (replies for the outbox), watches who holds
    the lease, and kills that node half-way (`died`: notes instead when the first node
    killed itself, the moment its waiting thread saw it)."""
    import psycopg

    from store.postgres import PgStore

    run = _Run()
    begun = time.monotonic()  # the first poll: the run's clock starts
    with (
        PgStore.open(pg_url, user="agent", listen=False) as agent,
        psycopg.connect(pg_url, autocommit=True) as conn,
    ):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            row = conn.execute("SELECT holder->>'pid' FROM poller_lease").fetchone()
            if row:
                run.holders.add(row[0])
            elapsed = time.monotonic() - begun
            if died and run.killed is None:
                run.killed, run.killed_clock = procs[0].pid, died[0]
                run.killed_at = died[0] - begun
            if died is None and run.killed is None and row and elapsed > seconds / 2:
                run.killed, run.killed_at = int(row[0]), elapsed
                os.kill(run.killed, signal.SIGKILL)  # the polling node dies
                run.killed_clock = time.monotonic()
                for p in procs:  # and its parent reaps it, as a shell would
                    if p.pid == run.killed:
                        p.wait()
            # an agent answers customers all along
            n = len(run.replies)
            m = masto_mention(n)
            platform.state.remote_posts[m.url] = {
                "id": str(9000 + n), "uri": m.url, "url": m.url, "visibility": "public",
                "account": {"id": str(n), "acct": f"client{n % 5}@other.example"},
            }  # fmt: skip
            agent.ingest([m])
            text = f"Bonjour, voici la réponse numéro {n}."
            agent.add_reply(m.id, text)
            run.replies.append(text)
            run.reply_of[agent.resolve(m.id)] = text
            time.sleep(reply_every)
    return run


def _drain(pg_url: str, farm: Farm, platform: PlatformServer, run: _Run, seconds: float) -> None:
    """Wait (at most `seconds`) until every feed has been read to its last item, every
    group made is alerted and every reply posted."""
    import psycopg

    end = time.monotonic() + seconds
    frozen = time.monotonic() - farm.t0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        while time.monotonic() < end:
            with farm.lock:  # each feed asked twice since: its last items are stored
                after = Counter(k for k, t in farm.polls if t > frozen)
            if any(after[k] < 2 for k in range(farm.sources)):
                time.sleep(0.25)
                continue
            made = conn.execute("SELECT group_id FROM groups WHERE group_id LIKE 'rss:%'")
            groups = {"s{}r{}".format(*t) for (g,) in made for t in TOKEN.findall(g)}
            with platform.state.lock:
                posted = " ".join(s["text"] for s in platform.state.statuses.values())
            held = conn.execute(
                "SELECT count(*) FROM outbox WHERE status = 'pending' AND taken_by LIKE %s",
                (f"%:{run.killed}",),
            ).fetchone()
            unposted = sum(1 for r in run.replies if r not in posted)
            alerted = set(farm.alerted_items(group_tokens(conn)))
            if groups <= alerted and unposted <= (held[0] if held else 0):
                return
            time.sleep(0.25)
