"""The poller readies the pipeline's preparer (VADER's tables, the frequent words, the
brand index) once in its own process before forking the parse workers: each worker
inherits it ready instead of loading its own copy."""

from __future__ import annotations

import uuid
from functools import partial

from sources.poller import Poller
from triage.config import BrandConfig, SourceConfig
from triage.model import Mention
from triage.pipeline import Pipeline

from .conftest import Reply
from .test_poller import RSS, feed


def _probe_then_prepare(fingerprint: str, prepare, mentions: list[Mention]) -> list[Mention]:
    """Runs in a parse worker: was the preparer there before this worker's first post?"""
    from triage import pipeline
    from triage.common_words import common_words

    ready = fingerprint in pipeline._PREPARERS and common_words.cache_info().currsize >= 2
    prepared = prepare(mentions)
    for m in prepared:
        m.extra["ready"] = ready
    return prepared


async def test_parse_workers_inherit_a_warmed_preparer(server, tmp_path):
    brand = f"Lumio{uuid.uuid4().hex[:6]}"  # a configuration no earlier test prepared
    pipeline = Pipeline([BrandConfig(name=brand, keywords=(brand.lower(),))])
    fingerprint = pipeline.prepare_step.fingerprint
    warmed: list[int] = []

    def warm() -> None:
        warmed.append(1)
        pipeline.warm_hook()()

    configs = [
        SourceConfig(name=f"f{i}", kind="rss", url=server.route(f"/f{i}", Reply(200, RSS, feed(i))))
        for i in range(4)
    ]
    prepare = partial(_probe_then_prepare, fingerprint, pipeline.prepare_hook())
    with Poller(configs, tmp_path / "sources", parse="process", prepare=prepare, warm=warm) as p:
        outcomes = await p.poll_once(save=False)
        again = await p.poll_once(save=False)
    assert warmed == [1]  # once, in this process, before the workers started
    mentions = [m for o in outcomes + again for m in o.mentions]
    assert len(mentions) == 8 and all(m.extra["ready"] for m in mentions)
    assert all(m.prepared is not None for m in mentions)


async def test_without_warming_each_worker_builds_its_own(server, tmp_path):
    """The probe can tell: without the warm-up the first post finds no preparer."""
    brand = f"Lumio{uuid.uuid4().hex[:6]}"
    pipeline = Pipeline([BrandConfig(name=brand, keywords=(brand.lower(),))])
    configs = [SourceConfig(name="f", kind="rss", url=server.route("/f", Reply(200, RSS, feed(1))))]
    prepare = partial(
        _probe_then_prepare, pipeline.prepare_step.fingerprint, pipeline.prepare_hook()
    )
    with Poller(configs, tmp_path / "sources", parse="process", prepare=prepare) as p:
        [outcome] = await p.poll_once(save=False)
    assert [m.extra["ready"] for m in outcome.mentions] == [False]
