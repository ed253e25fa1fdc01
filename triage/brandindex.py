"""Brand matching that looks only at the brands a post can be about.

`BrandMatcher` tries every configured brand on every post: with the 76 support accounts
of the real tweets sample that is ~600 regular-expression searches and fuzzy loops per
tweet, the larger part of preparing it. A brand's names, handles and tags can match only
where the post has their first word as a word (or as the start of one joined by "_"),
and a misspelling only where a word of the post misspells one of its fuzzy names
(`triage.brands`'s own rules: the same initial, the name's edits, not a frequent word;
each word's misspellings found once per post and remembered, `_TypoIndex`).
`IndexedBrandMatcher` finds those brands by looking the post's words up in an
index built once, then runs `BrandMatcher`'s own per-brand match on them alone: the
same results, in the same order (tests/triage/test_brandindex.py compares both on drawn
texts and on the real tweets).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from triage.brands import (
    FUZZY_MIN_LEN,
    MAX_FUZZY,
    MAX_MATCHED,
    BrandMatch,
    BrandMatcher,
    _BrandMatcher,
    _Words,
    max_edits_for,
)
from triage.common_words import is_common
from triage.config import BrandConfig
from triage.text import fold

_WORD = re.compile(r"\w+")
FEW = 4  # up to this many brands, each is tried (needles first) without the index


def _first_word(phrase: str) -> str:
    """The first word of `triage.brands._phrase_pattern(phrase)` ("" when it has none)."""
    words = _WORD.findall(fold(phrase))
    return words[0] if words else ""


class _Typos:
    """The words a misspelling can be, and the fuzzy names they misspell, found once per
    post."""

    __slots__ = ("_hits", "_index", "words")

    def __init__(self, words: _Words, index: _TypoIndex) -> None:
        self.words = words
        self._index = index
        self._hits: set[str] | None = None

    def hits(self) -> set[str]:
        """The fuzzy names some word of the post is a misspelling of (within the name's
        edits, the same initial, not a frequent word of the post's languages)."""
        if self._hits is None:
            langs, of_word = self.words.langs, self._index.of_word
            known, shapes = self._index._known, self._index.by_shape
            self._hits = set()
            for w in set(self.words.get()):
                found = known.get((w, langs))
                if found is None:
                    if (w[0], len(w)) not in shapes:
                        continue  # no fuzzy name of its initial and length: none
                    found = of_word(w, langs)
                if found:
                    self._hits.update(found)
        return self._hits


class _TypoIndex:
    """Which fuzzy names a word misspells, remembered per word and languages: a word
    comes back in post after post, its Levenshtein checks need not."""

    def __init__(self) -> None:
        self.by_shape: dict[tuple[str, int], list[str]] = {}  # (initial, length) -> names
        self._known: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}

    def add(self, name: str) -> None:
        edits = max_edits_for(name)
        for length in range(len(name) - edits, len(name) + edits + 1):
            names = self.by_shape.setdefault((name[0], length), [])
            if name not in names:
                names.append(name)

    def of_word(self, word: str, langs: tuple[str, ...]) -> frozenset[str]:
        key = (word, langs)
        found = self._known.get(key)
        if found is None:
            near = [
                name
                for name in self.by_shape.get((word[0], len(word)), ())
                if Levenshtein.distance(word, name, score_cutoff=max_edits_for(name))
                <= max_edits_for(name)
            ]
            found = frozenset(near) if near and not is_common(word, langs) else frozenset()
            if len(self._known) >= _MAX_WORDS:
                self._known.clear()
            self._known[key] = found
        return found


_MAX_WORDS = 200_000  # words whose misspellings are remembered (then forgotten at once)


# ASCII: word characters kept (letters, digits, "_"), the others made spaces
_ASCII_WORD = bytes(c if chr(c).isalnum() or chr(c) == "_" else 32 for c in range(128)) + bytes(
    range(128, 256)
)
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f\w]+")


def word_runs(text: str) -> list[str]:
    """`_WORD.findall(text)` (the runs of word characters), by one bytes.translate and a
    split in C: ~2x faster on real posts. The few non-word characters beyond ASCII
    ("…", emoji, other spaces) are first made spaces; what is left beyond ASCII is word
    characters, whose UTF-8 bytes (>= 128) the translation keeps."""
    if not text.isascii():
        text = _NON_ASCII_NON_WORD.sub(" ", text)  # also every lone surrogate
    return text.encode().translate(_ASCII_WORD).decode().split()


