"""Which of a post's candidates near-duplicate grouping (`triage.grouping`) must put
through the join rule: all but those it provably rejects, found for the whole candidate
list with a few calls into C and integer arithmetic instead of the rule per pair.

On one product's small vocabulary every post has ~16 candidates and almost none is a
copy (issue 16: bench/grouping.py --shapes onehost). The join rule says yes by one of
four tests; a candidate is dropped only where each provably fails, so the grouper's
decisions are those of the rule itself (tests/triage/test_grouping_identity.py compares
them with the grouper before this, kept in tests/triage/grouping_reference.py):

- exact or prefix: the shorter text is the longer's beginning, tested as the rule does
  (`str.startswith`, in C, stopping at the first differing character: on one product's
  complaints a fixed head of `prefix_head` characters, the brand and a common word,
  let 1 pair in 170 through to the rule);
- ratio >= 85 allows an edit distance of 15 % of both lengths. Deleting the same letters
  from both texts (`PROJECTION`: half of the alphabet and the spaces) can only shorten
  that distance, and the projections are half as long, so rapidfuzz
  (`process.extract`: the query prepared once, lengths checked first) computes it
  for the whole list in about a quarter of the ratio's time; on one product's
  complaints it rejects all but 1 pair in 3,000;
- token set: rapidfuzz's `token_set_ratio` is the best of three scores, bounded from
  what each post keeps of its distinct words: one integer (`Row.vector`) holding the
  count of each letter and of the words in each of `BUCKETS` hash buckets, in 12-bit
  fields, made as the sum of its words' cached vectors. Field by field minima of two
  vectors (`_minimum`, integer operations) give the common letters and words at most.
  With S the length of the common words joined, A and B of each side's own words and
  LA = S + 1 + A the length of all of one side's words joined (`Row.full`):
  * sect+own against sect scores 100 - 100 (A + 1) / (2 LA - A - 1), falling with A;
    A counts the own words' letters and the spaces between them: at least the letters
    the other side lacks, at least one per own word, plus the own words less one, and
    the own words are at least the words a bucket holds beyond the other side's;
  * own against own scores 100 - 100 d / (LA + LB) with d their edit distance, at
    least |A - B| = |LA - LB| and at least the difference between the two multisets of
    letters (the common words' letters cancel).
  Each test is in integers with a margin far above rounding: when unsure, the rule
  decides. The few candidates the signatures let through have their own words counted
  exactly (`_sect_and_own`, set differences in C): on one product's complaints the
  signatures passed 1 pair in 50, each then costing the rule's token-set score (~30 us). (tests/triage/test_grouping_fast.py checks the bounds against rapidfuzz.)

What the screen reads of a post (`screen_fields`: letter counts, signature, projection)
depends on the post alone: the parse worker that prepared it can make it
(`triage.grouping.keys_and_counts(screen=True)`; off by default, `SCREEN_IN_WORKERS`:
it moved as much work into the workers as it took from the main process), else the
main process makes it when it screens. A word's signature bit is its CRC-32's
(`word_bit`), the same in every process.
"""

from __future__ import annotations

import string
import zlib
from datetime import datetime
from functools import reduce
from operator import or_

from rapidfuzz.distance import Indel
from rapidfuzz.process import extract

# letters deleted from both texts before the ratio's bound: every other letter by
# English frequency, and the spaces (digits and other scripts stay)
PROJECTION = str.maketrans("", "", "tonhdcmfybkxz ")
assert set("tonhdcmfybkxz") < set(string.ascii_lowercase)

# Letter counts packed in one integer, 12 bits a letter: a-z, then any other character
# by its code (merged counts only lower the bounds: they stay sound). A normal form
# holds at most MAX_NORM_CHARS (2,000) characters, so no count reaches 2**11 and each
# field's top bit stays clear for the subtraction in `_minimum`.
_BITS = 12
LETTERS = 32
_ONES = (1 << _BITS) - 1
_TOPS = sum(1 << (_BITS * i + _BITS - 1) for i in range(LETTERS))
_LETTER_MASK = (1 << (_BITS * LETTERS)) - 1
SIGNATURE_BITS = 256  # a power of two: a word's bit is its CRC-32's low bits (`word_bit`)
_WORDS_KEPT = 50_000  # words whose counts and bit are kept (a few MB); then anew
_COUNTS: dict[str, int] = {}
_SIGNATURE: dict[str, int] = {}
_ONE: dict[str, int] = {}  # a character's count of one, in its field


