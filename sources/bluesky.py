"""Bluesky (AT Protocol): searchPosts with an app-password session, public threads.

`app.bsky.feed.searchPosts` has needed authentication since January 2025, so the source
logs in once (`com.atproto.server.createSession`, limited to 30 per 5 min: the session
is kept and refreshed with `refreshSession` when it expires, never re-created per poll).
`app.bsky.feed.getPostThread` is public. Post ids are `at://` URIs, the same everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from sources.base import PollResult, Source, SourceError
from sources.http import fetch_json
from triage.model import Author, Mention, mention_id, utcnow
from triage.text import sanitize


def _time(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return utcnow()


def post_to_mention(post: dict[str, Any], source: str) -> Mention:
    """A Bluesky postView as a Mention."""
    uri = post["uri"]
    author = post.get("author") or {}
    record = post.get("record") or {}
    handle = author.get("handle") or author.get("did") or ""
    rkey = uri.rsplit("/", 1)[-1]
    reply = record.get("reply") or {}
    langs = record.get("langs") or []
    return Mention(
        id=mention_id("bluesky", uri),
        platform="bluesky",
        source=source,
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        author=Author(
            name=sanitize(author.get("displayName") or handle),
            handle="@" + sanitize(handle) if handle else "",
            url=f"https://bsky.app/profile/{handle}" if handle else "",
            reach=author.get("followersCount"),
        ),
        text=sanitize(record.get("text") or ""),
        created_at=_time(record.get("createdAt") or post.get("indexedAt")),
        fetched_at=utcnow(),
        lang=langs[0] if langs else None,
        parent_id=mention_id("bluesky", reply["parent"]["uri"]) if reply.get("parent") else None,
        thread_id=mention_id("bluesky", reply["root"]["uri"]) if reply.get("root") else None,
        extra=_extra(post, uri, author),
    )


def _extra(post: dict[str, Any], uri: str, author: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"uri": uri, "cid": post.get("cid", ""), "did": author.get("did", "")}
    if (post.get("viewer") or {}).get("replyDisabled"):  # a threadgate: replies refused
        extra["reply_disabled"] = True
    return extra


class BlueskySource(Source):
    kind = "bluesky"

    def __init__(
        self,
        name: str,
        query: str,
        handle: str = "",
        password: str = "",
        service: str = "https://bsky.social",
        public_service: str = "https://public.api.bsky.app",
    ) -> None:
        super().__init__(name)
        self.query = query
        self.handle = handle
        self._password = password
        self.service = service.rstrip("/")
        self.public_service = public_service.rstrip("/")
        self._access = ""
        self._refresh = ""

    @property
    def hosts(self) -> tuple[str, ...]:
        return (httpx.URL(self.service).host,)

    async def _login(self, client: httpx.AsyncClient) -> None:
        if not (self.handle and self._password):
            raise SourceError(
                "Bluesky search needs a login: set handle and token_env (an app password)"
            )
        data, result = await fetch_json(
            client,
            f"{self.service}/xrpc/com.atproto.server.createSession",
            method="POST",
            json_body={"identifier": self.handle, "password": self._password},
            accept=frozenset({400, 401}),
            retries=0,
        )
        if result.status != 200 or not isinstance(data, dict) or not data.get("accessJwt"):
            raise SourceError(
                f"Bluesky refused the login for {self.handle}: check the app password"
            )
        self._access, self._refresh = data["accessJwt"], data.get("refreshJwt", "")

    async def _refresh_session(self, client: httpx.AsyncClient) -> None:
        if self._refresh:
            data, result = await fetch_json(
                client,
                f"{self.service}/xrpc/com.atproto.server.refreshSession",
                method="POST",
                headers={"Authorization": f"Bearer {self._refresh}"},
                accept=frozenset({400, 401}),
                retries=0,
            )
            if result.status == 200 and isinstance(data, dict) and data.get("accessJwt"):
                self._access, self._refresh = data["accessJwt"], data.get("refreshJwt", "")
                return
        await self._login(client)

    async def _search(self, client: httpx.AsyncClient, params: dict[str, Any]) -> tuple[Any, int]:
        data, result = await fetch_json(
            client,
            f"{self.service}/xrpc/app.bsky.feed.searchPosts",
            params=params,
            headers={"Authorization": f"Bearer {self._access}"},
            accept=frozenset({400, 401}),
        )
        return data, result.status

    async def poll(self, client: httpx.AsyncClient, cursor: dict[str, Any]) -> PollResult:
        if not self._access:
            await self._login(client)
        params: dict[str, Any] = {"q": self.query, "sort": "latest", "limit": 100}
        if cursor.get("since"):
            params["since"] = cursor["since"]
        data, status = await self._search(client, params)
        if status in (400, 401):  # ExpiredToken / InvalidToken: refresh once and retry
            await self._refresh_session(client)
            data, status = await self._search(client, params)
            if status in (400, 401):
                error = data.get("error", "") if isinstance(data, dict) else ""
                raise SourceError(f"Bluesky refused the search ({status} {error})".strip())
        posts = data.get("posts") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            raise SourceError("the search answer has no list of posts")
        mentions: list[Mention] = []
        warnings: list[str] = []
        newest = cursor.get("since", "")
        for post in posts:
            try:
                mention = post_to_mention(post, self.name)
            except (KeyError, TypeError):
                warnings.append("skipped a post without a uri")
                continue
            mentions.append(mention)
            indexed = post.get("indexedAt") or ""
            if indexed > newest:
                newest = indexed
        return PollResult(
            mentions=mentions, cursor={"since": newest} if newest else {}, warnings=warnings
        )

    async def thread(self, client: httpx.AsyncClient, mention: Mention) -> list[Mention]:
        data, _ = await fetch_json(
            client,
            f"{self.public_service}/xrpc/app.bsky.feed.getPostThread",
            params={
                "uri": mention.extra.get("uri") or mention.native_id,
                "depth": 10,
                "parentHeight": 20,
            },
        )
        node = data.get("thread") if isinstance(data, dict) else None
        if not isinstance(node, dict):
            raise SourceError("the thread answer has no thread")
        ancestors: list[Mention] = []
        parent = node.get("parent")
        while isinstance(parent, dict) and parent.get("post"):
            ancestors.insert(0, post_to_mention(parent["post"], self.name))
            parent = parent.get("parent")
        out = [*ancestors]
        stack = [node]
        while stack:
            current = stack.pop(0)
            if isinstance(current, dict) and current.get("post"):
                out.append(post_to_mention(current["post"], self.name))
                stack.extend(current.get("replies") or [])
        return out
