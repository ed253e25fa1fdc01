"""What every subcommand shares: the runtime from --config/--store, errors in words."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sources.config_lines import ConfigError  # light: the schema loads on use

if TYPE_CHECKING:
    from app.runtime import Runtime

# Every command module is imported to build the parser, so each imports its heavy parts
# (the store, the schema, Textual) inside the function that needs them: `veille tag`
# must start fast.
EXIT_REFUSED, EXIT_USAGE, EXIT_BUSY = 1, 2, 3


def runtime(args: argparse.Namespace, *, required: bool = True) -> Runtime:
    """The runtime for these arguments; ConfigError (in words, with the line) if the
    configuration is wrong. `required=False`: no file means defaults."""
    from app.runtime import Runtime

    return Runtime.load(
        getattr(args, "config", None), getattr(args, "store", None), required=required
    )


def say(prefix: str, message: object) -> None:
    print(f"{prefix}: {message}", file=sys.stderr)


__all__ = ["EXIT_BUSY", "EXIT_REFUSED", "EXIT_USAGE", "ConfigError", "runtime", "say"]
