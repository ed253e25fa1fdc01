"""Issue 11's defects, one regression test each: feeds are read the way feedparser reads
them, one bad value never costs a feed, ids never collide, and the fetch path says in
words what went wrong. Everything goes over real HTTP to a server on 127.0.0.1."""

from __future__ import annotations

import gzip
import re
import time
import tracemalloc

import pytest

from sources.base import SourceError
from sources.http import fetch, make_client

from .conftest import Reply
from .test_feeds import RSS, poll, rss


def rss_doc(items: str, declaration: str = "<?xml version='1.0' encoding='UTF-8'?>") -> str:
    return (
        f"{declaration}<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
        f"<channel><title>Forum</title>{items}</channel></rss>"
    )


DATE_WORDS = r"kept 3 of 3 entries; a date (out of range|that could not be read) ignored"
GOOD = (
    "<item><title>Good one</title><guid isPermaLink='false'>good-1</guid>"
    "<description>Lumio works</description></item>"
    "<item><title>Good two</title><guid isPermaLink='false'>good-2</guid>"
    "<description>Lumio still works</description></item>"
)


# ------------------------------------------------------------ inline markup, encodings


async def test_inline_markup_keeps_every_word(server):
    body = rss_doc(
        "<item><title>Lumio <em>recall</em> announced</title><guid>https://f.example/1</guid>"
        "<description>Lumio is <b>really</b> broken, please refund me</description></item>"
    )
    url = server.route("/inline", Reply(200, {"Content-Type": RSS}, body))
    [m] = (await poll(url)).mentions
    assert m.title == "Lumio recall announced"
    assert m.text == "Lumio is really broken, please refund me"


async def test_atom_xhtml_content_is_kept(server):
    body = (
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>T</title><id>urn:f</id>"
        "<entry><id>urn:e:1</id><title>Lamp</title><content type='xhtml'>"
        "<div xmlns='http://www.w3.org/1999/xhtml'><p>The <b>Lumio</b> lamp</p><p>refund</p>"
        "</div></content></entry></feed>"
    )
    url = server.route("/xhtml", Reply(200, {"Content-Type": "application/atom+xml"}, body))
    [m] = (await poll(url)).mentions
    assert m.text == "The Lumio lamp\n\nrefund"


async def test_cp1252_smart_quotes_survive_a_latin1_declaration(server):
    body = rss_doc(
        "<item><title>I don\x92t like Lumio</title><guid>https://f.example/q</guid></item>",
        "<?xml version='1.0' encoding='iso-8859-1'?>",
    ).encode("latin-1")
    url = server.route("/cp1252", Reply(200, {"Content-Type": "application/rss+xml"}, body))
    [m] = (await poll(url)).mentions
    assert m.title == "I don\u2019t like Lumio"


@pytest.mark.parametrize(
    ("name", "codec", "word"),
    [
        ("windows-874", "cp874", "ลูมิโอ"),
        ("x-mac-roman", "mac-roman", "“Lumio” café"),
        ("ISO-8859-8-I", "iso-8859-8", "לומיו"),
        ("utf8mb4", "utf-8", "Lumio 😀"),
    ],
)
async def test_encodings_python_does_not_know_are_read_as_meant(server, name, codec, word):
    items = GOOD + f"<item><title>{word}</title><guid>https://f.example/w</guid></item>"
    body = rss_doc(items, f"<?xml version='1.0' encoding='{name}'?>").encode(codec)
    url = server.route("/enc", Reply(200, {"Content-Type": "application/rss+xml"}, body))
    result = await poll(url)
    assert [m.title for m in result.mentions] == ["Good one", "Good two", word]
    assert result.warnings == []


# ------------------------------------------------------------ one bad value


