"""`veille watch` on PostgreSQL reads only the groups that can alert (store.postgres.
alerting), and must find exactly the alerts the walk over every group finds: urgent,
SLA about to breach or breached, rule alerts, and none for what is done, ignored,
snoozed or answered - at several instants, as snoozes end and clocks run out."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from app.services.settings import WatchSettings
from app.services.watch import Watch
from store.postgres import PgStore
from tests.pg.backends import NOW, mention
from triage import alerts as decide
from triage.config import Config, SlaConfig
from triage.model import DeliveryStatus, Status
from triage.rules import Rule, rule_alerts

RULES = (Rule("vip", "vip", alert=True), Rule("quiet", "quiet"))
SLA = SlaConfig()
INSTANTS = [timedelta(hours=h) for h in (-2, 0, 0.7, 3, 23.5, 30, 50)]


def _alerts(views, now, threshold: float, warning: float = 900.0) -> list[decide.Alert]:
    views = list(views)
    found = decide.urgent_alerts(views, threshold, now)
    found += decide.sla_alerts(views, SLA, threshold, now, warning)
    return found + rule_alerts(views, RULES, now)


def _fill(store: PgStore) -> None:
    """60 stories from now to 53 h old, on a feed and on Mastodon, every fourth urgent;
    one whose old leader arrived after a fresh reply to it; a young one on Mastodon (its
    2 h clock inside a long warning); then what a team does."""
    found = []
    for i in range(60):
        platform = "mastodon" if i % 3 == 0 else "rss"
        priority = 90.0 if i % 4 == 0 else 20.0 + i % 40
        found.append(mention(i, hours=i * 0.9, platform=platform, priority=priority))
    fresh = dataclasses.replace(mention(100, hours=0.2, priority=80.0), group_id="rss:old")
    old = dataclasses.replace(mention(101, hours=30, priority=10.0), id="rss:old")
    young = mention(200, hours=0.3, platform="mastodon", priority=30.0)  # due in 1.7 h
    found += [fresh, old, young]
    store.ingest(found)
    store.set_status("mastodon:0", Status.DONE)
    store.set_status("rss:8", Status.DONE)
    store.set_status("mastodon:3", Status.IGNORED)
    store.set_status("rss:16", Status.WAITING)
    store.snooze("rss:4", NOW + timedelta(hours=1))
    store.snooze("rss:5", NOW + timedelta(hours=1))
    for gid in ("mastodon:12", "rss:13"):
        reply = store.add_reply(gid, "Merci, nous regardons.")
        store.update_reply(gid, reply.key, DeliveryStatus.DELIVERED)
    store.handoff("rss:20", "support")  # pending: nobody reached, the clock runs on
    store.note("mastodon:0", "rule vip: matched")  # done, yet the rule alert is sent
    store.note("rss:58", "rule vip: tagged #vip")  # 52 h old, the note is new
    store.note("rss:7", "rule vip: matched")
    store.note("mastodon:9", "rule quiet: matched")  # a rule that does not alert
    store.note("rss:10", "rule of thumb: answer in French")


@pytest.fixture
def store(pg_url):
    with PgStore.open(pg_url, user="ana") as s:
        _fill(s)
        yield s


def test_the_narrowed_groups_give_the_same_alerts_at_every_instant(store):
    threshold = store.urgent_threshold
    total = len(store.groups(now=NOW))
    kinds: set[str] = set()
    for shift in INSTANTS:
        now = NOW + shift
        for warning in (900.0, 4 * 3600.0):
            window = decide.alert_window(SLA, threshold, now, warning)
            narrowed = store.alert_groups(window, now, rules=True)
            want = _alerts(store.groups(now=now), now, threshold, warning)
            got = _alerts(narrowed, now, threshold, warning)
            assert got == want, (shift, warning)
            kinds |= {a.kind for a in got}
            assert len(narrowed) < total, (shift, len(narrowed))
    assert kinds == {"urgent", "sla", "rule"}


def test_what_is_done_snoozed_or_answered_is_not_even_read(store):
    window = decide.alert_window(SLA, store.urgent_threshold, NOW, 900.0)
    read = {v.group_id for v in store.alert_groups(window, NOW, rules=False)}
    assert {"rss:8", "mastodon:3", "rss:4", "mastodon:12", "rss:13"}.isdisjoint(read)
    assert {"rss:16", "rss:20", "rss:29", "rss:old"} <= read  # waiting, handed to nobody yet
    assert "rss:1" not in read and "rss:26" not in read  # a day to answer, 36 min left
    assert "mastodon:0" not in read and "rss:58" not in read  # no rule alerts asked
    ruled = {v.group_id for v in store.alert_groups(window, NOW, rules=True)}
    assert {"mastodon:0", "rss:58", "rss:7"} <= ruled and "mastodon:9" in ruled  # notes
    # the alerts of the ruled ones are the rule functions' business: "quiet" sends none
    assert not [a for a in rule_alerts(store.alert_groups(window, NOW, True), RULES, NOW)
                if "mastodon:9" in a.key]  # fmt: skip


async def test_a_watch_tick_on_postgres_sends_what_the_full_walk_finds_once(store, tmp_path):
    lines: list[str] = []
    watch = Watch(
        Config(user="watch", rules=RULES),
        tmp_path / "node",
        WatchSettings(),
        log=lambda event, **kw: lines.append(event),
        clock=lambda: NOW,
    )
    watch.inbox = store
    want = _alerts(store.groups(now=NOW), NOW, store.urgent_threshold)
    assert watch.decide_raw(NOW) == want  # no spike: the store holds no week of history
    sent = await watch.check()
    assert sorted(a.key for a in sent) == sorted(a.key for a in want) and want
    assert await watch.check() == []  # the ledger remembers them
    assert "tick failed" not in lines
