"""A child process for the reliability tests: acts on a store and prints acknowledgements.

    python actor.py STORE USER SEED COUNT [ingest]

Each line printed means "this action returned, so it is durable". The parent kills the
process at random moments and checks every acknowledged action is still there.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store.errors import StoreLocked
from store.inbox import Inbox
from triage.model import Author, Mention


def main() -> None:
    store, user, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ingest = len(sys.argv) > 5 and sys.argv[5] == "ingest"
    rng = random.Random(seed)
    inbox = Inbox.open(Path(store), user=user, lock_timeout=30)
    base = datetime(2026, 11, 20, tzinfo=UTC)
    for n in range(count):
        if ingest:
            batch = [
                Mention(
                    id=f"rss:{user}-{n}-{k}",
                    platform="rss",
                    source="poller",
                    url="https://e/x",
                    author=Author("poller"),
                    text=f"new {n} {k}",
                    created_at=base + timedelta(minutes=n),
                    fetched_at=base,
                )
                for k in range(5)
            ]
            try:
                inbox.ingest(batch)
            except StoreLocked:
                continue
            print("ingest", " ".join(m.id for m in batch), flush=True)
            continue
        target = f"rss:{rng.randrange(20)}"
        tag = f"{user}-{n}"
        try:
            inbox.tag(target, add=[tag])
        except StoreLocked:
            continue
        print("tag", target, tag, flush=True)


if __name__ == "__main__":
    main()
