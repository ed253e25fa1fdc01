"""`veille store copy FROM TO`: move a whole store between a folder and PostgreSQL."""

from __future__ import annotations

import argparse

from cli.common import ConfigError, runtime, say

EXIT_FAILED = 1
EXIT_USAGE = 2


def cmd_copy(args: argparse.Namespace) -> int:
    from app.runtime import Runtime
    from store.errors import StoreError
    from store.postgres.copy import copy_store

    try:
        base = runtime(args, required=False)
        src_rt = Runtime.of(base.config, args.source)
        dst_rt = Runtime.of(base.config, args.destination)
    except ConfigError as exc:
        say("veille store copy", exc)
        return EXIT_USAGE
    if not src_rt.store_url and not src_rt.store_path.exists():
        say("veille store copy", f"no store at {src_rt.store_name}")
        return EXIT_USAGE
    try:
        with (
            src_rt.open_store(pipeline=False, create=False) as src,
            dst_rt.open_store(pipeline=False, create=True) as dst,
        ):
            done = copy_store(src, dst, say=lambda line: print(f"veille store copy: {line}"))
    except StoreError as exc:
        say("veille store copy", exc)
        return EXIT_FAILED
    print(f"veille store copy: {src_rt.store_name} -> {dst_rt.store_name}: {done.line()}, checked")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "store",
        help="move a store between a folder and PostgreSQL (store copy FROM TO)",
        description="Manage stores. `store copy FROM TO` copies a whole store (folder or "
        "postgresql:// URL) into an empty one, checks the counts, and leaves FROM untouched.",
    )
    actions = p.add_subparsers(dest="store_command", required=True)
    copy = actions.add_parser("copy", help="copy FROM into the empty store TO")
    copy.add_argument("source", metavar="FROM", help="a store folder or postgresql:// URL")
    copy.add_argument("destination", metavar="TO", help="a new folder or an empty database")
    copy.set_defaults(func=cmd_copy)