@pytest.mark.parametrize(
    ("bad_item", "words"),
    [
        ("<item><title>Bad</title><guid>x-1</guid>"
         "<pubDate>Sat, 01 Jan 0001 00:00:00 +0100</pubDate></item>", DATE_WORDS),
        ("<item><title>Bad</title><guid>x-1</guid>"
         "<dc:date xmlns:dc='http://purl.org/dc/elements/1.1/'>0001-01-01T00:00:00+01:00"
         "</dc:date></item>", DATE_WORDS),
        ("<item><title>Bad</title><guid>x-1</guid>"
         "<pubDate>Fri, 31 Dec 9999 23:59:59 -0500</pubDate></item>", DATE_WORDS),
        ("<item><title>Bad</title><link>//[bad/x</link></item>", "kept 3 of 3 entries; a link that is not a web address dropped"),
    ],
)  # fmt: skip
async def test_one_bad_value_costs_that_value_only(server, bad_item, words):
    url = server.route("/bad", Reply(200, {"Content-Type": RSS}, rss_doc(GOOD + bad_item)))
    result = await poll(url)
    assert [m.title for m in result.mentions] == ["Good one", "Good two", "Bad"]
    [warning] = result.warnings
    assert re.search(words, warning), warning


async def test_zero_dates_and_atom_out_of_range_dates_are_dropped(server):
    body = (
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>T</title><id>urn:f</id>"
        "<entry><id>urn:e:1</id><title>A</title><updated>0000-00-00</updated></entry>"
        "<entry><id>urn:e:2</id><title>B</title><updated>9999-12-31T23:59:59-05:00</updated>"
        "</entry><entry><id>urn:e:3</id><title>C</title><updated>2026-11-22T08:00:00Z</updated>"
        "</entry></feed>"
    )
    url = server.route("/dates", Reply(200, {"Content-Type": "application/atom+xml"}, body))
    result = await poll(url)
    assert [m.title for m in result.mentions] == ["A", "B", "C"]
    assert result.mentions[2].created_at.year == 2026
    assert len(result.warnings) <= 1


async def test_a_lone_surrogate_is_replaced_not_fatal(server):
    body = rss_doc(GOOD + "<item><title>a &#xD800; b</title><guid>s-1</guid></item>")
    url = server.route("/surrogate", Reply(200, {"Content-Type": RSS}, body))
    result = await poll(url)
    assert [m.title for m in result.mentions] == ["Good one", "Good two", "a \ufffd b"]


# ------------------------------------------------------------ ids


async def test_two_feeds_with_the_same_guid_give_two_mentions(server):
    item = "<item><title>{}</title><guid isPermaLink='false'>1</guid></item>"
    a = server.route("/a", Reply(200, {"Content-Type": RSS}, rss_doc(item.format("A"))))
    b = server.route("/b", Reply(200, {"Content-Type": RSS}, rss_doc(item.format("B"))))
    async with make_client() as client:
        from sources.rss import RssSource

        [ma] = (await RssSource("feed-a", a).poll(client, {})).mentions
        [mb] = (await RssSource("feed-b", b).poll(client, {})).mentions
    assert ma.id != mb.id
    assert (ma.id, mb.id) == ("rss:feed-a#1", "rss:feed-b#1")
    assert ma.extra["previous_id"] == "rss:1"  # what 0.1 stored it under


async def test_uri_ids_name_the_item_everywhere(server):
    item = "<item><title>Same post</title><guid>https://blog.example.org/p/1</guid></item>"
    a = server.route("/a", Reply(200, {"Content-Type": RSS}, rss_doc(item)))
    result = await poll(a)
    assert result.mentions[0].id == "rss:https://blog.example.org/p/1"
    assert "previous_id" not in result.mentions[0].extra


async def test_items_without_guid_or_link_are_told_apart_by_their_whole_content(server):
    items = "".join(
        f"<item><title>Post</title><content:encoded>&lt;p&gt;{body}&lt;/p&gt;</content:encoded>"
        "</item>"
        for body in ("Lumio is great", "Lumio is broken")
    )
    url = server.route("/post", Reply(200, {"Content-Type": RSS}, rss_doc(items)))
    first = (await poll(url)).mentions
    again = (await poll(url)).mentions
    assert len({m.id for m in first}) == 2
    assert [m.id for m in first] == [m.id for m in again]


async def test_a_very_long_guid_becomes_a_bounded_id(server):
    item = f"<item><title>Long</title><guid isPermaLink='false'>{'x' * 5000}</guid></item>"
    url = server.route("/long", Reply(200, {"Content-Type": RSS}, rss_doc(item)))
    [m] = (await poll(url)).mentions
    assert len(m.id) < 100 and m.id.startswith("rss:forum#sha1-")


