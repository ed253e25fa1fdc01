"""A child process that ingests one batch spanning several days, as a fetch would.

    python ingest_actor.py STORE FIRST COUNT

Prints "ingested N" once the batch is stored (acknowledged).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from store.inbox import Inbox
from tests.crash.helpers import mention


def main() -> None:
    store, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    batch = [mention(i, day=20 + i % 3) for i in range(first, first + count)]
    with Inbox.open(Path(store), user="poller") as inbox:
        fresh = inbox.ingest(batch)
    print("ingested", len(fresh), flush=True)


if __name__ == "__main__":
    main()
