"""SLA clocks: targets by priority and platform, first response by reply or hand-off,
breach, closed stories, and the on-call 'breaching within N minutes' list."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from tests.triage.conftest import T0, make_mention
from triage.config import SlaConfig
from triage.model import DeliveryStatus, Handoff, Mention, Reply, Status, TriageState
from triage.sla import SlaPolicy, breaching_within, first_response, sla_clock, time_left

POLICY = SlaPolicy()


@dataclass
class FakeGroup:  # the shape of store.views.GroupView that sla needs
    mentions: list[Mention]
    state: TriageState
    priority: float

    @property
    def leader(self) -> Mention:
        return self.mentions[0]

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.platform for m in self.mentions))


def mention(platform: str = "rss", priority: float = 10.0) -> Mention:
    return replace(make_mention(1, "x", platform=platform), priority=priority)


def test_targets_by_priority_and_platform() -> None:
    now = T0
    assert sla_clock(mention("rss"), None, POLICY, now).due == T0 + timedelta(hours=24)
    assert sla_clock(mention("mastodon"), None, POLICY, now).kind == "microblog"
    assert sla_clock(mention("bluesky"), None, POLICY, now).due == T0 + timedelta(hours=2)
    urgent = sla_clock(mention("bluesky", priority=80), None, POLICY, now)
    assert urgent.kind == "urgent" and urgent.due == T0 + timedelta(hours=1)


def test_time_left_and_breach() -> None:
    m = mention("mastodon")
    clock = sla_clock(m, None, POLICY, T0 + timedelta(minutes=90))
    assert clock.left == timedelta(minutes=30) and not clock.breached and clock.running
    late = sla_clock(m, None, POLICY, T0 + timedelta(hours=3))
    assert late.breached and late.left == timedelta(hours=-1)


def test_first_response_is_a_delivered_reply_or_a_handoff() -> None:
    state = TriageState("g", replies=(Reply("k", "hi", "ana", T0 + timedelta(minutes=10)),))
    assert first_response(state) is None  # still pending: not an answer yet
    delivered = replace(state.replies[0], status=DeliveryStatus.DELIVERED)
    state = state.evolve(replies=(delivered,))
    assert first_response(state) == T0 + timedelta(minutes=10)
    at = T0 + timedelta(minutes=5)
    handed = TriageState("g", handoff=Handoff("legal", "", "ana", at))
    assert first_response(handed) is None  # pending: it reached nobody yet
    failed = TriageState("g", first_response_at=at,  # as older versions recorded it
                         handoff=Handoff("legal", "", "ana", at, DeliveryStatus.FAILED))  # fmt: skip
    assert first_response(failed) is None
    ok = TriageState("g", handoff=Handoff("legal", "", "ana", at, DeliveryStatus.DELIVERED))
    assert first_response(ok) == at


def test_answered_late_stays_breached_and_stops() -> None:
    state = TriageState("g", first_response_at=T0 + timedelta(hours=3))
    clock = sla_clock(mention("mastodon"), state, POLICY, T0 + timedelta(hours=10))
    assert clock.breached and not clock.running and clock.left == timedelta(hours=-1)


def test_closed_without_answer_has_no_clock() -> None:
    state = TriageState("g", status=Status.DONE)
    assert sla_clock(mention(), state, POLICY, T0) is None


def test_time_left_for_the_tui_uses_the_group_and_config() -> None:
    group = FakeGroup([mention("rss"), mention("mastodon")], TriageState("g"), 10.0)
    sla = SlaConfig(urgent=600, normal=86400, microblog=1800)
    assert time_left(group, sla, T0 + timedelta(minutes=10)) == 1200.0  # microblog copy
    group.priority = 75
    assert time_left(group, sla, T0 + timedelta(minutes=10)) == 0.0
    group.state = TriageState("g", first_response_at=T0)
    assert time_left(group, sla, T0) is None


def test_breaching_within_lists_soonest_first() -> None:
    a = replace(mention("mastodon"), id="mastodon:a")  # due T0+2h
    b = replace(mention("rss"), id="rss:b")  # due T0+24h
    c = replace(mention("rss", priority=90), id="rss:c")  # due T0+1h
    answered = TriageState("x", first_response_at=T0)
    items = [(a, None), (b, None), (c, None), (replace(c, id="rss:d"), answered)]
    now = T0 + timedelta(minutes=50)
    soon = breaching_within(items, POLICY, now, minutes=90)
    assert [s.id for s, _ in soon] == ["rss:c", "mastodon:a"]
    assert [s.id for s, _ in breaching_within(items, POLICY, now, minutes=5)] == []
