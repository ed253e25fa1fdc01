"""`veille watch`: the headless on-call mode (polls, stores, alerts; see app/services/watch.py).

Exit codes: 0 stopped cleanly (SIGTERM, SIGINT, or --once done); 2 bad configuration
(told in words on stderr); 3 the store is busy or unreadable.
"""

from __future__ import annotations

import argparse

from cli.common import ConfigError, runtime, say


def cmd_watch(args: argparse.Namespace) -> int:
    import asyncio  # here: every command module loads to build the parser

    from app.services.settings import watch_settings
    from app.services.watch import Watch, log_line
    from sources.secrets import SecretError
    from store.errors import StoreError

    try:
        rt = runtime(args)
        settings = watch_settings(rt.config)
    except (ConfigError, SecretError, OSError) as exc:
        say("veille watch", exc)
        return 2
    watch = Watch(rt.config, rt.store_path, settings, tick=args.tick)
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
