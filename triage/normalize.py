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
# `_HANDLE` begun by its "@" (`re` skips to it in C; the look-behind moved after it)
_HANDLE_FROM_AT = re.compile(r"@(?<!\w@)\w[\w.-]*(?:@[\w.-]+)?")
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
        text = _HANDLE_FROM_AT.sub(" ", text)
    if text.rstrip().endswith(("...", "…")):
        text = _without_cut_word(text)
    return words_only(text)


def _without_cut_word(text: str) -> str:
    """`_TRUNCATED.sub("", text)` for a text whose last word ends with "..." or "…": the
    text before the white space that precedes its last word. (The regex tries every
    place of the text, ~5 us a tweet; its match is that last word, with the white space
    around it: the regex and `str.split` read white space alike.)"""
    parts = text.rsplit(None, 1)
    return parts[0] if len(parts) == 2 else ""


# ASCII's non-word characters (what `[\W_]` matches below 128) made spaces
_ASCII_NON_WORD = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes(range(128, 256))


# the characters beyond ASCII that are not word characters ("—", "…", emoji, other spaces)
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f\w]+")


def words_only(text: str) -> str:
    """`_NON_WORD.sub(" ", text).strip()`: the runs of word characters (not "_"), one
    space between; by one bytes.translate and a split in C (~3x faster than the regex).
    Other text first has its few non-word characters beyond ASCII made spaces (its word
    characters beyond ASCII are UTF-8 bytes >= 128, which the translation keeps)."""
    if text.isascii():
        return " ".join(text.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split())
    spaced = _NON_ASCII_NON_WORD.sub(" ", text)  # also every lone surrogate: encodable
    return b" ".join(spaced.encode().translate(_ASCII_NON_WORD).split()).decode()


# What grouping compares is bounded: copies of one story are recognised by their first
# few hundred words, and rapidfuzz's edit distances cost length x length, so two 1 MB
# posts must not be compared whole. The raw text is cut first (the link pattern is not
# linear on adversarial input), then the normal form, at a word boundary.
MAX_INPUT_CHARS = 8_000
MAX_NORM_CHARS = 2_000


def cap_norm(norm: str, limit: int = MAX_NORM_CHARS) -> str:
    """A normal form cut to at most `limit` characters, at a word boundary."""
    if len(norm) <= limit:
        return norm
    cut = norm[: limit + 1]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut[:limit]


def grouping_norm(title: str, text: str) -> str:
    """The normal form grouping compares for a post with a title and a text."""
    return grouping_norm_folded(fold(title[:MAX_INPUT_CHARS]), fold(text[:MAX_INPUT_CHARS]))


def grouping_norm_folded(title_folded: str, text_folded: str) -> str:
    """`grouping_norm` of a title and a text already folded (`triage.text.fold`).

    A title that is the text's beginning - microblog and alert feeds title an item with
    its first 60 characters, cut mid-word or with "…" - is dropped: kept, it would count
    every word of a short reply twice and let it pass as a subset of a longer post.
    Likewise a text that is the title's beginning gives the title alone. Hashtags and
    links added at the end ("… #sav #fail") are how copies differ most: they are left
    out (a post made only of them keeps them).
    """
    text = normalize_folded(_without_trailing_tags(text_folded[:MAX_INPUT_CHARS]))
    title = (
        normalize_folded(_without_trailing_tags(title_folded[:MAX_INPUT_CHARS]))
        if title_folded.strip()
        else ""
    )
    if not title or text.startswith(title):
        return cap_norm(text)
    if not text or title.startswith(text):
        return cap_norm(title)
    return cap_norm(f"{title} {text}")


def _without_trailing_tags(folded: str) -> str:
    """The text without the run of hashtags and links that ends it (if words remain)."""
    if "#" not in folded:
        return folded
    words = folded.split()
    end = len(words)
    while end and words[end - 1].startswith(("#", "http://", "https://")):
        end -= 1
    return " ".join(words[:end]) if end else folded