def _letter(ch: str) -> int:
    o = ord(ch)
    return o - 97 if 97 <= o <= 122 else 26 + o % (LETTERS - 26)


def _letter_counts(words: frozenset[str]) -> int:
    """The letter counts of the words, packed: the sum of each word's, kept for the
    words seen last; a new word's made with one pass in C over its characters (a real
    post's first sight brings several new words)."""
    try:
        return sum(map(_COUNTS.get, words))  # type: ignore[arg-type]  # unseen: TypeError
    except TypeError:
        if len(_COUNTS) > _WORDS_KEPT:
            _COUNTS.clear()
        for word in words:
            if word not in _COUNTS:
                try:
                    _COUNTS[word] = sum(map(_ONE.__getitem__, word))
                except KeyError:  # a character not seen yet
                    if len(_ONE) > _WORDS_KEPT:
                        _ONE.clear()
                    for ch in word:
                        _ONE.setdefault(ch, 1 << (_BITS * _letter(ch)))
                    _COUNTS[word] = sum(map(_ONE.__getitem__, word))
        return sum(map(_COUNTS.__getitem__, words))


def _signature(words: frozenset[str]) -> int:
    """One bit a word (`word_bit`, kept for the words seen last)."""
    try:
        return reduce(or_, map(_SIGNATURE.__getitem__, words), 0)
    except KeyError:
        if len(_SIGNATURE) > _WORDS_KEPT:
            _SIGNATURE.clear()
        for word in words:
            if word not in _SIGNATURE:
                _SIGNATURE[word] = word_bit(word)
        return reduce(or_, map(_SIGNATURE.__getitem__, words), 0)


def word_bit(word: str) -> int:
    """A word's bit in a signature, the same in every process (a parse worker makes a
    post's signature, the main process compares it with others': `hash` is salted per
    process when it is not forked)."""
    return 1 << (zlib.crc32(word.encode("utf-8", "surrogatepass")) & (SIGNATURE_BITS - 1))


# what `screen_fields` gives: (letter counts, their sum, `full`, signature, `need`,
# projection): a `Row`'s fields
Screen = tuple[int, int, int, int, int, str]


def screen_fields(norm: str, words: frozenset[str]) -> Screen:
    """What the screen reads of a normal form and its distinct words (`Row.prepare`),
    from the post alone: the parse workers compute it (`triage.grouping.keys_and_counts`)
    so that the main process, which places posts one at a time, does not."""
    total = _letter_counts(words)
    letters = total % _ONES  # the fields summed (below 2**12 - 1)
    full = letters + len(words) - 1 if words else 0
    signature = _signature(words)
    # the token-set test's bound on own words (`Columns.screen`): at least this many of
    # the signature's bits must be the other's for this side's own words to be few
    need = signature.bit_count() - full // 21
    return total, letters, full, signature, need, project(norm)


class Counts(tuple[int, int]):
    """`norm_counts(norm)`, (words, distinct informative words), carrying what the
    candidate screen reads of the normal form (`screen`: `grouping_bounds.screen_fields`)
    when the parse worker that prepared the post made it: `Prepared.counts` is handed
    to `triage.grouping.Grouper.place`, so the main process, which places posts one at a time, finds
    it made. It compares and unpacks as the pair."""

    screen: Screen | None

    def __new__(cls, tokens: int, info: int, screen: Screen | None = None) -> Counts:
        made = super().__new__(cls, (tokens, info))
        made.screen = screen
        return made

    def __reduce__(self) -> tuple[object, ...]:
        return (Counts, (self[0], self[1], self.screen))  # as arguments: compact, quick


_PROJECTED = b"tonhdcmfybkxz "


def project(norm: str) -> str:
    """`norm.translate(PROJECTION)`; for ASCII text (most) with bytes.translate, whose
    deletion is one C pass (str.translate looks each character up: ~3x slower)."""
    if norm.isascii():
        return norm.encode("ascii").translate(None, _PROJECTED).decode("ascii")
    return norm.translate(PROJECTION)


def prefix_head(min_info: int) -> int:
    """Characters every text with `min_info` distinct words of 2+ letters holds."""
    return 3 * min_info - 1


def _minimum(x: int, y: int) -> int:
    """Field by field minimum of two letter counts: a field's top bit survives
    `(x | tops) - y` where x >= y; spread over the field, it picks y there, x elsewhere."""
    ge = ((((x | _TOPS) - y) & _TOPS) >> (_BITS - 1)) * _ONES
    return (y & ge) | (x - (x & ge))


