"""Bounds that let near-duplicate grouping (`triage.grouping`) skip rapidfuzz's token-set
score where it provably cannot reach its threshold: from the two texts' word sets, word
signatures and bigrams, cheapest first. Checked against rapidfuzz itself
(tests/triage/test_grouping_fast.py) and, through the grouper, against the grouper
without them (tests/triage/test_grouping_identity.py).
"""

from __future__ import annotations

from rapidfuzz.distance import Indel

SIGNATURE_BITS = 256
_BIGRAMS: dict[str, bytes] = {}  # word -> its bigrams' codes (a vocabulary's worth)
_BIGRAMS_KEPT = 50_000  # words (a few MB); more, and it starts again


class WordSet:
    """What `token_set_may_pass` needs of a normal form: its distinct `words`, the sum of
    their lengths, their `signature` (one bit of `SIGNATURE_BITS` per word, by hash)
    and, made when first asked, their `bigrams`: those of each word between spaces, one
    byte each (by hash), sorted."""

    __slots__ = ("_bigrams", "length", "signature", "words")

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self.length = sum(map(len, words))
        self.signature = _signature(words)
        self._bigrams: bytes | None = None

    @property
    def bigrams(self) -> bytes:
        if self._bigrams is None:
            self._bigrams = _bigrams(self.words)
        return self._bigrams


def word_set(norm: str) -> WordSet:
    """The `WordSet` of a normal form."""
    return WordSet(frozenset(norm.split()))


def _signature(words: frozenset[str]) -> int:
    return sum(1 << b for b in {hash(w) % SIGNATURE_BITS for w in words})


def _bigrams(words: frozenset[str]) -> bytes:
    get = _BIGRAMS.get
    parts = []
    for w in words:
        codes = get(w)
        if codes is None:
            if len(_BIGRAMS) > _BIGRAMS_KEPT:
                _BIGRAMS.clear()
            p = f" {w} "
            codes = _BIGRAMS[w] = bytes(
                [(ord(p[i]) * 1031 + ord(p[i + 1])) % 255 for i in range(len(w) + 1)]
            )
        parts.append(codes)
    return bytes(sorted(b"".join(parts)))


def token_set_may_pass(a: WordSet, b: WordSet, cutoff: float) -> bool:
    """False only when `fuzz.token_set_ratio` of the two texts is below `cutoff`, from
    word sets alone: rapidfuzz scores the sorted common words against each side's
    sorted words, which depends only on lengths, and the two sides' own words against
    each other, an edit distance. On a small vocabulary most candidates are far from
    it: the C call, which splits and sorts both texts again, is skipped (tests/triage/
    test_grouping_fast.py checks the bound against rapidfuzz).

    Cheapest first. A bit of one signature missing from the other is at least one word
    of that side missing from the other side, so `own_a` is at most the number of a's
    own words; the common words against a's sorted words (length `full_a`) score at
    most 100 * (1 - own words / full_a) (each own word costs a letter and a space). The
    own words against each other: their edit distance is at least their difference in
    length, and at least a third of the difference between their multisets of bigrams
    (one deletion or insertion changes at most three), which are the words' bigrams
    less the two at the ends of each side; the difference between two sorted strings'
    multisets is their edit distance, computed in C. Only then are the sets intersected
    and, when still undecided, the own words joined and compared as rapidfuzz does."""
    ta, la, sig_a = a.words, a.length, a.signature
    tb, lb, sig_b = b.words, b.length, b.signature
    if not ta or not tb:
        return False
    floor = cutoff - 1e-6  # a margin for rounding: when unsure, rapidfuzz decides
    own_a, own_b = (sig_a & ~sig_b).bit_count(), (sig_b & ~sig_a).bit_count()
    if own_a and own_b:
        full_a, full_b = la + len(ta) - 1, lb + len(tb) - 1  # " ".join(sorted(words))
        lensum = full_a + full_b
        if (
            100 - 100 * own_a / full_a < floor
            and 100 - 100 * own_b / full_b < floor
            and (
                100 - 100 * abs(full_a - full_b) / lensum < floor
                or 100 - 100 * (Indel.distance(a.bigrams, b.bigrams) - 4) / 3 / lensum < floor
            )
        ):
            return False
    common = ta & tb
    n_common = len(common)
    n_ab, n_ba = len(ta) - n_common, len(tb) - n_common
    if n_common and (not n_ab or not n_ba):
        return True  # one side's words are all in the other: 100
    in_common = sum(map(len, common))
    # the lengths of the three strings rapidfuzz joins with spaces
    sect_len = in_common + n_common - 1 if n_common else 0
    ab_len = la - in_common + n_ab - 1 if n_ab else 0
    ba_len = lb - in_common + n_ba - 1 if n_ba else 0
    glue = 1 if sect_len else 0
    sect_ab_len, sect_ba_len = sect_len + glue + ab_len, sect_len + glue + ba_len
    lensum = sect_ab_len + sect_ba_len
    if sect_len and (
        100 - 100 * (glue + ab_len) / (sect_len + sect_ab_len) >= floor
        or 100 - 100 * (glue + ba_len) / (sect_len + sect_ba_len) >= floor
    ):
        return True
    if not lensum:
        return True
    # the two sides' own words against each other: the edit distance is at least their
    # difference in length; when that does not decide, compute it (as rapidfuzz does)
    if 100 - 100 * abs(ab_len - ba_len) / lensum < floor:
        return False
    dist = Indel.distance(" ".join(sorted(ta - tb)), " ".join(sorted(tb - ta)))
    return 100 - 100 * dist / lensum >= floor
