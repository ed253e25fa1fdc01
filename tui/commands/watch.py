"""`veille watch`: the headless on-call mode (polls, stores, alerts; see tui/services/watch.py).

Exit codes: 0 stopped cleanly (SIGTERM, SIGINT, or --once done); 2 bad configuration
(told in words on stderr); 3 the store is busy or unreadable.
"""

from __future__ import annotations

import argparse
import asyncio
import sys


def cmd_watch(args: argparse.Namespace) -> int:
    from sources.secrets import SecretError
    from store.errors import StoreError
    from tui.commands.triage import config_file, store_path
    from tui.services.settings import SettingsError, load_watch_settings
    from tui.services.watch import Watch, log_line

    path = config_file(args)
    try:
        from sources.config import ConfigError, load_config
    except ImportError:
        print(
            "veille watch: the configuration loader (sources/config.py) is not installed",
            file=sys.stderr,
        )
        return 2
    try:
        config = load_config(path)
        settings = load_watch_settings(config.path or path)
    except (ConfigError, SettingsError, SecretError, OSError) as exc:
        print(f"veille watch: {exc}", file=sys.stderr)
        return 2
    watch = Watch(config, store_path(args), settings, tick=args.tick)
    try:
        return asyncio.run(watch.run(once=args.once))
    except StoreError as exc:
        log_line("store error", why=str(exc))
        return 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "watch",
        help="headless on-call mode: poll, store, alert on urgent mentions, spikes, SLA",
        description="Poll every source on its schedule, store and group what arrives, send "
        "pending replies and hand-offs, and alert ([watch] alert_webhook, alert_email, bell) "
        "on urgent mentions, spikes and SLAs about to breach. Stops cleanly on SIGTERM.",
    )
    p.add_argument("--tick", type=float, default=30.0, help="seconds between alert checks (30)")
    p.add_argument("--once", action="store_true", help="one check of alerts and outbox, then exit")
    p.set_defaults(func=cmd_watch)