def _sect_and_own(me: Row, others: list[str], at: list[int], fulls: list[int]) -> list[int]:
    """Of the candidates `at` (normal forms `others`), those whose token-set score with
    `me` may reach 95 by "common words + one side's own words against the common words":
    rapidfuzz gives 100 when one word set holds the other, else 100 - 100 (A + 1) /
    (2 LA - A - 1) for a side whose own words joined are A characters long and all its
    words joined LA (0 when no word is common). The test keeps a margin of one
    character; the own words against each other are the screen's other test."""
    mine = me.words
    if mine is None:  # a row made by a parse worker: its words when first needed
        mine = me.words = frozenset(me.norm.split())
    full = me.full
    kept: list[int] = []
    for i, other in zip(at, others, strict=True):
        words = other.split()
        own = mine.difference(words)
        if not own:
            kept.append(i)  # its words hold mine (mine are not none): 100
            continue
        if len(own) == len(mine):
            continue  # no common word: only the own words against each other count
        if 21 * (sum(map(len, own)) + len(own) - 1) <= 2 * full:  # 21 (A + 1) <= 2 LA + 21
            kept.append(i)
            continue
        their_own = frozenset(words).difference(mine)
        if not their_own or 21 * (sum(map(len, their_own)) + len(their_own) - 1) <= 2 * fulls[i]:
            kept.append(i)
    return kept


class Row:
    """One post as the screen reads it (`Columns.append` files it by entry number).
    What the bounds need of its words is made when first needed (`ready`): most posts
    of a varied vocabulary are never anyone's candidate."""

    __slots__ = (
        "at",
        "counts",
        "full",
        "info",
        "length",
        "letters",
        "need",
        "norm",
        "proj",
        "ready",
        "signature",
        "tokens",
        "words",
    )

    def __init__(
        self,
        norm: str,
        at: datetime,
        tokens: int,
        info: int,
        words: frozenset[str] | None,
        screen: Screen | None = None,
    ) -> None:
        self.norm, self.length, self.at, self.tokens, self.info = norm, len(norm), at, tokens, info
        self.words = words
        self.ready = False
        if screen is not None:  # made by the parse worker (`screen_fields`)
            self._take(screen)

    def _take(self, screen: Screen) -> None:
        self.counts, self.letters, self.full, self.signature, self.need, self.proj = screen
        self.ready = True

    def prepare(self) -> Row:
        """Its letter counts (`counts`, `letters`, `full`), `signature` (one bit per
        word, `word_bit`) and projection (`proj`): `screen_fields`."""
        if self.ready:
            return self
        words = self.words
        if words is None:  # made when first needed: most posts are never screened
            words = self.words = frozenset(self.norm.split())
        self._take(screen_fields(self.norm, words))
        return self

    @property
    def unsigned(self) -> int:
        return ~self.signature


