"""The `veille` command: one entry point, one module per group of subcommands.

Each module in COMMAND_MODULES exposes `register(subparsers)`, which adds its
subcommands with `set_defaults(func=...)`; a func takes the parsed args and returns the
exit code. Modules import their heavy dependencies (Textual, httpx) lazily so that a
scripted `veille tag` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES: tuple[str, ...] = (
    "cli.inbox",  # veille (no subcommand), veille demo
    "cli.triage",  # list, show, tag, status, assign, note, undo
    "cli.listen",  # fetch, sources, config check/init
    "cli.watch",  # watch
    "cli.report",  # report, export
    "cli.doctor",  # doctor
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="veille", description="A keyboard-driven terminal inbox for community managers."
    )
    parser.add_argument(
        "--config", help="configuration file (default: $VEILLE_CONFIG or the user config folder)"
    )
    parser.add_argument(
        "--store", help="store folder (default: $VEILLE_STORE or the user data folder)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
        if callable(getattr(module, "default", None)):  # the module behind plain `veille`
            parser._veille_default = module.default  # type: ignore[attr-defined]
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        default = getattr(parser, "_veille_default", None)
        if default is None:
            parser.print_help()
            return 2
        func = default
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a full disk, a file we may not read: one line, no traceback
        from store.files import describe_io_error

        # a write that fails at close (ENOSPC) names no file: the one asked for is it
        print(f"veille: {describe_io_error(exc, getattr(args, 'output', None))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
