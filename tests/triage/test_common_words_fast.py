"""`common_words` reads wordfreq's data files itself and gives wordfreq's own words.

Importing wordfreq (langcodes, ftfy, regex) cost ~0.25 s of every first fetch before the
parse workers could fork; the "small" lists are one gzipped msgpack file per language.
The oracle is wordfreq's `top_n_list` itself, folded as before, on languages with a file
and on codes only wordfreq's language matching understands (which still go through it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import wordfreq

from triage import common_words as cw
from triage.text import fold

ROOT = Path(__file__).resolve().parents[2]


def _wordfreqs_own(lang: str) -> frozenset[str]:
    try:
        words = wordfreq.top_n_list(lang, 1_000_000, wordlist="small")
    except LookupError:
        return frozenset()
    return frozenset(fold(w) for w in words if w.isalpha())


@pytest.mark.parametrize(
    "lang", ["en", "fr", "de", "es", "pt", "ar", "he", "ru", "zh", "ja", "ko", "pt-BR", "eng", "zz"]
)
def test_the_same_words_as_wordfreq(lang: str) -> None:
    cw.common_words.cache_clear()
    try:
        assert cw.common_words(lang) == _wordfreqs_own(lang)
    finally:
        cw.common_words.cache_clear()


def test_exact_codes_are_read_without_wordfreq_and_others_through_it() -> None:
    assert cw._small_list("en") is not None
    assert cw._small_list("pt-BR") is None  # wordfreq's matching finds "pt"
    assert cw._small_list("../en") is None


def test_loading_the_lists_does_not_import_wordfreq() -> None:
    code = (
        "import sys\n"
        "from triage.common_words import ALWAYS, common_words\n"
        "assert all(len(common_words(lang)) > 20000 for lang in ALWAYS)\n"
        "print('wordfreq' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
