"""Which configured brands a mention is about, and which keyword said so.

Matching runs on folded text (case and accents ignored) at word boundaries, so "lumio"
matches "Lumio!" and "#Lumio" but not "illumionist". Single-word names of six letters or
more also catch common misspellings ("Phillips" for "Philips") by edit distance on whole
words with the same first letter: a typo rarely changes the first letter, and whole-word
comparison keeps the brand from being found inside an unrelated longer word. A mention
that contains one of a brand's exclusions ("philips screwdriver") is not about that brand.

A fuzzy match never lands on a frequent word of the post's language, English or French
(`triage.common_words`): on real posts a competitor "Kettlex" took every "kettle" for
itself. "Ketlex" still matches; "kettle" and "kettles" do not. Phrases in
`exact_keywords` (`{ phrase = "...", fuzzy = false }` in the file) are never matched
fuzzily, and `keyword_warnings` tells, before any post arrives, which keywords sit one
edit from a common word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from triage.common_words import is_common, languages, neighbours
from triage.config import BrandConfig
from triage.text import fold

_WORD = re.compile(r"\w+")
# What is read of a post (issue 11: every step after parsing is bounded): names and
# exclusions in the first 100,000 characters (~15,000 words: a long article), misspellings
# in the first 20,000. A 1 MB post is matched in a few milliseconds, not a second.
MAX_MATCHED = 100_000
MAX_FUZZY = 20_000
FUZZY_MIN_LEN = 6  # shorter names have too many real neighbours ("lumio" vs Nokia "lumia")


@dataclass(frozen=True, slots=True)
class BrandMatch:
    brand: str
    keywords: tuple[str, ...]  # "lumio", "@lumio", "#lumio", "~philips" (fuzzy)
    is_competitor: bool = False


def _phrase_pattern(phrase: str, prefix: str = "") -> str:
    words = _WORD.findall(fold(phrase))
    body = r"[\W_]+".join(re.escape(w) for w in words)
    if prefix:
        return rf"(?<![\w@#]){re.escape(prefix)}{body}(?!\w)"
    return rf"(?<!\w){body}(?!\w)"  # "@lumio" and "#lumio" still hit a plain keyword


def _clean(term: str, prefix: str) -> str:
    return fold(term).strip().lstrip(prefix)


class _BrandMatcher:
    def __init__(self, brand: BrandConfig):
        self.name = brand.name
        self.is_competitor = brand.is_competitor
        terms: list[tuple[str, str]] = []  # (label, regex)
        for handle in brand.handles:
            h = _clean(handle, "@")
            if h:
                terms.append((f"@{h}", _phrase_pattern(h, "@")))
        for tag in brand.hashtags:
            t = _clean(tag, "#")
            if t:
                terms.append((f"#{t}", _phrase_pattern(t, "#")))
        phrases = _fuzzy_phrases(brand)
        for phrase in (*phrases, *brand.exact_keywords):
            folded = " ".join(_WORD.findall(fold(phrase)))
            if folded:
                terms.append((folded, _phrase_pattern(folded)))
        self.terms = [(label, re.compile(p)) for label, p in dict.fromkeys(terms)]
        self.fuzzy = _fuzzy_names(brand)
        self.exclude = [re.compile(_phrase_pattern(x)) for x in brand.exclude if fold(x).strip()]

    def match(self, folded: str, words: _Words) -> tuple[str, ...]:
        if any(x.search(folded) for x in self.exclude):
            return ()
        found = [label for label, rx in self.terms if rx.search(folded)]
        if not found and self.fuzzy:
            for name in self.fuzzy:
                max_edits = max_edits_for(name)
                for w in words.get():
                    if (
                        w[0] == name[0]
                        and abs(len(w) - len(name)) <= max_edits
                        and Levenshtein.distance(w, name, score_cutoff=max_edits) <= max_edits
                        and not words.common(w)
                    ):
                        found.append(f"~{name}")
                        break
                if found:
                    break
        return tuple(dict.fromkeys(found))


def max_edits_for(name: str) -> int:
    """Edits a misspelling of a single-word name may have: 1 under 8 letters, else 2."""
    return 1 if len(name) < 8 else 2


def _fuzzy_phrases(brand: BrandConfig) -> tuple[str, ...]:
    """The phrases that may be misspelt: keywords and aliases (the name when none)."""
    return brand.keywords + brand.aliases or (() if brand.exact_keywords else (brand.name,))


def _fuzzy_names(brand: BrandConfig) -> list[str]:
    """Single words long enough to be caught misspelt (not those written exact)."""
    exact = {" ".join(_WORD.findall(fold(p))) for p in brand.exact_keywords}
    names = set()
    for phrase in _fuzzy_phrases(brand):
        words = _WORD.findall(fold(phrase))
        if len(words) == 1 and len(words[0]) >= FUZZY_MIN_LEN and words[0] not in exact:
            names.add(words[0])
    return sorted(names)


class _Words:
    """The words a misspelling could be, split only when a fuzzy name needs them."""

    __slots__ = ("folded", "langs", "words")

    def __init__(self, folded: str, lang: str | None = None) -> None:
        self.folded = folded
        self.langs = languages(lang)
        self.words: list[str] | None = None

    def get(self) -> list[str]:
        if self.words is None:
            head = self.folded[:MAX_FUZZY]
            self.words = [w for w in _WORD.findall(head) if len(w) >= FUZZY_MIN_LEN - 1]
        return self.words

    def common(self, word: str) -> bool:
        """A frequent word of the post's language: never a misspelt brand."""
        return is_common(word, self.langs)


