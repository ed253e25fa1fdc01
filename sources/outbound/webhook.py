"""Deliver a message to a Slack/Mattermost-compatible incoming webhook.

Both accept `{"text": ...}` (Markdown-ish); Slack also reads `blocks`, Mattermost
`attachments`. We send `text` plus one attachment so both show the link and the note.
The webhook URL is itself a secret (whoever holds it can post): it never appears in errors.
"""

from __future__ import annotations

import httpx

from sources.outbound.errors import DeliveryError, from_exception, from_response
from sources.outbound.handoff_message import HandoffMessage


def handoff_payload(msg: HandoffMessage) -> dict:
    return {
        "username": "veille",
        "text": f"*Hand-off to {msg.team}* from {msg.by}: {msg.note or '(no note)'}\n{msg.mention_url}",
        "attachments": [
            {
                "fallback": msg.body(),
                "title": f"{msg.author} on {msg.platform}",
                "title_link": msg.mention_url,
                "text": msg.mention_text[:1500],
                "fields": [
                    {"title": "Note", "value": msg.note or "(none)", "short": False},
                    {"title": "Handed off by", "value": msg.by, "short": True},
                    {"title": "Team", "value": msg.team, "short": True},
                ],
            }
        ],
    }


def check_webhook_url(url: str, what: str = "webhook") -> None:
    """Refuse, for good (not retried), a URL that is not http(s) to a host: a webhook
    like `file:///etc/passwd` is a mistake or an attack. The URL is not echoed (a secret)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        scheme = parsed.scheme if parsed is not None and parsed.scheme else "none"
        raise DeliveryError(
            f"the {what} URL is refused: only http:// or https:// URLs to a host are "
            f"allowed (it has scheme {scheme!r}); fix it in the configuration",
            retryable=False,
        )


async def deliver_webhook(
    client: httpx.AsyncClient,
    url: str,
    payload: dict,
    *,
    what: str = "webhook",
    delivery: str = "",
) -> None:
    """POST the payload; raises DeliveryError (in words, retryable or not) on failure.

    `delivery` is a stable id sent as `X-Veille-Delivery`: a retry after a crash carries
    the same id, so a receiver can drop the copy.
    """
    check_webhook_url(url, what)
    headers = {"X-Veille-Delivery": delivery} if delivery else {}
    try:
        response = await client.post(url, json=payload, headers=headers)
    except Exception as exc:
        raise from_exception(exc, what) from None
    if response.status_code >= 300:
        raise from_response(response, what)
