"""`veille` (no subcommand): the inbox on the configured store; `veille demo`: the inbox on
bundled sample data, fed through the real ingestion path, with no network and no config.

Exit codes: 0 quit normally; 2 bad configuration (told in words); 3 the store is busy or
unreadable; 129 the terminal hung up (tui/terminal.py: the inbox quits rather than spin).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import ConfigError, open_store_deferred, runtime, say


def cmd_inbox(args: argparse.Namespace) -> int:
    from store.errors import StoreError
    from tui.app import VeilleApp
    from tui.integration import app_services

    try:
        rt = runtime(args)
    except ConfigError as exc:
        say("veille", exc)
        if exc.reason.startswith("no configuration file"):
            say("veille", "`veille config init` writes an example; `veille demo` shows the inbox")
        return 2
    try:
        inbox = open_store_deferred(rt, pipeline=True)  # first screen first
    except StoreError as exc:
        say("veille", exc)
        return 3
    with inbox:
        for problem in inbox.problems:
            say("veille", f"warning: {problem}")
        app = VeilleApp(inbox, rt.config, **app_services(rt, inbox))
        app.run()
    return app.return_code or 0


def cmd_demo(args: argparse.Namespace) -> int:
    import asyncio  # here: every command module loads to build the parser
    import tempfile

    from app.runtime import Runtime
    from tui.app import VeilleApp
    from tui.demo.feed import demo_config, fill_store
    from tui.demo.server import DemoServer
    from tui.integration import app_services

    with DemoServer() as server, tempfile.TemporaryDirectory(prefix="veille-demo-") as tmp:
        config = demo_config(server.url, Path(tmp))
        store: str | Path = Path(args.demo_store) if args.demo_store else Path(tmp) / "store"
        if str(getattr(args, "store", "") or "").startswith("postgresql://"):
            store = args.store  # the demo's sample data into a PostgreSQL store (issue 15)
        rt = Runtime.of(config, store)
        with rt.open_store() as inbox:
            try:
                count = asyncio.run(fill_store(config, inbox, Path(tmp)))
            except Exception as exc:  # the demo must say why it cannot start
                say("veille demo", f"could not load the sample data: {exc}")
                return 1
            if args.load_only:
                print(f"veille demo: {count} mentions stored in {rt.store_name}")
                return 0
            services = app_services(Runtime.of(config, Path(tmp)), inbox)
            app = VeilleApp(inbox, config, **services)
            app.run()
    return app.return_code or 0


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


default = cmd_inbox  # `veille` with no subcommand (see cli/main.py)
