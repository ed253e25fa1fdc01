"""Deliver a message to a Slack/Mattermost-compatible incoming webhook.

Both accept `{"text": ...}` (Markdown-ish); Slack also reads `blocks`, Mattermost
`attachments`. We send `text` plus one attachment so both show the link and the note.
The webhook URL is itself a secret (whoever holds it can post): it never appears in errors.
"""

from __future__ import annotations

import httpx

from sources.outbound.errors import from_exception, from_response
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
    headers = {"X-Veille-Delivery": delivery} if delivery else {}
    try:
        response = await client.post(url, json=payload, headers=headers)
    except Exception as exc:
        raise from_exception(exc, what) from None
    if response.status_code >= 300:
        raise from_response(response, what)
