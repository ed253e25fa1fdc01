"""The outbox worker: posts pending replies and delivers pending hand-offs, once.

A reply is in the store (PENDING, with its idempotency key) before anything is sent, so
a draft is never lost. The worker posts it, then records the outcome with
`inbox.update_reply` / `inbox.update_handoff`. A crash between the request and that record
leaves the entry PENDING; the next pass sends it again with the same key:
- Mastodon answers a repeated `Idempotency-Key` with the status it already created;
- Bluesky: our own record key, looked up before any create;
- webhooks and e-mail carry a stable delivery id (`X-Veille-Delivery`, `Message-ID`) and
  a per-channel ledger skips the channels that already acknowledged.
Transient failures (429, 5xx, timeouts, refused connections) stay PENDING with the reason
and back off; permanent ones become FAILED with the reason in words, kept for an edit.
Only one process at a time runs a pass (flock on `outbox.lock` in the store folder).
The store's calls run on a thread of the worker's own (not the loop's default pool, which
a first round fills with feeds to parse): a store that is slow to answer (another
thread's big write, a reload of what another process stored) never holds the event loop
the sends and `veille watch`'s lease renewal share.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from app.services.ledger import Ledger
from sources.outbound import bluesky, mastodon
from sources.outbound.email import SmtpSettings, deliver_email
from sources.outbound.errors import DeliveryError
from sources.outbound.handoff_message import HandoffMessage
from sources.outbound.webhook import deliver_webhook, handoff_payload
from sources.secrets import SecretError, get_secret, redact
from store.crash import crash_point
from triage.config import Config, SourceConfig, TeamConfig
from triage.model import DeliveryStatus, Handoff, Mention, Reply, dt_to_json, utcnow
from triage.protocol import Store

T = TypeVar("T")
MAX_ATTEMPTS = 8
BASE_DELAY = 2.0  # seconds; doubles per attempt
MAX_DELAY = 900.0
API_PLATFORMS = ("mastodon", "bluesky")


@dataclass(slots=True)
class Outcome:
    kind: str  # reply | handoff
    target: str
    status: DeliveryStatus
    detail: str  # the posted URL, or why it failed


def _log_to_nothing(line: str) -> None:
    pass


def account_for(config: Config, mention: Mention) -> SourceConfig | None:
    """The configured account that can answer on the mention's platform (its own source first)."""
    usable = [
        s
        for s in config.sources
        if s.kind == mention.platform
        and s.token_env
        and (s.instance or s.url or s.kind == "bluesky")
    ]
    for s in usable:
        if s.name == mention.source:
            return s
    return usable[0] if usable else None


def reply_mode(config: Config, mention: Mention) -> str:
    """ "api" when veille can post the reply itself, "manual" when the user must (clipboard)."""
    if mention.platform in API_PLATFORMS and account_for(config, mention) is not None:
        return "api"
    return "manual"


def record_manual_reply(
    inbox: Store, target: str, text: str, mention_id: str | None = None
) -> Reply:
    """The user confirmed they posted it by hand: recorded as MANUAL, the SLA clock stops."""
    return inbox.add_reply(target, text, mention_id=mention_id, manual=True)


def delivery_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def backoff(
    attempts: int, retry_at: datetime | None, now: datetime, base: float = BASE_DELAY
) -> datetime:
    """Exponential back-off, never earlier than the server's Retry-After."""
    delay = min(MAX_DELAY, base * (2 ** max(0, attempts)))
    at = now + timedelta(seconds=delay)
    return max(at, retry_at) if retry_at else at


