"""RSS/Atom over real HTTP: what a user gets from good, odd, broken and hostile feeds."""

from __future__ import annotations

import gzip
import time

import pytest

from sources.base import SourceError
from sources.http import make_client
from sources.rss import RssSource

from .conftest import Reply

RSS = "application/rss+xml; charset=utf-8"

GOOGLE_ALERTS = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
<id>tag:google.com,2005:reader/user/00000000000000000000/state/com.google/alerts/1</id>
<title>Google Alert - lumio</title>
<updated>2026-11-22T08:00:00Z</updated>
<entry>
<id>tag:google.com,2013:googlealerts/feed:1234567890</id>
<title type="html">Why the &lt;b&gt;Lumio&lt;/b&gt; Glow lamp &amp;amp; its app keep failing</title>
<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://blog.example.org/lumio-review&amp;ct=ga&amp;cd=CAIy&amp;usg=AOvVaw"/>
<published>2026-11-22T07:41:12Z</published>
<updated>2026-11-22T07:41:12Z</updated>
<content type="html">The &lt;b&gt;Lumio&lt;/b&gt; Glow &amp;mdash; caf&amp;eacute; owners say the night mode &lt;i&gt;never&lt;/i&gt; switches off ...</content>
<author><name/></author>
</entry>
</feed>"""


def rss(items: str, encoding: str = "UTF-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>Forum</title><link>https://forum.example.org/</link>{items}</channel></rss>"
    )


def item(n: int, title: str = "Lumio post", extra: str = "") -> str:
    return (
        f"<item><title>{title} {n}</title><link>https://forum.example.org/t/{n}</link>"
        f'<guid isPermaLink="false">forum-{n}</guid><pubDate>Sun, 22 Nov 2026 08:{n:02d}:00 GMT</pubDate>'
        f"<description>&lt;p&gt;Body {n} about Lumio&lt;/p&gt;</description>{extra}</item>"
    )


async def poll(url: str, cursor: dict | None = None, timeout: float = 5.0, **kw):
    async with make_client(timeout=timeout) as client:
        return await RssSource("forum", url, **kw).poll(client, cursor or {})


async def test_google_alerts_entry_becomes_plain_text_with_the_real_link(server):
    url = server.route(
        "/alerts", Reply(headers={"Content-Type": "application/atom+xml"}, body=GOOGLE_ALERTS)
    )
    result = await poll(url)
    [m] = result.mentions
    assert m.title == "Why the Lumio Glow lamp & its app keep failing"
    assert m.text.startswith("The Lumio Glow — café owners say the night mode never switches")
    assert "<" not in m.text and "&" not in m.text
    assert m.url == "https://blog.example.org/lumio-review"
    assert m.id == "rss:tag:google.com,2013:googlealerts/feed:1234567890"
    assert m.created_at.isoformat() == "2026-11-22T07:41:12+00:00"
    assert result.warnings == []


async def test_conditional_get_sends_validators_and_a_304_is_unchanged(server):
    body = rss(item(1) + item(2))

    def answer(seen):
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(
            headers={
                "Content-Type": RSS,
                "ETag": '"v1"',
                "Last-Modified": "Sun, 22 Nov 2026 08:00:00 GMT",
            },
            body=body,
        )

    url = server.route("/feed", answer)
    first = await poll(url)
    assert len(first.mentions) == 2
    assert first.cursor == {"etag": '"v1"', "last_modified": "Sun, 22 Nov 2026 08:00:00 GMT"}
    second = await poll(url, first.cursor)
    assert second.unchanged and second.mentions == []
    assert server.requests[-1].headers["if-modified-since"] == "Sun, 22 Nov 2026 08:00:00 GMT"


@pytest.mark.parametrize(
    ("status", "words"),
    [(404, "404 Not Found: nothing at this address"), (410, "410 Gone: the feed was removed")],
)
async def test_missing_feeds_fail_in_words_without_retrying(server, status, words):
    url = server.route("/gone", Reply(status))
    with pytest.raises(SourceError) as err:
        await poll(url)
    assert words in err.value.message
    assert len(server.requests) == 1


async def test_500_is_retried_with_backoff_then_reported(server):
    url = server.route(
        "/flaky", [Reply(500), Reply(503), Reply(200, {"Content-Type": RSS}, rss(item(1)))]
    )
    result = await poll(url)
    assert [m.native_id for m in result.mentions] == ["forum#forum-1"]
    assert len(server.requests) == 3

    server.routes["/down"] = Reply(500)
    with pytest.raises(SourceError, match="500 Internal Server Error"):
        await poll(server.url + "/down")


async def test_429_retry_after_short_is_waited_long_is_handed_to_the_poller(server):
    url = server.route(
        "/busy", [Reply(429, {"Retry-After": "1"}), Reply(200, {"Content-Type": RSS}, rss(item(1)))]
    )
    started = time.monotonic()
    result = await poll(url)
    assert len(result.mentions) == 1
    assert time.monotonic() - started >= 0.9  # it waited as asked, not less

    server.routes["/later"] = Reply(429, {"Retry-After": "3600"})
    with pytest.raises(SourceError) as err:
        await poll(server.url + "/later")
    assert err.value.retry_after == 3600
    assert "too many requests" in err.value.message
    assert len([r for r in server.requests if r.path == "/later"]) == 1


async def test_a_slow_server_times_out_in_words(server):
    url = server.route("/slow", Reply(200, {"Content-Type": RSS}, rss(item(1)), delay=2.0))
    with pytest.raises(SourceError, match=r"timed out after 0.5 s"):
        async with make_client(timeout=0.5) as client:
            from sources.http import fetch

            await fetch(client, url, retries=0)


async def test_a_truncated_body_is_an_error_not_half_a_feed(server):
    body = rss(item(1) + item(2)).encode()
    url = server.route("/cut", Reply(200, {"Content-Type": RSS}, body[:120], length=len(body)))
    with pytest.raises(SourceError, match="closed the connection"):
        await poll(url)


async def test_an_endless_body_is_capped_without_reading_50_mb(server):
    def endless():
        chunk = b"<item><title>x</title></item>" * 2000
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            yield chunk

    url = server.route("/huge", Reply(200, {"Content-Type": RSS}, endless()))
    with pytest.raises(SourceError, match="larger than 1 MB"):
        await poll(url, max_bytes=1024 * 1024)
    assert server.bytes_sent < 20 * 1024 * 1024  # the client hung up early


async def test_a_gzip_bomb_is_capped_on_the_decoded_size(server):
    bomb = gzip.compress(b"<" * (50 * 1024 * 1024), 9)  # ~50 KB on the wire, 50 MB inflated
    url = server.route("/bomb", Reply(200, {"Content-Type": RSS, "Content-Encoding": "gzip"}, bomb))
    with pytest.raises(SourceError, match="larger than 1 MB"):
        await poll(url, max_bytes=1024 * 1024)


async def test_a_malformed_feed_keeps_what_parsed_and_warns(server):
    broken = rss(item(1) + item(2)).replace("</channel></rss>", "<item><title>cut")
    url = server.route("/bozo", Reply(200, {"Content-Type": RSS}, broken))
    result = await poll(url)
    assert [m.native_id for m in result.mentions][:2] == ["forum#forum-1", "forum#forum-2"]
    assert result.warnings and "malformed" in result.warnings[0]


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></chan",
            RSS,
            "not a valid feed",
        ),
        ("<!doctype html><html><body>Login</body></html>", "text/html", "web page"),
        ('{"items": []}', "application/json", "not a"),
    ],
)
async def test_invalid_bodies_with_no_entries_are_failures(server, body, content_type, words):
    url = server.route("/bad", Reply(200, {"Content-Type": content_type}, body))
    with pytest.raises(SourceError, match=words):
        await poll(url)


async def test_a_body_naming_a_local_file_is_never_read(server):
    for body in ("/etc/passwd", "file:///etc/passwd"):
        server.routes["/trap"] = Reply(200, {"Content-Type": "text/plain"}, body)
        try:
            result = await poll(server.url + "/trap")
        except SourceError as exc:
            assert "root:" not in exc.message
        else:
            assert all("root:" not in m.text + m.title for m in result.mentions)
            assert result.mentions == []


async def test_wrong_charset_declarations_still_give_readable_text(server):
    latin1 = rss(item(1, title="Caf\u00e9 Lumio"), encoding="ISO-8859-1").encode("latin-1")
    url = server.route(
        "/latin", Reply(200, {"Content-Type": "application/rss+xml; charset=utf-8"}, latin1)
    )
    result = await poll(url)
    assert result.mentions[0].title == "Caf\u00e9 Lumio 1"

    utf8 = rss(item(2, title="Caf\u00e9 Lumio"), encoding="ISO-8859-1").encode("utf-8")
    server.routes["/lying"] = Reply(200, {"Content-Type": "text/xml; charset=iso-8859-1"}, utf8)
    result = await poll(server.url + "/lying")
    [m] = result.mentions
    assert "Lumio 2" in m.title and "\ufffd" not in m.title  # mojibake at worst, never a crash


async def test_hostile_text_is_sanitised_once_at_ingestion(server):
    hostile = (
        "[bold red]FREE[/] \x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 "
        "\x9b2J \u202egnp.exe\u202c done"
    )
    from xml.sax.saxutils import escape

    body = rss(item(1, title=escape(hostile).replace("\x1b", "&#27;").replace("\x07", "&#7;")))
    url = server.route("/hostile", Reply(200, {"Content-Type": RSS}, body.encode("utf-8")))
    result = await poll(url)
    [m] = result.mentions
    for bad in ("\x1b", "\x9b", "\x07", "\u202e", "\u202c"):
        assert bad not in m.title
    assert m.title.startswith("[bold red]FREE[/] red link")  # markup kept as literal text
    assert "gnp.exe done" in m.title


async def test_ids_fall_back_to_link_then_to_a_stable_hash(server):
    entries = (
        "<item><title>Linked</title><link>https://forum.example.org/t/9</link></item>"
        "<item><title>Bare</title><description>No id, no link</description></item>"
    )
    url = server.route("/noid", Reply(200, {"Content-Type": RSS}, rss(entries)))
    first = await poll(url)
    second = await poll(url)
    ids = [m.native_id for m in first.mentions]
    assert ids[0] == "https://forum.example.org/t/9"
    assert ids[1].startswith("sha1-")
    assert ids == [m.native_id for m in second.mentions]
