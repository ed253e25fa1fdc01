"""`veille rules list|test|undo`: the configuration's [[rules]] seen from the shell.

`list` shows them in the order they apply; `test FILTER` (a rule's `when`, or a rule's
name) shows what it would have matched in the store, without changing anything (a
group the named rule already acted on says `applied`);
`undo NAME` takes back the rule's last application (one group, all its actions).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.common import EXIT_REFUSED, EXIT_USAGE, ConfigError, json_line, runtime, say

if TYPE_CHECKING:
    from app.runtime import Runtime
    from triage.filter import Filter
    from triage.protocol import Store


def cmd_list(args: argparse.Namespace) -> int:
    from triage.text import one_line

    try:
        rt = runtime(args, required=False)
    except ConfigError as exc:
        say("veille", exc)
        return EXIT_USAGE
    if not rt.config.rules:
        print("no rules: add [[rules]] tables to the configuration (see the README)")
        return 0
    for n, rule in enumerate(rt.config.rules, start=1):
        if args.json:
            print(json_line({"order": n, "name": rule.name, "when": rule.when,
                             "does": rule.describe()}))  # fmt: skip
        else:
            print(f"{n}. {rule.name}\twhen {one_line(rule.when, 80)}\t-> {rule.describe()}")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from app.rules import people_of
    from triage.filter import FilterError, KnownValues, parse_filter
    from triage.model import utcnow
    from triage.rules import applied
    from triage.text import one_line

    text = " ".join(args.filter)

    def action(store: Store, rt: Runtime) -> int:
        named = {r.name: r for r in rt.config.rules}
        when = named[text].when if text in named else text
        people = people_of(store)
        brands = [b.name for b in rt.config.brands] or None
        try:
            flt = parse_filter(when, KnownValues(brands=brands, people=people.tag_index()))
        except FilterError as exc:
            say("veille", f"invalid filter: {exc}")
            return EXIT_USAGE
        if flt.is_empty:
            say("veille", "give a filter (a rule's when) or a rule's name")
            return EXIT_USAGE
        ctx_now = utcnow()
        ids = store.ranked_ids(_as_written(flt), ctx_now)  # as at ingest: no spelling expansion
        for gid in ids[: args.limit]:
            view = store.view(gid)
            m = view.leader
            done = "\tapplied" if text in named and applied(view.state, text) else ""
            print(f"{gid}\t{view.state.status.value}\t{m.platform}\t"
                  f"{one_line(m.author.display, 30)}\t{one_line(m.text or m.title, 80)}{done}")  # fmt: skip
        more = f" (the first {args.limit} shown)" if len(ids) > args.limit else ""
        print(f"{len(ids)} group(s) would match{more}: {one_line(when, 120)}", file=sys.stderr)
        return 0

    return _run(args, action)


def _as_written(flt: Filter) -> Filter:
    """The filter as a rule applies it: free words as written (a substring, accents and
    case ignored), never widened by the store's vocabulary, so a rule does what it says."""
    from dataclasses import replace

    return replace(flt, _fuzzy_done=True)


def cmd_undo(args: argparse.Namespace) -> int:
    def action(store: Store, rt: Runtime) -> int:
        event = store.undo(user="rule:" + args.name)
        if event is None:
            say("veille", f"rule {args.name!r} has nothing to undo")
            return EXIT_REFUSED
        print(f"undone: rule {args.name} on {event.target} ({event.at:%Y-%m-%d %H:%M} UTC)")
        return 0

    return _run(args, action)


def _run(args: argparse.Namespace, action: object) -> int:
    from cli.triage import _run as run_on_store

    return run_on_store(args, action)  # type: ignore[arg-type]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="the configuration's rules: list, test, undo")
    rules = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    q = rules.add_parser("list", help="the rules, in the order they apply")
    q.add_argument("--json", action="store_true", help="one JSON object per line")
    q.set_defaults(func=cmd_list)
    q = rules.add_parser(
        "test", help="what a rule (its name or a filter) would have matched in the store",
        add_help=False,
    )  # fmt: skip
    q.add_argument("--help", action="help", help="show this help and exit")
    q.add_argument("filter", nargs="*", help='a rule\'s name, or e.g. "brand:Lumio remboursement"')
    q.add_argument("--limit", type=int, default=50, help="groups listed at most (default 50)")
    q.add_argument("--wait", type=float, default=10.0, metavar="S", help="store lock wait")
    q.set_defaults(func=cmd_test)
    q = rules.add_parser("undo", help="undo a rule's last application (one group)")
    q.add_argument("name", help="the rule's name")
    q.add_argument("--wait", type=float, default=10.0, metavar="S", help="store lock wait")
    q.set_defaults(func=cmd_undo)
