"""Near-duplicate grouping: reposts, retweets, cross-posts and truncated copies of a story.

How, and why (measured facts from the issue):
- texts are normalised (`triage.normalize`); identical normal forms join at once (hash);
- otherwise candidates are found by *blocking*: the new text's rarest tokens (by document
  frequency so far) look up earlier posts containing them, within a time window (72 h).
  All-pairs comparison does not scale (10k texts: 11 s);
- a candidate is verified with a hybrid rule: `ratio >= 85` on the normal forms, or
  `token_set_ratio >= 95` when the shorter text has at least 8 tokens. `token_set` alone
  scores 100 for any short subset ("lumio" vs "lumio is great") and chains unrelated
  posts; `ratio` alone misses truncated copies;
- the new text must also pass the rule against the group's leader (its first post), so a
  group cannot drift by chaining A~B~C into one story when A and C are unrelated.

Placement is incremental and final: a post joins the best existing group or starts its
own, and earlier posts never move (stored mention records are immutable), so the group id
- the id of the group's first post - never changes. Ties are broken by the smallest
group id, so the same input in the same order gives the same groups. Every join is kept
as a `Match` (rule, score, the post compared with) so the TUI can explain it.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from triage.normalize import normalize

WINDOW = timedelta(hours=72)
RATIO_MIN = 85.0
TOKEN_SET_MIN = 95.0
TOKEN_SET_MIN_TOKENS = 8
RARE_TOKENS = 4  # blocking keys per text
POSTINGS_SCANNED = 48  # most recent posts looked at per blocking key
MIN_TOKEN_LEN = 3
PRUNE_MIN = 50_000  # posts held before old ones (older than 2 windows) are forgotten


@dataclass(frozen=True, slots=True)
class Match:
    """Why a post joined a group: the rule, its score, and the post it was compared with."""

    rule: str  # "exact" | "ratio" | "token_set" | "new" (started its own group)
    score: float
    other_id: str
    group_id: str

    def describe(self) -> str:
        if self.rule == "new":
            return "first post of its story"
        return f"copy of {self.other_id} ({self.rule} {self.score:.0f})"


def similarity(
    a: str, b: str, a_tokens: int | None = None, b_tokens: int | None = None
) -> tuple[str, float] | None:
    """The hybrid rule on two *normalised* texts: (rule, score) when they are one story.
    Token counts may be passed when known (saves counting them again)."""
    if not a or not b:
        return None
    if a == b:
        return ("exact", 100.0)
    la, lb = len(a), len(b)
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


def explain(a: str, b: str) -> str:
    """In words: would these two raw texts be grouped, by which rule and score."""
    na, nb = normalize(a), normalize(b)
    verdict = similarity(na, nb)
    if verdict is None:
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


class Grouper:
    """Places posts into groups one at a time (see the module docstring)."""

    def __init__(self, window: timedelta = WINDOW, prune_min: int = PRUNE_MIN):
        self.window = window
        self.prune_min = prune_min
        self._entries: list[_Entry] = []
        self._by_id: dict[str, int] = {}
        self._exact: dict[str, int] = {}  # normal form -> first entry with it
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._leader: dict[str, int] = {}  # group id -> entry of its first post
        self._newest: datetime | None = None
        self._prune_at = prune_min

    def __len__(self) -> int:
        return len(self._entries)

    def group_of(self, mention_id: str) -> str | None:
        i = self._by_id.get(mention_id)
        return None if i is None else self._entries[i].group_id

    def add_known(
        self, mention_id: str, text: str, at: datetime, group_id: str, *, norm: str | None = None
    ) -> None:
        """Load a post whose group is already decided (history from the store).
        `norm` is `normalize(text)` when the caller has it already."""
        if mention_id in self._by_id:
            return
        norm = normalize(text) if norm is None else norm
        self._remember(
            _Entry(mention_id, norm, at, group_id or mention_id, _count(norm)), blocking_keys(norm)
        )

    def place(
        self,
        mention_id: str,
        text: str,
        at: datetime,
        *,
        norm: str | None = None,
        keys: Collection[str] | None = None,
    ) -> Match:
        """Decide the group of a new post and remember it. Placing the same id twice
        returns its first decision. `norm` (`normalize(text)`) and `keys`
        (`blocking_keys(norm)`) may be given when the caller computed them already."""
        known = self._by_id.get(mention_id)
        if known is not None:
            e = self._entries[known]
            return Match("exact", 100.0, e.id, e.group_id)
        if norm is None:
            norm, keys = normalize(text), None
        if keys is None:
            keys = blocking_keys(norm)
        match = self._find(norm, keys, at)
        if match is None:
            match = Match("new", 0.0, mention_id, mention_id)
        self._remember(_Entry(mention_id, norm, at, match.group_id, _count(norm)), keys)
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
        self._postings, self._leader = defaultdict(list), {}
        self._prune_at = sys.maxsize  # no prune while rebuilding
        for e in keep:
            self._remember(e, blocking_keys(e.norm))
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
            self._exact.setdefault(e.norm, i)
        self._leader.setdefault(e.group_id, i)
        postings = self._postings
        for tok in keys:
            postings[tok].append(i)

    def _find(self, norm: str, keys: Collection[str], at: datetime) -> Match | None:
        if not norm:
            return None
        same = self._exact.get(norm)
        if same is not None and self._in_window(self._entries[same], at):
            e = self._entries[same]
            return Match("exact", 100.0, e.id, e.group_id)
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
        n_tokens = _count(norm)
        best: tuple[float, str, Match] | None = None
        checked: dict[str, bool] = {}
        for i in sorted(i for i, n in shared.items() if n >= need):
            e = self._entries[i]
            if not self._in_window(e, at):
                continue
            verdict = similarity(norm, e.norm, n_tokens, e.tokens)
            if verdict is None:
                continue
            ok = checked.get(e.group_id)
            if ok is None:
                leader = self._entries[self._leader.get(e.group_id, i)]
                ok = (
                    leader is e
                    or similarity(norm, leader.norm, n_tokens, leader.tokens) is not None
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


def _count(norm: str) -> int:
    return norm.count(" ") + 1 if norm else 0


def group_all(posts: Iterable[tuple[str, str, datetime]]) -> dict[str, Match]:
    """Full regroup: every (id, text, time) placed in time order (then id), so the result
    equals what incremental placement gives for posts that arrive in order."""
    grouper = Grouper()
    ordered = sorted(posts, key=lambda p: (p[2], p[0]))
    return {pid: grouper.place(pid, text, at) for pid, text, at in ordered}
