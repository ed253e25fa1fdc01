"""Mastodon: hashtag timelines on a configured instance, and thread context.

Listening uses `GET /api/v1/timelines/tag/:tag` (public; full-text search only finds
opted-in accounts), walking newer pages with `min_id` and the `Link` header. IDs are
per server, so a mention's id is built from the status `uri`, the same on every server:
a post seen through two instances is stored once. Rate-limit headers are honoured: an
exhausted budget stops paging and tells the poller when to come back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx

from sources.base import PollResult, Source, SourceError
from sources.htmltext import html_to_text
from sources.http import FetchResult, fetch_json
from triage.model import Author, Mention, mention_id, to_utc, utcnow
from triage.text import sanitize

PAGE = 40
MAX_PAGES = 5


def _id_key(status_id: str) -> tuple[int, str]:
    return (len(status_id), status_id)  # Mastodon ids are numbers in text: compare as such


def _reset_in(headers: dict[str, str]) -> float | None:
    if headers.get("x-ratelimit-remaining", "").strip() not in ("0",):
        return None
    reset = headers.get("x-ratelimit-reset", "")
    try:
        when = to_utc(datetime.fromisoformat(reset.replace("Z", "+00:00")))
    except ValueError:
        return 300.0
    return max(1.0, (when - utcnow()).total_seconds())


def status_to_mention(status: dict[str, Any], source: str, instance: str) -> Mention:
    """A Mastodon status (API JSON) as a Mention; a boost becomes the boosted post."""
    status = status.get("reblog") or status
    account = status.get("account") or {}
    text = sanitize(html_to_text(status.get("content") or ""))
    spoiler = sanitize(status.get("spoiler_text") or "")
    uri = status.get("uri") or status.get("url") or f"{instance}/statuses/{status['id']}"
    created = status.get("created_at") or ""
    try:
        created_at = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        created_at = utcnow()
    acct = account.get("acct") or account.get("username") or ""
    return Mention(
        id=mention_id("mastodon", uri),
        platform="mastodon",
        source=source,
        url=status.get("url") or uri,
        author=Author(
            name=sanitize(account.get("display_name") or acct),
            handle="@" + sanitize(acct) if acct else "",
            url=account.get("url") or "",
            reach=account.get("followers_count"),
        ),
        text=text,
        title=spoiler,
        created_at=created_at,
        fetched_at=utcnow(),
        lang=status.get("language"),
        extra={
            "uri": uri,
            "status_id": str(status.get("id", "")),
            "instance": instance,
            "in_reply_to_id": status.get("in_reply_to_id"),
            "acct": acct,
        },
    )


class MastodonSource(Source):
    kind = "mastodon"

    def __init__(
        self,
        name: str,
        instance: str,
        hashtags: tuple[str, ...],
        token: str = "",
        query: str = "",
    ) -> None:
        super().__init__(name)
        self.instance = instance.rstrip("/")
        self.hashtags = hashtags
        self.query = query
        self._has_token = bool(token)
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    @property
    def hosts(self) -> tuple[str, ...]:
        return (httpx.URL(self.instance).host,)

    async def _get(
        self, client: httpx.AsyncClient, url: str, params: dict | None
    ) -> tuple[Any, FetchResult]:
        data, result = await fetch_json(client, url, params=params, headers=self._headers)
        if not isinstance(data, list | dict):
            raise SourceError("the server's answer is not a Mastodon API answer")
        return data, result

    async def poll(self, client: httpx.AsyncClient, cursor: dict[str, Any]) -> PollResult:
        seen: dict[str, Mention] = {}
        new_cursor = dict(cursor)
        retry_after: float | None = None
        for tag in self.hashtags:
            since = cursor.get(tag)
            params: dict[str, Any] | None = {"limit": PAGE}
            if since:
                params["min_id"] = since
            url = f"{self.instance}/api/v1/timelines/tag/{httpx.QueryParams({'t': tag})['t']}"
            newest = since
            for _ in range(MAX_PAGES):
                statuses, result = await self._get(client, url, params)
                if not isinstance(statuses, list):
                    raise SourceError("the hashtag timeline is not a list of statuses")
                newest = self._collect(statuses, seen, newest)
                retry_after = _reset_in(result.headers) or retry_after
                prev = httpx.Response(
                    200, headers={"link": result.headers.get("link", "")}
                ).links.get("prev")
                # without a cursor, only the latest page: no walk back through history
                if retry_after or not since or len(statuses) < PAGE or not prev:
                    break
                url, params = prev["url"], None
            if newest:
                new_cursor[tag] = newest
        if self.query:
            retry_after = await self._search(client, cursor, new_cursor, seen) or retry_after
        mentions = list(seen.values())
        _link_replies(mentions)
        return PollResult(mentions=mentions, cursor=new_cursor, retry_after=retry_after)

    def _collect(
        self, statuses: list[Any], seen: dict[str, Mention], newest: str | None
    ) -> str | None:
        """Add the statuses to `seen` (one mention per uri); the newest id so far."""
        for status in statuses:
            if not isinstance(status, dict) or "id" not in status:
                continue
            mention = status_to_mention(status, self.name, self.instance)
            seen.setdefault(mention.id, mention)
            sid = str(status["id"])
            if newest is None or _id_key(sid) > _id_key(newest):
                newest = sid
        return newest

    async def _search(
        self,
        client: httpx.AsyncClient,
        cursor: dict[str, Any],
        new_cursor: dict[str, Any],
        seen: dict[str, Mention],
    ) -> float | None:
        """Full-text search (`/api/v2/search`, statuses newer than the last seen).

        Mastodon answers it only to a logged-in account, and finds only the posts of
        accounts that opted in to search: hashtags stay the wider net.
        """
        if not self._has_token:
            raise SourceError(
                "Mastodon full-text search needs an access token (token_env in the source)"
            )
        key = f"search:{self.query}"
        params: dict[str, Any] = {
            "q": self.query,
            "type": "statuses",
            "limit": PAGE,
            "resolve": "false",
        }
        since = cursor.get(key)
        if since:
            params["min_id"] = since
        found, result = await self._get(client, f"{self.instance}/api/v2/search", params)
        statuses = found.get("statuses") if isinstance(found, dict) else None
        if not isinstance(statuses, list):
            raise SourceError("the search answer has no list of statuses")
        newest = self._collect(statuses, seen, since)
        if newest:
            new_cursor[key] = newest
        return _reset_in(result.headers)

    async def thread(self, client: httpx.AsyncClient, mention: Mention) -> list[Mention]:
        status_id = mention.extra.get("status_id")
        instance = mention.extra.get("instance") or self.instance
        if not status_id:
            return [mention]
        context, _ = await self._get(
            client, f"{instance}/api/v1/statuses/{status_id}/context", None
        )
        if not isinstance(context, dict):
            raise SourceError("the thread context is not a Mastodon context")
        before = [status_to_mention(s, self.name, instance) for s in context.get("ancestors") or []]
        after = [
            status_to_mention(s, self.name, instance) for s in context.get("descendants") or []
        ]
        chain = [*before, replace(mention), *after]
        _link_replies(chain)
        root = chain[0].id  # ancestors come oldest first: the first is the thread's root
        for m in chain:
            m.thread_id = root
        return chain


def _link_replies(mentions: list[Mention]) -> None:
    """Fill `parent_id` where the parent is among `mentions`.

    A status names its parent by `in_reply_to_id`, an id local to the server that
    answered; mention ids come from the status `uri` (the same on every server), so the
    parent is found only when its status was in the same answer (a poll or a thread).
    """
    by_local_id = {m.extra.get("status_id"): m.id for m in mentions if m.extra.get("status_id")}
    for m in mentions:
        parent = m.extra.get("in_reply_to_id")
        if parent is not None and str(parent) in by_local_id:
            m.parent_id = by_local_id[str(parent)]
