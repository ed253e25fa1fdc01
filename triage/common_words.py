"""Frequent words of a language, so that fuzzy brand matching never takes one for a brand.

Real mentions showed why: with a competitor "Kettlex", every post saying "kettle" was
attributed to it (one edit away), skewing share of voice and firing a false spike alert.
A word that people write often is not a misspelling of a brand.

The lists come from `wordfreq` (maintained, built from many real corpora; its "small"
lists hold the words of frequency >= 1 per million, ~30,000 per language), folded like
the text they are compared with. They are loaded on first need only (~0.03 s per
language: read from wordfreq's data file without importing wordfreq), so a process that never meets a fuzzy candidate never pays for them; reading
a library's own data files is the only I/O here. A plural or inflected form whose stem
is common ("kettles") counts as common too: the small lists stop at 1 per million.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from triage.text import fold

ALWAYS = ("en", "fr")  # English words turn up in every language's posts; French is ours
_SUFFIXES = ("s", "es", "ed", "ing")


@cache
def common_words(lang: str) -> frozenset[str]:
    """The frequent words of `lang` (folded); empty for a language wordfreq lacks."""
    lists = _small_list(lang)
    if lists is None:  # no file of that exact name (or an unexpected one): wordfreq's way
        try:
            import wordfreq  # imported here: ~0.25 s, and only fuzzy matching needs it
        except ImportError:  # pragma: no cover - a dependency of the project
            return frozenset()
        try:
            lists = [wordfreq.top_n_list(lang, 1_000_000, wordlist="small")]
        except LookupError:
            return frozenset()
    words = [w for words in lists for w in words if w.isalpha()]
    # fold(a + "\n" + b) == fold(a) + "\n" + fold(b), and no word holds a line break
    return frozenset(fold("\n".join(words)).split("\n")) if words else frozenset()


def _small_list(lang: str) -> list[list[str]] | None:
    """wordfreq's "small" list of `lang` read from its data file, without importing
    wordfreq (~0.25 s: langcodes, ftfy, regex): the words `top_n_list(lang, n, "small")`
    gives, by frequency band. None when there is no file of that exact language code or
    it is not the format wordfreq 3 writes ("cBpack": a gzipped msgpack list, a header
    then one list of words per band): then the caller asks wordfreq itself.
    `top_n_list` also leaves out words with digits; `common_words` keeps letters only."""
    import gzip
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("wordfreq")  # finds the package, imports nothing
    if spec is None or not spec.submodule_search_locations or not lang.isalpha():
        return None
    path = Path(next(iter(spec.submodule_search_locations)), "data", f"small_{lang}.msgpack.gz")
    try:
        import msgpack  # wordfreq's own dependency, a C extension

        with gzip.open(path, "rb") as file:
            data = msgpack.load(file, raw=False)
    except (ImportError, OSError, ValueError):
        return None
    header = data[0] if isinstance(data, list) and data else None
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        return None
    if not all(isinstance(band, list) for band in data[1:]):
        return None
    return data[1:]


def languages(lang: str | None) -> tuple[str, ...]:
    """The languages whose frequent words a post may use: its own (when known) and
    English and French."""
    own = (lang or "").split("-")[0].lower()
    return (own, *ALWAYS) if own and own not in ALWAYS else ALWAYS


def is_common(word: str, langs: Iterable[str] = ALWAYS) -> bool:
    """Whether a folded word (or its stem without a plural or inflection ending) is a
    frequent word of any of `langs`."""
    sets = [common_words(lang) for lang in langs]
    if any(word in s for s in sets):
        return True
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if any(stem in s for s in sets):
                return True
    return False


def neighbours(word: str, max_edits: int, langs: Iterable[str] = ALWAYS) -> list[str]:
    """The frequent words within `max_edits` edits of `word` that start with the same
    letter (what fuzzy brand matching would compare it with), closest first."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    pool = sorted({w for lang in langs for w in common_words(lang) if w[:1] == word[:1]})
    found = process.extract(
        word, pool, scorer=Levenshtein.distance, score_cutoff=max_edits, limit=None
    )
    return [w for w, dist, _ in sorted(found, key=lambda f: (f[1], f[0])) if dist > 0]
