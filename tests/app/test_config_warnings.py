"""`veille config check` warns about a fuzzy keyword one edit from a common word, and a
keyword written `{ phrase = ..., fuzzy = false }` is exact, so it draws no warning."""

from __future__ import annotations

from cli.main import main
from sources.config import load_config

CONFIG = """\
user = "camille"

[[brands]]
name = "Lumio"
keywords = ["lumio"]

[[brands]]
name = "Kettlex"
keywords = [{KETTLEX}]
"""


def _check(tmp_path, capsys, kettlex: str) -> tuple[int, str, str]:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.replace("{KETTLEX}", kettlex), encoding="utf-8")
    code = main(["--config", str(path), "config", "check"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_fuzzy_keyword_next_to_a_common_word_is_a_warning(tmp_path, capsys):
    code, out, err = _check(tmp_path, capsys, '"kettlex"')
    assert code == 0  # a warning, not an error: the file is valid
    assert "warning" in err and "kettle" in err.lower()
    assert "1 warnings" in out or "warnings" in out


def test_an_exact_keyword_is_never_fuzzy_and_draws_no_warning(tmp_path, capsys):
    code, _out, err = _check(tmp_path, capsys, '{ phrase = "kettlex", fuzzy = false }')
    assert code == 0
    assert "warning" not in err
    brand = load_config(tmp_path / "config.toml").brands[1]
    assert "kettlex" in brand.exact_keywords
