"""Where the real corpus is (`../shared/data/twcs-sample.csv`, see its README): tests
that read it skip when it is absent (a clean clone outside the workplace)."""

from __future__ import annotations

import os
from pathlib import Path


def twcs_sample() -> Path | None:
    """The real tweets' CSV: `$VEILLE_TWCS`, else the nearest `shared/data` above."""
    if os.environ.get("VEILLE_TWCS"):
        return Path(os.environ["VEILLE_TWCS"])
    for base in Path(__file__).resolve().parents:
        candidate = base / "shared" / "data" / "twcs-sample.csv"
        if candidate.exists():
            return candidate
    return None


def real_texts() -> list[str]:
    """The text of every real tweet in the sample; the calling test is skipped when the
    sample is absent."""
    import csv

    import pytest

    sample = twcs_sample()
    if sample is None:
        pytest.skip("../shared/data/twcs-sample.csv is absent")
    with sample.open(newline="", encoding="utf-8") as f:
        return [r["text"] for r in csv.DictReader(f) if r.get("text")]
