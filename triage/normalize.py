"""The comparable form of a post, for near-duplicate grouping.

Copies of one story differ by a retweet prefix ("RT @x:"), a link (shortened or another
site), handles, case, accents, punctuation, emoji and a truncation mark. All of those are
removed so that what is left is the story's words.
"""

from __future__ import annotations

import re

from triage.text import fold

_RT = re.compile(r"^(?:\s*(?:rt|via|mt)\b\s*:?\s*(?:@\w[\w.@-]*\s*:?\s*)?)+", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w[\w.-]*(?:@[\w.-]+)?")  # @x and @x@instance.social
_TRUNCATED = re.compile(r"\s*\S*(?:\.\.\.|…)\s*$")  # "… the last wo…": drop the cut word
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Words only, folded: 'RT @a: Lumio BRÛLE! https://t.co/x' -> 'lumio brule'."""
    text = _RT.sub("", text.strip())
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    if text.rstrip().endswith(("...", "…")):  # the regex is slow on long texts: only when cut
        text = _TRUNCATED.sub("", text)
    folded = text.lower() if text.isascii() else fold(text)  # fold() is the slow path
    return _NON_WORD.sub(" ", folded).strip()
