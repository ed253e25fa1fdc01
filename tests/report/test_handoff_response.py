"""A hand-off answers a story only once it is DELIVERED, and at its delivery time.

Issue 14: the report and dashboard counted every `handoff` journal event as a response, so
a hand-off that reached nobody (pending, or failed: no channel) stopped the SLA clock in
the management figures while the inbox still showed the story unanswered.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

import store.inbox as store_inbox
from store.inbox import Inbox
from triage.model import DeliveryStatus
from triage.report import Report, build_report

from .conftest import MENTIONS, NOW, T0
from .test_figures import PERIOD

H = 3600
STORY = "rss:3"  # Lumio, normal priority, first seen at T0


def report_after(tmp_path, monkeypatch: pytest.MonkeyPatch, *deliveries) -> Report:
    """Hand STORY off at T0 + 1 h (by ana), then record each (delay, delivery) by the worker."""
    clock = {"now": T0}
    monkeypatch.setattr(store_inbox, "utcnow", lambda: clock["now"])
    with Inbox.open(tmp_path / "s", user="ana") as inbox:
        inbox.ingest([m for m in MENTIONS if m.id == STORY])
        clock["now"] = T0 + timedelta(hours=1)
        inbox.handoff(STORY, "sav", "please call")
        inbox.user = "worker"
        for delay, delivery in deliveries:
            clock["now"] = T0 + delay
            inbox.update_handoff(
                STORY, delivery, "" if delivery is not DeliveryStatus.FAILED else "500"
            )
        events = list(inbox.events())
        return build_report(
            inbox.mentions_between(PERIOD.start, PERIOD.end),
            inbox.state,
            events,
            period=PERIOD,
            now=NOW,
        )


def test_a_pending_hand_off_is_no_answer(tmp_path, monkeypatch):
    r = report_after(tmp_path, monkeypatch)
    assert r.figure("Answered stories") == 0
    assert r.figure("SLA breaches") == 1  # open, unanswered, days past its target
    assert r.table("handoffs").row("sav")["pending"] == 1


def test_a_failed_hand_off_is_no_answer(tmp_path, monkeypatch):
    r = report_after(tmp_path, monkeypatch, (timedelta(hours=1, minutes=1), DeliveryStatus.FAILED))
    assert r.figure("Answered stories") == 0
    assert r.figure("Median time to first response") is None
    assert r.figure("SLA breaches") == 1
    assert r.table("handoffs").row("sav")["failed"] == 1
    assert r.table("response_by_person").rows == []  # nobody answered


def test_a_delivered_hand_off_answers_at_its_delivery_by_who_handed_off(tmp_path, monkeypatch):
    # failed twice, retried, delivered at 3 h: the story waited 3 h for an answer, not 1 h
    r = report_after(
        tmp_path,
        monkeypatch,
        (timedelta(hours=1, minutes=1), DeliveryStatus.FAILED),
        (timedelta(hours=2), DeliveryStatus.PENDING),
        (timedelta(hours=3), DeliveryStatus.DELIVERED),
    )
    assert r.figure("Answered stories") == 1
    assert r.figure("Median time to first response") == 3 * H
    assert r.figure("SLA breaches") == 0
    assert r.table("response_by_person").column("person") == ["ana"]  # not the worker
    assert r.table("handoffs").row("sav")["delivered"] == 1
