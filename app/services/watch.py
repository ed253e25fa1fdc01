"""`veille watch`: the headless on-call loop.

Three jobs share one asyncio loop and one store (the TUIs on the same server see
everything it stores): the sources' Poller ingests what arrives (through the triage
pipeline), the outbox worker sends replies and hand-offs, and the alert loop decides
(triage.alerts) what cannot wait and tells the configured channels. The loop only
waits on the store: storing (app.services.batching), deciding alerts
(app.services.offloop) and the outbox's store calls run on threads, so the poller
lease is renewed and replies go out on time whatever the store's size. Every alert key is
written to a durable ledger once a channel acknowledged it, so a restart neither loses
nor repeats one; during quiet hours alerts are held in a file and sent as one digest.
One log line per event, secrets redacted; SIGTERM stops it cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import httpx

from app.ingest import make_poller
from app.reports import spike_mentions
from app.rules import ingest_with_rules
from app.runtime import Runtime
from app.services.batching import BatchedStoring
from app.services.ledger import Ledger, SentKeys
from app.services.offloop import Abandoned, OffLoop, Settled
from app.services.outbox import OutboxWorker
from app.services.quiet import HeldAlerts
from app.services.settings import WatchSettings
from sources.outbound.email import deliver_email
from sources.outbound.errors import DeliveryError
from sources.outbound.webhook import deliver_webhook
from sources.secrets import redact
from store.lease import TTL, Lease
from triage import alerts as decide
from triage.config import Config
from triage.model import utcnow
from triage.rules import rule_alerts

BURST = 10  # more alerts than this in one check go out as one message
MAX_BACKOFF = 900.0  # a failing channel is tried at least every 15 minutes
CHECK_GAP = 1.0  # seconds between alert checks that new mentions trigger, at least
VIEWS_STEP = 2048  # group views made between two looks at whether the watch is stopping
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F]} | {
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
}


def clean_id(key: str) -> str:
    """An id fit for a log line, a ledger and a payload: control characters escaped
    (a feed's guid may hold a newline or a terminal escape), one line, bounded."""
    cleaned = key.translate(_CONTROL)
    cleaned = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in cleaned)
    return (
        cleaned
        if len(cleaned) <= 200
        else cleaned[:160]
        + "~"
        + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    )


def clean_text(text: str) -> str:
    """Alert text without terminal escapes or other control characters (newlines kept)."""
    return "\n".join(
        clean_id(line) if not line.isprintable() else line for line in text.split("\n")
    )


def log_line(event: str, stream: TextIO | None = None, **fields: object) -> None:
    """One line per event: time, event, key=value pairs; secrets redacted."""
    parts = [utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), event]
    parts += [f"{k}={' '.join(str(v).split())}" for k, v in fields.items() if v not in ("", None)]
    out = stream or sys.stderr
    out.write(redact(" ".join(parts)) + "\n")
    out.flush()


