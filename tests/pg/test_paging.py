"""One page of the inbox query (triage.query.page / total) is the same slice of what
`query.run` lists, on both backends: the folder store pages the whole ranking, the
database answers the filter and the visibility rule in SQL with a LIMIT."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.pg.backends import NOW, mention, open_store
from triage import query
from triage.model import Status
from triage.query import InboxQuery


@pytest.fixture(params=["folder", "postgresql"])
def where(request, tmp_path):
    if request.param == "folder":
        return tmp_path / "store"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(where):
    with open_store(where) as s:
        s.ingest(
            [
                mention(
                    i, brand="Lumio" if i % 3 else "Brightly", platform=("rss", "mastodon")[i % 2]
                )
                for i in range(40)
            ]
        )
        yield s


@pytest.mark.parametrize(
    "text",
    ["", "brand:lumio", "-brand:lumio", "platform:mastodon is:urgent", "lampe", "status:done"],
)
@pytest.mark.parametrize("include_all", [False, True])
@pytest.mark.parametrize("window", [2000, 5])
def test_pages_are_slices_of_the_whole_query(store, text, include_all, window):
    if hasattr(store, "window"):  # the database walks the top `window` ranked first
        store.window = window
    elif window != 2000:
        pytest.skip("the folder store pages its whole ranking")
    # some groups closed or snoozed: the default visibility hides them, in SQL too
    store.set_status("mastodon:39", Status.DONE)
    store.set_status("rss:38", Status.IGNORED)
    store.snooze("mastodon:37", NOW + timedelta(hours=2))
    store.snooze("rss:36", NOW - timedelta(hours=2))  # over: listed again
    q = InboxQuery.parse(text, include_all)
    whole = query.run(store, q, NOW)
    assert query.total(store, q, NOW) == len(whole)
    pages = [query.page(store, q, NOW, 7, offset) for offset in range(0, len(whole) + 7, 7)]
    assert [g for p in pages for g in p] == whole
    if not include_all and text == "":
        assert "mastodon:39" not in whole and "mastodon:37" not in whole
        assert "rss:36" in whole


def test_snoozed_and_closed_come_back_when_the_filter_names_them(store):
    store.set_status("mastodon:39", Status.DONE)
    store.snooze("mastodon:37", NOW + timedelta(hours=2))
    store.set_status("mastodon:35", Status.DONE)
    store.snooze("mastodon:35", NOW + timedelta(hours=2))  # closed and snoozed
    assert query.page(store, InboxQuery.parse("status:done"), NOW, 10) == [
        "mastodon:39",
        "mastodon:35",
    ]
    assert query.page(store, InboxQuery.parse("is:snoozed"), NOW, 10) == ["mastodon:37"]
    assert query.total(store, InboxQuery(), NOW) == 37


@pytest.mark.parametrize("with_sla", [True, False])
def test_counts_in_one_query_agree_with_the_walk_over_every_view(store, with_sla):
    from triage.config import SlaConfig
    from triage.model import DeliveryStatus

    store.ingest([mention(90 + i, platform="bluesky", priority=95.0, hours=i) for i in range(4)])
    store.set_status("mastodon:39", Status.DONE)
    store.set_status("rss:38", Status.IGNORED)
    store.snooze("mastodon:37", NOW + timedelta(hours=2))
    store.set_status("rss:2", Status.OPEN)
    store.handoff("rss:4", "support")
    store.update_handoff("rss:4", DeliveryStatus.FAILED)
    store.handoff("rss:6", "support")
    store.update_handoff("rss:6", DeliveryStatus.DELIVERED)  # answered: its clock stops
    store.add_reply("bluesky:91", "Bonjour")
    store.update_reply(
        "bluesky:91", store.state("bluesky:91").replies[0].key, DeliveryStatus.DELIVERED
    )
    clock = query.sla_clock(SlaConfig(), store.urgent_threshold) if with_sla else None
    now = NOW + timedelta(minutes=1)
    walked = query.count(store, now, clock, ids=store.group_ids())  # view by view
    assert query.count(store, now, clock) == walked  # the database: one query
    assert walked.handoffs_failed == 1 and walked.by_status["done"] == 1
    assert (walked.breached > 0) is with_sla
