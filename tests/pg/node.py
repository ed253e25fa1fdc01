"""One veille node as a child process of the tests: an outbox sender or a writer.

python node.py send URL SERVER FOLDER HOLD   outbox passes until nothing is left
python node.py write URL USER N              N tag actions, each printed once acknowledged
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "outbound"))


def send(url: str, server: str, folder: str, hold: str) -> None:
    from world import make_config

    from app.services.outbox import OutboxWorker
    from store.postgres import PgStore

    with PgStore.open(url, user="tester") as store:
        store.hold_seconds = float(hold)
        Path(folder).mkdir(parents=True, exist_ok=True)
        worker = OutboxWorker(store, make_config(server), timeout=10, folder=Path(folder))
        sent = []
        for _ in range(50):
            outcomes = asyncio.run(worker.run_once())
            sent += [o.status.value for o in outcomes]
            if not outcomes and not store.pending_outbox():
                break
    print(json.dumps(sent), flush=True)


def write(url: str, user: str, n: str) -> None:
    from store.postgres import PgStore

    with PgStore.open(url, user=user) as store:
        print("ready", flush=True)
        for i in range(int(n)):
            store.tag("rss:1", add=[f"{user}-{i}"])
            print(f"{user}-{i}", flush=True)  # acknowledged: committed


if __name__ == "__main__":
    {"send": send, "write": write}[sys.argv[1]](*sys.argv[2:])
