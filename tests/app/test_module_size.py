"""The house rule issue 13 set: small modules with one job, none over 500 lines."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "cli", "sources", "store", "triage", "tui")


def test_no_module_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}, f"split these modules along their parts: {long}"
