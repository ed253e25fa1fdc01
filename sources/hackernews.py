"""Hacker News through the Algolia API: stories and comments by date, and item trees.

`search_by_date` with `numericFilters=created_at_i>=T` polls; the cursor keeps the newest
time seen (items of that same second come back and are skipped by the store). The whole
thread is `/api/v1/items/:story_id`. There is no write API: replies are made by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from sources.base import PollResult, Source, SourceError
from sources.htmltext import html_to_text
from sources.http import fetch_json
from triage.model import Author, Mention, mention_id, utcnow
from triage.text import sanitize

ITEM_URL = "https://news.ycombinator.com/item?id={}"
USER_URL = "https://news.ycombinator.com/user?id={}"


def _mention(
    *,
    object_id: str,
    author: str,
    created_i: int | None,
    title: str,
    body: str,
    link: str,
    parent: Any,
    story: Any,
    source: str,
    points: Any = None,
) -> Mention:
    when = datetime.fromtimestamp(created_i, UTC) if created_i else utcnow()
    text = sanitize(html_to_text(body)).strip() or sanitize(html_to_text(title)).strip()
    return Mention(
        id=mention_id("hackernews", object_id),
        platform="hackernews",
        source=source,
        url=ITEM_URL.format(object_id),
        author=Author(
            name=sanitize(author),
            handle=sanitize(author),
            url=USER_URL.format(author) if author else "",
        ),
        text=text,
        title=sanitize(html_to_text(title)),
        created_at=when,
        fetched_at=utcnow(),
        parent_id=mention_id("hackernews", str(parent))
        if parent and str(parent) != object_id
        else None,
        thread_id=mention_id("hackernews", str(story)) if story else None,
        extra={k: v for k, v in (("link", link), ("points", points), ("story_id", story)) if v},
    )


def hit_to_mention(hit: dict[str, Any], source: str) -> Mention:
    is_comment = bool(hit.get("comment_text"))
    return _mention(
        object_id=str(hit["objectID"]),
        author=hit.get("author") or "",
        created_i=hit.get("created_at_i"),
        title=hit.get("title")
        or (f"Re: {hit.get('story_title')}" if hit.get("story_title") else ""),
        body=hit.get("comment_text") if is_comment else (hit.get("story_text") or ""),
        link=hit.get("url") or hit.get("story_url") or "",
        parent=hit.get("parent_id"),
        story=hit.get("story_id") or (hit["objectID"] if not is_comment else None),
        source=source,
        points=hit.get("points"),
    )


class HackerNewsSource(Source):
    kind = "hackernews"

    def __init__(self, name: str, query: str, base_url: str = "https://hn.algolia.com") -> None:
        super().__init__(name)
        self.query = query
        self.base_url = base_url.rstrip("/")

    @property
    def hosts(self) -> tuple[str, ...]:
        return (httpx.URL(self.base_url).host,)

    async def poll(self, client: httpx.AsyncClient, cursor: dict[str, Any]) -> PollResult:
        since = int(cursor.get("since", 0))
        params: dict[str, Any] = {
            "query": self.query,
            "tags": "(story,comment)",
            "hitsPerPage": 100,
        }
        if since:
            params["numericFilters"] = f"created_at_i>={since}"
        data, _ = await fetch_json(client, f"{self.base_url}/api/v1/search_by_date", params=params)
        hits = data.get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            raise SourceError("the search answer has no list of hits")
        mentions = []
        warnings = []
        newest = since
        for hit in hits:
            try:
                mentions.append(hit_to_mention(hit, self.name))
            except (KeyError, TypeError, ValueError):
                warnings.append("skipped a search hit without an id")
                continue
            newest = max(newest, int(hit.get("created_at_i") or 0))
        return PollResult(
            mentions=mentions, cursor={"since": newest} if newest else {}, warnings=warnings
        )

    async def thread(self, client: httpx.AsyncClient, mention: Mention) -> list[Mention]:
        root = mention.extra.get("story_id") or mention.native_id
        data, _ = await fetch_json(client, f"{self.base_url}/api/v1/items/{root}")
        if not isinstance(data, dict):
            raise SourceError("the item answer is not an item")
        out: list[Mention] = []
        stack = [data]
        while stack:
            item = stack.pop()
            if not isinstance(item, dict) or item.get("id") is None:
                continue
            out.append(
                _mention(
                    object_id=str(item["id"]),
                    author=item.get("author") or "",
                    created_i=item.get("created_at_i"),
                    title=item.get("title") or "",
                    body=item.get("text") or "",
                    link=item.get("url") or "",
                    parent=item.get("parent_id"),
                    story=item.get("story_id") or root,
                    source=self.name,
                    points=item.get("points"),
                )
            )
            stack.extend(reversed(item.get("children") or []))
        return out
