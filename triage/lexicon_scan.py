"""One scan of a post's folded text for what priority looks for where a word starts.

Priority reads five lexicons of stems (`triage.lexicon`), two denial shapes ("won't even
open", "haven't received") and the words of a customer already waiting ("called twice",
"3 days"). Each was its own pass: a regex pass for the places where any of them may
start, then each pattern tried at those places from Python (~40 match calls a post, each
with its call and match-object cost). `Scan` asks all of them in ONE `finditer`: a match
is a place where some stem or word may start, and optional look-aheads, one per pattern,
capture what each pattern matches there (each gated by its own trie, so a place costs
only the patterns that can start there). Python then keeps, per pattern, the leftmost
non-overlapping matches: what each pattern's own `finditer` finds (tests/triage/
test_prep20_scan.py checks it against the plain patterns on real and hostile text).

A place is found as "a non-word character, then a stem": a pattern that begins with a
character class lets `re` skip from candidate to candidate in C, where the look-behind
`(?<!\\w)` made it try every position. The text must therefore not begin with a word
character; `Scan.read` pads it with a space unless it begins with one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple


def alternatives(stems: Sequence[str]) -> str:
    """Stems match at the start of a word; a stem written with a trailing space ("sue ")
    must be the whole word. Longest first, so "dangereu" wins over "danger"."""
    ordered = sorted(stems, key=lambda s: len(s.strip()), reverse=True)
    return "|".join(re.escape(s.strip()) + (r"(?!\w)" if s.endswith(" ") else "") for s in ordered)


def trie(stems: Sequence[str]) -> str:
    """A regex matching where any stem matches (a stem written with a trailing space must
    end a word), as a trie: what is matched may differ, whether it matches does not."""
    root: dict[str, Any] = {}
    for stem in stems:
        node = root
        for ch in stem.strip():
            node = node.setdefault(ch, {})
        # "" marks a stem's end: True = any ending, False = must end a word
        node[""] = node.get("", False) or not stem.endswith(" ")

    def branch(node: dict[str, Any]) -> str:
        if node.get("") is True:
            return ""  # a stem ends here: whatever follows, it matches
        alts = [re.escape(ch) + branch(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            alts.append(r"(?!\w)")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return branch(root)


def longest(stems: Sequence[str]) -> str:
    """A regex matching what `alternatives(stems)` matches (its first alternative that
    matches: the longest stem), as a trie: longer stems are tried before a stem ends,
    and each branch starts with its own character, so that `re` follows the text down
    one path instead of trying every stem in turn."""
    root: dict[str | None, Any] = {}
    for stem in stems:
        node = root
        for ch in stem.strip():
            node = node.setdefault(ch, {})
        ending = r"(?!\w)" if stem.endswith(" ") else ""
        # a stem that may end anywhere matches wherever the same stem ending a word does
        node[None] = "" if node.get(None) == "" else ending

    def branch(node: dict[str | None, Any]) -> str:
        alts = [re.escape(ch) + branch(child) for ch, child in sorted(node.items(), key=_key)
                if ch is not None]  # fmt: skip
        if None in node:
            alts.append(node[None])  # the stem that ends here, once no longer one matched
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return branch(root)


def _key(item: tuple[str | None, Any]) -> str:
    return item[0] or ""


class Found(NamedTuple):
    """What one scan found: per lexicon its labels (in order of first appearance, each
    once), whether each denial shape matches somewhere, and the waiting words (leftmost,
    non-overlapping, as `findall` lists them)."""

    lexicons: list[list[str]]
    denials: list[bool]
    waited: list[str]


class Scan:
    """Lexicons, denial shapes behind a negation, and waiting words, in one pass.

    `lexicons`: stem -> label tables (stems as `alternatives` reads them); `begins`:
    what else may start a match (every beginning of the negation and waiting patterns);
    `negation`: what a denial starts with; `denials`: full patterns (without their
    leading look-behind) tried where the negation is; `waited`: the waiting words' pattern.
    """

    def __init__(
        self,
        lexicons: Sequence[Mapping[str, str]],
        begins: Sequence[str],
        negation: str,
        denials: Sequence[str],
        waited: str,
    ) -> None:
        self.labels = [{k.strip(): v for k, v in lex.items()} for lex in lexicons]
        every = [*(s for lex in lexicons for s in lex), *begins]
        # a place where something matches: any stem, a negation, a waiting word (the
        # first trie skips most word starts cheaply; this drops the ones begun only)
        some = "|".join([trie([s for lex in lexicons for s in lex]), negation, waited])
        body = [r"\W(?=" + trie(every) + ")(?=" + some + ")"]
        for lex in lexicons:
            body.append(f"(?:(?=({longest(list(lex))})))?")
        body.append(
            f"(?:(?={negation})" + "".join(f"(?:(?=({shape})))?" for shape in denials) + ")?"
        )
        body.append(f"(?:(?=({waited})))?")
        self.pattern = re.compile("".join(body))
        self._denials = range(len(lexicons), len(lexicons) + len(denials))

    def read(self, folded: str) -> Found:
        """Everything the patterns find in `folded` (see `Found`)."""
        if not folded.startswith(" "):
            folded = " " + folded  # a place needs a non-word character before it
        matches = list(self.pattern.finditer(folded))
        if not matches:
            return Found([[] for _ in self.labels], [False] * len(self._denials), [])
        if len(matches) == 1:  # most posts: nothing can overlap
            found = matches[0].groups()
            return Found(
                [[by_stem[s]] if s else [] for s, by_stem in zip(found, self.labels, strict=False)],
                [found[k] is not None for k in self._denials],
                [found[-1]] if found[-1] else [],
            )
        columns = list(zip(*[m.groups() for m in matches], strict=True))
        places: list[int] = []
        lexicons: list[list[str]] = []
        for column, by_stem in zip(columns, self.labels, strict=False):
            if not any(column):  # most lexicons find nothing in a post
                lexicons.append([])
                continue
            stems = [s for s in column if s is not None]
            if len(stems) > 1:  # matches may overlap: keep what `finditer` would
                places = places or [m.end() for m in matches]
                stems = _leftmost(places, column)
            lexicons.append(list(dict.fromkeys([by_stem[s] for s in stems])))
        denials = [any(columns[k]) for k in self._denials]
        waited = [s for s in columns[-1] if s is not None] if any(columns[-1]) else []
        if len(waited) > 1:
            waited = _leftmost(places or [m.end() for m in matches], columns[-1])
        return Found(lexicons, denials, waited)


def _leftmost(places: list[int], matched: Sequence[str | None]) -> list[str]:
    """The matches a pattern's own `finditer` keeps: leftmost first, none overlapping."""
    found: list[str] = []
    end = 0
    for at, text in zip(places, matched, strict=True):
        if text is not None and at >= end:
            found.append(text)
            end = at + len(text)
    return found
