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


LEAN_NEVER = (
    "msgspec", "tomllib", "sources.config", "sources.config_lines", "triage.config",
    "app.runtime", "platformdirs", "difflib", "store.inbox", "store.index", "triage.pipeline",
    "rapidfuzz", "shutil", "concurrent.futures",
)  # fmt: skip


def _imported_by_tag(tmp_path: Path, config: str | None) -> list[str]:
    """The LEAN_NEVER modules a `veille tag` imports, run in a fresh interpreter."""
    from store.inbox import Inbox
    from triage.model import Author, Mention, utcnow

    store = tmp_path / "store"
    now = utcnow()
    with Inbox.open(store, user="seed") as inbox:
        inbox.ingest([Mention("rss:1", "rss", "t", "https://e.example/1", Author("A"), "lamp",
                              now, now)])  # fmt: skip
    args = ["tag", "rss:1", "x"] if config is None else ["--config", config, "tag", "rss:1", "x"]
    code = (
        "import sys; from cli.main import main; "
        f"assert main({args!r}) == 0; "
        f"print([m for m in {LEAN_NEVER!r} if m in sys.modules])"
    )
    env = {
        **os.environ,
        "VEILLE_STORE": str(store),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }
    env.pop("XDG_CONFIG_HOME", None)  # the default config folder found without platformdirs
    env.pop("VEILLE_CONFIG", None)
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    if config is not None:  # the first read fills the cache; the second is the one that counts
        out = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    return out.stdout.strip().splitlines()


def test_a_scripted_tag_without_a_config_file_stays_lean(tmp_path: Path) -> None:
    assert _imported_by_tag(tmp_path, None)[-1] == "[]"


def test_a_scripted_tag_reads_a_known_config_file_from_the_cache(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    from sources.config import example_config

    file.write_text(example_config("ana"))
    assert _imported_by_tag(tmp_path, str(file))[-1] == "[]"
