"""Which of a post's candidates near-duplicate grouping (`triage.grouping`) must put
through the join rule: all but those it provably rejects, found for the whole candidate
list with a few calls into C instead of Python tests per pair.

On one product's small vocabulary every post has ~16 candidates and almost none is a
copy (issue 16: bench/grouping.py --shapes onehost). The join rule says yes by one of
four tests; a candidate is dropped only where each provably fails, so the grouper's
decisions are those of the rule itself (tests/triage/test_grouping_identity.py compares
them with the grouper before this, kept in tests/triage/grouping_reference.py):

- exact or prefix: the shorter text is the longer's beginning and holds at least
  `PREFIX_MIN_INFO` distinct words of two letters or more, so both begin with the same
  `prefix_head` characters;
- ratio >= 85 allows an edit distance of 15 % of both lengths. Deleting the same letters
  from both texts (`PROJECTION`: half of the alphabet and the spaces) can only shorten
  that distance, and the projections are half as long, so rapidfuzz
  (`process.extract_iter`, the query prepared once, lengths checked first) computes it
  for the whole list in a quarter of the ratio's time: on one product's complaints it
  rejects all but 1 pair in 5,000;
- token set: rapidfuzz's `token_set_ratio` is the best of three scores, bounded from
  what each entry keeps of its distinct words. With S the length of the common words
  joined, A and B of each side's own words, and LA = S + 1 + A the length of all of one
  side's words joined (`full`):
  * sect+own against sect scores 100 - 100 (A + 1) / (2 LA - A - 1), falling with A,
    and A >= 2 k - 1 for k own words; k is at least the number of bits of one side's
    `signature` (one of `SIGNATURE_BITS` per word, by hash) missing from the other's;
  * own against own scores 100 - 100 d / (LA + LB) with d their edit distance, at
    least |A - B| = |LA - LB|, and at least the difference between the two sides'
    multisets of letters (the common words' letters cancel): each side's letter
    counts are packed in one integer (`letter_counts`, a sum of its words' cached
    counts) and the difference is taken field by field with integer operations
    (`letter_difference`).
  Each test is in integers with a margin far above rounding: when unsure, the rule
  decides. (tests/triage/test_grouping_fast.py checks each bound against rapidfuzz.)
"""

from __future__ import annotations

import string
from datetime import datetime

from rapidfuzz.distance import Indel
from rapidfuzz.process import extract_iter

SIGNATURE_BITS = 256  # a power of two: a word's bit is its hash's low bits
_WORDS_KEPT = 50_000  # words whose bit is kept (a few MB); more, and it starts again
# letters deleted from both texts before the ratio's bound: every other letter by
# English frequency, and the spaces (digits and other scripts stay)
PROJECTION = str.maketrans("", "", "tonhdcmfybkxz ")
assert set("tonhdcmfybkxz") < set(string.ascii_lowercase)


class _Bits(dict[str, int]):
    """word -> its signature bit, made on first use."""

    def __missing__(self, word: str) -> int:
        if len(self) > _WORDS_KEPT:
            self.clear()
        bit = self[word] = 1 << (hash(word) & (SIGNATURE_BITS - 1))
        return bit


_BITS = _Bits()


def signature(words: frozenset[str]) -> int:
    """One bit per word (by hash); distinct bits, so their sum is their OR."""
    return sum({*map(_BITS.__getitem__, words)})


def full_length(words: frozenset[str]) -> int:
    """The length of the words joined by spaces, as rapidfuzz joins them."""
    return sum(map(len, words)) + len(words) - 1 if words else 0


# Letter counts packed in one integer: a field of `_FIELD` bits per letter (a-z, 0-9,
# any other character by its code, merged: a merged count only lowers the difference,
# so the bound stays sound). A normal form holds at most MAX_NORM_CHARS (2,000)
# letters, so each field's top bit stays clear for the subtraction below.
_FIELD = 16
_FIELDS = 64
_TOPS = sum(1 << (_FIELD * i + _FIELD - 1) for i in range(_FIELDS))
_ONES = (1 << _FIELD) - 1


def _field(ch: str) -> int:
    o = ord(ch)
    if 97 <= o <= 122:
        return o - 97
    if 48 <= o <= 57:
        return 26 + o - 48
    return 36 + o % (_FIELDS - 36)


class _Counts(dict[str, int]):
    """word -> its letter counts, packed; made on first use."""

    def __missing__(self, word: str) -> int:
        if len(self) > _WORDS_KEPT:
            self.clear()
        packed = self[word] = sum(1 << (_FIELD * _field(ch)) for ch in word)
        return packed


_COUNTS = _Counts()


def letter_counts(words: frozenset[str]) -> int:
    """The words' letters counted, one `_FIELD`-bit field per letter."""
    return sum(map(_COUNTS.__getitem__, words))


