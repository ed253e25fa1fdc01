"""The grouper as it was before issue 16's speed work (main 6e59840), kept verbatim as the
oracle of tests/triage/test_grouping_identity.py: the fast grouper must decide exactly
what this one decides (group, rule, score, post compared with) on real and drawn texts.
Not used by the application.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from triage.normalize import MAX_INPUT_CHARS, MAX_NORM_CHARS, cap_norm, grouping_norm
from triage.stopwords import STOPWORDS

WINDOW = timedelta(hours=72)
RATIO_MIN = 85.0
TOKEN_SET_MIN = 95.0
TOKEN_SET_MIN_TOKENS = 8
RARE_TOKENS = 4  # blocking keys per text
POSTINGS_SCANNED = 48  # most recent posts looked at per blocking key
MIN_TOKEN_LEN = 3
SHORT_TOKENS = 5  # fewer distinct informative words: a short text, joined only when exact
LENGTH_RATIO_MIN = 0.5  # the shorter normal form against the longer, in characters
PREFIX_MIN_INFO = SHORT_TOKENS  # informative words a truncated copy (a prefix) must keep
WORD_SETS_KEPT = 4096  # word sets of compared posts kept (a few MB)
PRUNE_MIN = 50_000  # posts held before old ones (older than 2 windows) are forgotten


@dataclass(frozen=True, slots=True)
class Match:
    """Why a post joined a group: the rule, its score, and the post it was compared with."""

    rule: str  # "exact" | "prefix" | "ratio" | "token_set" | "new" (started its own group)
    score: float
    other_id: str
    group_id: str

    def describe(self) -> str:
        if self.rule == "new":
            return "first post of its story"
        return f"copy of {self.other_id} ({self.rule} {self.score:.0f})"


def informative_tokens(norm: str) -> frozenset[str]:
    """The distinct words of a normal form that can tell one story from another:
    not function words, greetings or thanks (`triage.stopwords`), not single letters."""
    distinct = frozenset(norm.split()) - STOPWORDS  # set operations in C, then the length
    return frozenset(t for t in distinct if len(t) > 1)


WordSet = tuple[frozenset[str], int]  # a normal form's distinct words, their total length


def word_set(norm: str) -> WordSet:
    """What `token_set_may_pass` needs of a normal form: its distinct words and the sum
    of their lengths."""
    words = frozenset(norm.split())
    return words, sum(map(len, words))


def token_set_may_pass(a: WordSet, b: WordSet, cutoff: float = TOKEN_SET_MIN) -> bool:
    """False only when `fuzz.token_set_ratio` of the two texts is below `cutoff`, from
    word sets alone (no string is built): rapidfuzz scores the sorted common words
    against each side's, which depends only on lengths, and the two sides' own words
    against each other, which an edit distance bounds from below by their difference
    in length. On a small vocabulary most candidates are far from it: the C call,
    which splits and sorts both texts again, is skipped (tests/triage/
    test_grouping_fast.py checks the bound against rapidfuzz)."""
    (ta, la), (tb, lb) = a, b
    if not ta or not tb:
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
    floor = cutoff - 1e-6  # a margin for rounding: when unsure, rapidfuzz decides
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


def join_rule(
    a: str,
    b: str,
    a_tokens: int | None = None,
    b_tokens: int | None = None,
    a_info: int | None = None,
    b_info: int | None = None,
    sets: tuple[WordSet, WordSet] | None = None,
) -> tuple[str, float] | None:
    """The join rule on two *normalised* texts: (rule, score) when they are one story.
    Word counts (`a_tokens`) and informative word counts (`a_info`) may be passed when
    known (saves counting them again), and their `word_set`s (skips most token-set
    comparisons that cannot pass). Texts are compared up to `MAX_NORM_CHARS`."""
    if not a or not b:
        return None
    if a == b:
        return ("exact", 100.0)
    ia = len(informative_tokens(a)) if a_info is None else a_info
    if ia < SHORT_TOKENS:
        return None
    ib = len(informative_tokens(b)) if b_info is None else b_info
    if ib < SHORT_TOKENS:
        return None
    la, lb = len(a), len(b)
    short, long_ = (a, b) if la <= lb else (b, a)
    if (
        min(ia, ib) >= PREFIX_MIN_INFO
        and long_.startswith(short)
        and long_[len(short) : len(short) + 1] in ("", " ")
    ):
        return ("prefix", 100.0)  # a truncated copy: "the story is cut here and…"
    if la < LENGTH_RATIO_MIN * lb or lb < LENGTH_RATIO_MIN * la:
        return None  # otherwise a short text is never a copy of a much longer one
    # ratio = 2*matches/(la+lb) <= 2*min/(la+lb): skip it when that bound is too low
    if 200 * min(la, lb) >= RATIO_MIN * (la + lb):
        r = fuzz.ratio(a, b, score_cutoff=RATIO_MIN)
        if r:
            return ("ratio", r)
    na = a.count(" ") + 1 if a_tokens is None else a_tokens
    nb = b.count(" ") + 1 if b_tokens is None else b_tokens
    if min(na, nb) >= TOKEN_SET_MIN_TOKENS and (sets is None or token_set_may_pass(*sets)):
        t = fuzz.token_set_ratio(a, b, score_cutoff=TOKEN_SET_MIN)
        if t:
            return ("token_set", t)
    return None


similarity = join_rule  # the name issue 4 gave it


def explain(a: str, b: str) -> str:
    """In words: would these two raw texts be grouped, by which rule and score."""
    na, nb = grouping_norm("", a), grouping_norm("", b)
    verdict = join_rule(na, nb)
    if verdict is None:
        short = min(len(informative_tokens(na)), len(informative_tokens(nb)))
        if na and nb and short < SHORT_TOKENS:
            return f"not grouped: {short} informative words < {SHORT_TOKENS}, not an exact copy"
        ratio = fuzz.ratio(na, nb)
        tset = fuzz.token_set_ratio(na, nb)
        return f"not grouped: ratio {ratio:.0f} < {RATIO_MIN:.0f}, token_set {tset:.0f}"
    rule, score = verdict
    return f"grouped: {rule} {score:.0f}"


@dataclass(slots=True)
class _Entry:
    id: str
    norm: str
    at: datetime
    group_id: str
    tokens: int  # words in `norm`
    info: int  # distinct informative words in `norm`
    brands: str  # `brand_key` of the post's brands


def brand_key(brands: Iterable[str]) -> str:
    """One string per set of brands (order and duplicates ignored)."""
    return "\x1f".join(sorted(set(brands)))


_HANDLE = re.compile(r"(?<![\w@])@\w[\w.-]*")


def scope(brands: Sequence[str], text: str) -> tuple[str, ...]:
    """What a post's copies must share: its brands; for a post attributed to no brand,
    the accounts it addresses ("@x thank you" and "@y thank you" are two stories)."""
    if brands:
        return tuple(brands)
    return tuple(
        sorted({h.casefold().rstrip(".-") for h in _HANDLE.findall(text[:MAX_INPUT_CHARS])})
    )


class Grouper:
    """Places posts into groups one at a time (see the module docstring)."""

    def __init__(self, window: timedelta = WINDOW, prune_min: int = PRUNE_MIN):
        self.window = window
        self.prune_min = prune_min
        self._entries: list[_Entry] = []
        self._by_id: dict[str, int] = {}
        self._exact: dict[tuple[str, str], int] = {}  # (brands, normal form) -> first entry
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._leader: dict[str, int] = {}  # group id -> entry of its first post
        self._newest: datetime | None = None
        self._prune_at = prune_min
        self._sets: dict[int, WordSet] = {}  # word sets of recent entries (candidates)

    def __len__(self) -> int:
        return len(self._entries)

    def group_of(self, mention_id: str) -> str | None:
        i = self._by_id.get(mention_id)
        return None if i is None else self._entries[i].group_id

    def add_known(
        self,
        mention_id: str,
        text: str,
        at: datetime,
        group_id: str,
        *,
        norm: str | None = None,
        brands: Iterable[str] = (),
    ) -> None:
        """Load a post whose group is already decided (history from the store).
        `norm` is `normalize(text)` when the caller has it already."""
        if mention_id in self._by_id:
            return
        norm = cap_norm(grouping_norm("", text) if norm is None else norm)
        bk = brand_key(brands)
        self._remember(
            _Entry(mention_id, norm, at, group_id or mention_id, *_counts(norm), bk),
            _keyed(blocking_keys(norm), bk),
        )

    def place(
        self,
        mention_id: str,
        text: str,
        at: datetime,
        *,
        norm: str | None = None,
        keys: Collection[str] | None = None,
        brands: Iterable[str] = (),
    ) -> Match:
        """Decide the group of a new post and remember it. Placing the same id twice
        returns its first decision. `norm` (`normalize(text)`) and `keys`
        (`blocking_keys(norm)`) may be given when the caller computed them already.
        Only posts with the same set of `brands` are candidates."""
        known = self._by_id.get(mention_id)
        if known is not None:
            e = self._entries[known]
            return Match("exact", 100.0, e.id, e.group_id)
        if norm is None:
            norm, keys = grouping_norm("", text), None
        if len(norm) > MAX_NORM_CHARS:
            norm, keys = cap_norm(norm), None
        if keys is None:
            keys = blocking_keys(norm)
        bk = brand_key(brands)
        entry = _Entry(mention_id, norm, at, "", *_counts(norm), bk)
        keyed = _keyed(keys, bk)
        match = self._find(entry, keyed)
        if match is None:
            match = Match("new", 0.0, mention_id, mention_id)
        entry.group_id = match.group_id
        self._remember(entry, keyed)
        return match

    # ------------------------------------------------------------------ internals

    def _in_window(self, e: _Entry, at: datetime) -> bool:
        return abs(at - e.at) <= self.window

    def prune(self, before: datetime) -> int:
        """Forget posts older than `before` (a long-running watcher must not grow without
        end); leaders of groups with a post kept stay, for the leader check. Returns how
        many posts were forgotten."""
        kept_groups = {e.group_id for e in self._entries if e.at >= before}
        keep = [
            e
            for e in self._entries
            if e.at >= before
            or (e.group_id in kept_groups and self._entries[self._leader[e.group_id]] is e)
        ]
        dropped = len(self._entries) - len(keep)
        self._entries, self._by_id, self._exact = [], {}, {}
        self._postings, self._leader, self._sets = defaultdict(list), {}, {}
        self._prune_at = sys.maxsize  # no prune while rebuilding
        for e in keep:
            self._remember(e, _keyed(blocking_keys(e.norm), e.brands))
        self._prune_at = max(self.prune_min, 2 * len(keep))
        return dropped

    def _remember(self, e: _Entry, keys: Collection[str]) -> None:
        if self._newest is None or e.at > self._newest:
            self._newest = e.at
        if len(self._entries) >= self._prune_at:  # amortised: size doubles between prunes
            self.prune(self._newest - 2 * self.window)
        i = len(self._entries)
        self._entries.append(e)
        self._by_id[e.id] = i
        if e.norm:
            self._exact.setdefault((e.brands, e.norm), i)
        self._leader.setdefault(e.group_id, i)
        postings = self._postings
        for tok in keys:
            postings[tok].append(i)

    def _word_set(self, i: int) -> WordSet:
        """Entry `i`'s word set, kept for the most recent entries compared (candidates
        are mostly recent: the last postings of each key)."""
        found = self._sets.get(i)
        if found is None:
            found = self._sets[i] = word_set(self._entries[i].norm)
            if len(self._sets) > WORD_SETS_KEPT:
                del self._sets[next(iter(self._sets))]  # the one computed longest ago
        return found

    def _find(self, new: _Entry, keys: Collection[str]) -> Match | None:
        norm, at = new.norm, new.at
        if not norm:
            return None
        same = self._exact.get((new.brands, norm))
        if same is not None and self._in_window(self._entries[same], at):
            e = self._entries[same]
            return Match("exact", 100.0, e.id, e.group_id)
        if new.info < SHORT_TOKENS:
            return None  # a short text joins only its exact copies
        get = self._postings.get
        # the rarest first, ties by the token itself (tuples compare without a key call)
        rare = sorted([(len(p), t) for t in keys if (p := get(t))])[:RARE_TOKENS]
        postings = self._postings
        shared: dict[int, int] = defaultdict(int)
        for _, tok in rare:
            for i in postings[tok][-POSTINGS_SCANNED:]:
                shared[i] += 1
        # a copy shares (nearly) all words of the shorter text: with 3+ keys, one in
        # common is not enough to be worth a comparison
        need = 2 if len(rare) >= 3 else 1
        n_tokens, n_info = new.tokens, new.info
        best: tuple[float, str, Match] | None = None
        checked: dict[str, bool] = {}
        mine: WordSet | None = None  # this post's word set, made when first compared
        for i in sorted(i for i, n in shared.items() if n >= need):
            e = self._entries[i]
            if e.brands != new.brands or not self._in_window(e, at):
                continue
            if mine is None:
                mine = word_set(norm)
            sets = (mine, self._word_set(i))
            verdict = join_rule(norm, e.norm, n_tokens, e.tokens, n_info, e.info, sets)
            if verdict is None:
                continue
            ok = checked.get(e.group_id)
            if ok is None:
                li = self._leader.get(e.group_id, i)
                leader = self._entries[li]
                ok = (
                    leader is e
                    or join_rule(
                        norm,
                        leader.norm,
                        n_tokens,
                        leader.tokens,
                        n_info,
                        leader.info,
                        (mine, self._word_set(li)),
                    )
                    is not None
                )
                checked[e.group_id] = ok
            if not ok:
                continue
            rule, score = verdict
            key = (-score, e.group_id)
            if best is None or key < (best[0], best[1]):
                best = (-score, e.group_id, Match(rule, score, e.id, e.group_id))
        return best[2] if best else None


def blocking_keys(norm: str) -> tuple[str, ...]:
    """The distinct words of a normal form long enough to be blocking keys."""
    return tuple({t for t in norm.split() if len(t) >= MIN_TOKEN_LEN})


def _counts(norm: str) -> tuple[int, int]:
    """(words, distinct informative words) of a normal form."""
    if not norm:
        return 0, 0
    return norm.count(" ") + 1, len(informative_tokens(norm))


def _keyed(keys: Collection[str], bk: str) -> Collection[str]:
    """Blocking keys within one set of brands: posts of other brands are never looked up."""
    return [f"{bk}\x1f{k}" for k in keys] if bk else keys


def group_all(posts: Iterable[tuple[str, str, datetime]]) -> dict[str, Match]:
    """Full regroup: every (id, text, time) placed in time order (then id), so the result
    equals what incremental placement gives for posts that arrive in order."""
    grouper = Grouper()
    ordered = sorted(posts, key=lambda p: (p[2], p[0]))
    return {pid: grouper.place(pid, text, at) for pid, text, at in ordered}
