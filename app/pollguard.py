"""One poller per source across processes: a store's poller wrapped in source locks.

`make_poller` wraps the poller of a PostgreSQL store (app.ingest): every `poll_once` -
the watch's loop, `veille fetch`, the inbox's own polling - first takes the sources'
advisory locks (store.postgres.sourcelocks), polls only those it got, and says of the
others that another node is polling them. A source whose record changed between the
caller's look (its last `health()`) and the lock - another node just polled it - is
left for its next turn. The
locks are held until the source's cursor and health are saved (`save`), so no second
node can see it due in between. The poller's own code (sources/poller.py) is untouched:
only its `poll_once`, `save` and `close` are wrapped on this instance.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sources.poller import Poller, SourceOutcome
from store.postgres.sourcelocks import SourceLocks

BUSY = "another veille process is polling this source right now; skipped this round"


def _mark(record: Any) -> tuple[Any, ...]:
    return (record.last_ok, record.last_error_at, record.next_poll)


def _load_mark(poller: Poller, name: str) -> tuple[Any, ...]:
    return _mark(poller.files.load(name, poller.configs[name].kind))


def guard_sources(poller: Poller, url: str) -> Poller:
    """Wrap `poller` (in place) so that it polls a source only under its lock."""
    locks = SourceLocks(url)
    poll_once, save, close, health = poller.poll_once, poller.save, poller.close, poller.health
    decided: dict[str, tuple[Any, ...]] = {}  # the records the caller last chose from

    def guarded_health() -> list[Any]:
        records = health()
        decided.update((r.name, _mark(r)) for r in records)
        return records

    async def guarded_poll(
        names: Iterable[str] | None = None, *, save: bool | None = None
    ) -> list[SourceOutcome]:
        chosen = list(poller.configs) if names is None else list(names)
        known = [n for n in chosen if n in poller.configs]
        if len(known) != len(chosen):
            return await poll_once(chosen, save=save)  # the poller says which is unknown
        # what the caller saw when it chose (the watch and the inbox pick due sources from
        # `health()` just before), else the records as they are now (`veille fetch`)
        seen = {n: decided.pop(n) if n in decided else _load_mark(poller, n) for n in chosen}
        taken = locks.take(chosen)
        moved = {n for n in taken if _load_mark(poller, n) != seen[n]}  # polled meanwhile
        locks.release(moved)
        mine = [n for n in chosen if n in taken and n not in moved]
        saves = poller.on_mentions is not None if save is None else save
        try:
            outcomes = await poll_once(mine, save=save) if mine else []
        finally:
            if saves:
                locks.release(mine)
        got = {o.name: o for o in outcomes}
        for name in chosen:
            if name not in got:
                got[name] = SourceOutcome(
                    name, poller.configs[name].kind, unchanged=True, warnings=[BUSY]
                )
        return [got[n] for n in chosen]

    def guarded_save(outcomes: Iterable[SourceOutcome]) -> list[Any]:
        held = [o for o in outcomes if o.name in locks.held]
        try:
            return save(held)  # the skipped ones are another node's to record
        finally:
            locks.release(o.name for o in held)

    def guarded_close() -> None:
        try:
            close()
        finally:
            locks.close()

    poller.poll_once = guarded_poll  # type: ignore[method-assign]
    poller.save = guarded_save  # type: ignore[method-assign]
    poller.close = guarded_close  # type: ignore[method-assign]
    poller.health = guarded_health  # type: ignore[method-assign]
    return poller
