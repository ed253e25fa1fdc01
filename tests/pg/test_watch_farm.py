"""Three real `veille watch` processes on one PostgreSQL store, one killed -9 half-way:
every feed polled once a round, every item alerted once, every reply posted once
(tests/pg/watchfarm.py counts at the servers; bench/watch_nodes.py runs it longer)."""

from __future__ import annotations

from tests.pg.watchfarm import run_farm


def test_three_watch_nodes_and_a_kill_duplicate_nothing(pg_url, tmp_path):
    figures = run_farm(pg_url, tmp_path, seconds=14, sources=6, every=1.0)
    logs = "\n".join(figures.logs)
    assert figures.killed is not None, logs
    assert figures.pollers >= 2, logs  # another node took the lease over after the kill
    assert figures.polls >= 6 * 14 / 4, (figures.line(), logs)  # polled all along (loaded CI)
    assert figures.duplicate_polls == [], (figures.line(), logs)
    assert len(figures.groups) >= 6 and figures.missed == [], (figures.line(), logs)
    assert figures.duplicate_alerts == [], (figures.line(), logs)
    # the replies the killed node had taken wait for its hold to lapse (HOLD_SECONDS)
    posted = figures.posted + figures.held_by_dead
    assert figures.replies >= 20 and posted == figures.replies, (figures.line(), logs)
    assert figures.duplicate_posts == [], (figures.line(), logs)
    assert "Traceback" not in logs
