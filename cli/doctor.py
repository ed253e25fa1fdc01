"""`veille doctor`: show the store's damaged files, and repair them with --repair."""

from __future__ import annotations

import argparse

from cli.common import ConfigError, runtime, say


def cmd_doctor(args: argparse.Namespace) -> int:
    from store import doctor
    from store.errors import StoreError
    from store.postgres import PgStore

    try:
        rt = runtime(args, required=False)
        inbox = rt.open_store(pipeline=False, lock_timeout=args.wait)
    except (ConfigError, StoreError) as exc:
        say("veille doctor", exc)
        return 3
    with inbox:
        if rt.store_url:  # PostgreSQL keeps its own consistency (schema checked at open)
            print(f"{rt.store_name}: a PostgreSQL store, schema up to date; nothing to repair")
            return 0
        assert not isinstance(inbox, PgStore)
        found = doctor.examine(inbox)
        if not found:
            print(f"{inbox.location}: no damaged file found")
            return 0
        for damage in found:
            print(f"damaged: {damage.problem}")
            if damage.repair and not args.repair:
                print(f"  repair: {damage.repair} (veille doctor --repair)")
        if not args.repair:
            return 1
        try:
            for damage in found:
                if damage.repair:
                    print(f"repaired: {doctor.repair(inbox, damage)}")
        except StoreError as exc:
            say("veille doctor", exc)
            return 3
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "doctor",
        help="find damaged store files; --repair rebuilds or sets them aside",
        description="Find damaged store files and say how to repair them. --repair rebuilds "
        "a state file from the journal and moves a damaged day of mentions aside (refetch).",
    )
    p.add_argument("--repair", action="store_true", help="repair what can be repaired")
    p.add_argument("--wait", type=float, default=10.0, metavar="S", help="seconds for the lock")
    p.set_defaults(func=cmd_doctor)
