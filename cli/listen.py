"""`veille fetch`, `veille sources`, `veille config check|init`: listening from the shell.

`fetch` polls every configured source once (cron-friendly), stores what is new, prints
one line per source and exits non-zero only when every source failed: one broken feed
must not page anyone at 3 a.m. Cursors and health are saved only after the store has
the mentions, so an interrupted fetch refetches rather than loses.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from cli.common import ConfigError, runtime, say

if TYPE_CHECKING:
    from app.runtime import Runtime
    from triage.config import Config

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    fetch = subparsers.add_parser("fetch", help="poll every source once and store what is new")
    fetch.add_argument("--source", action="append", metavar="NAME", help="only this source")
    fetch.add_argument(
        "--parse",
        choices=("process", "thread", "inline"),
        default="process",
        help="where feeds are parsed (default: a process per core)",
    )
    fetch.set_defaults(func=cmd_fetch)

    sources = subparsers.add_parser("sources", help="health of each configured source")
    sources.set_defaults(func=cmd_sources)

    config = subparsers.add_parser("config", help="check or create the configuration file")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help="validate the configuration file")
    check.set_defaults(func=cmd_config_check)
    init = config_sub.add_parser("init", help="write a commented example configuration")
    init.set_defaults(func=cmd_config_init)


def _load(args: argparse.Namespace) -> Runtime | None:
    try:
        return runtime(args)
    except ConfigError as exc:
        say("veille", exc)
        return None


def cmd_fetch(args: argparse.Namespace) -> int:
    import asyncio  # here: every command module loads to build the parser

    from app.ingest import ingest_once, make_poller
    from store.errors import StoreError
    from store.gcpause import cyclic_gc_paused

    rt = _load(args)
    if rt is None:
        return EXIT_USAGE
    config = rt.config
    names = args.source or [s.name for s in config.sources]
    known = {s.name for s in config.sources}
    for name in names:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            say("veille", f"no source named {name!r} (configured: {listed})")
            return EXIT_USAGE
    if not names:
        say("veille", f"no [[sources]] in {config.path}")
        return EXIT_USAGE
    with (
        make_poller(rt, parse=args.parse) as poller,
        cyclic_gc_paused(keep=True),  # one-shot bulk of acyclic records: store.gcpause
    ):
        try:
            run = asyncio.run(ingest_once(poller, rt.open_store, names, rt.config))
        except (StoreError, OSError) as exc:
            say("veille", f"could not store the mentions: {exc}")
            return EXIT_FAILED
    counted: set[str] = set()
    for outcome in run.outcomes:
        if not outcome.ok:
            print(f"{outcome.name}: error: {outcome.error}")
            continue
        if outcome.unchanged:
            print(f"{outcome.name}: unchanged (not modified since last fetch)")
        else:
            new = 0
            for m in outcome.mentions:
                if m.id in run.new_ids and m.id not in counted:
                    counted.add(m.id)
                    new += 1
            print(f"{outcome.name}: {new} new, {len(outcome.mentions) - new} unchanged")
        for warning in outcome.warnings:
            print(f"{outcome.name}: warning: {warning}")
    failed = len(run.failed)
    if len(run.outcomes) > 1:  # a cron log's last line says how the whole run went
        print(
            f"total: {len(run.outcomes)} sources, {len(run.new_ids)} new mentions, "
            f"{failed} failed; polled in {run.polled_seconds:.2f} s, "
            f"stored and grouped in {run.stored_seconds:.2f} s"
        )
    return EXIT_FAILED if failed == len(run.outcomes) else EXIT_OK


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = (when - now).total_seconds()
    future = seconds > 0
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            text = f"{seconds / size:.0f}{unit}"
            break
    else:
        text = f"{seconds:.0f}s"
    return f"in {text}" if future else f"{text} ago"


def cmd_sources(args: argparse.Namespace) -> int:
    from sources.health import HealthFiles
    from triage.model import utcnow
    from triage.text import one_line, sanitize

    rt = _load(args)
    if rt is None:
        return EXIT_USAGE
    config = rt.config
    files: HealthFiles = rt.health_files()  # the folder's, or the database's
    now = utcnow()
    rows = [("SOURCE", "KIND", "STATE", "LAST OK", "NEXT POLL", "ITEMS", "LAST ERROR")]
    for source in config.sources:
        h = files.load(source.name, source.kind)
        if h.last_ok is None and not h.last_error:
            state = "new"
        elif h.consecutive_failures:
            state = f"failing x{h.consecutive_failures}"
        else:
            state = "ok"
        rows.append(
            (
                source.name,
                source.kind,
                state,
                _ago(h.last_ok, now),
                _ago(h.next_poll, now) if h.next_poll else "now",
                str(h.items_seen),
                one_line(sanitize(h.last_error), 60) if h.last_error else "",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def config_warnings(config: Config) -> list[str]:
    """What is allowed but probably not meant (each part adds its checks here)."""
    from triage.brands import keyword_warnings  # fuzzy keywords one edit from a common word

    return keyword_warnings(config.brands)


def cmd_config_check(args: argparse.Namespace) -> int:
    rt = _load(args)
    if rt is None:
        return EXIT_FAILED
    config = rt.config
    warnings = config_warnings(config)
    for warning in warnings:
        say(config.path, f"warning: {warning}")
    print(
        f"{config.path}: OK — user {config.user}, {len(config.brands)} brands, "
        f"{len(config.sources)} sources, {len(config.teams)} teams, "
        f"{len(config.templates)} templates, {len(config.rules)} rules"
        + (f"; {len(warnings)} warnings" if warnings else "")
    )
    return EXIT_OK


def cmd_config_init(args: argparse.Namespace) -> int:
    from sources.config import config_path, example_config

    path = config_path(getattr(args, "config", None))
    if path.exists():
        print(f"veille: {path} already exists; not overwriting it", file=sys.stderr)
        return EXIT_FAILED
    path.parent.mkdir(parents=True, exist_ok=True)
    # 0600 whatever the umask: webhook URLs and SMTP settings are as good as secrets
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write(example_config())
    print(f"wrote {path}: edit it, then run `veille config check`")
    return EXIT_OK