class Watch(HeldAlerts):
    def __init__(
        self,
        config: Config,
        store: Path,
        settings: WatchSettings,
        *,
        tick: float = 30.0,
        log: Callable[..., None] = log_line,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.config = config
        self.store = Path(store)
        self.settings = settings
        self.tick = tick
        self.log = log
        self.clock = clock
        self.stop = asyncio.Event()
        self.polled = asyncio.Event()  # set when a poll stored something
        self.to_send = asyncio.Event()  # the same, for the outbox (a rule's hand-off)
        self.lease_ttl = TTL  # the poller lease's life; renewed every fifth of it
        self.deciding = OffLoop()  # alert decisions: on a thread, one at a time
        self.settled = Settled()  # the store's objects frozen out of the collector's walks
        folder = self.store / "watch"
        folder.mkdir(parents=True, exist_ok=True)
        self.ledger = Ledger(folder / "alerts.ledger")
        self.held_path = folder / "held.jsonl"
        self._source_errors: dict[str, str] = {}
        self._backoff: dict[str, tuple[int, float]] = {}  # channel -> (failures, retry at)
        self.batches: BatchedStoring | None = None
        self._checked_at = -1e9  # time.monotonic() when the last alert check ended
        self._check_cost = 0.0  # seconds the last alert check took

    # ------------------------------------------------------------------ running

    async def run(self, once: bool = False) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):  # HUP: terminal gone
            loop.add_signal_handler(sig, self._request_stop, sig)
        self.runtime = Runtime.of(self.config, self.store)
        self.inbox = self.runtime.open_store()
        self.settled.grew_to(0)
        self.client = httpx.AsyncClient(timeout=15, headers={"User-Agent": "veille (watch)"})
        self.outbox = OutboxWorker(
            self.inbox,
            self.config,
            smtp=self.settings.smtp,
            log=lambda line: self.log("outbox", detail=line),
        )
        self.log("started", store=self.store, sources=len(self.config.sources), tick=self.tick)
        tasks = [asyncio.create_task(self._alert_loop(once), name="alerts")]
        if not once:  # the outbox does not wait for an alert check, nor a check for it
            tasks.append(asyncio.create_task(self._outbox_loop(), name="outbox"))
            self.poller = self._poller()
            tasks.append(asyncio.create_task(self._run_poller(self.poller), name="poller"))
        try:
            if once:
                await tasks[0]
            else:
                await self.stop.wait()
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if await self.deciding.finish():  # its thread reads the store: ended first
                self.log("alert check abandoned", why="stopping")
            await self.outbox.finish()  # so is the outbox's store call under way
            if self.batches is not None:  # the store call under way ends before the store closes
                await self.batches.finish()
            await self.client.aclose()
            self.inbox.close()
            self.log("stopped")
        return 0

    def _request_stop(self, sig: signal.Signals) -> None:
        self.log("stopping", signal=sig.name)
        self.stop.set()

    # ------------------------------------------------------------------ polling

    def _poller(self) -> Any:
        """The sources' poller; cursors and health live beside `veille fetch`'s."""
        # stored off the loop, the sources that answer meanwhile together (app.services.
        # batching); each source's cursor is saved once its own mentions are stored
        self.batches = batches = BatchedStoring(
            lambda mentions: ingest_with_rules(self.inbox, mentions, self.config, self.log),
            self.log,
        )

        async def on_mentions(source: str, mentions: list[Any]) -> None:
            await batches(source, mentions)
            self.polled.set()  # the alerts are checked soon, not at the next tick
            self.to_send.set()  # a rule may have handed a story off

        # parse in a thread: a spike of feeds costs little here, and no process pool
        # lingers after SIGTERM (systemd waits for every child); the pipeline's first
        # half runs there too, off the event loop
        return make_poller(self.runtime, parse="thread", on_mentions=on_mentions)

    async def _run_poller(self, poller: Any) -> None:
        """Poll while this process holds the store's poller lease (taken from an open
        inbox; shared with no other watch); faults are logged, never fatal."""
        lease = Lease(self.store, self.config.user or "watch", "watch", ttl=self.lease_ttl)
        told = ""
        try:
            while not self.stop.is_set():
                if not lease.acquire():
                    holder = lease.current()
                    who = holder.describe() if holder else "another process"
                    if who != told:
                        self.log("not polling", why=f"{who} polls this store")
                        told = who
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), timeout=min(self.tick, 1.0))
                    continue
                told = ""
                lost = asyncio.Event()
                keeper = asyncio.create_task(self._keep_lease(lease, lost))
                try:
                    await poller.run(lost, tick=min(self.tick, 1.0))
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.log("poller failed", why=f"{type(exc).__name__}: {exc}")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), timeout=self.tick)
                finally:
                    keeper.cancel()
        finally:
            poller.close()
            with contextlib.suppress(OSError):
                lease.release()

    async def _keep_lease(self, lease: Lease, lost: asyncio.Event) -> None:
        """Renew the lease well before it lapses; `lost` ends the poller's run."""
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=lease.ttl / 5)
            if self.stop.is_set() or not lease.acquire():
                break
        lost.set()

    # ------------------------------------------------------------------ alerts

    def _log_source_changes(self) -> None:
        """One line when a source starts failing (in words) and one when it recovers."""
        poller = getattr(self, "poller", None)
        if poller is None:
            return
        for h in poller.health():
            before = self._source_errors.get(h.name, "")
            if h.last_error != before:
                if h.last_error:
                    self.log("source failing", source=h.name, why=h.last_error)
                else:
                    self.log("source recovered", source=h.name)
                self._source_errors[h.name] = h.last_error

    async def _alert_loop(self, once: bool) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                self._log_source_changes()
                if once:  # else the outbox has its own loop
                    await self.outbox.run_once()
                await self.check()
            except Abandoned:
                return
            except Exception as exc:  # survive anything one tick throws; say it
                self.log("tick failed", why=f"{type(exc).__name__}: {exc}")
            self._checked_at = time.monotonic()
            self._check_cost = self._checked_at - started
            if once:
                return
            await self._until_next_check()

    async def _outbox_loop(self) -> None:
        """A pass each tick, and soon after a poll stored something (at most one a
        `CHECK_GAP`), whatever the alert checks are doing."""
        while not self.stop.is_set():
            self.to_send.clear()
            passed = time.monotonic()
            try:
                await self.outbox.run_once()
            except Exception as exc:  # the next pass tries again; say it
                self.log("outbox failed", why=f"{type(exc).__name__}: {exc}")
            await self._tick_or(self.to_send, passed, CHECK_GAP)  # a round of polls: not one each

    async def _until_next_check(self) -> None:
        """Wait for the next tick, a poll that stored something, or the stop."""
        # new mentions: check soon, but a round where every source answers in turn
        # would check after each one (a first round of 200 feeds: 100+ checks over a
        # growing store, most of its time); checks triggered by polls leave the loop
        # at least 4x their own cost, and a second, in between
        await self._tick_or(self.polled, self._checked_at, max(CHECK_GAP, 4 * self._check_cost))
        self.polled.clear()

    async def _tick_or(self, event: asyncio.Event, last: float, gap: float) -> None:
        """Wait for the next tick, `event` or the stop; after `event`, until `gap`
        seconds have passed since `last` (time.monotonic()), or the stop."""
        waits = [asyncio.ensure_future(self.stop.wait()), asyncio.ensure_future(event.wait())]
        try:
            await asyncio.wait(waits, timeout=self.tick, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
        rest = last + gap - time.monotonic()
        if event.is_set() and rest > 0 and not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=rest)

    async def check(self) -> list[decide.Alert]:
        now = self.clock()
        alerts = await self.deciding(self._decide, now)  # off the loop, one at a time
        quiet = decide.in_quiet_hours(now.astimezone().time(), self.settings.quiet_hours)
        if quiet:
            for a in alerts:
                self._hold(a)
            return alerts
        await self._flush_digest()
        if len(alerts) > BURST:  # one message rather than a flood; each key still recorded
            alerts = self._claim(alerts)  # none that another node is sending alone
            key = (
                "burst:"
                + hashlib.sha256("\n".join(a.key for a in alerts).encode()).hexdigest()[:16]
            )
            sent = bool(alerts) and await self.send(key, decide.digest(alerts, why="at once"))
            keys = [ck for a in alerts for ck in self._channel_keys(a)]
            if sent:  # one write for the burst (a first round may raise thousands)
                self.ledger.add_all(keys + [a.key for a in alerts])
            else:
                self.ledger.abandon_all(keys)
            return alerts
        for a in alerts:  # one bad alert never keeps the others from going out
            try:
                await self.send(a.key, a.line(), a)
            except Exception as exc:
                self.log("alert failed", key=clean_id(a.key), why=f"{type(exc).__name__}: {exc}")
        return alerts

    def _channel_keys(self, alert: decide.Alert) -> list[str]:
        return [f"{clean_id(alert.key)}#{channel}" for channel in self._channels()]

    def _claim(self, alerts: list[decide.Alert]) -> list[decide.Alert]:
        """The alerts of a burst this node may send: each one's channel keys begun in the
        ledger, as `send` begins them for one alert, so two nodes never tell one alert
        twice (one alone, the other inside its burst, found by tests/pg/test_watch_farm)."""
        free = [a for a in alerts if not any(ck in self.ledger for ck in self._channel_keys(a))]
        keys = [self._channel_keys(a) for a in free]
        began = iter(self.ledger.begin_all([ck for cks in keys for ck in cks]))  # one write
        claimed, undo = [], []
        for a, cks in zip(free, keys, strict=True):
            got = [ck for ck in cks if next(began)]
            if len(got) == len(cks):
                claimed.append(a)
            else:  # another node posts one of its channels: it is not this node's
                undo += got
        if undo:
            self.ledger.abandon_all(undo)
        return claimed

    def _decide(self, now: datetime) -> list[decide.Alert]:
        """The alerts due and not yet sent (a worker thread's call: `check`)."""
        found = self.decide_raw(now)
        self.deciding.checkpoint()
        return decide.fresh(found, SentKeys(self.ledger))

    def decide_raw(self, now: datetime) -> list[decide.Alert]:
        """Every alert the store calls for at `now`; stops early (Abandoned) on a stop."""
        self.inbox.refresh()
        threshold = self.inbox.urgent_threshold
        views = self._alert_views(now, threshold)
        self.settled.grew_to(len(views))  # the views are kept: out of the collector's walks
        found = decide.urgent_alerts(views, threshold, now)
        found += decide.sla_alerts(
            views, self.config.sla, threshold, now, self.settings.sla_warning
        )
        self.deciding.checkpoint()
        recent = spike_mentions(self.inbox, now)  # stored records, not Mentions (issue 16)
        found += decide.spike_alerts(recent, now, factor=self.settings.spike_factor)
        found += rule_alerts(views, self.config.rules, now)  # [[rules]] alert = true
        return found

    def _alert_views(self, now: datetime, threshold: float) -> list[Any]:
        """The groups the alerts read: every one, or - from a store that can narrow
        (store.postgres.alerting: a million groups) - those that can alert at `now`,
        in the same order, so the alerts are the same."""
        narrowed = getattr(self.inbox, "alert_groups", None)
        if narrowed is None:  # as `groups(now=now)`, looking up between steps
            ids = self.inbox.ranked_ids(None, now)
            views: list[Any] = []
            for start in range(0, len(ids), VIEWS_STEP):
                self.deciding.checkpoint()
                views += map(self.inbox.view, ids[start : start + VIEWS_STEP])
                self.settled.grew_to(len(views))  # a first check's 100,000 views: in steps
            return views
        window = decide.alert_window(self.config.sla, threshold, now, self.settings.sla_warning)
        return list(narrowed(window, now, rules=any(r.alert for r in self.config.rules)))

    # ------------------------------------------------------------------ channels

    def _channels(self) -> list[str]:
        out = []
        if self.settings.alert_webhook:
            out.append("webhook")
        if self.settings.alert_email:
            out.append("email")
        if self.settings.bell:
            out.append("bell")
        return out or ["log"]

    async def send(self, key: str, text: str, alert: decide.Alert | None = None) -> bool:
        """Tell every channel not yet told; the key enters the ledger once all have.

        Each post is recorded "sending" before it starts and "sent" after: a crash in
        between re-posts once at most (same delivery id, so a receiver can dedupe), and
        a channel that fails waits (exponential backoff) before it is tried again."""
        key = clean_id(key)
        text = clean_text(text)
        delivery = hashlib.sha256(key.encode()).hexdigest()[:32]
        ok = True
        told: list[str] = []  # the channels this node posted to (others may have, before)
        for channel in self._channels():
            ck = f"{key}#{channel}"
            if ck in self.ledger:
                continue
            if self._backing_off(channel):
                ok = False
                continue
            if self.ledger.attempts(ck) >= 2:  # posted, then re-posted, both cut short
                self.log("alert maybe sent already, not posted again", key=key, channel=channel)
                self.ledger.add(ck)
                continue
            if not self.ledger.begin(ck):  # another node is posting it (a database's ledger)
                ok = False
                continue
            try:
                await self._post(channel, key, text, delivery, alert)
            except DeliveryError as err:
                ok = False
                self.ledger.abandon(ck)
                wait = self._failed(channel)
                self.log(
                    "alert not sent", key=key, channel=channel, why=str(err), retry_in=f"{wait:g}s"
                )
                continue
            except BaseException:
                self.ledger.abandon(ck)
                raise
            self._backoff.pop(channel, None)
            self.ledger.add(ck)
            told.append(channel)
        if ok:
            self.ledger.add(key)
            self.log(
                "alert sent" if told else "alert already sent",
                key=key,
                channels=",".join(told),
                why="" if told else "every channel was told before (another node, or a restart)",
                text=text.splitlines()[0] if text else "",
            )
        return ok

    async def _post(
        self, channel: str, key: str, text: str, delivery: str, alert: decide.Alert | None
    ) -> None:
        if channel == "webhook":
            payload = {"username": "veille", "text": text, "veille_alert": key}
            if alert is not None:
                payload["veille_kind"] = alert.kind
            await deliver_webhook(
                self.client,
                self.settings.alert_webhook,
                payload,
                what="alert webhook",
                delivery=delivery,
            )
        elif channel == "email":
            subject = text.splitlines()[0][:150] if text else "alert"
            await deliver_email(
                self.settings.smtp,
                self.settings.alert_email,
                f"[veille] {subject}",
                text,
                message_id=f"<{delivery}@veille>",
            )
        elif channel == "bell" and sys.stderr.isatty():  # not into a log file
            sys.stderr.write("\a")
            sys.stderr.flush()

    def _backing_off(self, channel: str) -> bool:
        state = self._backoff.get(channel)
        return state is not None and time.monotonic() < state[1]

    def _failed(self, channel: str) -> float:
        """Note a failure of `channel`; the seconds before it is tried again (doubling)."""
        failures = self._backoff.get(channel, (0, 0.0))[0] + 1
        wait = min(max(self.tick, 1.0) * 2 ** (failures - 1), MAX_BACKOFF)
        self._backoff[channel] = (failures, time.monotonic() + wait)
        return wait
