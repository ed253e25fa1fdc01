"""Post a reply on Mastodon, at most once.

The status answered may live on another server: it is first resolved on the user's home
server (`/api/v2/search?resolve=true`), whose id is what `in_reply_to_id` needs. The
`Idempotency-Key` header (the outbox entry's key) makes the server answer a repeated
request with the status it already created, so a retry after a crash never posts twice.
"""

from __future__ import annotations

import httpx

from sources.outbound.errors import DeliveryError, from_exception, from_response
from triage.model import Mention

MAX_CHARS = 500  # the default server limit


def _acct(status: dict, mention: Mention) -> str:
    account = status.get("account") or {}
    acct = str(account.get("acct") or mention.author.handle or "").lstrip("@")
    return acct


def with_mention(text: str, acct: str) -> str:
    """Mastodon only notifies the author when the reply names them."""
    if not acct or f"@{acct}".lower() in text.lower():
        return text
    return f"@{acct} {text}"


async def resolve_status(client: httpx.AsyncClient, instance: str, token: str, url: str) -> dict:
    """The home server's copy of a status seen anywhere (its local id differs per server)."""
    what = "finding the post on your server"
    try:
        response = await client.get(
            f"{instance.rstrip('/')}/api/v2/search",
            params={"q": url, "resolve": "true", "type": "statuses", "limit": "1"},
            headers={"Authorization": f"Bearer {token}"},
        )
    except Exception as exc:
        raise from_exception(exc, what) from None
    if response.status_code != 200:
        raise from_response(response, what)
    statuses = (response.json() or {}).get("statuses") or []
    if not statuses:
        raise DeliveryError(f"{what}: the post was deleted or is not visible", retryable=False)
    return statuses[0]


async def post_reply(
    client: httpx.AsyncClient,
    *,
    instance: str,
    token: str,
    mention: Mention,
    text: str,
    idempotency_key: str,
) -> str:
    """Reply to `mention` as the token's account; returns the posted status URL."""
    status = await resolve_status(client, instance, token, mention.extra.get("uri") or mention.url)
    body = with_mention(text, _acct(status, mention))
    if len(body) > MAX_CHARS:
        raise DeliveryError(
            f"too long for Mastodon ({len(body)}/{MAX_CHARS} characters)", retryable=False
        )
    what = "posting on Mastodon"
    try:
        response = await client.post(
            f"{instance.rstrip('/')}/api/v1/statuses",
            json={
                "status": body,
                "in_reply_to_id": status["id"],
                "visibility": status.get("visibility") or "public",
            },
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key},
        )
    except Exception as exc:
        raise from_exception(exc, what) from None
    if response.status_code != 200:
        raise from_response(response, what)
    posted = response.json()
    return str(posted.get("url") or posted.get("uri") or "")
