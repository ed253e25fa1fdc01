"""The one filter language of veille (command line, TUI filter line, export).

    lumio remboursement brand:Lumio platform:mastodon tag:bug status:open
    author:@ana is:urgent is:unanswered is:mine -spam -tag:done "phrase in quotes"

Free words must all appear (case and accents ignored) in a post's text, title, authors
or in the signals it was ranked for ("crisis: injury" is found by `injury`). A word is
matched as a substring, so a prefix finds the longer word; `Filter.with_vocabulary`
adds the words of the store that share its stem (Snowball, English and French:
`battery` finds "batteries", `remboursement` finds "rembourser") and, for a word that
appears nowhere, its close spellings. A quoted word or phrase is matched exactly. `-`
excludes any term. Unknown fields, statuses, platforms and (when the caller knows them)
brands are errors that list the valid values; every error says where it is (a column,
1-based) so the TUI can point at it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

import Stemmer
from rapidfuzz import fuzz, process

from triage.model import Status
from triage.text import fold

FIELDS = ("brand", "platform", "tag", "status", "author", "is", "person")
IS_VALUES = ("urgent", "unanswered", "mine", "snoozed", "claimed", "handedoff")
# the platforms the connectors write (sources/*: Mention.platform); a caller whose store
# holds others passes them in KnownValues
PLATFORMS = ("rss", "mastodon", "bluesky", "hackernews", "reddit")
IS_VALUES += ("awaiting", "unread")  # type: ignore[assignment]  # issue 17: approval, unread
STEM_MIN = 4  # shorter stems ("car", "mal") would pull in unrelated words
MAX_EXPANSIONS = 40  # bounds the per-group cost of one word

_TOKEN = re.compile(r'\s*(-?)(?:([A-Za-z]+):)?("([^"]*)("?)|[^\s"]+)')


class FilterError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at column {position + 1})")
        self.message = message
        self.position = position


class FilterSubject(Protocol):
    """What a filter looks at: a group (store.views.GroupView) or anything alike."""

    @property
    def brands(self) -> Collection[str]: ...
    @property
    def platforms(self) -> Collection[str]: ...
    @property
    def tags(self) -> Collection[str]: ...
    @property
    def status(self) -> Status: ...
    @property
    def authors(self) -> str: ...  # folded names and handles, space separated
    @property
    def haystack(self) -> str: ...  # folded text of every copy, titles and authors
    @property
    def signals(self) -> Sequence[str]: ...  # why it ranks ("crisis: injury"), not folded
    @property
    def priority(self) -> float: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def claimed_by(self) -> str | None: ...
    @property
    def claim_expires(self) -> datetime | None: ...
    @property
    def first_response_at(self) -> datetime | None: ...
    @property
    def snoozed_until(self) -> datetime | None: ...
    @property
    def handed_off(self) -> bool: ...
    @property
    def awaiting(self) -> bool: ...  # a reply waits for a reviewer's approval


class UnreadCheck(Protocol):
    def __call__(self, subject: FilterSubject, /) -> bool: ...


@dataclass(frozen=True, slots=True)
class FilterContext:
    user: str
    now: datetime
    urgent_threshold: float = 70.0
    # `is:unread`: the user's own read state (store.reads), when the store keeps one
    unread: UnreadCheck | None = None


@dataclass(frozen=True, slots=True)
class KnownValues:
    """Values a filter may name, so that a typo is an error instead of an empty list.

    `brands`: the brand names of the configuration (and of the store, if it keeps older
    ones); None leaves brand: unchecked. `platforms`: the platforms mentions can have.
    """

    brands: Collection[str] | None = None
    platforms: Collection[str] = PLATFORMS
    people: Mapping[str, Collection[str]] | None = None  # person: tag -> handles (triage.people)


@dataclass(frozen=True, slots=True)
class Term:
    field: str  # "" for free text
    value: str  # folded (status and is: lower-cased)
    negate: bool = False
    alternatives: tuple[str, ...] = ()  # stem and fuzzy expansions of a free word
    exact: bool = False  # quoted: no expansion
    gate: str = ""  # a text every alternative contains (one cheap test before them all)


@dataclass(frozen=True, slots=True)
class Filter:
    text: str = ""
    terms: tuple[Term, ...] = ()
    _fuzzy_done: bool = field(default=False, compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def positive(self, name: str) -> list[str]:
        """Values of the non-negated terms on one field (for index look-ups)."""
        return [t.value for t in self.terms if t.field == name and not t.negate]

    def with_vocabulary(self, vocabulary: Collection[str]) -> Filter:
        """Let free words match the store's words that share their stem and, if they
        appear in no known token, their close spellings."""
        if self._fuzzy_done:
            return self
        terms = []
        for term in self.terms:
            if term.field == "" and not term.exact and " " not in term.value:
                alternatives = expansions(term.value, term.negate, vocabulary)
                if alternatives:
                    gate = _common_prefix(alternatives)
                    term = replace(
                        term,
                        alternatives=tuple(alternatives),
                        gate=gate if len(gate) >= 3 else "",
                    )
            terms.append(term)
        return Filter(self.text, tuple(terms), True)

    def matches(self, subject: FilterSubject, ctx: FilterContext) -> bool:
        return all(_term_matches(t, subject, ctx) != t.negate for t in self.terms)


def expand(value: str, negate: bool, vocabulary: Collection[str]) -> list[str]:
    """A free word's alternatives: the vocabulary's words that share its stem and, for
    a word found in no token, its close spellings (fuzz.ratio >= 80, the best 8)."""
    alternatives = same_stem(value, vocabulary)
    if not negate and len(value) >= 4 and not in_some_word(value, vocabulary):
        found = process.extract(value, vocabulary, scorer=fuzz.ratio, score_cutoff=80, limit=8)
        alternatives = sorted({*alternatives, *(m[0] for m in found)})
    return alternatives


_expanded: tuple[Collection[str] | None, int, dict[tuple[str, bool], list[str]]] = (None, 0, {})


def expansions(value: str, negate: bool, vocabulary: Collection[str]) -> list[str]:
    """`expand`, remembered while the vocabulary is the same object (a word typed back
    after a backspace, or kept while the next one is typed, is not expanded again)."""
    global _expanded
    known, size, cache = _expanded
    if known is not vocabulary or size != len(vocabulary) or len(cache) > 4096:
        cache = {}
        _expanded = (vocabulary, len(vocabulary), cache)
    found = cache.get((value, negate))
    if found is None:
        found = cache[(value, negate)] = expand(value, negate, vocabulary)
    return found


def _term_matches(term: Term, s: FilterSubject, ctx: FilterContext) -> bool:
    value = term.value
    match term.field:
        case "":
            haystack = s.haystack
            if value in haystack:
                return True
            signals = folded_signals(s.signals) if s.signals else ""
            if signals and value in signals:
                return True
            alternatives, gate = term.alternatives, term.gate
            if not alternatives or (gate and gate not in haystack and gate not in signals):
                return False
            return any(alt in haystack or alt in signals for alt in alternatives)
        case "brand":
            return any(fold(b) == value for b in s.brands)
        case "platform":
            return any(p == value for p in s.platforms)
        case "tag":
            return any(fold(t) == value for t in s.tags)
        case "status":
            return s.status.value == value
        case "author":
            return value.lstrip("@") in s.authors
        case "is":
            return _is(value, s, ctx)
        case "person":  # the handles of the people so tagged (triage.people.with_people)
            return bool(term.alternatives) and not _handles(s).isdisjoint(term.alternatives)
    return False  # pragma: no cover - parse_filter admits no other field


def _handles(s: FilterSubject) -> set[str]:
    """The authors' handles as triage.people compares them (names are not handles)."""
    mentions = getattr(s, "mentions", None)  # a GroupView; else the authors' words
    if mentions is None:
        return set(s.authors.split())
    return {fold(m.author.handle or m.author.name).lstrip("@") for m in mentions}


