"""A folder store opened for scripted actions: `veille tag|status|assign|note|undo`.

Opening `store.inbox.Inbox` reads the whole mention archive (a second at 100,000
mentions) although one tag needs none of it. This one takes the lock, checks the
schema, redoes a killed writer's last commit and checks the journal as every open
does, then resolves ids through `store.ids.IdIndex` and reads only the state buckets
an action touches. The actions themselves are `store.acting.Acting`'s, the same code
the inbox runs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from store.acting import Acting
from store.errors import NotFound, StoreError
from store.files import clean_temp_files, describe_io_error
from store.ids import IdIndex
from store.journal import Journal
from store.lock import StoreLock
from store.partitions import Partitions, bucket_of
from store.schema import check_schema
from triage.model import Event, Mention, TriageState
from triage.stories import story_from_states


class StatesOnly:
    """The `Partitions` sink of a scripted store: states kept, mention records ignored."""

    def __init__(self) -> None:
        self.raw: dict[str, dict[str, Any]] = {}
        self.states: dict[str, TriageState] = {}

    def add_record(self, rec: dict[str, Any], mention: Mention | None = None) -> None:
        pass

    def set_state(self, state: TriageState) -> None:
        self.states[state.target] = state


class ScriptedStore(Acting):
    """The actions of the Store protocol, on the few files they need."""

    def __init__(self, root: Path, user: str, lock_timeout: float) -> None:
        self.root = root
        self.user = user
        self.lock = StoreLock(root / "lock", timeout=lock_timeout)
        self.mutex = threading.RLock()
        self.problems: list[str] = []
        self._sink = StatesOnly()
        self.ids = IdIndex(root, self._report)
        self.files = Partitions(root, self._sink, self._report, self.ids)
        self.journal = Journal(root / "journal")
        self._init_acting()

    @classmethod
    def open(
        cls, path: str | Path, *, user: str, lock_timeout: float = 10.0, create: bool = True
    ) -> ScriptedStore:
        root = Path(path).expanduser()
        try:
            if not root.exists():
                if not create:
                    raise StoreError(f"no store at {root}")
                root.mkdir(parents=True, mode=0o700)
            for sub in ("mentions", "state", "journal"):
                (root / sub).mkdir(exist_ok=True)
            store = cls(root, user, lock_timeout)
            with store.lock:
                check_schema(root)
                clean_temp_files(root)
                store._redo_tail()
                store.journal.check(store._report)  # damaged lines said by every command
            store._seen_generation = store.generation
            return store
        except OSError as exc:  # unreadable lock, read-only folder...: one line, no traceback
            raise StoreError(describe_io_error(exc, root)) from exc

    @property
    def location(self) -> str:
        return str(self.root)

    def close(self) -> None:
        self.files.close()

    def __enter__(self) -> ScriptedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the actions ask of their host

    def resolve(self, target: str) -> str:
        """The group id for a group or mention id; NotFound otherwise."""
        group = self.ids.group_of(target)
        if group is not None:  # a story fixed by hand (merge, split) wins over the record's
            return story_from_states(target, group, self.state)
        if target in self._bucket_states(target):  # a mention acted on alone
            return target
        raise NotFound(f"no mention or group with id {target!r}")

    def state(self, target: str) -> TriageState:
        return self._bucket_states(target).get(target) or TriageState(target)

    def refresh(self, force: bool = False) -> bool:
        """Nothing is kept but states, and each is re-read by signature before a write."""
        return False

    def events(self, since: datetime | None = None) -> Iterator[Event]:
        for event in self.journal.read_all(self._report):
            if since is None or event.at >= since:
                yield event

    def _bucket_states(self, target: str) -> dict[str, TriageState]:
        n = bucket_of(target)
        if self.files.bucket_changed(n):
            self.files.load_bucket(n)
        return self._sink.states