def _word_keys(tokens: list[str]) -> set[str]:
    """The words of a text, and for words joined by "_" each beginning that ends before
    one ("a_b_c": a, a_b, a_b_c): what a pattern's first word can be where it matches."""
    keys = set(tokens)
    for word in [w for w in keys if "_" in w]:
        at = word.find("_")
        while at > 0:
            keys.add(word[:at])
            at = word.find("_", at + 1)
    return keys


class IndexedBrandMatcher(BrandMatcher):
    """`BrandMatcher`, trying on a post only the brands its words can match."""

    def __init__(self, brands: Sequence[BrandConfig]):
        super().__init__(brands)
        self._by_word: dict[str, list[int]] = {}  # a term's first word -> matchers
        self._always: list[int] = []  # a term without a word: tried on every post
        self._by_fuzzy: dict[str, list[int]] = {}  # a fuzzy name -> matchers with it
        # per matcher: what each term and exclusion needs to be in the text
        self._needles: list[tuple[list[str], list[str]]] = []
        self._typo_index = _TypoIndex()
        for k, m in enumerate(self._matchers):
            needles = []
            for label, _ in m.terms:
                # a handle's or a tag's label is its prefix and the text it was given
                prefix = label[0] if label[0] in "@#" else ""
                word = _first_word(label[len(prefix) :])
                needles.append(prefix + word)
                if word:
                    self._by_word.setdefault(word, []).append(k)
                else:
                    self._always.append(k)
            excluded = [_first_word(x) for x in self.brands[k].exclude if fold(x).strip()]
            self._needles.append((needles, excluded))
            for name in m.fuzzy:
                self._by_fuzzy.setdefault(name, []).append(k)
                self._typo_index.add(name)

    def match_folded(self, folded: str, lang: str | None = None) -> list[BrandMatch]:
        folded = folded[:MAX_MATCHED]
        words = _Words(folded, lang)
        typos = _Typos(words, self._typo_index)
        if len(self._matchers) <= FEW:  # trying each is cheaper than looking words up
            chosen: Iterable[int] = range(len(self._matchers))
        else:
            tokens = word_runs(folded)
            if len(folded) <= MAX_FUZZY:  # the same words `_Words.get` would find
                words.words = [w for w in tokens if len(w) >= FUZZY_MIN_LEN - 1]
            picked = set(self._always)
            by_word = self._by_word
            for key in _word_keys(tokens) & by_word.keys():
                picked.update(by_word[key])
            if self._by_fuzzy:
                # a brand none of whose terms can match is found only by a misspelling
                # of one of its fuzzy names, which `_match` reads from these same hits
                by_fuzzy = self._by_fuzzy
                for name in typos.hits():
                    picked.update(by_fuzzy[name])
            chosen = sorted(picked)
        out = []
        for k in chosen:
            m = self._matchers[k]
            kws = _match(m, *self._needles[k], folded, typos)
            if kws:
                out.append(BrandMatch(m.name, kws, m.is_competitor))
        return out


def _search(rx: re.Pattern[str], needle: str, folded: str) -> bool:
    """`rx.search(folded)`, started where its first word first appears (a match starts
    there or later; the pattern's look-behind still sees what comes before)."""
    at = folded.find(needle)
    return at >= 0 and rx.search(folded, at) is not None


def _match(
    m: _BrandMatcher, needles: list[str], excluded: list[str], folded: str, typos: _Typos
) -> tuple[str, ...]:
    """`_BrandMatcher.match`, each pattern searched from its first word on, a misspelling
    looked for among the words of the right first letter and length only, each word's
    misspellings remembered (`_TypoIndex`: which word matched is not kept, so the order
    they are tried in does not change the result)."""
    if any(_search(x, n, folded) for x, n in zip(m.exclude, excluded, strict=True)):
        return ()
    found = [
        label
        for (label, rx), needle in zip(m.terms, needles, strict=True)
        if _search(rx, needle, folded)
    ]
    if not found and m.fuzzy:
        hits = typos.hits()
        for name in m.fuzzy:
            if name in hits:
                found.append(f"~{name}")
                break
    return tuple(dict.fromkeys(found))
