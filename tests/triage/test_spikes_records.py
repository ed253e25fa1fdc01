"""Spikes read from stored records (issue 16: `veille watch` reads 8 days each tick) are
the spikes read from Mentions, titles included: a record the sanitising boundary changes
(an escape in the text) is read as `Mention.from_json` reads it."""

from __future__ import annotations

from datetime import timedelta

from tests.triage.test_spikes import NOW, busy_mornings, posts
from triage.model import Mention
from triage.spikes import detect_spikes


def test_records_give_the_spikes_mentions_give() -> None:
    calm = busy_mornings("Lumio", 10) + busy_mornings("Glowa", 3)
    loud = posts("Lumio", NOW - timedelta(minutes=30), 80, group="story")
    loud += posts("Glowa", NOW - timedelta(minutes=20), 30, group="other")
    records = [m.to_json() for m in calm + loud]
    records[-1]["text"] = "\x1b[31mrefund\x1b[0m now"  # written by hand: cleaned when read
    records[-2]["created_at"] = records[-2]["created_at"].replace("Z", "+00:00")
    mentions = [Mention.from_json(r) for r in records]
    expected = detect_spikes(mentions, NOW)
    assert expected and {s.brand for s in expected} == {"Lumio", "Glowa"}
    assert detect_spikes(records, NOW) == expected
    assert detect_spikes(records[: len(calm) // 3], NOW) == []  # no week of history
    young = [r for r in records if r["created_at"] >= (NOW - timedelta(days=6)).isoformat()]
    assert detect_spikes(young, NOW) == detect_spikes([Mention.from_json(r) for r in young], NOW)
