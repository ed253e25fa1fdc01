"""Reading the configuration must not import the rule engine (a scripted `veille tag`
reads it on every call), and the schema's bounds must stay those of the domain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sources import config_rules
from triage import people, rules

ROOT = Path(__file__).resolve().parents[2]


def test_the_schema_bounds_are_the_domain_s() -> None:
    assert config_rules.MAX_BUMP == rules.MAX_BUMP
    assert config_rules.VIP_BUMP == people.VIP_BUMP
    assert config_rules.MAX_VIP_BUMP == people.MAX_VIP_BUMP


def test_a_config_without_rules_reads_without_the_rule_engine(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text('user = "ana"\n[store]\npath = "/tmp/x"\n')
    code = (
        "import sys; from app.runtime import Runtime; "
        f"rt = Runtime.load({str(file)!r}); assert rt.user == 'ana'; "
        "heavy = [m for m in ('triage.rules', 'triage.alerts', 'triage.priority', "
        "'triage.filter', 'rapidfuzz', 'shutil') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_no_config_file_reads_no_schema(tmp_path: Path) -> None:
    """A script on defaults (no file) needs neither msgspec nor tomllib."""
    code = (
        "import sys; from app.runtime import Runtime; "
        "rt = Runtime.load(None, required=False); "
        "print([m for m in ('msgspec', 'tomllib', 'sources.config') if m in sys.modules])"
    )
    env = {**os.environ, "VEILLE_CONFIG": str(tmp_path / "none.toml")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
