"""What every subcommand shares: the runtime from --config/--store, errors in words."""

from __future__ import annotations

import argparse
import sys

from app.runtime import ConfigError, Runtime

EXIT_REFUSED, EXIT_USAGE, EXIT_BUSY = 1, 2, 3


def runtime(args: argparse.Namespace, *, required: bool = True) -> Runtime:
    """The runtime for these arguments; ConfigError (in words, with the line) if the
    configuration is wrong. `required=False`: no file means defaults."""
    return Runtime.load(
        getattr(args, "config", None), getattr(args, "store", None), required=required
    )


def say(prefix: str, message: object) -> None:
    print(f"{prefix}: {message}", file=sys.stderr)


__all__ = ["EXIT_BUSY", "EXIT_REFUSED", "EXIT_USAGE", "ConfigError", "runtime", "say"]
