"""A round where no feed needs parsing (every one "not modified") neither loads the
preparer's tables nor starts the parse workers: an unchanged `veille fetch` pays for
neither. The first body to parse starts them, once."""

from __future__ import annotations

from sources.poller import Poller
from triage.config import BrandConfig, SourceConfig
from triage.pipeline import Pipeline

from .conftest import Reply
from .test_poller import RSS, feed


async def test_unchanged_feeds_start_no_worker(server, tmp_path) -> None:
    pipeline = Pipeline([BrandConfig(name="Lumio", keywords=("lumio",))])
    warmed: list[int] = []

    def warm() -> None:
        warmed.append(1)
        pipeline.warm_hook()()

    configs = [
        SourceConfig(name=f"f{i}", kind="rss", url=server.route(f"/f{i}", Reply(304)))
        for i in range(3)
    ]
    configs.append(
        SourceConfig(name="new", kind="rss", url=server.route("/new", [Reply(304), Reply(200, RSS, feed(1, 2))]))
    )  # fmt: skip
    with Poller(
        configs, tmp_path / "s", parse="process", prepare=pipeline.prepare_hook(), warm=warm
    ) as poller:
        outcomes = await poller.poll_once(save=False)
        assert all(o.unchanged for o in outcomes)
        assert warmed == [] and poller._executor is None
        outcomes = await poller.poll_once(save=False)
        assert [len(o.mentions) for o in outcomes] == [0, 0, 0, 2]
        assert all(m.prepared is not None for m in outcomes[3].mentions)
        assert warmed == [1] and poller._executor is not None
