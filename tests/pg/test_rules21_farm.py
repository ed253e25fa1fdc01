"""The farm of tests/pg/test_watch_farm.py with the kill made to land in the window that
made it flaky: the polling node kills itself (store.crash `before-rules`) once its
eighth batch of new posts is stored and before their rules ran. The node that takes the
lease over polls those posts again (the dead node saved no cursor), finds them known,
and replays their rules (store.postgres.owed): every group is alerted, once."""

from __future__ import annotations

from tests.pg.watchfarm import run_farm


def test_a_node_killed_between_storing_and_its_rules_loses_no_alert(pg_url, tmp_path):
    figures = run_farm(pg_url, tmp_path, seconds=14, sources=6, every=1.0, crash="before-rules@8")
    logs = "\n".join(figures.logs)
    assert figures.killed is not None, logs  # it died where it was told to
    assert figures.pollers >= 2, logs
    assert len(figures.groups) >= 6 and figures.missed == [], (figures.line(), logs)
    assert "rules replayed" in logs, logs  # the next poller made its rules good
    assert figures.duplicate_polls == [], (figures.line(), logs)
    assert figures.duplicate_alerts == [], (figures.line(), logs)
    assert figures.duplicate_posts == [], (figures.line(), logs)
    assert "Traceback" not in logs
