"""Crash injection, for testing only: `VEILLE_CRASH_AT=NAME` kills the process at NAME.

Durability is proved the way SQLite proves it: by dying on purpose at every write step
and checking what the next process finds. The named points are:

    after-journal  an action's journal line is durable, its state file not yet written
    after-state    the state file is written, the generation hint not yet bumped
    mid-ingest     the first day file of an ingest batch is written, the others not yet
    after-post     the outbox sent a request, its answer not yet recorded
    after-owed     an ingest's record of rules owed is durable, its posts not yet stored
    before-rules   an ingest's posts are stored, their rules not yet run (app.rules)
    mid-rules      one rule has acted on one group, the others not yet (app.rules)
    mid-steps      one action of a rule's application is made, the next not yet (app.rules)

`NAME@N` dies at the Nth time the point is reached (default: the first). Never set it
outside tests: the process dies with SIGKILL, like the OOM killer would kill it.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "after-journal", "after-state", "mid-ingest", "after-post",
    "after-owed", "before-rules", "mid-rules", "mid-steps",
)  # fmt: skip
_hits: dict[str, int] = {}


def crash_point(name: str) -> None:
    """SIGKILL this process if VEILLE_CRASH_AT names this point (and its count is reached)."""
    wanted = os.environ.get("VEILLE_CRASH_AT")
    if not wanted:
        return
    point, _, count = wanted.partition("@")
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= (int(count) if count.isdigit() else 1):
        os.kill(os.getpid(), signal.SIGKILL)
