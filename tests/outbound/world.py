"""What the outbound tests share: the config pointing at the loopback servers, the
mentions answered, and the sender entry point run as a child process (`python world.py`)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sources.outbound.email import SmtpSettings
from sources.secrets import get_secret
from store.inbox import Inbox
from triage.config import Config, SourceConfig, TeamConfig
from triage.model import Author, Mention

MASTO_ENV = "VEILLE_TEST_MASTO_TOKEN"
BSKY_ENV = "VEILLE_TEST_BSKY_PASSWORD"


def make_config(server_url: str, hook_url: str | None = None, email: str = "") -> Config:
    return Config(
        user="tester",
        sources=(
            SourceConfig(name="masto", kind="mastodon", instance=server_url, token_env=MASTO_ENV),
            SourceConfig(
                name="bsky",
                kind="bluesky",
                instance=server_url,
                token_env=BSKY_ENV,
                options={"identifier": "lumio.test"},
            ),
        ),
        teams=(TeamConfig(name="sav", webhook=hook_url or f"{server_url}/hooks/sav", email=email),),
    )


def mentions() -> list[Mention]:
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    return [
        Mention(
            id="mastodon:111",
            platform="mastodon",
            source="masto",
            url="https://other.example/@ana/111",
            author=Author(name="Ana", handle="@ana@other.example"),
            text="Ma lampe Lumio clignote depuis hier",
            created_at=now,
            fetched_at=now,
        ),
        Mention(
            id="bluesky:3kparent",
            platform="bluesky",
            source="bsky",
            url="https://bsky.app/profile/ana.bsky.social/post/3kparent",
            author=Author(name="Ana", handle="@ana.bsky.social"),
            text="lumio?",
            created_at=now,
            fetched_at=now,
            extra={"uri": "at://did:plc:ana/app.bsky.feed.post/3kparent"},
        ),
        Mention(
            id="rss:blog-1",
            platform="rss",
            source="alerts",
            url="https://blog.example/lumio-review",
            author=Author(name="Blog"),
            text="Review of the Lumio Glow",
            created_at=now,
            fetched_at=now,
        ),
    ]


def sender_main(store: str, server_url: str, smtp_port: str) -> None:
    """One outbox pass, as the watch process or the TUI would run it."""
    from app.services.outbox import OutboxWorker

    config = make_config(server_url, email="sav@example.com" if smtp_port != "0" else "")
    smtp = SmtpSettings(host="127.0.0.1", port=int(smtp_port), timeout=5)
    with Inbox.open(store, user="tester") as inbox:
        worker = OutboxWorker(inbox, config, smtp=smtp, timeout=10, log=print)
        outcomes = asyncio.run(worker.run_once())
    print(json.dumps([o.status.value for o in outcomes]), flush=True)


def watch_main(store: str, server_url: str, tick: str) -> None:
    """The watch service on the loopback servers, as `veille watch` runs it."""
    from app.services.settings import WatchSettings
    from app.services.watch import Watch

    settings = WatchSettings(
        alert_webhook=get_secret("VEILLE_TEST_ALERT_HOOK"), bell=True, sla_warning=900
    )
    watch = Watch(make_config(server_url), Path(store), settings, tick=float(tick))
    sys.exit(asyncio.run(watch.run()))


if __name__ == "__main__":
    if sys.argv[1] == "watch":
        watch_main(*sys.argv[2:5])
    else:
        sender_main(*sys.argv[1:4])