def _is(value: str, s: FilterSubject, ctx: FilterContext) -> bool:
    if value == "urgent":
        return s.priority >= ctx.urgent_threshold
    if value == "unanswered":
        return s.first_response_at is None and s.status not in (Status.DONE, Status.IGNORED)
    if value == "mine":
        return ctx.user in (s.assignee, s.claimed_by)
    if value == "snoozed":
        return bool(s.snoozed_until and s.snoozed_until > ctx.now)
    if value == "claimed":
        return bool(s.claimed_by and s.claim_expires and s.claim_expires > ctx.now)
    if value == "handedoff":
        return s.handed_off
    if value == "awaiting":
        return s.awaiting
    if value == "unread":
        return ctx.unread is not None and ctx.unread(s)
    return False


def _common_prefix(words: Sequence[str]) -> str:
    first, last = min(words), max(words)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


_SIGNALS: dict[tuple[str, ...], str] = {}


def folded_signals(signals: Sequence[str]) -> str:
    """The signals as one folded text, memoised (groups share few distinct signal lists)."""
    key = signals if isinstance(signals, tuple) else tuple(signals)
    folded = _SIGNALS.get(key)
    if folded is None:
        if len(_SIGNALS) > 50_000:
            _SIGNALS.clear()
        folded = _SIGNALS[key] = fold(" ".join(key))
    return folded


