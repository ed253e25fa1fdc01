"""Issue 16: an inbox opened with `defer` holds the hot window (the last `hot_days` days
and every group not closed); the old closed groups stay on disk and come back when asked
for, and nothing the user sees (lists, counts, reports) differs from a full read."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from store.inbox import Inbox
from triage import query
from triage.model import Author, Mention, Status

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAYS, PER_DAY, HOT = 90, 6, 30


def _mention(day_ago: int, n: int, group: str = "", text: str = "") -> Mention:
    at = NOW - timedelta(days=day_ago, minutes=n)
    mid = f"rss:{day_ago}-{n}"
    return Mention(
        id=mid, platform="rss", source="s", url=f"https://e.example/{mid}",
        author=Author(f"A{n}", f"@a{n}"), text=text or f"lamp story {n} of day {day_ago}",
        created_at=at, fetched_at=at, brands=("Lumio",), priority=float(20 + n),
        group_id=group or mid,
    )  # fmt: skip


def build(path) -> None:
    """90 days of stories; old ones mostly done (a team that triages), a few left
    open or snoozed; one old done story with a copy inside the window; one refund
    story done long ago."""
    with Inbox.open(path, user="seed") as inbox:
        for day in range(DAYS - 1, -1, -1):
            inbox.ingest([_mention(day, n) for n in range(PER_DAY)])
        inbox.ingest([_mention(50, 9, text="my refund never came")])
        inbox.ingest([_mention(5, 8, group="rss:40-1")])  # a late copy of an old story
        for day in range(HOT + 2, DAYS):
            for n in range(PER_DAY):
                if (day, n) not in ((60, 2), (70, 3)):  # left open / snoozed
                    inbox.set_status(f"rss:{day}-{n}", Status.DONE)
        inbox.set_status("rss:40-1", Status.DONE)
        inbox.set_status("rss:50-9", Status.DONE)
        inbox.snooze("rss:70-3", NOW + timedelta(days=3))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("hot") / "store"
    build(path)
    return path


@pytest.fixture
def path(built, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(built, copy)
    return copy


def hot_open(path, user: str = "t") -> Inbox:
    inbox = Inbox.open(path, user=user, defer=True, hot_days=HOT, hot_min_bytes=0)
    inbox.finish_loading()  # as the TUI's background load ends
    return inbox


def test_memory_holds_the_window_and_every_figure_stays_true(path):
    with Inbox.open(path, user="t") as full:
        total = len(full)
        shown = query.run(full, query.InboxQuery(None), NOW)
        counts = query.count(full, NOW)
    with hot_open(path) as inbox:
        held = set(inbox.index.raw)
        assert "rss:89-0" not in held and "rss:45-4" not in held  # old and done: on disk
        assert {"rss:60-2", "rss:70-3", "rss:0-0", "rss:29-5"} <= held  # open, snoozed, recent
        assert {"rss:40-1", "rss:5-8"} <= held  # a story across the window's edge: whole
        assert inbox.view("rss:40-1").size == 2
        assert len(held) < total // 2
        assert len(inbox) == total  # the archive's count, not the window's
        assert query.run(inbox, query.InboxQuery(None), NOW) == shown
        hot = query.count(inbox, NOW)
        assert (hot.open, hot.urgent, hot.unread) == (counts.open, counts.urgent, counts.unread)
        assert sum(1 for _ in inbox.archive_mentions()) == total  # streamed, not kept
        assert sum(1 for _ in inbox.all_mentions()) == len(held)  # the TUI's author index
        assert set(inbox.index.raw) == held


def test_a_history_search_reads_the_old_groups_it_matches(path):
    asks = ("status:done", "refund", "")
    with Inbox.open(path, user="t") as full:
        expected = {
            a: query.run(full, query.InboxQuery.parse(a, include_all=True), NOW) for a in asks
        }
    with hot_open(path) as inbox:
        before = len(inbox.index.raw)
        assert inbox.recall_matching("refund", NOW) == 1
        assert len(inbox.index.raw) == before + 1  # only what matched came back
        got = query.run(inbox, query.InboxQuery.parse("refund", include_all=True), NOW)
        assert got == expected["refund"] == ["rss:50-9"]
        inbox.recall_matching("status:done", NOW)
        got = query.run(inbox, query.InboxQuery.parse("status:done", include_all=True), NOW)
        assert got == expected["status:done"]
        inbox.recall_matching(None, NOW)
        assert query.run(inbox, query.InboxQuery(None, include_all=True), NOW) == expected[""]


def test_an_old_id_is_read_back_for_show_tag_and_undo(path):
    with Inbox.open(path, user="t") as full:
        full.set_status("rss:60-2", Status.DONE)  # t's last action: closing an old story
    with hot_open(path) as inbox:
        assert "rss:80-1" not in inbox.index.raw and "rss:60-2" not in inbox.index.raw
        assert inbox.resolve("rss:80-1") == "rss:80-1"  # `veille show OLD`
        assert [m.id for m in inbox.view("rss:80-1").mentions] == ["rss:80-1"]
        assert "rss:45-0" not in inbox.index.raw
        assert inbox.tag("rss:45-0", add=["recall"]).tags == ("recall",)
        assert inbox.view("rss:45-0").state.tags == ("recall",)
        assert inbox.undo() is not None  # the tag
        assert inbox.undo() is not None  # reopens the old story: it is in the inbox again
        assert inbox.state("rss:60-2").status is not Status.DONE
        assert "rss:60-2" in query.run(inbox, query.InboxQuery(None), NOW)
    with Inbox.open(path, user="t") as full:
        assert full.state("rss:45-0").tags == ()
        assert full.state("rss:60-2").status is not Status.DONE


def test_a_story_opened_again_elsewhere_is_counted(path):
    with hot_open(path) as inbox:
        opened = query.count(inbox, NOW).open
        with Inbox.open(path, user="other") as elsewhere:  # a scripted `veille status`
            elsewhere.set_status("rss:75-4", Status.OPEN)
        assert inbox.refresh()
        assert "rss:75-4" in query.run(inbox, query.InboxQuery(None), NOW)
        assert query.count(inbox, NOW).open == opened + 1


def test_a_new_copy_of_an_old_story_joins_it_and_old_ids_stay_known(path):
    with hot_open(path) as inbox:
        assert inbox.ingest([_mention(88, 0)]) == []  # stored long ago, left on disk
        late = _mention(1, 30, group="rss:85-2", text="still broken")
        assert [m.id for m in inbox.ingest([late])] == ["rss:1-30"]
        assert [m.id for m in inbox.group("rss:85-2")] == ["rss:85-2", "rss:1-30"]
        assert inbox.view("rss:85-2").state.status is Status.DONE
    with hot_open(path) as again:  # opened later: the story is in the window whole
        assert again.view("rss:85-2").size == 2


def test_a_report_over_an_old_month_reads_its_days(path):
    start, end = NOW - timedelta(days=80), NOW - timedelta(days=50)
    with Inbox.open(path, user="t") as full:
        expected = sorted(m.id for m in full.mentions_between(start, end))
    with hot_open(path) as inbox:
        held = len(inbox.index.raw)
        assert sorted(m.id for m in inbox.mentions_between(start, end)) == expected
        assert len(expected) > 30 * PER_DAY - 10
        assert len(inbox.index.raw) == held  # streamed, never adopted


def test_the_fast_state_reader_reads_what_from_json_reads(path):
    from store.partitions import _plain_state
    from triage.model import TriageState

    with Inbox.open(path, user="t") as inbox:
        inbox.assign("rss:1-1", "ana")
        inbox.tag("rss:1-1", add=["vip"])
        inbox.snooze("rss:2-2", NOW + timedelta(hours=5))
        inbox.note("rss:3-3", "called back")  # not plain: read by from_json
        states = list(inbox.index.states.values())
    plain = 0
    for state in states:
        fast = _plain_state(state.to_json())
        if fast is not None:
            plain += 1
            assert fast == TriageState.from_json(state.to_json()) == state
    assert _plain_state(inbox.state("rss:3-3").to_json()) is None
    assert plain == len(states) - 1


def test_a_wider_window_from_the_configuration_reads_its_days_whole(path):
    from sources.config import parse_config
    from sources.config_lines import ConfigError

    config = parse_config('user = "t"\n[store]\nhot_days = 60\n')
    assert config.store.hot_days == 60
    with Inbox.open(path, user="t", defer=True, hot_days=HOT, hot_min_bytes=0) as inbox:
        assert "rss:45-4" not in inbox.index.raw or inbox.loading
        inbox.set_hot_days(config.store.hot_days)  # what tui.app.load_rest does
        inbox.finish_loading()
        assert "rss:45-4" in inbox.index.raw and "rss:75-0" not in inbox.index.raw
        assert len(inbox) == sum(1 for _ in inbox.archive_mentions())
    try:
        parse_config('user = "t"\n[store]\nhot_days = 0\n')
    except ConfigError as exc:
        assert "hot_days" in str(exc)
    else:
        raise AssertionError("hot_days = 0 was accepted")


def test_a_small_store_is_indexed_whole(path):
    with Inbox.open(path, user="t", defer=True, hot_days=HOT) as inbox:  # ~100 KB of days
        inbox.finish_loading()
        assert inbox.files.window is None and inbox.cold is None
        assert "rss:89-0" in inbox.index.raw
