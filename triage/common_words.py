"""Frequent words of a language, so that fuzzy brand matching never takes one for a brand.

Real mentions showed why: with a competitor "Kettlex", every post saying "kettle" was
attributed to it (one edit away), skewing share of voice and firing a false spike alert.
A word that people write often is not a misspelling of a brand.

The lists come from `wordfreq` (maintained, built from many real corpora; its "small"
lists hold the words of frequency >= 1 per million, ~30,000 per language), folded like
the text they are compared with. They are loaded on first need only (~0.1 s per
language), so a process that never meets a fuzzy candidate never pays for them; reading
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
    try:
        import wordfreq  # imported here: ~0.1 s, and only fuzzy matching needs it
    except ImportError:  # pragma: no cover - a dependency of the project
        return frozenset()
    try:
        words = wordfreq.top_n_list(lang, 1_000_000, wordlist="small")
    except LookupError:
        return frozenset()
    return frozenset(fold(w) for w in words if w.isalpha())


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
