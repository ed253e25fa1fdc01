"""Every figure of the report, exact against the store built in conftest.py.

Worked out by hand: stories g1 = mastodon:1 (+ bluesky:2), g2 = rss:3, g3 = reddit:4,
g4 = mastodon:5, g5 = rss:6, g6 = hackernews:7 (+ hackernews:8); rss:9 is after the
period. Period [Nov 9, Nov 16), now Nov 16 06:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.reports import make_report
from sources.config import parse_config
from store.inbox import Inbox
from triage.report import Period, Report, build_report, percentile

from .conftest import CONFIG, NOW

PERIOD = Period(datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
H = 3600


def report_of(store, **scope) -> Report:
    config = parse_config(CONFIG)
    with Inbox.open(store, user="ana") as inbox:
        return make_report(inbox, config, PERIOD, NOW, **scope)


@pytest.fixture
def report(store) -> Report:
    return report_of(store)


def test_volume_per_brand_platform_and_day(report):
    assert report.figure("Mentions") == 8
    assert report.figure("Stories") == 6
    assert report.table("volume_by_brand").rows == [("Lumio", 5, 5 / 8), ("Brightly", 3, 3 / 8)]
    platforms = dict((r[0], r[1]) for r in report.table("volume_by_platform").rows)
    assert platforms == {"mastodon": 2, "bluesky": 1, "rss": 2, "reddit": 1, "hackernews": 2}
    days = report.table("volume_by_day")
    assert days.columns == ("day", "mentions", "Lumio", "Brightly")
    assert days.rows == [
        ("2026-11-09", 0, 0, 0),
        ("2026-11-10", 3, 3, 0),
        ("2026-11-11", 0, 0, 0),
        ("2026-11-12", 1, 1, 0),
        ("2026-11-13", 1, 0, 1),
        ("2026-11-14", 0, 0, 0),
        ("2026-11-15", 3, 1, 2),
    ]


def test_share_of_voice_against_competitors(report):
    assert report.table("share_of_voice").rows == [
        ("Lumio", 5, 8, 5 / 8),
        ("Lumio vs Brightly", 3, 8, 3 / 8),
    ]


def test_mix_by_priority_and_tone(report):
    mix = {r[0]: r[1] for r in report.table("priority_mix").rows}
    assert mix == {"urgent": 1, "high": 1, "normal": 2, "low": 4}
    tone = {r[0]: r[1] for r in report.table("tone_mix").rows}
    assert tone == {"negative": 2, "neutral": 4, "positive": 2}


def test_top_stories_largest_and_growing(report):
    assert report.table("top_stories").column("group") == [
        "mastodon:1",
        "hackernews:7",
        "rss:3",
        "reddit:4",
        "mastodon:5",
        "rss:6",
    ]
    growing = report.table("growing_stories")
    assert [(r[0], r[-2], r[-1]) for r in growing.rows] == [
        ("hackernews:7", 2, 0),
        ("rss:6", 1, 0),
    ]


def test_response_times_overall(report):
    # answered: g1 30 min (urgent, on time), g2 2 h 05 (handed off at 2 h, DELIVERED at
    # 2 h 05: the delivery is the answer), g3 5 h (the undone hand-off at 1 h does not
    # count). g4's hand-off FAILED: unanswered, past its microblog 2 h target (breach);
    # g5 overdue unanswered (breach).
    assert report.figure("Answered stories") == 3
    assert report.figure("Median time to first response") == 2 * H + 5 * 60
    assert report.figure("90th percentile time to first response") == 5 * H
    assert report.figure("Answered within SLA") == 3 / 5
    assert report.figure("SLA breaches") == 2


def test_response_times_by_brand_platform_person(report):
    by_brand = report.table("response_by_brand")
    assert by_brand.row("Lumio") == {
        "brand": "Lumio",
        "answered": 3,
        "median": 2 * H + 5 * 60,
        "p90": 5 * H,
        "on_time": 3,
        "within_sla": 3 / 4,
        "breaches": 1,
    }
    assert by_brand.row("Brightly")["answered"] == 0
    assert by_brand.row("Brightly")["breaches"] == 1
    assert by_brand.row("Brightly")["within_sla"] is None  # nothing answered: "—", not 0 %
    by_platform = report.table("response_by_platform")
    assert by_platform.row("mastodon")["median"] == 0.5 * H  # mastodon:5 is unanswered
    assert by_platform.row("mastodon")["p90"] == 0.5 * H
    assert by_platform.row("mastodon")["breaches"] == 1
    assert by_platform.row("rss")["within_sla"] == 0.5
    assert by_platform.row("reddit")["median"] == 5 * H
    by_person = report.table("response_by_person")
    assert by_person.row("ana") == {
        "person": "ana",
        "answered": 2,
        "median": (0.5 * H + 2 * H + 5 * 60) / 2,
        "p90": 2 * H + 5 * 60,
        "on_time": 2,
        "within_sla": 1.0,
        "breaches": 0,
    }
    assert by_person.row("ben")["answered"] == 1
    assert by_person.column("person") == ["ana", "ben"]  # the worker never answered


def test_handoffs_per_team_with_outcome_undone_excluded(report):
    handoffs = report.table("handoffs")
    assert handoffs.row("sav")["delivered"] == 1
    assert handoffs.row("legal") == {
        "team": "legal",
        "handoffs": 1,  # the undone hand-off of reddit:4 is not counted
        "pending": 0,
        "delivered": 0,
        "failed": 1,
        "manual": 0,
    }
    assert report.figure("Hand-offs") == 2


def test_open_backlog_and_its_age(report):
    assert report.figure("Open backlog") == 5  # all but reddit:4 (done)
    assert dict(report.table("backlog").rows) == {"< 1 h": 0, "1-24 h": 1, "1-7 d": 4, "> 7 d": 0}
    assert report.figure("Backlog median age") == 3 * 86400 + 6 * H
    assert report.figure("Oldest open story") == 6 * 86400 + 6 * H


def test_contributors_and_critics(report):
    assert report.table("contributors").rows == [("@cara (reddit)", 1), ("@cara (rss)", 1)]
    assert report.table("critics").rows == [("@yann (bluesky)", 1), ("@zoe (mastodon)", 1)]


def test_scope_by_brand_and_platform(store):
    lumio = report_of(store, brand="lumio")
    assert lumio.figure("Mentions") == 5
    assert lumio.table("share_of_voice").rows[0] == ("Lumio", 5, 8, 5 / 8)  # field kept whole
    mastodon = report_of(store, platform="mastodon")
    assert mastodon.figure("Mentions") == 2
    assert mastodon.figure("Answered stories") == 1  # mastodon:5's hand-off failed


def test_undo_of_the_only_response_leaves_the_story_unanswered(tmp_path, monkeypatch):
    from .conftest import MENTIONS, T0

    with Inbox.open(tmp_path / "s", user="ana") as inbox:
        inbox.ingest(MENTIONS[:1])
        inbox.handoff("mastodon:1", "sav")
        inbox.undo()
        events = list(inbox.events())
        r = build_report(
            inbox.mentions_between(PERIOD.start, PERIOD.end),
            inbox.state,
            events,
            period=PERIOD,
            now=T0.replace(hour=0, minute=30),
        )
    assert [e.action for e in events] == ["handoff", "undo"]
    assert r.figure("Answered stories") == 0
    assert r.figure("Hand-offs") == 0


def test_percentile_nearest_rank():
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile(list(range(1, 101)), 90) == 90


def test_tone_from_pipeline_signals_tags_and_praise_words():
    from triage.report import tone_of

    from .conftest import T0, mention

    plain = mention("rss:1", T0, "Lumio", 0, "@a", "Merci beaucoup, géniale lampe")
    assert tone_of(plain) == "positive"
    assert (
        tone_of(
            mention(
                "rss:2",
                T0,
                "Lumio",
                0,
                "@a",
                "Merci de rembourser",
                signals=("complaint: remboursement",),
            )
        )
        == "negative"
    )
    assert (
        tone_of(mention("rss:3", T0, "Lumio", 0, "@a", "x", signals=("negative tone",)))
        == "negative"
    )
    assert tone_of(mention("rss:4", T0, "Lumio", 0, "@a", "the supermarket is open")) == "neutral"
    assert tone_of(mention("rss:5", T0, "Lumio", 0, "@a", "a lamp"), tags=("praise",)) == "positive"
    assert tone_of(mention("rss:6", T0, "Lumio", 0, "@a", "a lamp")) == "neutral"
