"""A loopback server speaking the Mastodon and Bluesky endpoints veille posts to, plus a
webhook receiver; response shapes follow recorded answers of the real services.

It behaves like the real thing where exactly-once depends on it: Mastodon returns the
same status for a repeated Idempotency-Key, a PDS refuses a second record with the same
rkey. Tests queue faults (429 + Retry-After, 500, a hang) and can hold a response after
the work is done, so the sender can be killed between request and acknowledgement.
"""

from __future__ import annotations

import contextlib
import html
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MASTO_TOKEN = "masto-secret-token-7f3a9c"
BSKY_PASSWORD = "bsky-app-pass-4k2m-9x8q"
BSKY_DID = "did:plc:lumiotest00000000000000"


class PlatformState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: dict[str, dict] = {}  # id -> status created by our account
        self.idempotency: dict[str, str] = {}  # key -> status id
        self.records: dict[str, dict] = {}  # rkey -> record
        self.hooks: list[dict] = []  # {"path", "delivery", "json"}
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.faults: dict[str, list[str]] = defaultdict(list)  # path -> ["429", "500", "hang"]
        self.hold: dict[str, float] = {}  # path -> seconds to wait after doing the work
        self.received = threading.Event()  # set when a held request has done its work
        self.release = threading.Event()
        self.reply_disabled = False
        self.feed_items: list[tuple[str, str]] = []  # (guid, title) of the RSS feed
        self.feed_garbage = False
        self.remote_posts = {  # what search/getPostThread know
            "https://other.example/@ana/111": {
                "id": "9001",
                "uri": "https://other.example/users/ana/statuses/111",
                "url": "https://other.example/@ana/111",
                "visibility": "public",
                "account": {"id": "77", "acct": "ana@other.example", "username": "ana"},
            }
        }