# -- stems: Snowball's English (Porter2) and French stemmers through PyStemmer (C)
_STEMMERS = (Stemmer.Stemmer("english"), Stemmer.Stemmer("french"))
_sorted_vocabulary: tuple[Collection[str] | None, int, list[str], str] = (None, 0, [], "")


def stems(word: str) -> tuple[str, str]:
    """(English stem, French stem) of a folded word."""
    return (_STEMMERS[0].stemWord(word), _STEMMERS[1].stemWord(word))


def prepare_vocabulary(vocabulary: Collection[str]) -> None:
    """Sort the vocabulary for stem look-ups ahead of the first keystroke (a warm-up
    step: ~50 ms at 100k words, paid once per vocabulary)."""
    _sorted(vocabulary)


def _sorted(vocabulary: Collection[str]) -> list[str]:
    """The vocabulary sorted once (for prefix ranges), until the store gives a new one."""
    return _prepared(vocabulary)[2]


def _prepared(vocabulary: Collection[str]) -> tuple[Collection[str] | None, int, list[str], str]:
    """The vocabulary sorted, and joined by newlines: one C scan says whether a word is
    part of any (a Python loop over the words took up to 16 ms per keystroke)."""
    global _sorted_vocabulary
    known, size = _sorted_vocabulary[:2]
    if known is not vocabulary or size != len(vocabulary):
        ordered = sorted(vocabulary)
        _sorted_vocabulary = (vocabulary, len(vocabulary), ordered, "\n".join(ordered))
    return _sorted_vocabulary


def in_some_word(value: str, vocabulary: Collection[str]) -> bool:
    """`any(value in word for word in vocabulary)`, from the joined vocabulary."""
    if "\n" in value:
        return any(value in token for token in vocabulary)
    return value in _prepared(vocabulary)[3]


def same_stem(word: str, vocabulary: Collection[str]) -> list[str]:
    """The vocabulary's words that share `word`'s English or French stem, except those
    already found as a substring (`battery` -> ["batteries"]).

    The language of a post is not known when its text is searched, so both stemmers are
    asked; each rewrites at most a stem's last letter (battery -> batteri), so the
    candidates are the words that begin with the shorter stem minus one letter: a
    prefix range of the sorted vocabulary, stemmed on demand (PyStemmer caches).
    """
    if len(word) < STEM_MIN or not word.isalpha():
        return []
    mine = stems(word)
    prefix = min(mine, key=len)[:-1]
    if len(prefix) < STEM_MIN - 1:
        return []
    ordered = _sorted(vocabulary)
    start = bisect_left(ordered, prefix)
    end = bisect_left(ordered, prefix + "\U0010ffff", start)
    found: list[str] = []
    for candidate in ordered[start : min(end, start + 2000)]:
        if word in candidate:
            continue
        en, fr = stems(candidate)
        if (en == mine[0] and len(en) >= STEM_MIN) or (fr == mine[1] and len(fr) >= STEM_MIN):
            found.append(candidate)
            if len(found) >= MAX_EXPANSIONS:
                break
    return found


