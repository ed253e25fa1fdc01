"""`veille` (no subcommand): the inbox on the configured store; `veille demo`: the inbox on
bundled sample data, fed through the real ingestion path, with no network and no config.

Exit codes: 0 quit normally; 2 bad configuration (told in words); 3 the store is busy or
unreadable.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any


def _pipeline(config: Any) -> Any:
    """The triage pipeline (brand matching, grouping, priority) when installed."""
    try:
        from triage.pipeline import Pipeline
    except ImportError:
        return None
    return Pipeline(config.brands, config.sla)


def app_services(config: Any, inbox: Any, health_folder: Path) -> dict[str, Any]:
    """What the app gets from the other parts: thread fetcher, SLA clock, reply checks,
    spikes, outbound, source health. Each is optional: a part not installed is left out."""
    from triage.model import utcnow
    from tui.integration import (
        make_health,
        make_outbound,
        make_sla_left,
        make_spike,
        make_thread_fetcher,
    )

    return {
        "fetch_thread": make_thread_fetcher(config),
        "sla_left": make_sla_left(config, inbox),
        "spike": make_spike(config),
        "outbound": make_outbound(config, inbox),
        "health": make_health(config, health_folder, utcnow),
    }


def cmd_inbox(args: argparse.Namespace) -> int:
    from sources.config import ConfigError, load_config
    from store.errors import StoreError
    from store.inbox import Inbox
    from tui.app import VeilleApp
    from tui.commands.triage import config_file, store_path

    path = config_file(args)
    try:
        config = load_config(path if path.exists() else None)
    except ConfigError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError:
        print(
            f"veille: no configuration at {path}; `veille config init` writes an example, "
            "`veille demo` shows the inbox on sample data",
            file=sys.stderr,
        )
        return 2
    try:
        inbox = Inbox.open(store_path(args), user=config.user, pipeline=_pipeline(config))
    except StoreError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return 3
    with inbox:
        for problem in inbox.problems:
            print(f"veille: warning: {problem}", file=sys.stderr)
        VeilleApp(inbox, config, **app_services(config, inbox, inbox.root / "sources")).run()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from store.inbox import Inbox
    from tui.app import VeilleApp
    from tui.demo.feed import demo_config, fill_store
    from tui.demo.server import DemoServer

    with DemoServer() as server, tempfile.TemporaryDirectory(prefix="veille-demo-") as tmp:
        config = demo_config(server.url, Path(tmp))
        store = Path(args.demo_store) if args.demo_store else Path(tmp) / "store"
        inbox = Inbox.open(store, user=config.user, pipeline=_pipeline(config))
        with inbox:
            try:
                count = asyncio.run(fill_store(config, inbox, Path(tmp)))
            except Exception as exc:  # the demo must say why it cannot start
                print(f"veille demo: could not load the sample data: {exc}", file=sys.stderr)
                return 1
            if args.load_only:
                print(f"veille demo: {count} mentions stored in {store}")
                return 0
            services = app_services(config, inbox, Path(tmp) / "sources")
            VeilleApp(inbox, config, **services).run()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="the inbox on bundled sample data (no network, no configuration)",
        description="Serves sample posts about a fictional brand (Lumio) on 127.0.0.1, "
        "fetches them with the real sources code into a temporary store, and opens the inbox.",
    )
    p.add_argument("--load-only", action="store_true", help="fill the store, print, and exit")
    p.add_argument("--demo-store", help=argparse.SUPPRESS)  # keep the demo store (tests)
    p.set_defaults(func=cmd_demo)


default = cmd_inbox  # `veille` with no subcommand (see tui/cli.py)
