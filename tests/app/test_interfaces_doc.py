"""docs/interfaces.md stays true: every name it documents imports."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "interfaces.md"
OURS = ("triage", "store", "sources", "app", "cli", "tui")


def _blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_every_import_in_the_code_blocks_works():
    lines = [
        line
        for block in _blocks(DOC.read_text(encoding="utf-8"))
        for line in block.splitlines()
        if line.startswith("from ")
    ]
    assert len(lines) > 20
    for line in lines:
        code = line.split("#")[0].strip()
        exec(code, {})  # a documented seam that does not import fails here, with its line


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            found = getattr(found, attr)
        return found
    raise ModuleNotFoundError(dotted)


def test_every_dotted_name_in_the_prose_exists():
    text = DOC.read_text(encoding="utf-8")
    names = set(re.findall(rf"`((?:{'|'.join(OURS)})\.[A-Za-z_][\w.]*)", text))
    assert len(names) > 20
    missing = []
    for name in sorted(names):
        try:
            _resolve(name)
        except (ModuleNotFoundError, AttributeError):
            missing.append(name)
    assert not missing, f"documented but not in the code: {missing}"
