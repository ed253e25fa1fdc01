"""A tiny loopback server that plays the platforms for `veille demo`.

It serves the bundled posts (data/posts.json) in each platform's real wire format — an
Atom feed as Google Alerts writes it, a forum RSS feed, Reddit's search feed, Mastodon's
hashtag timeline and status context JSON, and the HN Algolia API — so the demo runs the
real sources code end to end. Times are rendered relative to the moment it starts.
Binds 127.0.0.1 on a free port; runs in a daemon thread; nothing leaves the machine.
"""

from __future__ import annotations

import html
import json
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape

MASTODON_INSTANCE_PATH = "/mastodon"
FEEDS = {
    "alerts": "/alerts/lumio.atom",
    "forum": "/forum/lumio.rss",
    "reddit": "/reddit/search.rss",
}


def load_posts() -> list[dict[str, Any]]:
    text = resources.files("tui.demo").joinpath("data/posts.json").read_text(encoding="utf-8")
    return json.loads(text)


class DemoData:
    """The posts with absolute times, and each platform's view of them."""

    def __init__(self, posts: list[dict[str, Any]], now: datetime, base_url: str = "") -> None:
        self.now = now
        self.base = base_url
        self.posts = posts
        self.by_n = {p["n"]: p for p in posts}

    def at(self, post: dict[str, Any]) -> datetime:
        return self.now - timedelta(minutes=post["ago"])

    def of(self, platform: str) -> list[dict[str, Any]]:
        """Newest first, as every platform lists them."""
        return sorted((p for p in self.posts if p["platform"] == platform), key=lambda p: p["ago"])

    # ------------------------------------------------------------------ feeds
    def atom(self, platform: str, title: str) -> bytes:
        entries = []
        for p in self.of(platform):
            real = f"https://{p['author'].replace('_', '').replace('.', '')}.blog.example/{p['n']}"
            link = real
            if platform == "alerts":  # Google Alerts wraps links and bolds the match
                link = f"https://www.google.com/url?rct=j&sa=t&url={quote(real, safe='')}&ct=ga"
            when = self.at(p).strftime("%Y-%m-%dT%H:%M:%SZ")
            headline = p["text"][:80]
            entries.append(
                f"<entry><id>tag:demo,2026:{platform}-{p['n']}</id>"
                f"<title type=\"html\">{escape(html.escape(headline).replace(p['brand'], '<b>' + p['brand'] + '</b>'))}</title>"
                f"<link href=\"{escape(link)}\"/><published>{when}</published><updated>{when}</updated>"
                f"<author><name>{escape(p['display'])}</name><uri>https://{platform}.example/u/{escape(p['author'])}</uri></author>"
                f"<content type=\"html\">{escape(html.escape(p['text']))}</content></entry>"
            )  # fmt: skip
        now = self.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>tag:demo,2026:{platform}</id><title>{escape(title)}</title><updated>{now}</updated>"
            + "".join(entries)
            + "</feed>"
        ).encode()

    def rss(self, platform: str, title: str) -> bytes:
        items = []
        for p in self.of(platform):
            items.append(
                f"<item><guid isPermaLink=\"false\">forum-{p['n']}</guid>"
                f"<title>{escape(p['text'][:70])}</title>"
                f"<link>https://forum.example/t/{p['n']}</link>"
                f"<pubDate>{format_datetime(self.at(p))}</pubDate>"
                f"<dc:creator>{escape(p['display'])}</dc:creator>"
                f"<description>{escape('<p>' + html.escape(p['text']) + '</p>')}</description></item>"
            )  # fmt: skip
        return (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{escape(title)}</title><link>https://forum.example/</link>"
            "<description>Forum posts</description>" + "".join(items) + "</channel></rss>"
        ).encode()

    # ------------------------------------------------------------------ mastodon
    def status(self, p: dict[str, Any]) -> dict[str, Any]:
        sid = str(110000000000000000 + p["n"] * 1000)
        acct = p["author"]
        parent = self.by_n.get(p["reply_to"]) if p.get("reply_to") else None
        return {
            "id": sid,
            "uri": f"https://mastodon.example/users/{acct}/statuses/{sid}",
            "url": f"https://mastodon.example/@{acct}/{sid}",
            "created_at": self.at(p).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "content": f"<p>{html.escape(p['text'])}</p>",
            "language": p["lang"],
            "in_reply_to_id": str(110000000000000000 + parent["n"] * 1000) if parent else None,
            "in_reply_to_account_id": None,
            "visibility": "public",
            "sensitive": False,
            "spoiler_text": "",
            "replies_count": sum(1 for q in self.posts if q.get("reply_to") == p["n"]),
            "reblogs_count": 0,
            "favourites_count": 0,
            "reblog": None,
            "tags": [{"name": "lumio", "url": "https://mastodon.example/tags/lumio"}],
            "mentions": [],
            "media_attachments": [],
            "account": {
                "id": str(abs(hash(acct)) % 10**9),
                "username": acct,
                "acct": acct,
                "display_name": p["display"],
                "url": f"https://mastodon.example/@{acct}",
                "followers_count": p["reach"],
            },
        }

    def timeline(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        statuses = [self.status(p) for p in self.of("mastodon")]
        limit = min(40, int(query.get("limit", ["20"])[0]))
        floor = query.get("since_id", query.get("min_id", ["0"]))[0]
        statuses = [s for s in statuses if int(s["id"]) > int(floor)]
        if "max_id" in query:
            statuses = [s for s in statuses if int(s["id"]) < int(query["max_id"][0])]
        return statuses[:limit]

    def context(self, sid: str) -> dict[str, Any] | None:
        n = (int(sid) - 110000000000000000) // 1000
        post = self.by_n.get(n)
        if post is None:
            return None
        ancestors = []
        parent = self.by_n.get(post["reply_to"]) if post.get("reply_to") else None
        while parent is not None:
            ancestors.insert(0, self.status(parent))
            parent = self.by_n.get(parent["reply_to"]) if parent.get("reply_to") else None
        descendants = [self.status(q) for q in self.posts if q.get("reply_to") == n]
        return {"ancestors": ancestors, "descendants": descendants}

    # ------------------------------------------------------------------ hacker news
    def hit(self, p: dict[str, Any]) -> dict[str, Any]:
        at = self.at(p)
        is_story = p["n"] % 3 == 0
        return {
            "objectID": str(40000000 + p["n"]),
            "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "created_at_i": int(at.timestamp()),
            "author": p["author"],
            "title": p["text"][:80] if is_story else None,
            "url": f"https://news.example/{p['n']}" if is_story else None,
            "story_text": None,
            "comment_text": None if is_story else html.escape(p["text"]),
            "story_id": 40000000 + p["n"] - (0 if is_story else 1),
            "parent_id": None if is_story else 40000000 + p["n"] - 1,
            "points": 12 if is_story else None,
            "num_comments": 3 if is_story else None,
            "_tags": ["story" if is_story else "comment", f"author_{p['author']}"],
        }

    def search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        hits = [self.hit(p) for p in self.of("hackernews")]
        for flt in query.get("numericFilters", []):
            for part in flt.split(","):
                if part.startswith("created_at_i>"):
                    floor = int(part.split(">", 1)[1].lstrip("="))
                    hits = [h for h in hits if h["created_at_i"] > floor]
        return {"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1, "hitsPerPage": 1000}

    def item(self, item_id: str) -> dict[str, Any] | None:
        n = int(item_id) - 40000000
        post = self.by_n.get(n)
        if post is None:
            return None
        h = self.hit(post)
        return {
            "id": int(item_id),
            "created_at": h["created_at"],
            "created_at_i": h["created_at_i"],
            "author": h["author"],
            "title": h["title"],
            "text": h["comment_text"],
            "type": "story" if h["title"] else "comment",
            "parent_id": h["parent_id"],
            "children": [],
        }


HOOKS_PATH = "/hooks/"  # the demo teams' hand-off sink: a local incoming webhook


class _Handler(BaseHTTPRequestHandler):
    data: DemoData  # set on the class made per server
    received: list[tuple[str, dict[str, Any]]]  # hand-offs posted to the sink: (team, payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the TUI owns the screen
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any) -> None:
        if value is None:
            self._send(404, b'{"error":"Record not found"}', "application/json")
        else:
            self._send(200, json.dumps(value).encode(), "application/json; charset=utf-8")

    def do_POST(self) -> None:
        """The hand-off sink: accepts what a Slack/Mattermost incoming webhook accepts."""
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not path.startswith(HOOKS_PATH):
            self._send(404, b"not found", "text/plain")
            return
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            self._send(400, b"invalid JSON", "text/plain")
            return
        self.received.append((path[len(HOOKS_PATH) :], payload))
        self._send(200, b"ok", "text/plain")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        d = self.data
        if path == FEEDS["alerts"]:
            self._send(200, d.atom("alerts", "Google Alert - Lumio"), "application/atom+xml")
        elif path == FEEDS["forum"]:
            self._send(200, d.rss("forum", "Forum Maison Connectée — Lumio"), "application/rss+xml")
        elif path == FEEDS["reddit"]:
            self._send(200, d.atom("reddit", "lumio : search results"), "application/atom+xml")
        elif path.startswith(MASTODON_INSTANCE_PATH + "/api/v1/timelines/tag/"):
            statuses = d.timeline(query)
            body = json.dumps(statuses).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if statuses:  # pagination as Mastodon does it: older pages through max_id
                newer, older = statuses[0]["id"], statuses[-1]["id"]
                base = d.base + path
                self.send_header(
                    "Link",
                    f'<{base}?max_id={older}>; rel="next", <{base}?min_id={newer}>; rel="prev"',
                )
            self.end_headers()
            self.wfile.write(body)
        elif path.startswith(MASTODON_INSTANCE_PATH + "/api/v1/statuses/") and path.endswith(
            "/context"
        ):
            self._json(d.context(path.split("/")[-2]))
        elif path == "/hn/api/v1/search_by_date":
            self._json(d.search(query))
        elif path.startswith("/hn/api/v1/items/"):
            self._json(d.item(path.rsplit("/", 1)[-1]))
        else:
            self._send(404, b"not found", "text/plain")


class DemoServer:
    """Start with `with DemoServer() as server: server.url`."""

    def __init__(
        self, now: datetime | None = None, posts: list[dict[str, Any]] | None = None
    ) -> None:
        self.now = now or datetime.now(UTC)
        self.received: list[tuple[str, dict[str, Any]]] = []
        handler = type("DemoHandler", (_Handler,), {"received": self.received})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        handler.data = DemoData(posts if posts is not None else load_posts(), self.now, self.url)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> DemoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