def make_handler(state: PlatformState):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, code: int, body: object, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def _feed(self) -> None:
            if state.feed_garbage:
                data = b"\x00\x01 this is not a feed <<<"
            else:
                now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
                items = "".join(
                    f"<item><guid>{g}</guid><title>{html.escape(t)}</title>"
                    f"<link>https://forum.example/t/{g}</link><pubDate>{now}</pubDate></item>"
                    for g, t in state.feed_items
                )
                data = (
                    '<?xml version="1.0"?><rss version="2.0"><channel><title>forum</title>'
                    f"{items}</channel></rss>"
                ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict:
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            return json.loads(raw) if raw else {}

        def _fault(self, path: str) -> bool:
            with state.lock:
                queue = state.faults.get(path)
                fault = queue.pop(0) if queue else None
            if fault == "429":
                self._send(429, {"error": "Too many requests"}, {"Retry-After": "1"})
            elif fault == "500":
                self._send(500, {"error": "Internal server error"})
            elif fault == "hang":
                time.sleep(3)
                self._send(503, {"error": "late"})
            return fault is not None

        def _held(self, path: str) -> None:
            wait = state.hold.get(path)
            if wait:
                state.received.set()
                state.release.wait(wait)

        def _auth(self, expected: str) -> bool:
            if self.headers.get("Authorization") != f"Bearer {expected}":
                self._send(401, {"error": "The access token is invalid"})
                return False
            return True

        def do_GET(self) -> None:
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            state.requests.append(("GET", url.path))
            if self._fault(url.path):
                return
            if url.path == "/feed.xml":
                self._feed()
                return
            if url.path == "/api/v1/accounts/verify_credentials":
                if self._auth(MASTO_TOKEN):
                    self._send(200, {"id": "1", "acct": "lumio", "username": "lumio"})
                return
            if url.path.startswith("/api/v1/statuses/") and url.path.endswith("/context"):
                sid = url.path.split("/")[4]
                kids = [s for s in state.statuses.values() if s["in_reply_to_id"] == sid]
                self._send(200, {"ancestors": [], "descendants": kids})
                return
            if url.path == "/api/v2/search":
                if not self._auth(MASTO_TOKEN):
                    return
                found = state.remote_posts.get(q.get("q", ""))
                if q.get("resolve") != "true":
                    found = None
                self._send(
                    200, {"accounts": [], "statuses": [found] if found else [], "hashtags": []}
                )
            elif url.path == "/xrpc/com.atproto.repo.getRecord":
                rec = state.records.get(q.get("rkey", ""))
                if rec is None:
                    self._send(
                        400, {"error": "RecordNotFound", "message": "Could not locate record"}
                    )
                else:
                    self._send(200, {"uri": rec["uri"], "cid": rec["cid"], "value": rec["value"]})
            elif url.path == "/xrpc/app.bsky.feed.getPostThread":
                uri = q.get("uri", "")
                if "deleted" in uri:
                    self._send(400, {"error": "NotFound", "message": f"Post not found: {uri}"})
                    return
                self._send(
                    200,
                    {
                        "thread": {
                            "$type": "app.bsky.feed.defs#threadViewPost",
                            "post": {
                                "uri": "at://did:plc:ana/app.bsky.feed.post/3kparent",
                                "cid": "bafyparentcid",
                                "author": {"did": "did:plc:ana", "handle": "ana.bsky.social"},
                                "record": {
                                    "$type": "app.bsky.feed.post",
                                    "text": "lumio?",
                                    "reply": {
                                        "root": {
                                            "uri": "at://did:plc:zed/app.bsky.feed.post/3kroot",
                                            "cid": "bafyrootcid",
                                        },
                                        "parent": {
                                            "uri": "at://did:plc:zed/app.bsky.feed.post/3kroot",
                                            "cid": "bafyrootcid",
                                        },
                                    },
                                },
                                "viewer": {"replyDisabled": state.reply_disabled},
                            },
                            "replies": [],
                        }
                    },
                )
            elif url.path == "/xrpc/com.atproto.identity.resolveHandle":
                self._send(200, {"did": "did:plc:" + q.get("handle", "x").split(".")[0]})
            else:
                self._send(404, {"error": "Not found"})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            state.requests.append(("POST", url.path))
            body = self._body()
            if self._fault(url.path):
                return
            if url.path == "/api/v1/statuses":
                if not self._auth(MASTO_TOKEN):
                    return
                text = body.get("status", "")
                if len(text) > 500:
                    self._send(
                        422, {"error": "Validation failed: Text character limit of 500 exceeded"}
                    )
                    return
                key = self.headers.get("Idempotency-Key", "")
                with state.lock:
                    sid = state.idempotency.get(key) if key else None
                    if sid is None:
                        sid = str(100000 + len(state.statuses))
                        state.statuses[sid] = {
                            "id": sid,
                            "url": f"https://home.example/@lumio/{sid}",
                            "uri": f"https://home.example/users/lumio/statuses/{sid}",
                            "content": f"<p>{html.escape(text)}</p>",
                            "account": {"id": "1", "acct": "lumio"},
                            "text": text,
                            "in_reply_to_id": body.get("in_reply_to_id"),
                            "visibility": body.get("visibility", "public"),
                        }
                        if key:
                            state.idempotency[key] = sid
                self._held(url.path)
                self._send(200, state.statuses[sid])
            elif url.path == "/xrpc/com.atproto.server.createSession":
                if body.get("password") != BSKY_PASSWORD:
                    self._send(
                        401,
                        {
                            "error": "AuthenticationRequired",
                            "message": "Invalid identifier or password",
                        },
                    )
                    return
                self._send(
                    200,
                    {
                        "did": BSKY_DID,
                        "handle": body.get("identifier"),
                        "accessJwt": "jwt-access-1",
                        "refreshJwt": "jwt-refresh-1",
                    },
                )
            elif url.path == "/xrpc/com.atproto.repo.createRecord":
                if self.headers.get("Authorization") != "Bearer jwt-access-1":
                    self._send(401, {"error": "AuthenticationRequired"})
                    return
                rkey = body.get("rkey", "")
                with state.lock:
                    if rkey in state.records:
                        self._send(
                            400, {"error": "InvalidSwap", "message": "Record already exists"}
                        )
                        return
                    uri = f"at://{BSKY_DID}/app.bsky.feed.post/{rkey}"
                    state.records[rkey] = {
                        "uri": uri,
                        "cid": f"bafy{rkey}",
                        "value": body["record"],
                    }
                self._held(url.path)
                self._send(200, {"uri": uri, "cid": f"bafy{rkey}", "validationStatus": "valid"})
            elif url.path.startswith("/hooks/"):
                with state.lock:
                    state.hooks.append(
                        {
                            "path": url.path,
                            "delivery": self.headers.get("X-Veille-Delivery", ""),
                            "json": body,
                        }
                    )
                self._held(url.path)
                self._send(200, {"ok": True})
            else:
                self._send(404, {"error": "Not found"})

    return Handler


class PlatformServer:
    def __init__(self) -> None:
        self.state = PlatformState()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> PlatformServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