class BrandMatcher:
    """Attributes mentions to configured brands and their competitors.

    Competitors named in `BrandConfig.competitors` but not configured as brands of their
    own are matched by their name, flagged `is_competitor`.
    """

    def __init__(self, brands: Sequence[BrandConfig]):
        configured = {fold(b.name) for b in brands}
        extra: list[BrandConfig] = []
        for b in brands:
            for c in b.competitors:
                if fold(c) not in configured:
                    configured.add(fold(c))
                    extra.append(BrandConfig(name=c, keywords=(c,), is_competitor=True))
        self.brands = list(brands) + extra
        self._matchers = [_BrandMatcher(b) for b in self.brands]
        self._competitors = {b.name: {fold(c) for c in b.competitors} for b in brands}

    def match(self, text: str, lang: str | None = None) -> list[BrandMatch]:
        return self.match_folded(fold(text), lang)

    def match_folded(self, folded: str, lang: str | None = None) -> list[BrandMatch]:
        """`match` of a text already passed through `triage.text.fold`; `lang` is the
        post's language when known (its frequent words are never misspelt brands)."""
        folded = folded[:MAX_MATCHED]
        words = _Words(folded, lang)
        out = []
        for m in self._matchers:
            kws = m.match(folded, words)
            if kws:
                out.append(BrandMatch(m.name, kws, m.is_competitor))
        return out

    def is_comparison(self, matches: Sequence[BrandMatch]) -> bool:
        """True when an own brand and one of its competitors are in the same mention."""
        names = {fold(m.brand) for m in matches}
        for m in matches:
            if not m.is_competitor and self._competitors.get(m.brand, set()) & names:
                return True
        return False


def keyword_warnings(brands: Sequence[BrandConfig]) -> list[str]:
    """One warning in words per keyword matched by misspelling that sits within its edit
    budget of frequent French or English words ("kettlex" is one edit from "kettle"):
    those words are never taken for the brand, but rarer neighbours may be, and the
    person configuring it should know. For `veille config check`; brands in their order,
    then their keywords'."""
    out: list[str] = []
    for brand in brands:
        for name in _fuzzy_names(brand):
            edits = max_edits_for(name)
            near = neighbours(name, edits)
            if not near:
                continue
            shown = ", ".join(f'"{w}"' for w in near[:5])
            more = f" and {len(near) - 5} more" if len(near) > 5 else ""
            span = "one edit" if edits == 1 else f"{edits} edits or fewer"
            out.append(
                f'brand {brand.name}: keyword "{name}" is {span} from the common word(s)'
                f" {shown}{more}; posts with those words are not attributed to {brand.name},"
                " rarer look-alikes may be. To match it only as written, give it as"
                f' {{ phrase = "{name}", fuzzy = false }}'
            )
    return out
