"""Adapters from the other parts to what VeilleApp takes (callables and small objects).

Each factory returns None when its part is not installed, so the inbox still opens;
the app then shows ages instead of SLA clocks, records replies as made by hand, and so
on. Nothing here re-implements another part: it only calls its documented API.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from triage.config import Config
from triage.model import Mention
from triage.views import GroupView
from tui.widgets.rows import age_short
from tui.widgets.status_bar import SourceLine

HEALTH_TTL = 3.0  # seconds between re-reads of the health records


def make_sla_left(
    config: Config, inbox: Any
) -> Callable[[GroupView, datetime], float | None] | None:
    try:
        from triage import sla
    except ImportError:
        return None
    threshold = getattr(inbox, "urgent_threshold", 70.0)

    def left(view: GroupView, now: datetime) -> float | None:
        return sla.time_left(view, config.sla, now, urgent_threshold=threshold)

    return left


def make_spike(config: Config) -> Callable[[Any, datetime], str | None] | None:
    """The spike banner: the same rule `veille watch` alerts on (triage.alerts)."""
    try:
        from triage.alerts import spike_alerts
    except ImportError:
        return None

    def spike(inbox: Any, now: datetime) -> str | None:
        recent = inbox.mentions_between(now - timedelta(hours=25), now)
        titles = [alert.title for alert in spike_alerts(recent, now)]
        return " · ".join(titles) or None

    return spike


def make_thread_fetcher(config: Config) -> Callable[[Mention], Any] | None:
    try:
        from sources.http import make_client
        from sources.registry import build_source
    except ImportError:
        return None
    by_name = {s.name: s for s in config.sources}
    built: dict[str, Any] = {}

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
    """What the app needs from the outbound part: can we post here, and 'send now'."""

    def __init__(self, config: Config, inbox: Any) -> None:
        from tui.services.outbox import OutboxWorker, reply_mode

        self._reply_mode = reply_mode
        self.config = config
        self.worker = OutboxWorker(inbox, config)
        self._task: asyncio.Task[Any] | None = None

    def can_post(self, mention: Mention) -> bool:
        return self._reply_mode(self.config, mention) == "api"

    def kick(self) -> None:
        """One outbox pass in the background (the store's generation tells the screen)."""
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.get_running_loop().create_task(self.worker.run_once())


def make_outbound(config: Config, inbox: Any) -> OutboundBridge | None:
    try:
        return OutboundBridge(config, inbox)
    except ImportError:
        return None


def make_health(
    config: Config, folder: Path, now: Callable[[], datetime]
) -> Callable[[], list[SourceLine]] | None:
    """Per-source health for the status bar, from the poller's records in `folder`
    (re-read at most every few seconds: `veille fetch`/`watch` update them)."""
    try:
        from sources.health import HealthFiles
    except ImportError:
        return None
    files = HealthFiles(folder)
    cache: dict[str, Any] = {"at": 0.0, "lines": []}

    def lines() -> list[SourceLine]:
        if time.monotonic() - cache["at"] < HEALTH_TTL:
            return cache["lines"]
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