def parse_filter(text: str, known: KnownValues | None = None) -> Filter:
    """Parse the filter line; FilterError says what is wrong and where.

    `known` names the brands and platforms that exist, so that `brand:Lumo` is refused
    with the valid names listed instead of silently matching nothing. Without it,
    platforms are checked against PLATFORMS and brands not at all.
    """
    known = known or KnownValues()
    terms: list[Term] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            start = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise FilterError(f"cannot read {text[start : start + 10]!r}", start)
        negate, name, raw, quoted, closing = m.groups()
        start = m.start(1) if negate else (m.start(2) if name else m.start(3))
        if raw.startswith('"') and not closing:
            raise FilterError("a quote is opened but never closed", m.start(3))
        value = quoted if raw.startswith('"') else raw
        quoted = raw.startswith('"')
        value_at = m.start(3) + quoted
        terms.append(_make_term(name, value, bool(negate), start, known, value_at, quoted))
        pos = m.end()
    return Filter(text, tuple(terms))


def _make_term(
    name: str | None,
    value: str,
    negate: bool,
    start: int,
    known: KnownValues,
    value_at: int,
    quoted: bool,
) -> Term:
    if name is None:
        if not value.strip():
            raise FilterError("empty quotes", start)
        return Term("", fold(" ".join(value.split())), negate, exact=quoted)
    key = name.lower()
    if key not in FIELDS:
        fields = ", ".join(f"{f}:" for f in FIELDS)
        raise FilterError(f"unknown field {name + ':'!r}; known fields: {fields}", start)
    if not value:
        raise FilterError(f"{key}: needs a value, e.g. {_EXAMPLES[key]}", start)
    if key == "status":
        try:
            Status.parse(value)
        except ValueError as exc:
            raise FilterError(str(exc), start) from None
        return Term(key, value.lower(), negate)
    if key == "is":
        if value.lower() not in IS_VALUES:
            raise FilterError(f"unknown is:{value}; expected one of: {', '.join(IS_VALUES)}", start)
        return Term(key, value.lower(), negate)
    if key == "platform":
        _check_known("platform", value, known.platforms, value_at)
        return Term(key, value.lower(), negate)
    if key == "person":
        handles = (known.people or {}).get(fold(value).lstrip("#"), ())
        return Term(key, fold(value).lstrip("#"), negate, alternatives=tuple(sorted(handles)))
    if key == "brand" and known.brands is not None:
        _check_known("brand", value, known.brands, value_at)
    return Term(key, fold(value), negate)


def _check_known(what: str, value: str, valid: Collection[str], position: int) -> None:
    """Refuse a value no mention can have, listing the valid ones (and the closest)."""
    folded = {fold(v): v for v in valid}
    if fold(value) in folded:
        return
    if not folded:
        raise FilterError(f"unknown {what} {value!r}: no {what} is configured", position)
    names = sorted(folded.values(), key=str.casefold)
    guess = process.extractOne(fold(value), list(folded), scorer=fuzz.ratio, score_cutoff=60)
    hint = f" (did you mean {folded[guess[0]]}?)" if guess else ""
    raise FilterError(
        f"unknown {what} {value!r}{hint}; known {what}s: {', '.join(names)}", position
    )


_EXAMPLES = {
    "brand": "brand:Lumio",
    "platform": "platform:mastodon",
    "tag": "tag:bug",
    "status": "status:open",
    "author": "author:@ana",
    "is": "is:urgent",
    "person": "person:vip",
}


def vocabulary_of(haystacks: Iterable[str]) -> set[str]:
    """The distinct words of some folded texts (what fuzzy matching may expand to)."""
    words: set[str] = set()
    for text in haystacks:
        words.update(w for w in re.split(r"[^\w@#]+", text) if len(w) >= 3)
    return words
