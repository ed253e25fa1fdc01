"""The month report reads stored records and the journal's bytes, not Mentions and Events
(issue 16): its figures must be main's, to the last float.

The oracle is main's `build_report` (tests/report/report_reference.py) fed as before:
every Mention `mentions_between` builds and every journal event. The store holds real
tweets (../shared/data/twcs-sample.csv) through the real pipeline (brands, priorities,
groups, signals), a team's actions (replies, hand-offs delivered and failed, tags,
closes, undos), and records written by hand that the sanitising boundary changes
(escapes, controls, decomposed accents, an over-long text, a date in another form).
"""

from __future__ import annotations

import contextlib
import csv
import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

import store.inbox as store_inbox
from app.reports import make_report
from store import reportread
from store.inbox import Inbox
from tests.realdata import twcs_sample
from tests.report import report_reference
from triage.config import BrandConfig, Config
from triage.errors import Conflict
from triage.model import Author, DeliveryStatus, Event, Mention
from triage.pipeline import Pipeline
from triage.report import Period, Report
from triage.report_model import _PRAISE, _PRAISE_HINT, REPORT_ACTIONS, _praised
from triage.report_render import to_markdown

DATA = twcs_sample()
pytestmark = pytest.mark.skipif(DATA is None, reason="../shared/data/twcs-sample.csv is absent")
TWEETS = 1500
NOW = datetime(2017, 12, 3, tzinfo=UTC)


def _tweets() -> list[dict[str, str]]:
    assert DATA is not None
    with open(DATA, newline="", encoding="utf-8") as fh:
        rows = [t for t in csv.DictReader(fh) if t["text"] and t["author_id"]]
    return rows[:TWEETS]


def _config() -> Config:
    companies = sorted({t["author_id"] for t in _tweets() if not t["author_id"].isdigit()})
    brands = [BrandConfig(c, (c.lower(),)) for c in companies[:12]]
    brands[0] = BrandConfig(brands[0].name, brands[0].keywords, competitors=(brands[1].name,))
    return Config(user="ana", brands=tuple(brands))