class Columns:
    """What the screen reads of each entry, one list per field (by entry number): a
    comprehension over candidates reads these faster than attributes. The fields a
    `Row` makes when needed are None until then."""

    def __init__(self) -> None:
        self.norms: list[str] = []
        self.lens: list[int] = []
        self.ats: list[datetime] = []
        self.infos: list[int] = []
        self.tokens: list[int] = []
        self.projs: list[str | None] = []
        self.fulls: list[int] = []
        self.counts: list[int] = []
        self.letters: list[int] = []
        self.signatures: list[int] = []
        self.needs: list[int] = []  # Row.need
        self.unready = 0  # rows whose fields are not made yet (0 when all come made)

    def append(self, row: Row) -> None:
        self.norms.append(row.norm)
        self.lens.append(row.length)
        self.ats.append(row.at)
        self.infos.append(row.info)
        self.tokens.append(row.tokens)
        if row.ready:
            self.projs.append(row.proj)
            self.fulls.append(row.full)
            self.counts.append(row.counts)
            self.letters.append(row.letters)
            self.signatures.append(row.signature)
            self.needs.append(row.need)
        else:
            self.projs.append(None)
            self.unready += 1
            for column in (self.fulls, self.counts, self.letters, self.signatures, self.needs):
                column.append(0)

    def add(self, norm: str, at: datetime, tokens: int, info: int, screen: Screen | None) -> None:
        """`append` of a post no `Row` was made for (never screened): its fields as the
        parse worker made them (`screen_fields`), or made when it is first screened."""
        self.norms.append(norm)
        self.lens.append(len(norm))
        self.ats.append(at)
        self.infos.append(info)
        self.tokens.append(tokens)
        if screen is not None:
            counts, letters, full, signature, need, proj = screen
            self.projs.append(proj)
            self.fulls.append(full)
            self.counts.append(counts)
            self.letters.append(letters)
            self.signatures.append(signature)
            self.needs.append(need)
        else:
            self.projs.append(None)
            self.unready += 1
            for column in (self.fulls, self.counts, self.letters, self.signatures, self.needs):
                column.append(0)

    def _prepare(self, near: list[int]) -> None:
        """Make the fields of the entries in `near` that have none yet."""
        projs = self.projs
        for i in [i for i in near if projs[i] is None]:
            self.unready -= 1
            norm = self.norms[i]
            row = Row(norm, self.ats[i], self.tokens[i], self.infos[i], frozenset(norm.split()))
            row.prepare()
            projs[i], self.fulls[i], self.counts[i] = row.proj, row.full, row.counts
            self.letters[i], self.signatures[i], self.needs[i] = (
                row.letters,
                row.signature,
                row.need,
            )

    def screen(
        self,
        me: Row,
        near: list[int],
        *,
        ratio_min: float,
        token_set_min: float,
        token_set_min_tokens: int,
        head: int,
    ) -> list[int]:
        """The candidates `near` (entry numbers, ascending) whose join rule with `me`
        may say yes: every other one it provably rejects (module docstring). `head`
        (`prefix_head`) is no longer read: the prefix test is the rule's own."""
        if ratio_min != 85.0 or token_set_min != 95.0:
            return near  # the bounds' integers are written for these thresholds
        keep: set[int]
        me.prepare()
        if self.unready:
            self._prepare(near)
        lens, la = self.lens, me.length
        # ratio: at most 2 min / (la + lb), so 115 lb >= 85 la and 115 la >= 85 lb; then
        # a distance <= 15 % of both lengths, i.e. 20 d <= 3 (la + lb)
        lo, hi = -(-85 * la // 115), 115 * la // 85
        ratio = [i for i in near if lo <= lens[i] <= hi]
        keep = set()
        if ratio:
            projs = self.projs
            found = extract(
                me.proj, [projs[i] for i in ratio], scorer=Indel.distance,
                score_cutoff=3 * (la + hi) // 20, limit=None,
            )  # fmt: skip
            keep.update([ratio[j] for _, d, j in found if 20 * d <= 3 * (la + lens[ratio[j]])])
        # exact or prefix: the rule's own test (the shorter is the longer's beginning),
        # one C call a candidate, stopping at the first differing character
        norms, text = self.norms, me.norm
        keep.update(
            [
                i
                for i in near
                if (norms[i].startswith(text) if lens[i] >= la else text.startswith(norms[i]))
            ]
        )
        if me.tokens < token_set_min_tokens:
            return sorted(keep)
        tokens, fulls, full = self.tokens, self.fulls, me.full
        shortest, longest = (la + 1) // 2, 2 * la  # the rule's length ratio (1/2)
        # sect+own against sect, each side: 21 (A + 1) <= 2 LA with A >= 2 k - 1 for k
        # own words, at least the bits of one signature missing from the other: with c
        # bits in common, 21 (bits - c) <= LA, i.e. c >= bits - LA // 21 (`Row.need`)
        sig, need, sigs, needs = me.signature, me.need, self.signatures, self.needs
        signed = [
            i
            for i in near
            if ((c := (sig & sigs[i]).bit_count()) >= need or c >= needs[i])
            and tokens[i] >= token_set_min_tokens
            and shortest <= lens[i] <= longest
        ]
        if signed:  # few: their own words counted exactly (`_sect_and_own`)
            keep.update(_sect_and_own(me, [norms[i] for i in signed], signed, fulls))
        # own against own: 20 d <= LA + LB with d >= |LA - LB|, i.e. 19 LB <= 21 LA and
        # 19 LA <= 21 LB; then d >= the letters' difference
        low, high = -(-19 * full // 21), 21 * full // 19
        close = [
            i
            for i in near
            if low <= fulls[i] <= high
            and tokens[i] >= token_set_min_tokens
            and shortest <= lens[i] <= longest
        ]
        if close:
            counts, letters, mine, nl = self.counts, self.letters, me.counts, me.letters
            keep.update(
                [
                    i
                    for i in close
                    if 20 * (nl + letters[i] - 2 * (_minimum(mine, counts[i]) % _ONES))
                    <= full + fulls[i]
                ]
            )
        return sorted(keep)
