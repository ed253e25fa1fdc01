"""Spikes: a brand's last hour against the same hour on previous days (median/MAD)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.triage.conftest import T0, make_mention
from triage.model import Mention
from triage.spikes import describe_spike, detect_spikes

NOW = T0 + timedelta(days=8)  # 09:00 UTC


def posts(brand: str, at, count: int, group: str = "g") -> list[Mention]:
    return [
        replace(
            make_mention(f"{brand}{at:%d%H%M}{i}", "x", at=at + timedelta(seconds=20 * i)),
            brands=(brand,),
            group_id=f"{group}{i % 3}",
        )
        for i in range(count)
    ]


def busy_mornings(brand: str, per_morning: int) -> list[Mention]:
    out = []
    for day in range(1, 8):
        out += posts(brand, NOW - timedelta(days=day, minutes=50), per_morning)
        out += posts(brand, NOW - timedelta(days=day, hours=9), 1)  # quiet nights
    return out


def test_a_usual_busy_morning_is_not_a_spike() -> None:
    history = busy_mornings("Lumio", 30)
    today = posts("Lumio", NOW - timedelta(minutes=50), 32)
    assert detect_spikes(history + today, NOW) == []


def test_a_real_spike_names_brand_window_and_top_groups() -> None:
    history = busy_mornings("Lumio", 10)
    today = posts("Lumio", NOW - timedelta(minutes=50), 60, group="story")
    spikes = detect_spikes(history + today, NOW)
    assert len(spikes) == 1
    s = spikes[0]
    assert (s.brand, s.count, s.baseline) == ("Lumio", 60, 10)
    assert (s.start, s.end) == (NOW - timedelta(hours=1), NOW)
    assert s.top_groups[0] == ("story0", 20)
    assert "spike: Lumio 60 mentions 08:00-09:00 UTC (usually ~10)" in s.describe()


def test_few_posts_on_a_quiet_brand_are_not_a_spike() -> None:
    week = posts("Other", NOW - timedelta(days=7, minutes=30), 1)  # the store's first post
    assert detect_spikes(week + posts("Glowa", NOW - timedelta(minutes=10), 4), NOW) == []
    assert detect_spikes(week + posts("Glowa", NOW - timedelta(minutes=10), 6), NOW) != []


def test_a_store_without_a_week_of_history_has_no_spike() -> None:
    """Day one of a store: every past window is empty, so any busy hour would look like a
    spike; there is no baseline yet, so nothing is said."""
    young = posts("Other", NOW - timedelta(days=6), 1)
    loud = posts("Glowa", NOW - timedelta(minutes=10), 40)
    assert detect_spikes(young + loud, NOW) == []
    assert detect_spikes(loud, NOW) == []
    assert detect_spikes(young + loud, NOW, need_history=False) != []


def test_top_stories_are_named_by_their_text_not_their_id() -> None:
    loud = [
        replace(m, title="", text="La lampe Lumio clignote après la mise à jour")
        for m in busy_mornings("Lumio", 10) + posts("Lumio", NOW - timedelta(minutes=50), 60)
    ]
    (spike,) = detect_spikes(loud, NOW)
    assert "“La lampe Lumio clignote après la mise à…” (20)" in spike.describe()
    assert "story0" not in spike.describe() and "g0 (" not in spike.describe()


def test_describe_spike_reads_an_inbox_like_object() -> None:
    class Store:
        def __init__(self, mentions: list[Mention]):
            self.items = mentions

        def mentions_between(self, start, end):
            return [m for m in self.items if start <= m.created_at < end]

    calm = Store(busy_mornings("Lumio", 10))
    assert describe_spike(calm, NOW) is None
    loud = Store(calm.items + posts("Lumio", NOW - timedelta(minutes=30), 80))
    assert describe_spike(loud, NOW).startswith("spike: Lumio 80 mentions")