# ------------------------------------------------------------ not a feed, in words


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"", RSS, "not a feed: the answer was empty"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html><body>Login</body></html>", "text/html",
         "not a feed: the address returned a web page"),
        (b'{"items": [{"id": 1}]}', "application/json",
         "not a feed: the address returned JSON"),
    ],
)  # fmt: skip
async def test_bodies_that_are_not_feeds_say_what_they_are(server, body, content_type, words):
    url = server.route("/nf", Reply(200, {"Content-Type": content_type}, body))
    with pytest.raises(SourceError, match=words):
        await poll(url)


@pytest.mark.parametrize("declaration", ["", "<?xml version='1.0'?>\n", "\ufeff"])
async def test_error_line_numbers_are_the_documents_own(server, declaration):
    body = declaration + "<rss version='2.0'>\n<channel>\n<title>T</title></chanel>\n</rss>"
    url = server.route("/lines", Reply(200, {"Content-Type": RSS}, body.encode("utf-8")))
    line = 3 if not declaration.startswith("<?xml") else 4
    with pytest.raises(SourceError, match=f"line {line}, column"):
        await poll(url)


# ------------------------------------------------------------ the fetch path


async def test_a_gzip_body_is_inflated_in_bounded_steps(server):
    """A 1 MB gzip body of a 1 GB document: refused at the cap, memory stays small."""
    member = gzip.compress(b"\x00" * (64 * 1024 * 1024), 9)
    bomb = member * 16  # 16 gzip members, one after the other, as gzip allows
    url = server.route("/bomb", Reply(200, {"Content-Type": RSS, "Content-Encoding": "gzip"}, bomb))
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="larger than 10 MB"):
            await poll(url, max_bytes=10 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


async def test_gzip_and_deflate_bodies_still_read_whole(server):
    import zlib

    body = rss(GOOD).encode()
    server.routes["/gz"] = Reply(
        200, {"Content-Type": RSS, "Content-Encoding": "gzip"}, gzip.compress(body)
    )
    server.routes["/zl"] = Reply(
        200, {"Content-Type": RSS, "Content-Encoding": "deflate"}, zlib.compress(body)
    )
    raw = zlib.compressobj(wbits=-15)
    server.routes["/raw"] = Reply(
        200,
        {"Content-Type": RSS, "Content-Encoding": "deflate"},
        raw.compress(body) + raw.flush(),
    )
    for path in ("/gz", "/zl", "/raw"):
        result = await poll(server.url + path)
        assert [m.title for m in result.mentions] == ["Good one", "Good two"], path


async def test_a_permanent_move_to_another_host_is_reported(server):
    new = server.route("/new.rss", Reply(200, {"Content-Type": RSS}, rss(GOOD)))
    moved_to = new.replace("127.0.0.1", "localhost")
    old = server.route("/old.rss", Reply(301, {"Location": moved_to}))
    result = await poll(old)
    assert len(result.mentions) == 2
    assert result.warnings == [f"moved permanently to {moved_to}: update the URL"]


async def test_a_temporary_or_same_host_redirect_is_silent(server):
    new = server.route("/new.rss", Reply(200, {"Content-Type": RSS}, rss(GOOD)))
    server.route("/tmp.rss", Reply(302, {"Location": new.replace("127.0.0.1", "localhost")}))
    server.route("/same.rss", Reply(301, {"Location": new}))
    for path in ("/tmp.rss", "/same.rss"):
        assert (await poll(server.url + path)).warnings == []


async def test_a_slow_drip_reports_the_time_really_waited(server):
    url = server.route("/slow", Reply(200, {"Content-Type": RSS}, rss(GOOD), delay=1.5))
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        async with make_client(timeout=0.4) as client:
            await fetch(client, url, retries=2)
    waited = time.monotonic() - started
    words = caught.value.message
    assert words.startswith("timed out after ") and "3 tries, each cut at 0.4 s" in words
    said = float(words.split()[3])
    assert abs(said - waited) < 1.0
