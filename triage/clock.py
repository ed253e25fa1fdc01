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
    value = to_utc(value)
    if value.year < 1000:  # strftime's %Y does not pad years below 1000 (glibc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # the same text as strftime above, ~5x faster (every stored record has two)
    return value.isoformat(timespec="microseconds")[:-6] + "Z"  # "+00:00" -> "Z"


def dt_from_json(value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    return to_utc(datetime.fromisoformat(value))  # 3.11 reads the Z itself
