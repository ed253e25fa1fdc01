"""`dt_to_json` gives the text of the last two datetimes written again (a fetch's
records share their `fetched_at`, written after each `created_at`): whatever the order,
time zones and years, the text is the one it computes, from several threads too."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta, timezone

from triage import clock


def _values(rng: random.Random) -> list[datetime]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    out = [base + timedelta(seconds=rng.randint(0, 10**8), microseconds=rng.randint(0, 10**6 - 1))
           for _ in range(40)]  # fmt: skip
    out += [v.astimezone(timezone(timedelta(hours=-7))) for v in out[:8]]
    out += [datetime(999, 5, 5, tzinfo=UTC), datetime(2026, 3, 3, 12, 0)]  # padded year, naive
    return out


def _text(value: datetime) -> str:
    value = clock.to_utc(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_remembered_texts_are_the_computed_ones() -> None:
    rng = random.Random(7)
    values = _values(rng)
    fetched = values[0]
    for _ in range(5000):
        created = rng.choice(values)
        assert clock.dt_to_json(created) == _text(created)
        assert clock.dt_to_json(fetched) == _text(fetched)
        if rng.random() < 0.05:
            fetched = rng.choice(values)
    assert clock.dt_to_json(None) is None


def test_threads_writing_times_each_get_their_own_text() -> None:
    wrong: list[tuple[datetime, str]] = []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        values = _values(rng)
        for _ in range(20000):
            v = rng.choice(values)
            got = clock.dt_to_json(v)
            if got != _text(v):
                wrong.append((v, str(got)))

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong
