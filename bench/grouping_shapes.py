"""The texts bench/ingest.py's farms serve, as grouping sees them, and placing them all.

`ingest_items` builds a farm (bench/feedfarm.py), parses every feed with the fetch's
parser and prepares each mention as the fetch's workers do (`Preparer.fields`: brands
and the normal form), keeping what `Pipeline.process` hands the grouper: so a
grouping-only run places exactly the 10,000 texts of the `onehost` first fetch (or the
~5,000 real tweets of `tweets`), in feed order, without HTTP, storage or the rest.

`place_all` times each placement (thread CPU and wall) and returns every decision, so
two implementations (`--baseline`: the grouping module of another checkout) are
compared in one run, under the same load, decision for decision.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import feedfarm  # noqa: E402
from sources.rss import parse_feed  # noqa: E402
from triage.config import BrandConfig  # noqa: E402
from triage.grouping import scope  # noqa: E402
from triage.pipeline import Preparer  # noqa: E402


@dataclass(frozen=True, slots=True)
class Item:
    """What `Pipeline.process` passes to `Grouper.place` for one mention."""

    id: str
    at: datetime
    norm: str
    keys: tuple[str, ...]
    brands: tuple[str, ...]
    counts: tuple[int, int] | None = None  # Prepared.counts, where the pipeline has them


SIZES = {"onehost": (200, 50), "tweets": (30, 500), "zipf": (200, 50)}  # bench/ingest.py's defaults


def ingest_items(shape: str) -> list[Item] | None:
    """The shape's mentions, parsed and prepared; None when its data is absent."""
    feeds, entries = SIZES[shape]
    with tempfile.TemporaryDirectory(prefix=f"grouping-{shape}-") as tmp:
        folder = Path(tmp)
        farm = feedfarm.build(shape, folder, feeds, entries)
        if farm is None:
            return None
        brands = [BrandConfig(name=n, keywords=k, handles=h) for n, k, h in farm.brands]
        preparer = Preparer(brands)
        items, seen = [], set()
        headers = {"content-type": "application/xml; charset=utf-8"}
        for name in farm.names:
            body = (folder / name).read_bytes()
            mentions, _ = parse_feed(body, headers, f"http://127.0.0.1/{name}", name, "rss")
            for m in mentions:
                if m.id in seen:  # the store keeps one mention per id
                    continue
                seen.add(m.id)
                fields = preparer.fields(m)
                prepared = fields["prepared"]
                found = scope(fields["brands"], m.text)  # type: ignore[arg-type]
                counts = getattr(prepared, "counts", None)
                items.append(Item(m.id, m.created_at, prepared.norm, prepared.keys, found, counts))  # type: ignore[attr-defined]
    return items


def baseline_module(checkout: Path) -> ModuleType:
    """`triage/grouping.py` of another checkout, loaded beside ours, with that checkout's
    `triage/grouping_bounds.py` when it has one (it imports `triage.normalize` and
    `triage.stopwords` from this one: compare branches that do not change those)."""
    ours = sys.modules.get("triage.grouping_bounds")
    bounds = checkout / "triage" / "grouping_bounds.py"
    try:
        if bounds.exists():
            sys.modules["triage.grouping_bounds"] = _load("baseline_grouping_bounds", bounds)
        return _load("baseline_grouping", checkout / "triage" / "grouping.py")
    finally:
        if ours is not None:
            sys.modules["triage.grouping_bounds"] = ours


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


Decision = tuple[str, str, float, str]  # group id, rule, score, compared with


def place_all(
    module: ModuleType, items: list[Item]
) -> tuple[float, list[float], list[float], dict[str, Decision]]:
    """(total thread CPU s, per-placement CPU ms, per-placement wall ms, decisions) of
    placing every item into one fresh grouper, as the pipeline does."""
    grouper = module.Grouper()
    # the counts the parse workers computed, to a grouper that takes them (issue 16)
    takes_counts = "counts" in inspect.signature(grouper.place).parameters
    cpu, wall, decisions = [], [], {}
    start = time.thread_time()
    for it in items:
        more = {"counts": it.counts} if takes_counts and it.counts is not None else {}
        c, t = time.thread_time_ns(), time.perf_counter_ns()
        m = grouper.place(it.id, "", it.at, norm=it.norm, keys=it.keys, brands=it.brands, **more)
        wall.append((time.perf_counter_ns() - t) / 1e6)
        cpu.append((time.thread_time_ns() - c) / 1e6)
        decisions[it.id] = (m.group_id, m.rule, round(m.score, 6), m.other_id)
    return time.thread_time() - start, cpu, wall, decisions
