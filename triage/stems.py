"""Regular expressions for lexicon stems: where one starts, as a trie, and where one
may start in a piece of text between spaces (`loose`, for `triage.chunks.starts`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any


def _trie(stems: Sequence[str]) -> str:
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


def loose(stems: Sequence[str]) -> re.Pattern[str]:
    """Where one of `stems` may start in a piece of text between spaces, read alone: a
    stem without white space as `_trie` has it (its end, if it must end a word, is in
    the piece or is its end, which a space follows), a stem of several words by its
    first word, which white space must follow. Every place where a stem starts in the
    whole text is one of these; a few more are."""
    singles = [s for s in stems if len(s.split()) == 1]
    firsts = sorted({s.split()[0] for s in stems if len(s.split()) > 1}, key=len, reverse=True)
    alts = [_trie(singles)] if singles else []
    if firsts:
        alts.append("(?:" + "|".join(map(re.escape, firsts)) + r")(?!\S)")
    return re.compile(r"(?<!\w)(?=" + "|".join(alts) + ")")
