"""`veille config init` writes the user's own name in a file only they can read; a user
name that would name files outside the drafts folder is refused in words."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sources.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[2]


def test_config_init_writes_the_user_and_mode_0600(tmp_path):
    path = tmp_path / "conf" / "config.toml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env.update(USER="zoe", PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o022); from cli.main import main; "
         "sys.exit(main(sys.argv[1:]))", "--config", str(path), "config", "init"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    text = path.read_text()
    assert 'user = "zoe"' in text and "camille" not in text.split("[[brands]]")[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "[views]" in text and "is:unanswered" in text  # views are documented
    assert parse_config(text, str(path)).user == "zoe"
    check = subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", str(path), "config", "check"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("user", ["../../x", "a/b", "..", "ana\x1b[2J", "x\\y"])
def test_a_user_name_that_names_paths_is_refused(user):
    escaped = user.replace("\\", "\\\\").replace("\x1b", "\\u001b")
    with pytest.raises(ConfigError) as info:
        parse_config(f'user = "{escaped}"\n')
    assert "user" in str(info.value) and "cannot be used" in str(info.value)


def test_the_store_table_takes_a_sharing_mode():
    cfg = parse_config('[store]\nmode = "group"\ngroup = "veille"\n')
    assert (cfg.store.mode, cfg.store.group) == ("group", "veille")
    with pytest.raises(ConfigError) as info:
        parse_config('[store]\nmode = "shared"\n')
    assert "private, group" in str(info.value)
