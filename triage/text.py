"""Untrusted text made safe to store and to show.

Every mention is hostile until proven otherwise: terminal escape sequences (CSI, OSC such
as the OSC 52 clipboard write, DCS/APC/PM), C1 controls (the single byte `\\x9b` is a CSI
on many terminals), other control characters and bidi overrides (which can reverse what
a reader sees) are removed. Newlines and tabs stay: they are text. Rich/Textual markup is
*not* this module's business: the TUI never interprets mention text as markup.
"""

from __future__ import annotations

import re
import unicodedata

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC
# (ESC P/X/^/_ ... ST), and two-character escapes (ESC + one byte).
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC, ended by BEL or ST (or cut short)
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?     # DCS, SOS, PM, APC
    | \x1b[@-Z\\-_]                     # other Fe escapes
    | \x1b.?                            # a stray ESC and what follows
    | \x9b[0-?]*[ -/]*[@-~]             # 8-bit CSI
    | [\x9d\x90\x98\x9e\x9f][^\x9c\x07]*[\x9c\x07]?  # 8-bit OSC/DCS/SOS/PM/APC up to ST
    """,
    re.VERBOSE | re.DOTALL,
)

# Controls except \t and \n; DEL and C1; bidi embeddings, overrides and isolates;
# zero-width joiners are kept (emoji sequences need ZWJ).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufff9-\ufffb]"
)


def sanitize(text: str | None) -> str:
    """Plain, printable text: escapes, controls and bidi overrides removed; CRLF -> LF."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text)


def one_line(text: str, width: int | None = None) -> str:
    """Collapse white space to single spaces (for list rows), optionally cut with '…'."""
    flat = " ".join(text.split())
    if width is not None and len(flat) > width:
        return flat[: max(0, width - 1)] + "…"
    return flat


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching: 'Éclair' -> 'eclair'."""
    folded = text.casefold()
    if folded.isascii():  # most text: nothing to decompose
        return folded
    return unicodedata.normalize("NFKD", folded).translate(_NO_MARKS)


class _CombiningMarks(dict):
    """str.translate table deleting combining marks, filled per character on first sight
    (a C-level lookup per character instead of a Python call: fold is on the hot path)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_NO_MARKS = _CombiningMarks()
