"""`veille export` streams: one write per row as rows are found, and the memory it
allocates stays a small fraction of what it writes (it never holds the output)."""

from __future__ import annotations

import tracemalloc
from datetime import timedelta

import orjson

from app.reports import export_rows, write_csv, write_jsonl
from store.inbox import Inbox
from triage.filter import parse_filter
from triage.model import utcnow
from triage.query import InboxQuery

from .conftest import T0, mention

PLATFORMS = ("mastodon", "rss", "bluesky", "reddit")
TEXT = "Ma lampe {b} ne s'allume plus depuis la mise à jour, que faire ? " * 3


def many(count: int) -> list:
    """`count` mentions over 30 days, four platforms, two brands (deterministic)."""
    out = []
    for n in range(count):
        brand = "Lumio" if n % 3 else "Brightly"
        at = T0 + timedelta(minutes=11 * n)
        out.append(
            mention(
                f"{PLATFORMS[n % 4]}:{n}", at, brand, n % 100, f"@u{n % 97}", TEXT.format(b=brand)
            )
        )
    return out


class CountingSink:
    """A file that keeps only counts: what export wrote, and when."""

    def __init__(self) -> None:
        self.size = 0
        self.writes = 0
        self.first_line = b""

    def write(self, data):
        if not self.first_line:
            self.first_line = data if isinstance(data, bytes) else data.encode()
        self.size += len(data)
        self.writes += 1


def test_export_writes_row_by_row_in_bounded_memory(tmp_path):
    with Inbox.open(tmp_path / "store", user="ana") as inbox:
        inbox.ingest(many(4000))
        sink = CountingSink()
        rows = export_rows(inbox, None, utcnow())
        first = next(rows)  # a generator: the first row comes before the others are read
        assert first["id"]
        tracemalloc.start()
        n = write_jsonl(rows, sink)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert n == 3999 and sink.writes == 3999
    assert orjson.loads(sink.first_line)["status"] == "new"
    assert sink.size > 1_500_000
    assert peak < sink.size / 8, (peak, sink.size)


def test_export_csv_filtered_streams_too(tmp_path):
    with Inbox.open(tmp_path / "store", user="ana") as inbox:
        inbox.ingest(many(1500))
        flt = parse_filter("brand:lumio platform:mastodon")
        expected = sum(
            1
            for m in inbox.mentions_between(*_all())
            if "Lumio" in m.brands and m.platform == "mastodon"
        )
        sink = CountingSink()
        n = write_csv(export_rows(inbox, InboxQuery(flt, include_all=True), utcnow()), sink)
    assert 0 < n == expected
    assert sink.writes == n + 1  # header, then one write per row


def _all():
    from datetime import UTC, datetime

    return datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
