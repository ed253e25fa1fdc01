"""`veille watch`'s quiet hours: alerts held in a file, sent later as one digest.

A mixin of `app.services.watch.Watch` (it uses the watch's ledger, `send` and log)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import orjson

from app.services.ledger import Ledger
from triage import alerts as decide


class HeldAlerts:
    held_path: Path
    ledger: Ledger
    log: Callable[..., None]
    send: Callable[..., Awaitable[bool]]

    def _hold(self, alert: decide.Alert) -> None:
        line = orjson.dumps(
            {"key": alert.key, "kind": alert.kind, "title": alert.title, "url": alert.url}
        )
        fd = os.open(self.held_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        self.ledger.add(alert.key)  # decided: it goes out in the digest, not again alone
        self.log("alert held for digest", key=alert.key)

    async def _flush_digest(self) -> None:
        try:
            raw = self.held_path.read_bytes()
        except FileNotFoundError:
            return
        held = []
        for line in raw.splitlines():
            try:
                d = orjson.loads(line)
                held.append(decide.Alert(d["kind"], d["key"], d["title"], d.get("url", "")))
            except (orjson.JSONDecodeError, KeyError, TypeError):
                continue  # a torn last line
        if held:
            key = (
                "digest:" + hashlib.sha256("\n".join(a.key for a in held).encode()).hexdigest()[:16]
            )
            if key not in self.ledger and not await self.send(key, decide.digest(held)):
                return  # keep them held; try again next tick
        self.held_path.unlink(missing_ok=True)
