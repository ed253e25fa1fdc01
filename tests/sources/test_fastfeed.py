"""The fast path must give exactly what feedparser gives, or step aside."""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest

from sources import rss
from sources.fastfeed import parse_simple

from .test_feeds import GOOGLE_ALERTS

_spec = importlib.util.spec_from_file_location(
    "bench_ingest", Path(__file__).resolve().parents[2] / "bench" / "ingest.py"
)
_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bench)
atom_feed, rss_feed = _bench.atom_feed, _bench.rss_feed

FETCHED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
BASE = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
EXTRA = [
    GOOGLE_ALERTS,
    "<?xml version='1.0'?><rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/' "
    "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel><title>T &amp; co</title>"
    "<item><title>AT&amp;T &lt;b&gt;Lumio&lt;/b&gt;</title><link>/relative/1</link>"
    "<dc:creator>Zoé</dc:creator><dc:date>2026-11-22T07:00:00+01:00</dc:date>"
    "<content:encoded><![CDATA[<p>Full <b>text</b> &eacute;</p>]]></content:encoded>"
    "<description>short</description></item>"
    "<item><guid>https://x.example/p/2</guid><description>no title</description></item>"
    "</channel></rss>",
]


def both(body: bytes, headers: dict[str, str]):
    fast = rss.parse_feed(body, headers, "https://x.example/feed", "s", "rss", FETCHED)
    with mock.patch.object(rss, "parse_simple", lambda *a: None):
        slow = rss.parse_feed(body, headers, "https://x.example/feed", "s", "rss", FETCHED)
    return fast, slow


@pytest.mark.parametrize("index", range(6))
def test_fast_path_equals_feedparser(index):
    rng = random.Random(index)
    if index < 4:
        text = (atom_feed if index % 2 else rss_feed)(index, 20, rng, BASE)
    else:
        text = EXTRA[index - 4]
    body = text.encode("utf-8")
    headers = {"content-type": "application/xml; charset=utf-8"}
    assert parse_simple(body, headers) is not None  # the fast path did take it
    fast, slow = both(body, headers)
    assert [m.to_json() for m in fast[0]] == [m.to_json() for m in slow[0]]
    assert fast[1] == slow[1] == []


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'b'>]><rss version='2.0'/>", {}),
        (
            b"<?xml version='1.0' encoding='iso-8859-1'?><rss version='2.0'><channel/></rss>",
            {"content-type": "application/rss+xml; charset=utf-8"},
        ),
        (
            b"<rss version='2.0'><channel><item><pubDate>someday</pubDate></item></channel></rss>",
            {},
        ),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", {}),
        (b"<rss version='2.0'><channel><item><title>cut", {}),
    ],
)
def test_fast_path_declines_what_it_is_unsure_of(body, headers):
    assert parse_simple(body, headers) is None
