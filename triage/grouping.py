"""Near-duplicate grouping: reposts, retweets, cross-posts and truncated copies of a story.

How, and why (measured facts from issues 4 and 12):
- texts are normalised (`triage.normalize`); identical normal forms join at once (hash);
- a story's copies share its brands: posts are grouped only with posts attributed to the
  same set of brands (an agency's clients never share a row, "thank you!" to five brands
  is five stories);
- otherwise candidates are found by *blocking*: the new text's rarest tokens (by document
  frequency so far) look up earlier posts containing them, within a time window (72 h).
  All-pairs comparison does not scale (10k texts: 11 s);
- a candidate is verified with the join rule (`join_rule`): `ratio >= 85` on the normal
  forms, or `token_set_ratio >= 95` when the shorter text has at least 8 words, or the
  shorter is the longer's beginning (a truncated copy). All
  need at least `SHORT_TOKENS` distinct informative words (`triage.stopwords`) in each
  text and a length ratio of at least `LENGTH_RATIO_MIN`: on real tweets, a short reply
  ("@lumio I will! Thank you!") otherwise passed as a subset of a long complaint that
  also said thank you, hiding the complaint. Short texts join only as exact copies;
- the new text must also pass the rule against the group's leader (its first post), so a
  group cannot drift by chaining A~B~C into one story when A and C are unrelated: every
  copy of a group passes `join_rule` against its leader (bench/real_eval.py checks it
  from the raw mentions);
- what is compared is bounded (`triage.normalize.MAX_NORM_CHARS`): edit distances cost
  length x length, and a 1 MB post must be placed in milliseconds;
- on one product's small vocabulary every post has ~16 candidates and almost none is a
  copy (issue 16: bench/grouping.py --shapes onehost): a post's candidates are first
  screened as one list (`triage.grouping_bounds.Columns.screen`: the ratio bounded by
  the edit distance of the texts with half the letters deleted, in C; the token-set
  score by word signatures and letter counts packed in integers), which drops only
  candidates the rule provably rejects, so the decisions are exactly those of the rule
  itself (tests/triage/test_grouping_identity.py compares every decision with the
  grouper before issue 16, kept in tests/triage/grouping_reference.py). A post with
  few candidates skips the screen (`SCREEN_MIN_LONG`): the rule on each costs less.

Placement is incremental and final: a post joins the best existing group or starts its
own, and earlier posts never move (stored mention records are immutable), so the group id
- the id of the group's first post - never changes. Ties are broken by the smallest
group id, so the same input in the same order gives the same groups. Every join is kept
as a `Match` (rule, score, the post compared with) so the TUI can explain it.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import compress, repeat
from operator import eq, le, lt

from rapidfuzz import fuzz

from triage.grouping_bounds import Columns, Counts, Row, Screen, prefix_head, screen_fields
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
# the screen pays once a post has this many candidates (its text long, or short: the
# join rule's edit distances cost length x length), or has one when the parse worker
# made what the screen reads of the post (`Counts`)
SCREEN_MIN_LONG, SCREEN_MIN_SHORT, SCREEN_LONG = 3, 8, 200
PRUNE_MIN = 50_000  # posts held before old ones (older than 2 windows) are forgotten
_ABSENT = range(sys.maxsize)  # what a key no post holds counts as: never among the rarest
_ABSENT_LEN = len(_ABSENT)


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


def join_rule(
    a: str,
    b: str,
    a_tokens: int | None = None,
    b_tokens: int | None = None,
    a_info: int | None = None,
    b_info: int | None = None,
) -> tuple[str, float] | None:
    """The join rule on two *normalised* texts: (rule, score) when they are one story.
    Word counts (`a_tokens`) and informative word counts (`a_info`) may be passed when
    known (saves counting them again). Texts are compared up to `MAX_NORM_CHARS`."""
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
    if min(na, nb) >= TOKEN_SET_MIN_TOKENS:
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
        self._columns = Columns()  # what the candidate screen reads, by entry number
        self._by_id: dict[str, int] = {}
        self._exact: dict[tuple[str, str], int] = {}  # (brands, normal form) -> first entry
        # blocking key -> entries holding it, one index per set of brands (`brand_key`)
        self._postings: dict[str, dict[str, list[int]]] = {}
        self._leader: dict[str, int] = {}  # group id -> entry of its first post
        self._newest: datetime | None = None
        self._prune_at = prune_min

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
        self._remember(
            _Entry(
                mention_id, norm, at, group_id or mention_id, *norm_counts(norm), brand_key(brands)
            ),
            blocking_keys(norm),
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
        counts: tuple[int, int] | None = None,
    ) -> Match:
        """Decide the group of a new post and remember it. Placing the same id twice
        returns its first decision. `norm` (`normalize(text)`), `keys`
        (`blocking_keys(norm)`) and `counts` (`norm_counts(norm)`) may be given when the
        caller computed them already (the pipeline's parse workers do).
        Only posts with the same set of `brands` are candidates."""
        known = self._by_id.get(mention_id)
        if known is not None:
            e = self._entries[known]
            return Match("exact", 100.0, e.id, e.group_id)
        if norm is None:
            norm, keys, counts = grouping_norm("", text), None, None
        if len(norm) > MAX_NORM_CHARS:
            norm, keys, counts = cap_norm(norm), None, None
        if keys is None:
            keys = blocking_keys(norm)
        words: frozenset[str] | None = None  # given counts: made when first screened
        if counts is None:
            words = frozenset(norm.split())
            counts = (norm.count(" ") + 1 if norm else 0, _informative_count(words))
        tokens, info = counts
        entry = _Entry(mention_id, norm, at, "", tokens, info, brand_key(brands))
        # what the screen reads, when the parse worker made it (`Counts.screen`)
        screen = counts.screen if type(counts) is Counts else None
        match, row = self._find(entry, keys, words, screen)
        if match is None:
            match = Match("new", 0.0, mention_id, mention_id)
        entry.group_id = match.group_id
        self._remember(entry, keys, row, screen)
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
        self._columns = Columns()
        self._postings, self._leader = {}, {}
        self._prune_at = sys.maxsize  # no prune while rebuilding
        for e in keep:
            self._remember(e, blocking_keys(e.norm))
        self._prune_at = max(self.prune_min, 2 * len(keep))
        return dropped

    def _remember(
        self, e: _Entry, keys: Collection[str], row: Row | None = None, screen: Screen | None = None
    ) -> None:
        """File a placed post: `row` if the screen made one, else its `screen` fields
        (None: made when it is first a candidate)."""
        if self._newest is None or e.at > self._newest:
            self._newest = e.at
        if len(self._entries) >= self._prune_at:  # amortised: size doubles between prunes
            self.prune(self._newest - 2 * self.window)
        i = len(self._entries)
        self._entries.append(e)
        if row is None:
            self._columns.add(e.norm, e.at, e.tokens, e.info, screen)
        else:
            self._columns.append(row)
        self._by_id[e.id] = i
        if e.norm:
            self._exact.setdefault((e.brands, e.norm), i)
        self._leader.setdefault(e.group_id, i)
        postings = self._postings.get(e.brands)
        if postings is None:
            postings = self._postings[e.brands] = defaultdict(list)
        # postings[tok].append(i) for every key, the loop in C (~40 keys a post)
        _drain(map(list.append, map(postings.__getitem__, keys), repeat(i)))

    def _candidates(self, new: _Entry, keys: Collection[str]) -> list[int]:
        """The blocking step: earlier posts of the same brands sharing the new text's
        rarest keys (by document frequency so far; ties by the key itself), the last
        `POSTINGS_SCANNED` of each; with 3+ keys a post must share 2 of them (a copy
        shares nearly all words of the shorter text: one in common is not worth a
        comparison). In entry order."""
        postings = self._postings.get(new.brands)
        if not postings:
            return []
        counts = list(map(len, map(postings.get, keys, repeat(_ABSENT))))
        smallest = sorted(counts)[:RARE_TOKENS]
        while smallest and smallest[-1] == _ABSENT_LEN:
            smallest.pop()  # a key no earlier post holds is no blocking key
        if not smallest:
            return []
        top, wanted = smallest[-1], len(smallest)
        at_top = smallest.count(top)
        if counts.count(top) == at_top:  # no key at the top count left out: all <= top
            rare = list(compress(keys, map(le, counts, repeat(top))))
        else:  # ties at the top count: the smallest keys of them, as sorted
            rare = list(compress(keys, map(lt, counts, repeat(top))))
            tied = sorted(compress(keys, map(eq, counts, repeat(top))))
            rare += tied[: wanted - len(rare)]
        lists = [postings[t][-POSTINGS_SCANNED:] for t in rare]
        if len(lists) < 3:
            return sorted(set().union(*lists))
        seen = set(lists[0])
        shared = seen.intersection(lists[1])  # in two of the lists or more
        for j in range(2, len(lists)):
            seen.update(lists[j - 1])
            shared.update(seen.intersection(lists[j]))
        return sorted(shared)

    def _find(
        self,
        new: _Entry,
        keys: Collection[str],
        words: frozenset[str] | None,
        screen: Screen | None,
    ) -> tuple[Match | None, Row | None]:
        """The group the new post joins (None: its own), and the screen's `Row` of it
        when the screen ran."""
        norm, at = new.norm, new.at
        if not norm:
            return None, None
        same = self._exact.get((new.brands, norm))
        if same is not None and self._in_window(self._entries[same], at):
            e = self._entries[same]
            return Match("exact", 100.0, e.id, e.group_id), None
        if new.info < SHORT_TOKENS:
            return None, None  # a short text joins only its exact copies
        candidates = self._candidates(new, keys)
        if not candidates:
            return None, None
        lo, hi = at - self.window, at + self.window
        cols = self._columns
        ats, infos = cols.ats, cols.infos
        # candidates share the new post's brands (one index per set); a text with few
        # informative words joins only its exact copy, which has as many
        near = [i for i in candidates if lo <= ats[i] <= hi and infos[i] >= SHORT_TOKENS]
        if not near:
            return None, None
        fewest = (
            1
            if screen is not None
            else SCREEN_MIN_LONG
            if len(norm) >= SCREEN_LONG
            else SCREEN_MIN_SHORT
        )
        row = None
        maybe = near
        if len(near) >= fewest:
            row = Row(norm, at, new.tokens, new.info, words, screen)
            maybe = cols.screen(
                row,
                near,
                ratio_min=RATIO_MIN,
                token_set_min=TOKEN_SET_MIN,
                token_set_min_tokens=TOKEN_SET_MIN_TOKENS,
                head=prefix_head(PREFIX_MIN_INFO),
            )
        entries = self._entries
        n_tokens, n_info = new.tokens, new.info
        best: tuple[float, str, Match] | None = None
        checked: dict[str, bool] = {}
        for i in maybe:  # the join rule on what the screen could not reject, in entry order
            e = entries[i]
            verdict = join_rule(norm, e.norm, n_tokens, e.tokens, n_info, e.info)
            if verdict is None:
                continue
            ok = checked.get(e.group_id)
            if ok is None:
                leader = entries[self._leader.get(e.group_id, i)]
                ok = (
                    leader is e
                    or join_rule(norm, leader.norm, n_tokens, leader.tokens, n_info, leader.info)
                    is not None
                )
                checked[e.group_id] = ok
            if not ok:
                continue
            rule, score = verdict
            key = (-score, e.group_id)
            if best is None or key < (best[0], best[1]):
                best = (-score, e.group_id, Match(rule, score, e.id, e.group_id))
        return (best[2] if best else None), row


def blocking_keys(norm: str) -> tuple[str, ...]:
    """The distinct words of a normal form long enough to be blocking keys."""
    return tuple({t for t in norm.split() if len(t) >= MIN_TOKEN_LEN})


def _informative_count(words: frozenset[str]) -> int:
    """How many of a normal form's distinct words are informative (`informative_tokens`):
    one cached flag a word, summed."""
    try:
        return sum(map(_INFORMATIVE.get, words))  # type: ignore[arg-type]  # unseen: TypeError
    except TypeError:
        if len(_INFORMATIVE) > 50_000:  # a vocabulary's worth (a few MB); then anew
            _INFORMATIVE.clear()
        for t in words:
            _INFORMATIVE[t] = int(len(t) > 1 and t not in STOPWORDS)
        return sum(map(_INFORMATIVE.__getitem__, words))


_INFORMATIVE: dict[str, int] = {}


# Whether the parse workers also make what the candidate screen reads (`Counts`). Off:
# it took 0.2-0.3 s off the main process on the onehost farm but added as much to the
# workers, and on zipf and the real tweets (rarely screened) only added: a whole
# `veille fetch` was 0.95x / 1.08x / 1.09x of not doing it (bench/ingest.py, 07:25).
# The main process makes them when it screens; decisions are the same either way.
SCREEN_IN_WORKERS = False


def keys_and_counts(
    norm: str, screen: bool = SCREEN_IN_WORKERS
) -> tuple[tuple[str, ...], tuple[int, int]]:
    """`(blocking_keys(norm), norm_counts(norm))` from one split of the text (the keys'
    order may differ: placing reads them as a set); with `screen`, the counts carry what
    the candidate screen reads (`Counts`), made from the same split."""
    if not norm:
        return (), (0, 0)
    distinct = frozenset(norm.split())
    keys = tuple({t for t in distinct if len(t) >= MIN_TOKEN_LEN})
    tokens, info = norm.count(" ") + 1, _informative_count(distinct)
    if not screen or info < SHORT_TOKENS or len(norm) > MAX_NORM_CHARS:
        # never screened (a short text joins only its exact copies), or placed capped
        return keys, (tokens, info)
    return keys, Counts(tokens, info, screen_fields(norm, distinct))


def norm_counts(norm: str) -> tuple[int, int]:
    """(words, distinct informative words) of a normal form: what placing it needs
    (`Grouper.place(counts=...)`; the pipeline's parse workers compute it)."""
    if not norm:
        return 0, 0
    return norm.count(" ") + 1, _informative_count(frozenset(norm.split()))


_drain: Callable[[Iterable[object]], None] = deque[object](maxlen=0).extend  # an iterator run, in C


def group_all(posts: Iterable[tuple[str, str, datetime]]) -> dict[str, Match]:
    """Full regroup: every (id, text, time) placed in time order (then id), so the result
    equals what incremental placement gives for posts that arrive in order."""
    grouper = Grouper()
    ordered = sorted(posts, key=lambda p: (p[2], p[0]))
    return {pid: grouper.place(pid, text, at) for pid, text, at in ordered}
