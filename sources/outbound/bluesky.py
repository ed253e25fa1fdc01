"""Post a reply on Bluesky, at most once.

AT Protocol has no idempotency key, so we choose the record key (rkey) ourselves: a TID
derived from the outbox entry (its creation time and key). Before creating, we look that
record up (`com.atproto.repo.getRecord`); if a crashed attempt already created it, we
return it instead of posting again. A duplicate create of the same rkey is refused by
the server, which is a second guard.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

import httpx
import regex

from sources.outbound.errors import DeliveryError, from_exception, from_response
from triage.model import Mention

MAX_GRAPHEMES = 300
POST = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_LINK = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]")
_HANDLE = re.compile(r"(?<![\w@])@([a-zA-Z0-9][a-zA-Z0-9.-]*\.[a-zA-Z]{2,})")

_sessions: dict[tuple[str, str], dict] = {}  # (service, identifier) -> session (in memory only)


@dataclass(slots=True)
class BlueskyAccount:
    service: str  # the PDS, e.g. https://bsky.social
    identifier: str  # handle or DID
    app_password: str  # never logged: comes from sources.secrets


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def record_key(created_at: datetime, idempotency_key: str) -> str:
    """A valid TID (13 base32-sortable chars) fixed by the outbox entry: same on every retry."""
    micros = int(created_at.timestamp() * 1_000_000) & ((1 << 53) - 1)
    clock = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:2], "big") & 0x3FF
    value = (micros << 10) | clock
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _byte_span(text: str, start: int, end: int) -> dict[str, int]:
    return {
        "byteStart": len(text[:start].encode("utf-8")),
        "byteEnd": len(text[:end].encode("utf-8")),
    }


async def facets(client: httpx.AsyncClient, service: str, text: str) -> list[dict]:
    """Links and @mentions as rich-text facets; offsets in UTF-8 bytes, as the spec says."""
    out: list[dict] = []
    for m in _LINK.finditer(text):
        out.append(
            {
                "index": _byte_span(text, m.start(), m.end()),
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}],
            }
        )
    for m in _HANDLE.finditer(text):
        try:
            r = await client.get(
                f"{service}/xrpc/com.atproto.identity.resolveHandle",
                params={"handle": m.group(1)},
            )
        except httpx.HTTPError:
            continue
        did = r.json().get("did") if r.status_code == 200 else None
        if did:
            out.append(
                {
                    "index": _byte_span(text, m.start(), m.end()),
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                }
            )
    return out


def at_uri(mention: Mention) -> str:
    """The parent's at:// URI, from the stored record or its bsky.app URL."""
    uri = str(mention.extra.get("uri") or "")
    if uri.startswith("at://"):
        return uri
    parts = urlparse(mention.url).path.strip("/").split("/")
    if len(parts) == 4 and parts[0] == "profile" and parts[2] == "post":
        return f"at://{parts[1]}/{POST}/{parts[3]}"
    raise DeliveryError("this post has no Bluesky address to reply to", retryable=False)


async def _session(client: httpx.AsyncClient, account: BlueskyAccount, fresh: bool) -> dict:
    key = (account.service, account.identifier)
    if not fresh and key in _sessions:
        return _sessions[key]
    what = "logging in to Bluesky"
    try:
        r = await client.post(
            f"{account.service}/xrpc/com.atproto.server.createSession",
            json={"identifier": account.identifier, "password": account.app_password},
        )
    except Exception as exc:
        raise from_exception(exc, what) from None
    if r.status_code == 401:
        raise DeliveryError(f"{what}: app password refused or revoked", retryable=False)
    if r.status_code != 200:
        raise from_response(r, what)
    _sessions[key] = r.json()
    return _sessions[key]


async def _xrpc(client, method, url, session, what, **kw) -> httpx.Response:
    try:
        return await client.request(
            method, url, headers={"Authorization": f"Bearer {session['accessJwt']}"}, **kw
        )
    except Exception as exc:
        raise from_exception(exc, what) from None


def _expired(r: httpx.Response) -> bool:
    if r.status_code not in (400, 401):
        return False
    try:
        return r.json().get("error") in ("ExpiredToken", "InvalidToken")
    except ValueError:
        return False


async def post_reply(
    client: httpx.AsyncClient,
    *,
    account: BlueskyAccount,
    mention: Mention,
    text: str,
    idempotency_key: str,
    created_at: datetime,
) -> str:
    """Reply to `mention`; returns the reply's bsky.app URL (existing one if already made)."""
    if graphemes(text) > MAX_GRAPHEMES:
        raise DeliveryError(
            f"too long for Bluesky ({graphemes(text)}/{MAX_GRAPHEMES} characters)",
            retryable=False,
        )
    service = account.service.rstrip("/")
    session = await _session(client, account, fresh=False)
    rkey = record_key(created_at, idempotency_key)
    for attempt in (0, 1):
        r = await _xrpc(
            client,
            "GET",
            f"{service}/xrpc/com.atproto.repo.getRecord",
            session,
            "checking for an earlier attempt",
            params={"repo": session["did"], "collection": POST, "rkey": rkey},
        )
        if _expired(r) and attempt == 0:
            session = await _session(client, account, fresh=True)
            continue
        break
    if r.status_code == 200:  # a crashed attempt got through: never post it twice
        return _post_url(session, rkey)
    if r.status_code not in (400, 404):
        raise from_response(r, "checking for an earlier attempt")

    what = "reading the post to answer"
    thread = await _xrpc(
        client,
        "GET",
        f"{service}/xrpc/app.bsky.feed.getPostThread",
        session,
        what,
        params={"uri": at_uri(mention), "depth": "0", "parentHeight": "0"},
    )
    if thread.status_code == 400 and "NotFound" in thread.text:
        raise DeliveryError(f"{what}: the post was deleted", retryable=False)
    if thread.status_code != 200:
        raise from_response(thread, what)
    node = thread.json().get("thread") or {}
    post = node.get("post")
    if not post:
        raise DeliveryError(f"{what}: the post was deleted or is blocked", retryable=False)
    if (post.get("viewer") or {}).get("replyDisabled"):
        raise DeliveryError(
            "the author of this Bluesky thread does not allow your replies", retryable=False
        )
    parent = {"uri": post["uri"], "cid": post["cid"]}
    root = ((post.get("record") or {}).get("reply") or {}).get("root") or parent
    record = {
        "$type": POST,
        "text": text,
        "createdAt": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "reply": {"root": root, "parent": parent},
    }
    found = await facets(client, service, text)
    if found:
        record["facets"] = found
    what = "posting on Bluesky"
    r = await _xrpc(
        client,
        "POST",
        f"{service}/xrpc/com.atproto.repo.createRecord",
        session,
        what,
        json={"repo": session["did"], "collection": POST, "rkey": rkey, "record": record},
    )
    if r.status_code != 200:
        raise from_response(r, what)
    return _post_url(session, rkey)


def _post_url(session: dict, rkey: str) -> str:
    return f"https://bsky.app/profile/{session.get('handle') or session['did']}/post/{rkey}"