class OutboxWorker:
    def __init__(
        self,
        inbox: Store,
        config: Config,
        *,
        smtp: SmtpSettings | None = None,
        client: httpx.AsyncClient | None = None,
        log: Callable[[str], None] = _log_to_nothing,
        timeout: float = 15.0,
        base_delay: float = BASE_DELAY,
        folder: Path | None = None,
    ) -> None:
        """`folder` holds the hand-off ledger and the pass lock (default: the store's)."""
        self.inbox = inbox
        self.config = config
        self.smtp = smtp or SmtpSettings()
        self._client = client
        self._timeout = timeout
        self._base_delay = base_delay
        self._log = log
        self._not_before: dict[str, datetime] = {}
        folder = folder or Path(inbox.location)
        self.ledger = Ledger(folder / "outbound" / "handoffs.ledger")
        self._lock_path = folder / "outbox.lock"
        self._calls: ThreadPoolExecutor | None = None  # the store's calls, off the loop
        self._under_way: Future[Any] | None = None

    async def _store(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`call(*args, **kwargs)` (a store call) on the worker's own thread."""
        if self._calls is None:
            self._calls = ThreadPoolExecutor(1, thread_name_prefix="veille-outbox")
        self._under_way = self._calls.submit(functools.partial(call, *args, **kwargs))
        return await asyncio.wrap_future(self._under_way)

    async def finish(self) -> None:
        """Let the store call under way end (its thread cannot be stopped, and the
        store must not close under it): `veille watch` awaits it once its passes are
        cancelled, before it closes the store."""
        if self._under_way is not None and not self._under_way.done():
            await asyncio.gather(asyncio.wrap_future(self._under_way), return_exceptions=True)

    def log(self, line: str) -> None:
        self._log(redact(line))

    # ------------------------------------------------------------------ passes

    async def run(self, stop: asyncio.Event, every: float = 2.0) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as exc:  # keep the worker alive; say what happened
                self.log(f"outbox: pass failed: {type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    async def run_once(self) -> list[Outcome]:
        """One pass over everything pending whose back-off has elapsed."""
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return []  # another process is sending right now
            pending = await self._store(self.inbox.pending_outbox)
            replies = [
                (target, reply)
                for target, reply in pending
                # never one awaiting approval (triage.approval), whatever a store says
                if reply.status is DeliveryStatus.PENDING and self._due(reply.key)
            ]
            handing = await self._store(self.inbox.pending_handoffs)
            handoffs = [
                (target, handoff, key)
                for target, handoff in handing
                if self._due(key := delivery_id(target, dt_to_json(handoff.at) or ""))
            ]
            if not replies and not handoffs:
                # the common pass: nothing to send, so no client (building one loads the
                # system's certificates: ~45 ms, which `veille watch` paid every check)
                return []
            client = self._client or httpx.AsyncClient(
                timeout=self._timeout, headers={"User-Agent": "veille (outbox)"}
            )
            try:
                outcomes = []
                for target, reply in replies:
                    outcomes.append(await self._send_reply(client, target, reply))
                for target, handoff, key in handoffs:
                    outcomes.append(await self._send_handoff(client, target, handoff, key))
                return outcomes
            finally:
                if self._client is None:
                    await client.aclose()
        finally:
            os.close(fd)

    def _due(self, key: str) -> bool:
        at = self._not_before.get(key)
        return at is None or at <= utcnow()

    # ------------------------------------------------------------------ replies

    def _mention_for(self, target: str, reply: Reply) -> Mention | None:
        mention = self.inbox.mention(reply.mention_id) if reply.mention_id else None
        if mention is None:
            group = self.inbox.group(target)
            mention = group[0] if group else self.inbox.mention(target)
        return mention

    async def _post(self, client: httpx.AsyncClient, mention: Mention, reply: Reply) -> str:
        account = account_for(self.config, mention)
        if mention.platform not in API_PLATFORMS or account is None:
            raise DeliveryError(
                f"no posting account for {mention.platform}: copy the reply and post it by hand",
                retryable=False,
            )
        try:
            secret = get_secret(account.token_env)
        except SecretError as exc:
            raise DeliveryError(str(exc), retryable=False) from None
        if mention.platform == "mastodon":
            return await mastodon.post_reply(
                client,
                instance=account.instance or account.url,
                token=secret,
                mention=mention,
                text=reply.text,
                idempotency_key=reply.key,
                created_at=reply.at,
            )
        opts = account.options or {}
        acct = bluesky.BlueskyAccount(
            service=account.instance or str(opts.get("service") or "https://bsky.social"),
            identifier=str(opts.get("identifier") or opts.get("handle") or ""),
            app_password=secret,
        )
        return await bluesky.post_reply(
            client,
            account=acct,
            mention=mention,
            text=reply.text,
            idempotency_key=reply.key,
            created_at=reply.at,
        )

    async def _send_reply(self, client: httpx.AsyncClient, target: str, reply: Reply) -> Outcome:
        mention = await self._store(self._mention_for, target, reply)
        try:
            if mention is None:
                raise DeliveryError(
                    "the mention answered is no longer in the store", retryable=False
                )
            url = await self._post(client, mention, reply)
            crash_point("after-post")  # testing only: sent, not yet acknowledged
        except DeliveryError as err:
            return await self._failed("reply", target, reply.key, reply.attempts, err)
        await self._store(
            self.inbox.update_reply, target, reply.key, DeliveryStatus.DELIVERED, posted_url=url
        )
        self._not_before.pop(reply.key, None)
        self.log(f"reply delivered target={target} url={url}")
        return Outcome("reply", target, DeliveryStatus.DELIVERED, url)

    async def _failed(
        self, kind: str, target: str, key: str, attempts: int, err: DeliveryError
    ) -> Outcome:
        reason = redact(str(err))
        now = utcnow()
        if err.retryable and attempts + 1 < MAX_ATTEMPTS:
            at = backoff(attempts, err.retry_at, now, self._base_delay)
            self._not_before[key] = at
            status, error = (
                DeliveryStatus.PENDING,
                f"{reason}; next try at {at.astimezone():%H:%M:%S}",
            )
        else:
            self._not_before.pop(key, None)
            status, error = DeliveryStatus.FAILED, reason
        if kind == "reply":
            await self._store(self.inbox.update_reply, target, key, status, error=error)
        else:
            await self._store(self.inbox.update_handoff, target, status, error=error)
        self.log(f"{kind} {status.value} target={target} why={error}")
        return Outcome(kind, target, status, error)

    # ------------------------------------------------------------------ hand-offs

    def _leader(self, target: str) -> Mention | None:
        group = self.inbox.group(target)
        return group[0] if group else self.inbox.mention(target)

    def _team(self, name: str) -> TeamConfig | None:
        return next((t for t in self.config.teams if t.name == name), None)

    async def _send_handoff(
        self, client: httpx.AsyncClient, target: str, handoff: Handoff, key: str
    ) -> Outcome:
        team = self._team(handoff.team)
        mention = await self._store(self._leader, target)
        try:
            if team is None or not (team.webhook or team.email):
                raise DeliveryError(
                    f"team {handoff.team!r} has no webhook or e-mail configured", retryable=False
                )
            msg = HandoffMessage(
                team=team.name,
                by=handoff.by,
                note=handoff.note,
                mention_url=mention.url if mention else "",
                mention_text=mention.text if mention else "",
                author=mention.author.display if mention else "?",
                platform=mention.platform if mention else "?",
            )
            if team.webhook and f"{key}:webhook" not in self.ledger:
                payload = {**handoff_payload(msg), "veille_delivery": key}
                await deliver_webhook(
                    client, team.webhook, payload, what="team webhook", delivery=key
                )
                crash_point("after-post")
                self.ledger.add(f"{key}:webhook")
            if team.email and f"{key}:email" not in self.ledger:
                await deliver_email(
                    self.smtp, team.email, msg.subject(), msg.body(), message_id=f"<{key}@veille>"
                )
                self.ledger.add(f"{key}:email")
        except DeliveryError as err:
            return await self._failed("handoff", target, key, handoff.attempts, err)
        await self._store(self.inbox.update_handoff, target, DeliveryStatus.DELIVERED)
        self._not_before.pop(key, None)
        self.log(f"handoff delivered target={target} team={handoff.team}")
        return Outcome("handoff", target, DeliveryStatus.DELIVERED, handoff.team)
