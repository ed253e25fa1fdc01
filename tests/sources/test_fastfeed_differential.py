"""The fast path against feedparser on generated documents: equal on every field, or it
declines. Hypothesis draws RSS 2.0 and Atom documents (see feedgen.py); for each, both
paths must give the same mentions (every field of `to_json`), the same warnings, or the
same error.

`VEILLE_FEED_EXAMPLES` sets the number of documents per test (default 1000, about ten
seconds); e.g. `VEILLE_FEED_EXAMPLES=50000` for a long hunt.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from unittest import mock

from hypothesis import HealthCheck, given, settings

from sources import rss
from sources.base import SourceError
from sources.fastfeed import parse_simple
from sources.feedbody import repaired

from .feedgen import feed_document

FETCHED = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
EXAMPLES = int(os.environ.get("VEILLE_FEED_EXAMPLES", "1000"))


def outcome(body: bytes, headers: dict[str, str]):
    try:
        mentions, warnings = rss.parse_feed(
            body, headers, "https://blog.example.org/feed", "blog", "rss", FETCHED
        )
    except SourceError as exc:
        return ("error", str(exc))
    return ([m.to_json() for m in mentions], warnings)


def slow_outcome(body: bytes, headers: dict[str, str]):
    with mock.patch.object(rss, "parse_simple", lambda *a: None):
        return outcome(body, headers)


def differences(fast, slow) -> list:
    """What differs, field by field, for a readable failure."""
    if fast[0] == "error" or slow[0] == "error" or len(fast[0]) != len(slow[0]):
        return [] if fast == slow else [("outcome", fast, slow)]
    found = [("warnings", fast[1], slow[1])] if fast[1] != slow[1] else []
    for i, (a, b) in enumerate(zip(fast[0], slow[0], strict=True)):
        found += [(i, key, a[key], b[key]) for key in a if a[key] != b[key]]
    return found


taken = {"fast": 0, "declined": 0}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(feed_document())
def test_fast_path_equals_feedparser_on_every_field(doc):
    body, headers = doc
    fast = outcome(body, headers)
    slow = slow_outcome(body, headers)
    assert differences(fast, slow) == []
    lowered = {k.lower(): v for k, v in headers.items()}
    taken["fast" if parse_simple(repaired(body), lowered) else "declined"] += 1


def test_the_fast_path_still_takes_most_plain_documents():
    """The property test is no proof if the fast path declines everything it is shown."""
    if taken["fast"] + taken["declined"] == 0:
        return  # run alone
    assert taken["fast"] >= 0.05 * (taken["fast"] + taken["declined"]), taken
