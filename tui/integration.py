"""Adapters from the application floor to what VeilleApp takes (callables, small objects).

Nothing here re-implements another part: it only calls its documented API. The app
receives these so that tests and `veille demo` can hand it their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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
from tui.widgets.rows import age_short
from tui.widgets.status_bar import SourceLine

HEALTH_TTL = 3.0  # seconds between re-reads of the health records
ThreadFetcher = Callable[[Mention], Any]


def make_spike(config: Config) -> Callable[[StoreReader, datetime], str | None]:
    """The spike banner: the same rule `veille watch` alerts on (triage.alerts)."""

    def spike(inbox: StoreReader, now: datetime) -> str | None:
        recent = inbox.mentions_between(now - timedelta(hours=25), now)
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
        self._task: asyncio.Task[Any] | None = None

    def can_post(self, mention: Mention) -> bool:
        return reply_mode(self.config, mention) == "api"

    def kick(self) -> None:
        """One outbox pass in the background (the store's generation tells the screen)."""
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.get_running_loop().create_task(self.worker.run_once())


def make_health(
    config: Config, folder: Path, now: Callable[[], datetime]
) -> Callable[[], list[SourceLine]]:
    """Per-source health for the status bar, from the poller's records in `folder`
    (re-read at most every few seconds: `veille fetch`/`watch` update them)."""
    files = HealthFiles(folder)
    cache: dict[str, Any] = {"at": 0.0, "lines": []}

    def lines() -> list[SourceLine]:
        if time.monotonic() - cache["at"] < HEALTH_TTL:
            return list(cache["lines"])
        out = []
        for source in config.sources:
            record = files.load(source.name, source.kind)
            failing = record.status == "failing"
            if failing:
                detail = record.last_error
            elif record.last_ok is not None:
                detail = age_short(record.last_ok, now()) + " ago"
            else:
                detail = "never polled"
            out.append(SourceLine(source.name, ok=not failing, detail=detail))
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
        "health": make_health(config, runtime.sources_folder, utcnow),
    }


__all__: Sequence[str] = ("OutboundBridge", "app_services", "make_health", "make_thread_fetcher")
