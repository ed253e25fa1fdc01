"""Reddit: polled through its anonymous search feed, threads read from `<post>.json`.

The search feed (`/search.rss?q=...&sort=new`) still answers without an account; the
anonymous `.json` API is being shut down (403s in 2026), so a thread is read when Reddit
still answers and otherwise refused in words, never as a crash: the post itself is
already in the inbox, and its link opens the thread in a browser.

Ids match the feed's: the feed gives a post as `t3_abc`, its JSON `name` is `t3_abc`
too, and comments are `t1_xyz`, so a thread fetched later names the same mentions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from sources.base import SourceError
from sources.http import MAX_BYTES, fetch
from sources.rss import RssSource
from triage.model import Author, Mention, mention_id, utcnow
from triage.text import sanitize

WEB = "https://www.reddit.com"
REFUSED = (
    "Reddit refused the thread: anonymous access to its JSON is closed; "
    "open the post in the browser"
)


class RedditSource(RssSource):
    """Reddit search results (an RSS source), with the thread behind each post."""

    def __init__(
        self, name: str, url: str, base_url: str = WEB, max_bytes: int = MAX_BYTES
    ) -> None:
        super().__init__(name, url, platform="reddit", max_bytes=max_bytes)
        self.base_url = base_url.rstrip("/")

    async def thread(self, client: httpx.AsyncClient, mention: Mention) -> list[Mention]:
        """The post and its comments, oldest first."""
        path = urlsplit(mention.url).path.rstrip("/")
        if "/comments/" not in path:
            return [mention]
        result = await fetch(
            client,
            f"{self.base_url}{path}.json",
            params={"raw_json": "1", "limit": "500"},
            accept=frozenset({401, 403}),
        )
        if result.status in (401, 403):
            raise SourceError(REFUSED)
        try:
            data = orjson.loads(result.body)
        except orjson.JSONDecodeError:
            raise SourceError("the thread answer is not valid JSON") from None
        if not (isinstance(data, list) and data and all(isinstance(x, dict) for x in data)):
            raise SourceError("the thread answer is not a Reddit thread")
        things = [*_children(data[0]), *(_walk(data[1]) if len(data) > 1 else [])]
        posts = [self._mention(t) for t in things if t.get("kind") in ("t3", "t1")]
        out = [m for m in posts if m is not None]
        root = next((m.id for m in out if m.native_id.startswith("t3_")), None)
        for m in out:
            m.thread_id = root
        return sorted(out, key=lambda m: (not m.native_id.startswith("t3_"), m.created_at))

    def _mention(self, thing: dict[str, Any]) -> Mention | None:
        data = thing.get("data")
        if not isinstance(data, dict) or not data.get("name"):
            return None
        author = str(data.get("author") or "")
        created = data.get("created_utc")
        when = (
            datetime.fromtimestamp(float(created), UTC)
            if isinstance(created, int | float)
            else utcnow()
        )
        is_post = thing.get("kind") == "t3"
        parent = data.get("parent_id")
        title = sanitize(str(data.get("title") or "")) if is_post else ""
        text = sanitize(str(data.get("selftext" if is_post else "body") or ""))
        return Mention(
            id=mention_id("reddit", str(data["name"])),
            platform="reddit",
            source=self.name,
            url=WEB + str(data.get("permalink") or ""),
            author=Author(
                name=f"/u/{sanitize(author)}" if author else "",
                url=f"{WEB}/user/{author}" if author and author != "[deleted]" else "",
            ),
            text=text or title,  # a link post has no text of its own
            title=title,
            created_at=when,
            fetched_at=utcnow(),
            parent_id=mention_id("reddit", str(parent)) if parent and not is_post else None,
            extra={"subreddit": str(data.get("subreddit") or "")},
        )


def _children(listing: Any) -> list[dict[str, Any]]:
    """The things of a Listing (`{"kind": "Listing", "data": {"children": [...]}}`)."""
    if not isinstance(listing, dict):
        return []  # an empty `replies` is "" in Reddit's JSON
    children = (listing.get("data") or {}).get("children")
    return [c for c in children if isinstance(c, dict)] if isinstance(children, list) else []


def _walk(listing: Any) -> list[dict[str, Any]]:
    """Every comment of a comment Listing, replies included (`more` stubs skipped)."""
    found: list[dict[str, Any]] = []
    stack = list(reversed(_children(listing)))
    while stack:
        thing = stack.pop()
        if thing.get("kind") != "t1":
            continue
        found.append(thing)
        stack.extend(reversed(_children((thing.get("data") or {}).get("replies"))))
    return found
