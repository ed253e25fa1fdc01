"""Run a measuring script under another checkout's code, in a fresh process.

A bench that compares two checkouts (`--baseline DIR`) runs the same child code under each:
PYTHONPATH names the checkout, PYTHONDONTWRITEBYTECODE is dropped (else every run would
recompile every module, a cost an installed veille never pays), and the child prints its
figures as one JSON line, the last of its output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_child(checkout: Path, code: str, *argv: str) -> dict[str, Any]:
    """Run `code` (python -c) with `argv` under `checkout`; its last line, read as JSON.
    A failing child prints the end of its stderr and stops the bench."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                         text=True, env=env, cwd=checkout)  # fmt: skip
    if out.returncode:
        print(out.stderr[-3000:])
        raise SystemExit(1)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
