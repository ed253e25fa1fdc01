"""Post a reply on Mastodon, at most once.

The status answered may live on another server: it is first resolved on the user's home
server (`/api/v2/search?resolve=true`), whose id is what `in_reply_to_id` needs. The
`Idempotency-Key` header (the outbox entry's key) makes the server answer a repeated
request with the status it already created, so a retry after a crash never posts twice.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import httpx

from sources.outbound.errors import DeliveryError, from_exception, from_response
from triage.model import Mention

MAX_CHARS = 500  # the default server limit
IDEMPOTENCY_WINDOW = timedelta(minutes=55)  # servers keep a key for 1 h; keep a margin
_TAG = re.compile(r"<[^>]+>")


def _plain(content: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", content)).split())


async def find_own_reply(
    client: httpx.AsyncClient, instance: str, token: str, status_id: str, body: str
) -> str | None:
    """Our reply to `status_id` with this text, if one is already there (its URL)."""
    base = instance.rstrip("/")
    auth = {"Authorization": f"Bearer {token}"}
    what = "checking for an earlier attempt"
    try:
        me = await client.get(f"{base}/api/v1/accounts/verify_credentials", headers=auth)
        context = await client.get(f"{base}/api/v1/statuses/{status_id}/context", headers=auth)
    except Exception as exc:
        raise from_exception(exc, what) from None
    for r in (me, context):
        if r.status_code != 200:
            raise from_response(r, what)
    my_id = me.json().get("id")
    wanted = " ".join(body.split())
    for status in context.json().get("descendants") or []:
        if (
            status.get("in_reply_to_id") == status_id
            and (status.get("account") or {}).get("id") == my_id
            and _plain(status.get("content") or "") == wanted
        ):
            return str(status.get("url") or status.get("uri") or "")
    return None


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
    created_at: datetime | None = None,
) -> str:
    """Reply to `mention` as the token's account; returns the posted status URL.

    Past the server's idempotency window (a reply first tried over 55 minutes ago), the
    thread is searched for our own identical reply before posting again.
    """
    status = await resolve_status(client, instance, token, mention.extra.get("uri") or mention.url)
    body = with_mention(text, _acct(status, mention))
    if len(body) > MAX_CHARS:
        raise DeliveryError(
            f"too long for Mastodon ({len(body)}/{MAX_CHARS} characters)", retryable=False
        )
    if created_at and datetime.now(UTC) - created_at > IDEMPOTENCY_WINDOW:
        found = await find_own_reply(client, instance, token, str(status["id"]), body)
        if found is not None:
            return found
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
