"""Adapters from the application floor to what VeilleApp takes (callables, small objects).

Nothing here re-implements another part: it only calls its documented API. The app
receives these so that tests and `veille demo` can hand it their own.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from app.ingest import LeasedPolling
from app.runtime import Runtime
from app.services.outbox import OutboxWorker, reply_mode
from app.services.settings import smtp_settings
from sources.base import Source
from sources.health import HealthFiles
from sources.http import make_client
from sources.outbound.email import SmtpSettings
from sources.registry import build_source
from sources.secrets import SecretError
from triage import query
from triage.alerts import spike_alerts
from triage.config import Config
from triage.model import Mention, utcnow
from triage.protocol import Store, StoreReader
from triage.spikes import lookback
from tui.widgets.rows import age_short
from tui.widgets.status_bar import SourceLine

HEALTH_TTL = 3.0  # seconds between re-reads of the health records
ThreadFetcher = Callable[[Mention], Any]


def make_spike(config: Config) -> Callable[[StoreReader, datetime], str | None]:
    """The spike banner: the same rule `veille watch` alerts on (triage.alerts)."""

    def spike(inbox: StoreReader, now: datetime) -> str | None:
        recent = inbox.mentions_between(lookback(now), now)
        titles = [alert.title for alert in spike_alerts(recent, now)]
        return " · ".join(titles) or None

    return spike


def make_thread_fetcher(config: Config) -> ThreadFetcher:
    """A mention's conversation, fetched from its configured source (20 s at most)."""
    by_name = {s.name: s for s in config.sources}
    built: dict[str, Source] = {}

    async def fetch(mention: Mention) -> list[Mention]:
        source_config = by_name.get(mention.source)
        if source_config is None:
            raise LookupError(f"the source {mention.source!r} is no longer configured")
        source = built.get(source_config.name)
        if source is None:
            source = built[source_config.name] = build_source(source_config)
        async with make_client() as client:
            return await asyncio.wait_for(source.thread(client, mention), timeout=20)

    return fetch


class OutboundBridge:
    """What the app needs from the outbound service: can we post here, and 'send now'."""

    def __init__(self, config: Config, inbox: Store) -> None:
        try:
            smtp = smtp_settings(config)
        except SecretError:  # `veille watch` says so; the inbox still opens
            smtp = SmtpSettings()
        self.config = config
        self.worker = OutboxWorker(inbox, config, smtp=smtp)
        self._thread: threading.Thread | None = None
        self._again = False
        self._lock = threading.Lock()
        self.last_error = ""

    def can_post(self, mention: Mention) -> bool:
        return reply_mode(self.config, mention) == "api"

    def kick(self) -> None:
        """Outbox passes on their own thread and loop: their network waits and store
        writes never hold the screen's (the store's generation tells the screen)."""
        with self._lock:
            self._again = True
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._passes, name="veille-outbox", daemon=True
                )
                self._thread.start()

    def _passes(self) -> None:
        while True:
            with self._lock:
                if not self._again:  # nothing asked since the last pass began
                    self._thread = None
                    return
                self._again = False
            try:
                asyncio.run(self.worker.run_once())
            except Exception as exc:  # the next kick tries again; `veille watch` logs it
                self.last_error = f"{type(exc).__name__}: {exc}"


def make_health(
    config: Config, folder: Path | HealthFiles, now: Callable[[], datetime]
) -> Callable[[], list[SourceLine]]:
    """Per-source health for the status bar, from the poller's records in `folder`
    (re-read at most every few seconds: `veille fetch`/`watch` update them)."""
    files = folder if isinstance(folder, HealthFiles) else HealthFiles(folder)
    cache: dict[str, Any] = {"at": 0.0, "lines": []}

    def lines() -> list[SourceLine]:
        if time.monotonic() - cache["at"] < HEALTH_TTL:
            return list(cache["lines"])
        out = []
        for source in config.sources:
            record = files.load(source.name, source.kind)
            failing = record.status == "failing"
            stale = False
            if failing:
                detail = record.last_error
            elif record.last_ok is not None:
                # the real time of the last successful poll; red past twice the interval
                at = record.last_ok.astimezone()
                stale = (now() - record.last_ok).total_seconds() > 2 * source.every
                detail = f"{at:%H:%M} ({age_short(record.last_ok, now())} ago)"
            else:
                detail = "never polled"
            out.append(SourceLine(source.name, ok=not (failing or stale), detail=detail))
        cache.update(at=time.monotonic(), lines=out)
        return out

    return lines


def app_services(runtime: Runtime, inbox: Store) -> dict[str, Any]:
    """Everything VeilleApp takes from the other parts, for one runtime and store."""
    config = runtime.config
    return {
        "fetch_thread": make_thread_fetcher(config),
        "sla_left": query.sla_clock(config.sla, inbox.urgent_threshold),
        "spike": make_spike(config),
        "outbound": OutboundBridge(config, inbox),
        "health": make_health(config, runtime.health_files(), utcnow),
        "polling": LeasedPolling(runtime, inbox) if config.sources else None,
    }


__all__: Sequence[str] = ("OutboundBridge", "app_services", "make_health", "make_thread_fetcher")
