"""Time as every record stores it: timezone-aware UTC, ISO strings ending in Z in JSON.
Re-exported by triage.model, where most callers take it from."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, timezone-aware UTC (one place to get the clock)."""
    return datetime.now(UTC)


def to_utc(value: datetime) -> datetime:
    """A datetime in UTC; a naive one is taken to be UTC already."""
    tz = value.tzinfo
    if tz is UTC:
        return value
    if tz is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def dt_to_json(value: datetime | None) -> str | None:
    """ISO 8601 with a trailing Z, sortable as text."""
    if value is None:
        return None
    return to_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dt_from_json(value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    return to_utc(datetime.fromisoformat(value))  # 3.11 reads the Z itself