def letter_difference(x: int, nx: int, y: int, ny: int) -> int:
    """How many letters the multisets packed in `x` (`nx` letters) and `y` (`ny`)
    differ by: nx + ny - 2 * sum(min). A field's top bit survives `(x | tops) - y`
    where x >= y; spread over the field it picks y there and x elsewhere - the minimum;
    the fields' sum is the integer modulo 2**_FIELD - 1 (it stays below that)."""
    d = (x | _TOPS) - y
    ge = ((d & _TOPS) >> (_FIELD - 1)) * _ONES
    return nx + ny - 2 * (((y & ge) | (x & ~ge)) % _ONES)


def prefix_head(min_info: int) -> int:
    """Characters every text with `min_info` distinct words of 2+ letters holds."""
    return 3 * min_info - 1


class Row:
    """One post as the screen reads it (`Columns.append` files it by entry number)."""

    __slots__ = ("at", "counts", "full", "info", "length", "letters", "norm", "proj", "sig")
    __slots__ += ("tokens", "unsig")

    def __init__(
        self, norm: str, at: datetime, info: int, tokens: int, words: frozenset[str]
    ) -> None:
        self.norm, self.length, self.at, self.info, self.tokens = norm, len(norm), at, info, tokens
        self.proj = norm.translate(PROJECTION)
        self.letters = sum(map(len, words))
        self.full = self.letters + len(words) - 1 if words else 0
        self.sig = signature(words)
        self.unsig = ~self.sig
        self.counts = letter_counts(words)


class Columns:
    """What the screen reads of each entry, one list per field (by entry number): a
    list comprehension over candidates reads these faster than attributes."""

    def __init__(self) -> None:
        self.norms: list[str] = []
        self.lens: list[int] = []
        self.ats: list[datetime] = []
        self.infos: list[int] = []
        self.tokens: list[int] = []
        self.projs: list[str] = []
        self.fulls: list[int] = []
        self.sigs: list[int] = []
        self.unsigs: list[int] = []  # ~signature
        self.letters: list[int] = []
        self.counts: list[int] = []

    def append(self, row: Row) -> None:
        self.norms.append(row.norm)
        self.lens.append(row.length)
        self.ats.append(row.at)
        self.infos.append(row.info)
        self.tokens.append(row.tokens)
        self.projs.append(row.proj)
        self.fulls.append(row.full)
        self.sigs.append(row.sig)
        self.unsigs.append(row.unsig)
        self.letters.append(row.letters)
        self.counts.append(row.counts)

    def screen(
        self,
        me: Row,
        near: list[int],
        *,
        ratio_min: float,
        token_set_min_tokens: int,
        head: int,
    ) -> list[int]:
        """The candidates `near` (entry numbers, ascending) whose join rule with `me`
        may say yes: every other one it provably rejects (module docstring). The
        bounds' constants are those of ratio 85 and token set 95 (the grouper checks)."""
        norms, lens = self.norms, self.lens
        a, la = me.norm, me.length
        # ratio: distance <= 15 % of both lengths, i.e. 20 d <= 3 (la + lb)
        cutoff = 3 * (la + max([lens[i] for i in near])) // 20
        found = extract_iter(
            me.proj, [self.projs[i] for i in near], scorer=Indel.distance,
            score_cutoff=cutoff,
        )  # fmt: skip
        keep = {near[j] for _, d, j in found if 20 * d <= 3 * (la + lens[near[j]])}
        start = a[:head]
        keep.update([i for i in near if norms[i].startswith(start)])
        tokens = self.tokens
        if me.tokens < token_set_min_tokens:
            return sorted(keep)
        shortest, longest = (la + 1) // 2, 2 * la  # the rule's length ratio (1/2)
        pool = [
            i for i in near if tokens[i] >= token_set_min_tokens and shortest <= lens[i] <= longest
        ]
        if not pool:
            return sorted(keep)
        fulls, sigs, unsigs = self.fulls, self.sigs, self.unsigs
        full, sig, unsig = me.full, me.sig, me.unsig
        # sect+own against sect: one side's own words few (k bits missing from the other)
        keep.update(
            [
                i
                for i in pool
                if 21 * (sig & unsigs[i]).bit_count() <= full
                or 21 * (sigs[i] & unsig).bit_count() <= fulls[i]
            ]
        )
        # own against own: lengths within a twentieth, then the letters
        counts, nletters, diff = self.counts, self.letters, letter_difference
        mine, n = me.counts, me.letters
        keep.update(
            [
                i
                for i in pool
                if 20 * abs(full - fulls[i]) <= full + fulls[i]
                and 20 * diff(mine, n, counts[i], nletters[i]) <= full + fulls[i]
            ]
        )
        return sorted(keep)
