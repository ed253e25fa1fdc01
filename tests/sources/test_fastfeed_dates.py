"""The fast path reads a feed's dates straight into UTC datetimes: the same instant, to the
second, that feedparser's route gives (email.utils or datetime, then `time.gmtime`, then
`parse_feed`'s `timegm`), and the same refusals. Drawn by hypothesis, and in a process
whose local zone is not UTC (an RFC 822 "-0000" means local time to email.utils)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from calendar import timegm
from collections import Counter
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.fastfeed import _date, _Unsure
from sources.rss import _when

ROOT = Path(__file__).resolve().parents[2]


def _reference(value: str, rfc822: bool) -> datetime:
    """The route before: an aware (or, for -0000, naive) datetime, its time tuple, back."""
    when = (
        parsedate_to_datetime(value.strip())
        if rfc822
        else datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    )
    return datetime.fromtimestamp(timegm(time.gmtime(when.timestamp())), UTC)


DAYS = ["", "Mon, ", "Sun, "]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ZONES = ["GMT", "+0000", "-0000", "+0530", "-0800", "+1400", "-0099", "+2359", "+2400"]


@settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(DAYS),
    st.integers(0, 32),
    st.sampled_from(MONTHS),
    st.integers(1900, 2099),
    st.integers(0, 25),
    st.integers(0, 60),
    st.integers(0, 61),
    st.sampled_from(ZONES),
    st.booleans(),
)
def test_rfc822_dates_read_as_email_utils_reads_them(
    day_name: str, day: int, month: str, year: int, h: int, m: int, s: int, zone: str, wide: bool
) -> None:
    value = f"{day_name}{day:02d} {month} {year} {h:02d}:{m:02d}:{s:02d} {zone}"
    if not wide:
        value = f" {value}\n"
    try:
        expected: datetime | type[Exception] = _reference(value, rfc822=True)
    except (ValueError, OverflowError) as exc:
        expected = type(exc)
    try:
        got: datetime | type[Exception] = _date(value, rfc822=True)
    except (ValueError, OverflowError) as exc:
        got = type(exc)
    assert got == expected, value
    if isinstance(got, datetime):
        assert got.tzinfo is UTC and got.microsecond == 0


@settings(max_examples=2000, deadline=None)
@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2099, 12, 30)),
    st.sampled_from(["Z", "+00:00", "-00:00", "+05:30", "-08:00", "+13:45"]),
    st.integers(0, 6),
)
def test_rfc3339_dates_read_as_datetime_reads_them(when: datetime, zone: str, digits: int) -> None:
    value = when.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        value += "." + f"{when.microsecond:06d}"[:digits]
    value += zone
    assert _date(value, rfc822=False) == _reference(value, rfc822=False), value


@pytest.mark.parametrize(
    "value",
    ["", "  ", "30 Nov 2026 00:00:00 EST", "30 Nov 26 00:00:00 GMT", "2026-11-30 00:00:00Z"],
)
def test_other_forms_are_left_to_feedparser(value: str) -> None:
    with pytest.raises(_Unsure):
        _date(value, rfc822=True)
    with pytest.raises(_Unsure):
        _date(value, rfc822=False)


def test_parse_feed_takes_either_form_and_refuses_years_before_1970_alike() -> None:
    for value in ("Thu, 01 Jan 1970 00:59:59 +0100", "Sat, 28 Nov 2026 10:00:00 +0200"):
        fast = _date(value, rfc822=True)
        tuple_ = time.gmtime(parsedate_to_datetime(value).timestamp())
        a, b = Counter[str](), Counter[str]()
        assert _when({"published_parsed": fast}, a) == _when({"published_parsed": tuple_}, b)
        assert a == b
    assert a == Counter() and list(b) == []
    early = Counter[str]()
    assert _when({"published_parsed": _date("31 Dec 1969 23:00:00 GMT", True)}, early) is None
    assert early == Counter({"a date out of range ignored": 1})


def test_minus_zero_means_local_time_as_email_utils_says(tmp_path: Path) -> None:
    code = (
        "from sources.fastfeed import _date\n"
        "print(_date('Mon, 30 Nov 2026 10:00:00 -0000', True).isoformat())"
    )
    env = {**os.environ, "TZ": "Asia/Kolkata"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2026-11-30T04:30:00+00:00"
