"""Find the damaged files of a store and repair what can be repaired.

A state bucket is rebuilt from the journal (it is the redo log of every action: the
state of each target is its events replayed in order). A day file of mentions cannot be
rebuilt (mentions are not journaled): it is moved aside, never deleted, and the next
fetch stores again what the sources still serve. Damaged journal lines are reported: a
torn last line was never acknowledged; others are kept for a human to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.inbox import Inbox
from store.partitions import BUCKETS, bucket_of
from store.storage import CorruptFile, records
from triage.model import TriageState


@dataclass(slots=True)
class Damage:
    kind: str  # state | mentions | journal | other
    path: Path | None
    problem: str
    repair: str  # what --repair does, in words ("" when nothing can be done)


def examine(inbox: Inbox) -> list[Damage]:
    """Every damaged file of the store, each once, in words."""
    found: list[Damage] = []
    for n in range(BUCKETS):
        try:
            records(inbox.files._bucket_db(n))
        except CorruptFile as exc:
            found.append(
                Damage("state", inbox.files.bucket_path(n), str(exc), "rebuild it from the journal")
            )
    for path in sorted((inbox.root / "mentions").glob("*.json")):
        try:
            records(inbox.files._day_db(path))
        except CorruptFile as exc:
            found.append(
                Damage("mentions", path, str(exc), "move it aside; `veille fetch` refetches")
            )
    inbox.journal.check(lambda problem: found.append(Damage("journal", None, problem, "")))
    for quarantined in sorted(inbox.root.glob("*/*.damaged-*")):
        found.append(
            Damage("other", quarantined, f"{quarantined} was set aside as damaged earlier", "")
        )
    return found


def rebuild_bucket(inbox: Inbox, n: int) -> tuple[Path, int]:
    """Move bucket `n` aside and write it again from the journal: (where it went, targets)."""
    with inbox.mutex, inbox.lock:
        states: dict[str, dict[str, Any]] = {}
        for event in inbox.events():
            if bucket_of(event.target) != n:
                continue
            data = states.get(event.target) or TriageState(event.target).to_json()
            data.update(event.after)
            data["rev"] = event.rev
            states[event.target] = data
        moved = inbox.files.quarantine(inbox.files.bucket_path(n))
        for data in states.values():
            inbox.files.write_state(TriageState.from_json(data))
        inbox._bump_generation()
        return moved, len(states)


def repair(inbox: Inbox, damage: Damage) -> str:
    """Repair one damage; what was done, in words."""
    if damage.kind == "state" and damage.path is not None:
        n = int(damage.path.stem.rsplit("-", 1)[1])
        moved, count = rebuild_bucket(inbox, n)
        return f"rebuilt {damage.path.name} from the journal ({count} targets); the damaged copy is {moved.name}"
    if damage.kind == "mentions" and damage.path is not None:
        with inbox.mutex, inbox.lock:
            moved = inbox.files.quarantine(damage.path)
        return f"moved {damage.path.name} aside as {moved.name}; run `veille fetch` to refetch"
    return "nothing to repair"
