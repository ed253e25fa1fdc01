"""Who acts: the store's user, or for a while on one thread someone else (a rule).

`Inbox.user` reads this thread's actor first, so the journal's event, `updated_by`,
a note's author and a hand-off's sender all say `rule:refund-fr` while the rule acts,
and undo finds the rule's actions by that name. Thread-local: the inbox's own
keystrokes on the UI thread stay the person's while the poller's thread applies rules.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class ActingUser:
    """The `user` attribute of a store: this thread's actor, else the store's user."""

    def __get__(self, inbox: Any, owner: Any = None) -> str:
        local = inbox.__dict__.get("_acting")
        actor = getattr(local, "actor", None) if local is not None else None
        return actor or inbox.__dict__.get("_user", "")

    def __set__(self, inbox: Any, user: str) -> None:
        inbox.__dict__["_user"] = user


@contextmanager
def acting_as(inbox: Any, who: str) -> Iterator[str]:
    """Inside, this thread's actions are made (and journaled) as `who`."""
    local = inbox.__dict__.setdefault("_acting", threading.local())
    previous = getattr(local, "actor", None)
    local.actor = who
    try:
        yield who
    finally:
        local.actor = previous

