"""A hand-off stops the SLA clock only once it reached the team: pending and failed ones
keep the story unanswered; the demo's teams post to its local sink, so it succeeds there."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from app.services.outbox import OutboxWorker
from store.inbox import Inbox
from triage import query
from triage.config import Config, SlaConfig, TeamConfig
from triage.filter import parse_filter
from triage.model import Author, DeliveryStatus, Mention
from tui.demo.feed import demo_config
from tui.demo.server import DemoServer

NOW = datetime.now(UTC)


def late_mention(n: int) -> Mention:
    """A post 3 hours old on Mastodon (2 h target): its SLA is breached until answered."""
    return Mention(
        id=f"mastodon:{n}",
        platform="mastodon",
        source="m",
        url=f"https://social.example/{n}",
        author=Author(name=f"user{n}", handle=f"@user{n}"),
        text="Lumio broke again",
        created_at=NOW - timedelta(hours=3),
        fetched_at=NOW,
        brands=("Lumio",),
        priority=10.0,
        group_id=f"mastodon:{n}",
    )


def breached(box: Inbox) -> int:
    return query.count(box, datetime.now(UTC), query.sla_clock(SlaConfig(), 80.0)).breached


def unanswered(box: Inbox) -> list[str]:
    return box.ranked_ids(parse_filter("is:unanswered"), datetime.now(UTC))


def test_a_failed_handoff_keeps_the_clock_and_is_counted(tmp_path):
    """The team's webhook answers 404: the hand-off ends FAILED, the story stays breached
    and unanswered, and the counts say one hand-off failed; a retry makes it pending."""
    with DemoServer() as server, Inbox.open(tmp_path / "s", user="ana") as box:
        config = Config(user="ana", teams=(TeamConfig("support", webhook=f"{server.url}/nope"),))
        box.ingest([late_mention(1)])
        assert breached(box) == 1
        box.handoff("mastodon:1", "support", "refund?")
        assert breached(box) == 1, "a pending hand-off is no answer"
        assert "mastodon:1" in unanswered(box)
        outcomes = asyncio.run(OutboxWorker(box, config, timeout=5).run_once())
        assert [o.status for o in outcomes] == [DeliveryStatus.FAILED]
        assert breached(box) == 1, "a failed hand-off is no answer"
        assert "mastodon:1" in unanswered(box)
        counts = query.count(box, datetime.now(UTC))
        assert counts.handoffs_failed == 1
        assert box.view("mastodon:1").handoff_failed
        box.update_handoff("mastodon:1", DeliveryStatus.PENDING)  # the retry key (R)
        h = box.state("mastodon:1").handoff
        assert h is not None and h.delivery is DeliveryStatus.PENDING and h.attempts == 0
        assert query.count(box, datetime.now(UTC)).handoffs_failed == 0


def test_the_demo_teams_deliver_to_the_local_sink_and_that_stops_the_clock(tmp_path):
    with DemoServer() as server, Inbox.open(tmp_path / "s", user="camille") as box:
        config = demo_config(server.url, tmp_path)
        assert all(t.webhook.startswith(server.url) for t in config.teams)
        box.ingest([late_mention(2)])
        box.handoff("mastodon:2", "service-client", "à rembourser")
        outcomes = asyncio.run(OutboxWorker(box, config, timeout=5).run_once())
        assert [o.status for o in outcomes] == [DeliveryStatus.DELIVERED]
        assert [team for team, _ in server.received] == ["service-client"]
        assert "à rembourser" in server.received[0][1]["text"]
        assert breached(box) == 0, "a delivered hand-off is the first response"
        assert unanswered(box) == []
        state = box.state("mastodon:2")
        assert state.first_response_at is not None
