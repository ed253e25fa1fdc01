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

# Controls except \t and \n; DEL and C1; bidi embeddings, overrides and isolates; lone
# surrogates (they cannot be encoded, so one would fail every later write); zero-width
# joiners are kept (emoji sequences need ZWJ).
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ufff9-\ufffb\ud800-\udfff]")
# A one-line field (id, URL, name, language) also loses tabs, line breaks and the
# Unicode line and paragraph separators: one field must stay one line of a listing.
_FIELD_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ufff9-\ufffb\ud800-\udfff\u2028\u2029]")
_FIELD_BREAKS = frozenset("\t\n\r\u2028\u2029")
# Line ends other than \n (CRLF, CR, the Unicode line and paragraph separators): \n.
_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_UNCLEAN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ufff9-\ufffb\ud800-\udfff\u2028\u2029]")
# What JSON output must still escape: json and orjson escape C0 already, not DEL, C1,
# bidi controls, line separators or surrogates.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\ufff9-\ufffb\ud800-\udfff\u2028\u2029]")

# What is stored and shown of one post. Longer texts are cut with a marker that says so:
# no later step (grouping, priority, display) should pay for a megabyte-long post.
TEXT_LIMIT = 32_000
TITLE_LIMIT = 1_000
FIELD_LIMIT = 2_048


def sanitize(text: str | None) -> str:
    """Plain, printable text: escapes, controls and bidi overrides removed; CRLF -> LF."""
    if not text:
        return ""
    if _UNCLEAN.search(text):  # every escape sequence starts with a control: most text has none
        text = _BREAKS.sub("\n", text)
        text = _ESCAPES.sub("", text)
        text = _CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text)


_ASCII_KEEP = bytes(range(0x20, 0x7F)) + b"\t\n"


def printable_text(text: str) -> bool:
    """True when `text` holds nothing `clean_text` would change (for ASCII, one C pass
    of bytes.translate: ~4x faster than the regex, which other text needs)."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _ASCII_KEEP)
    return _UNCLEAN.search(text) is None


def clean_text(text: str | None) -> str:
    """`sanitize` for a text already in NFC: unchanged (and fast) when it is clean."""
    if not text:
        return ""
    if printable_text(text):
        return text
    return sanitize(text)


def clean_field(value: str | None) -> str:
    """A one-line field made safe: escapes and controls gone, line breaks and tabs become
    spaces. Most values are printable already (`str.isprintable` is one C scan)."""
    if not value:
        return ""
    if value.isprintable():
        return value
    value = _ESCAPES.sub("", value)
    return _FIELD_UNSAFE.sub(lambda m: " " if m.group() in _FIELD_BREAKS else "", value)


def bound(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` if it fits in `limit` characters, else its start and a marker saying so.

    The result always fits, so bounding twice (a record stored, then loaded) changes
    nothing.
    """
    if len(text) <= limit:
        return text
    marker = f" […cut: {len(text):,} characters in all]"
    return text[: max(0, limit - len(marker))].rstrip() + marker


def escape_json_controls(dumped: str) -> str:
    """JSON text (from json or orjson) with DEL, C1, bidi controls, line separators and
    lone surrogates written as \\uXXXX escapes: the same data, nothing a terminal acts on.

    Such characters can only sit inside JSON strings, where the escape is equivalent.
    """
    if not _JSON_UNSAFE.search(dumped):
        return dumped
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def json_safe_dumps(value: object, indent: int | None = None) -> str:
    """`json.dumps` whose output is safe to print (see `escape_json_controls`)."""
    import json

    return escape_json_controls(json.dumps(value, ensure_ascii=False, indent=indent))


def one_line(text: str, width: int | None = None) -> str:
    """Collapse white space to single spaces (for list rows), optionally cut with '…'."""
    flat = " ".join(text.split())
    if width is not None and len(flat) > width:
        return flat[: max(0, width - 1)] + "…"
    return flat


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching: 'Éclair' -> 'eclair'.

    Folding commutes with concatenation at a line break: fold(a + "\n" + b) equals
    fold(a) + "\n" + fold(b), which lets the pipeline fold a title and a text once each.
    """
    folded = text.casefold()
    if folded.isascii():  # most text: nothing to decompose
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    if decomposed.isascii():
        return decomposed
    stripped = _bmp_marks().sub("", decomposed)
    if _ASTRAL_SCRIPTS.search(stripped):  # rare scripts beyond the BMP: per character
        return stripped.translate(_NO_MARKS)
    return stripped


# Combining marks are deleted with one regex over the BMP's marks (a C scan, ~2x faster
# than str.translate, which looks every character up in a dict). Beyond the BMP, `re`
# would test a long list of ranges per character, so the few texts with characters of
# those scripts (emoji and mathematical letters excluded: NFKD or no marks) take the
# per-character table instead. Both delete exactly the characters with a non-zero
# canonical combining class.
_ASTRAL_SCRIPTS = re.compile("[\U00010000-\U0001efff]")
_BMP_MARKS: re.Pattern[str] | None = None


def _bmp_marks() -> re.Pattern[str]:
    global _BMP_MARKS
    if _BMP_MARKS is None:  # built on first need (~3 ms): most commands never fold accents
        ranges: list[list[int]] = []
        for code in range(0x300, 0x10000):
            if unicodedata.combining(chr(code)):
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1][1] = code
                else:
                    ranges.append([code, code])
        body = "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in ranges)
        _BMP_MARKS = re.compile(f"[{body}]+")
    return _BMP_MARKS


class _CombiningMarks(dict):
    """str.translate table deleting combining marks, filled per character on first sight."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_NO_MARKS = _CombiningMarks()
