"""Parse workers hand their mentions back as flat rows (sources.handback), rebuilt in the
main process without their checks: what arrives must be the very mention the worker
built, field by field, on real tweets and on hostile posts, through a real process pool."""

from __future__ import annotations

import gzip
import pickle
from dataclasses import fields
from datetime import UTC, datetime
from multiprocessing.reduction import ForkingPickler

import pytest

from bench.feedfarm import tweets
from bench.real_eval import brand_configs
from sources.handback import Handed
from sources.poller import Poller
from sources.rss import parse_feed
from triage.config import SourceConfig
from triage.model import Author, Mention, Prepared
from triage.pipeline import Pipeline

from ..realdata import twcs_sample
from .conftest import Reply

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HOSTILE = "\x1b[31m\u202eevil\u200b\x07 <b>bold</b> &amp;amp; \ud83d\ude00"


def every_field(m: Mention) -> dict[str, object]:
    """Every field of the record (prepared included: it is not compared by ==), the
    author's and the prepared scratch's too, by name, so a field added later is checked."""
    out: dict[str, object] = {f.name: getattr(m, f.name) for f in fields(Mention)}
    out["author"] = {f.name: getattr(m.author, f.name) for f in fields(Author)}
    if m.prepared is not None:
        out["prepared"] = {f.name: getattr(m.prepared, f.name) for f in fields(Prepared)}
    return out


def through_the_pipe(mentions: list[Mention]) -> list[Mention]:
    """What the main process gets: the worker's pickling, then the main's loading."""
    return pickle.loads(bytes(ForkingPickler.dumps(Handed(mentions))))


def test_every_field_of_every_record_survives_the_hand_back() -> None:
    when = datetime(2026, 11, 30, 6, 1, 2, 345678, tzinfo=UTC)
    full = Mention(
        id="mastodon:1", platform="mastodon", source="m", url="https://x.example/1",
        author=Author("Ann", "@ann", "https://x.example/@ann", 1234), text="Lumio\nbroke",
        created_at=when, fetched_at=when, title="T", lang="fr", parent_id="mastodon:0",
        thread_id="mastodon:-1", brands=("Lumio",), keywords=("lumio",), group_id="g",
        priority=0.75, signals=("complaint: broke",), extra={"cid": [1, (2, 3)], "n": None},
        prepared=Prepared("fp", "lumio broke", ("lumio", "broke"), (2, 2)),
    )  # fmt: skip
    bare = Mention("rss:2", "rss", "f", "", Author(), "x", when, when)
    got = through_the_pipe([full, bare])
    assert [every_field(m) for m in got] == [every_field(full), every_field(bare)]
    assert type(got) is list and all(type(m.author) is Author for m in got)
    assert got[0].prepared is not full.prepared  # a copy: the worker's objects stay there


@pytest.fixture(scope="module")
def real_feed_bodies(tmp_path_factory) -> list[bytes]:
    sample = twcs_sample()
    if sample is None:
        pytest.skip("the real tweets (../shared/data/twcs-sample.csv) are absent")
    folder = tmp_path_factory.mktemp("tweets")
    names, _ = tweets(folder, 6, 200, sample)
    return [(folder / name).read_bytes() for name in names]


def test_real_tweets_prepared_arrive_identical(real_feed_bodies) -> None:
    pipeline = Pipeline(brand_configs())
    prepare = pipeline.prepare_hook()
    headers = {"content-type": RSS["Content-Type"]}
    for i, body in enumerate(real_feed_bodies):
        parsed, _ = parse_feed(body, headers, f"https://n.example/{i}", f"s{i}", "rss")
        sent = prepare(parsed) if i % 2 else parsed  # prepared and not (a claimed twin)
        got = through_the_pipe(sent)
        assert [every_field(m) for m in got] == [every_field(m) for m in sent]


async def test_a_process_pool_round_gives_the_inline_rounds_mentions(
    server, tmp_path, real_feed_bodies
) -> None:
    """The same real feeds (one gzip, one with hostile text) polled with the workers and
    in this process: the same mentions, every field but the fetch time."""
    hostile = (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>H</title>"
        f"<item><title>{HOSTILE.replace('&', '&amp;').replace('<', '&lt;')}</title>"
        "<guid>https://h.example/1</guid><pubDate>Mon, 30 Nov 2026 05:00:00 GMT</pubDate>"
        "<description>Lumio &lt;p&gt;x&lt;/p&gt;"
        "</description></item></channel></rss>"
    ).encode("utf-8", "surrogatepass")
    routes = [Reply(200, RSS, body) for body in real_feed_bodies[:3]]
    routes.append(
        Reply(200, {**RSS, "Content-Encoding": "gzip"}, gzip.compress(real_feed_bodies[3]))
    )
    routes.append(Reply(200, RSS, hostile))
    configs = [
        SourceConfig(name=f"f{i}", kind="rss", url=server.route(f"/f{i}", reply))
        for i, reply in enumerate(routes)
    ]
    pipeline = Pipeline(brand_configs())
    rounds = []
    for parse in ("process", "inline"):
        with Poller(
            configs,
            tmp_path / parse,
            parse=parse,
            prepare=pipeline.prepare_hook(),
            warm=pipeline.warm_hook(),
        ) as poller:
            outcomes = await poller.poll_once(save=False)
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        rounds.append([every_field(m) | {"fetched_at": None} for o in outcomes for m in o.mentions])
    assert len(rounds[0]) == 4 * 200 + 1
    assert rounds[0] == rounds[1]
    assert any(m["prepared"] is not None for m in rounds[0])


def test_the_rows_are_smaller_than_the_records(real_feed_bodies) -> None:
    headers = {"content-type": RSS["Content-Type"]}
    parsed, _ = parse_feed(real_feed_bodies[0], headers, "https://n.example/", "s", "rss")
    rows = len(ForkingPickler.dumps(Handed(parsed)))
    records = len(ForkingPickler.dumps(list(parsed)))
    assert rows <= records
