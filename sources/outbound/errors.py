"""Delivery failures in words, with whether trying again can help.

The outbox worker shows `str(error)` to the user and stores it with the reply or hand-off;
`retryable` decides between "try later" and "failed: needs an edit or a new token".
Messages never include request headers or bodies, so a token cannot leak through them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx


class DeliveryError(Exception):
    """A post or delivery that did not happen; `retry_at` is when the server allows a retry."""

    def __init__(self, message: str, *, retryable: bool, retry_at: datetime | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_at = retry_at

    def __str__(self) -> str:
        return self.message


def retry_after(response: httpx.Response, now: datetime | None = None) -> datetime | None:
    """When the server says to come back: Retry-After (seconds or a date) or X-RateLimit-Reset."""
    now = now or datetime.now(UTC)
    value = response.headers.get("retry-after", "").strip()
    if value:
        if value.isdigit():
            return now + timedelta(seconds=int(value))
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    reset = response.headers.get("x-ratelimit-reset", "").strip()
    if reset:
        try:
            if reset.isdigit():  # Bluesky: epoch seconds
                return datetime.fromtimestamp(int(reset), UTC)
            return datetime.fromisoformat(reset.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    return None


def _server_words(response: httpx.Response) -> str:
    """The server's own short explanation (Mastodon `error`, AT Protocol `message`)."""
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    words = data.get("error_description") or data.get("message") or data.get("error") or ""
    return str(words)[:200]


def from_response(response: httpx.Response, what: str) -> DeliveryError:
    """Turn an unsuccessful HTTP answer into a sentence a community manager understands."""
    code = response.status_code
    detail = _server_words(response)
    if code == 429:
        when = retry_after(response)
        until = f" until {when.astimezone().strftime('%H:%M')}" if when else ""
        return DeliveryError(f"{what}: rate limited{until}", retryable=True, retry_at=when)
    if code == 401:
        return DeliveryError(
            f"{what}: token expired or revoked (401); set a new one", retryable=False
        )
    if code == 403:
        return DeliveryError(f"{what}: refused (403) {detail}".rstrip(), retryable=False)
    if code in (404, 410):
        return DeliveryError(f"{what}: the post was deleted or is not visible", retryable=False)
    if code == 413 or (code == 422 and "long" in detail.lower()):
        return DeliveryError(f"{what}: too long for the platform ({detail})", retryable=False)
    if code >= 500:
        return DeliveryError(
            f"{what}: server error {code}; will retry",
            retryable=True,
            retry_at=retry_after(response),
        )
    return DeliveryError(f"{what}: refused ({code}) {detail}".rstrip(), retryable=False)


def from_exception(exc: BaseException, what: str) -> DeliveryError:
    """Network failures: all worth another try later."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return DeliveryError(f"{what}: no answer in time (timeout)", retryable=True)
    if isinstance(exc, httpx.ConnectError | ConnectionRefusedError):
        return DeliveryError(f"{what}: connection refused or host unreachable", retryable=True)
    if isinstance(exc, httpx.TransportError | OSError):
        return DeliveryError(f"{what}: network error ({type(exc).__name__})", retryable=True)
    return DeliveryError(f"{what}: unexpected error ({type(exc).__name__})", retryable=False)