def _mentions() -> list[Mention]:
    out = []
    for t in _tweets():
        at = datetime.strptime(t["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        mid = f"twitter:{t['tweet_id']}"
        platform = "twitter" if int(t["tweet_id"]) % 5 else "mastodon"
        author = Author(t["author_id"], f"@{t['author_id']}")
        url = f"https://twitter.example/{mid}"
        out.append(Mention(mid, platform, "twcs", url, author, t["text"], at, at))
    return out


def _act(inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """A team's month of actions on the real groups, at known moments."""
    clock = {"now": NOW}
    monkeypatch.setattr(store_inbox, "utcnow", lambda: clock["now"])
    rng = random.Random(16)
    for gid in sorted(inbox.group_ids()):
        first = min(m.created_at for m in inbox.group(gid))
        clock["now"] = first + timedelta(minutes=rng.uniform(3, 3000))
        inbox.user = rng.choice(["ana", "ben", "chloe"])
        roll = rng.random()
        if roll < 0.3:
            manual = rng.random() < 0.5
            reply = inbox.add_reply(gid, "Thanks, DM us", manual=manual)
            if not manual and rng.random() < 0.8:
                clock["now"] += timedelta(minutes=1)
                inbox.update_reply(gid, reply.key, DeliveryStatus.DELIVERED, "https://x/p")
        elif roll < 0.4:
            inbox.handoff(gid, rng.choice(["sav", "legal"]), "please call")
            clock["now"] += timedelta(seconds=40)
            delivery = rng.choice([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED])
            inbox.update_handoff(gid, delivery, "" if delivery is DeliveryStatus.DELIVERED else "5")
            if rng.random() < 0.2:
                with contextlib.suppress(Conflict):  # undo refuses what changed since
                    inbox.undo()
        elif roll < 0.55:
            inbox.tag(gid, add=[rng.choice(["complaint", "thanks", "tone:positive", "billing"])])
        if rng.random() < 0.3:
            clock["now"] += timedelta(hours=2)
            inbox.set_status(gid, rng.choice(["done", "ignored", "waiting"]))
            if rng.random() < 0.1:
                with contextlib.suppress(Conflict):
                    inbox.undo()


def _damage(store: Path) -> None:
    """Records the boundary changes, written into day files by hand (an old version, an
    import): what `Mention.from_json` makes of them is what the report must count."""
    hostile = [
        ("text", "\x1b[31mthank you\x1b[0m so much"),
        ("text", "c'est ge\u0301nial merci"),  # decomposed: NFC makes "génial"
        ("text", "tha\x07nks " + "x" * 40_000),
        ("author", {"name": "evil\x1b[2J", "handle": "@ev\nil", "url": ""}),
        ("created_at", "2017-11-20T10:00:00+00:00"),
        ("title", "\x1b]8;;http://x\x07link"),
        ("signals", ["tone:positive"]),
    ]
    n = 0
    for path in sorted((store / "mentions").glob("*.json")):
        data = orjson.loads(path.read_bytes())
        for rec in list(data["records"].values())[:3]:
            key, value = hostile[n % len(hostile)]
            rec[key] = value
            n += 1
        path.write_bytes(orjson.dumps(data))


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("month") / "store"
    with pytest.MonkeyPatch.context() as mp:
        config = _config()
        with Inbox.open(path, user="ana", pipeline=Pipeline(list(config.brands))) as inbox:
            inbox.ingest(_mentions())
            _act(inbox, mp)
    _damage(path)
    return path


def _reference(inbox: Inbox, config: Config, period: Period, **scope: str | None) -> Report:
    return report_reference.build_report(
        list(inbox.mentions_between(period.start, period.end)),
        inbox.state,
        list(inbox.events()),
        period=period,
        now=NOW,
        brands=config.brands,
        sla=config.sla,
        urgent_threshold=inbox.urgent_threshold,
        **scope,
    )


SCOPES = [
    {},
    {"brand": "AppleSupport"},
    {"brand": "applesupport"},
    {"platform": "mastodon"},
    {"brand": "AmazonHelp", "platform": "twitter"},
    {"platform": "nowhere"},
]


OPENS = {
    "indexed": {},  # every record in the index
    "first-screen": {"defer": True},  # days still unread: the period streamed
    # the closed groups of days older than 3 left on disk (a hot window): streamed too
    "hot-window": {"defer": True, "hot_days": 3, "hot_min_bytes": 0},
}


@pytest.mark.parametrize("how", list(OPENS))
def test_month_report_figures_are_mains_on_real_tweets(real_store: Path, how: str) -> None:
    config = _config()
    periods = [
        Period(datetime(2017, 10, 1, tzinfo=UTC), NOW),
        Period(datetime(2017, 11, 20, tzinfo=UTC), datetime(2017, 11, 28, tzinfo=UTC)),
    ]
    with Inbox.open(real_store, user="ana", **OPENS[how]) as inbox:  # type: ignore[arg-type]
        if how == "hot-window":
            inbox.finish_loading()
            assert inbox.cold is not None
        for period in periods:
            for scope in SCOPES:
                expected = _reference(inbox, config, period, **scope)
                got = make_report(inbox, config, period, NOW, **scope)
                assert got.summary == expected.summary, scope
                for mine, theirs in zip(got.tables, expected.tables, strict=True):
                    assert mine == theirs, (scope, mine.name)
                assert to_markdown(got) == to_markdown(expected)
    assert expected.figure("Mentions") == 0  # the last scope: no such platform
    with Inbox.open(real_store, user="ana") as inbox:
        whole = make_report(inbox, config, periods[0], NOW)
    assert whole.figure("Mentions") >= TWEETS - 10  # the store is what the test thinks
    assert whole.figure("Answered stories") > 50
    assert whole.figure("Hand-offs") > 20


def test_the_journal_read_for_reports_is_the_journal_filtered(real_store: Path, tmp_path) -> None:
    """events_of finds what `Inbox.events` holds for the actions a report reads, whatever
    the lines look like: a target with an escaped quote, a damaged line, a torn tail, a
    month written in another JSON form (spaces)."""
    store = tmp_path / "copy"
    shutil.copytree(real_store, store)
    journal = store / "journal"
    month = sorted(journal.glob("*.jsonl"))[-1]
    odd = Event("e1", NOW, "ana", "reply", 'twitter:"quoted"\\', {}, {"replies": []}, rev=1)
    undo = Event("e2", NOW, "ana", "undo", "twitter:1", {}, {}, rev=2, undoes="e1")
    with open(month, "ab") as fh:
        fh.write(orjson.dumps(odd.to_json()) + b"\n")
        fh.write(b'{"id": "broken", "action": "reply", "target": \n')
        fh.write(orjson.dumps(undo.to_json()) + b"\n")
        fh.write(orjson.dumps({**odd.to_json(), "id": "torn"})[:-9])  # no newline: torn
    spaced = journal / "2017-09.jsonl"
    lines = [{**odd.to_json(), "id": f"s{n}", "target": f"twitter:{n}"} for n in range(3)]
    spaced.write_text("".join(json.dumps(x) + "\n" for x in lines))
    with Inbox.open(store, user="ana") as inbox:
        every = [e for e in inbox.events() if e.action in REPORT_ACTIONS]
        assert [e.id for e in reportread.events_of(inbox, REPORT_ACTIONS)] == [e.id for e in every]
        targets = {e.target for e in every if e.action != "undo"}
        keep = set(sorted(targets)[::3]) | {'twitter:"quoted"\\'}
        wanted = [e.id for e in every if e.action == "undo" or e.target in keep]
        found = reportread.events_of(inbox, REPORT_ACTIONS, keep.__contains__)
        assert [e.id for e in found] == wanted
    assert {"e1", "e2", "s0", "s2"} <= {e.id for e in every}
    assert "torn" not in {e.id for e in every}


def test_praise_words_found_as_the_regex_found_them() -> None:
    texts = [t["text"] for t in _tweets()]
    texts += ["MERCİ", "ravie", "Lovely", "génial", "ge\u0301nial", "super!", "thankful", ""]
    for text in texts:
        low = text.lower()
        expected = _PRAISE_HINT.search(low) is not None and _PRAISE.search(low) is not None
        assert _praised(text) == expected, text
