"""The comparable form of a post, for near-duplicate grouping.

Copies of one story differ by a retweet prefix ("RT @x:"), a link (shortened or another
site), handles, case, accents, punctuation, emoji and a truncation mark. All of those are
removed so that what is left is the story's words.
"""

from __future__ import annotations

import re

from triage.text import fold

_RT = re.compile(r"^(?:\s*(?:rt|via|mt)\b\s*:?\s*(?:@\w[\w.@-]*\s*:?\s*)?)+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*")
_HANDLE = re.compile(r"(?<!\w)@\w[\w.-]*(?:@[\w.-]+)?")  # @x and @x@instance.social
_TRUNCATED = re.compile(r"\s*\S*(?:\.\.\.|…)\s*$")  # "… the last wo…": drop the cut word
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Words only, folded: 'RT @a: Lumio BRÛLE! https://t.co/x' -> 'lumio brule'."""
    return normalize_folded(fold(text))


def normalize_folded(folded: str) -> str:
    """`normalize` of a text already passed through `triage.text.fold` (the pipeline
    folds each mention once for brands, priority and grouping)."""
    text = _RT.sub("", folded.strip()) if folded.lstrip()[:1] in ("r", "v", "m") else folded
    if "/" in text or "www." in text:  # the link pattern is slow: only where one can be
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    if text.rstrip().endswith(("...", "…")):  # the regex is slow on long texts: only when cut
        text = _TRUNCATED.sub("", text)
    return _NON_WORD.sub(" ", text).strip()
