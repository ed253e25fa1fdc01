"""The one filter language of veille (command line, TUI filter line, export).

    lumio remboursement brand:Lumio platform:mastodon tag:bug status:open
    author:@ana is:urgent is:unanswered is:mine -spam -tag:done "phrase in quotes"

Free words must all appear (case and accents ignored); a word that appears nowhere may
be matched fuzzily through `Filter.with_vocabulary`. `-` excludes any term. Errors say
what is wrong and where (a column, 1-based) so the TUI can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from rapidfuzz import fuzz, process

from triage.model import Status
from triage.text import fold

FIELDS = ("brand", "platform", "tag", "status", "author", "is")
IS_VALUES = ("urgent", "unanswered", "mine", "snoozed", "claimed", "handedoff")

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


@dataclass(frozen=True, slots=True)
class FilterContext:
    user: str
    now: datetime
    urgent_threshold: float = 70.0


@dataclass(frozen=True, slots=True)
class Term:
    field: str  # "" for free text
    value: str  # folded (status and is: lower-cased)
    negate: bool = False
    alternatives: tuple[str, ...] = ()  # fuzzy expansions of a free word


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
        """Let free words that appear in no known token match their close spellings."""
        if self._fuzzy_done:
            return self
        terms = []
        for term in self.terms:
            if (
                term.field == ""
                and not term.negate
                and len(term.value) >= 4
                and " " not in term.value
            ) and not any(term.value in token for token in vocabulary):
                found = process.extract(
                    term.value, vocabulary, scorer=fuzz.ratio, score_cutoff=80, limit=8
                )
                term = replace(term, alternatives=tuple(sorted(m[0] for m in found)))
            terms.append(term)
        return Filter(self.text, tuple(terms), True)

    def matches(self, subject: FilterSubject, ctx: FilterContext) -> bool:
        return all(_term_matches(t, subject, ctx) != t.negate for t in self.terms)


def _term_matches(term: Term, s: FilterSubject, ctx: FilterContext) -> bool:
    value = term.value
    match term.field:
        case "":
            if value in s.haystack:
                return True
            return any(alt in s.haystack for alt in term.alternatives)
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
    return False  # pragma: no cover - parse_filter admits no other field


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
    return False


def parse_filter(text: str) -> Filter:
    """Parse the filter line; FilterError says what is wrong and where."""
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
        terms.append(_make_term(name, value, bool(negate), start))
        pos = m.end()
    return Filter(text, tuple(terms))


def _make_term(name: str | None, value: str, negate: bool, start: int) -> Term:
    if name is None:
        if not value.strip():
            raise FilterError("empty quotes", start)
        return Term("", fold(" ".join(value.split())), negate)
    key = name.lower()
    if key not in FIELDS:
        known = ", ".join(f"{f}:" for f in FIELDS)
        raise FilterError(f"unknown field {name + ':'!r}; known fields: {known}", start)
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
        return Term(key, value.lower(), negate)
    return Term(key, fold(value), negate)


_EXAMPLES = {
    "brand": "brand:Lumio",
    "platform": "platform:mastodon",
    "tag": "tag:bug",
    "status": "status:open",
    "author": "author:@ana",
    "is": "is:urgent",
}


def vocabulary_of(haystacks: Iterable[str]) -> set[str]:
    """The distinct words of some folded texts (what fuzzy matching may expand to)."""
    words: set[str] = set()
    for text in haystacks:
        words.update(w for w in re.split(r"[^\w@#]+", text) if len(w) >= 3)
    return words
