"""A folded text index: which groups may match a filter's free words, without a scan.

A free word matches a group when it is a substring of the group's folded text (copies,
titles, authors) or of its signals, or when one of its expansions (same stem, close
spelling) is. Testing every group costs ~5 µs a group: half a second at 100,000 groups
beside the UI on every keystroke. A word made only of word characters (letters,
digits, `_`, `@`, `#`) and at least 3 long lies, wherever it occurs, inside one token of
3 or more such characters: so the groups holding it are the postings of the tokens that
contain it. The tokens are kept in one string, searched at C speed; their postings (group
numbers) are built in the same pass as the vocabulary. It answers a superset (the caller
still runs `Filter.matches` on what it gives: the filter's meaning is unchanged), and
"no answer" for a word it cannot judge (a space, punctuation, too short, too common).
A word with punctuation is narrowed by its runs of 3 or more word characters (each lies
inside a token too): a superset the caller tests. It also keeps every group's folded
text and signals, for `store.textscan` to test what it cannot judge over a ranking's
columns at C speed.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable, Sequence
from itertools import compress

from triage.filter import Filter, Term, folded_signals

MIN_WORD = 3  # shorter words match most groups, and a scan finds a screenful at once
BLOCK = 64  # rows per joined block of text (RankOrder.columns)
MAX_SHARE = 0.25  # a word in more than this share of groups: a scan is as quick
SPLIT = re.compile(r"[^\w@#]+")  # as triage.filter.vocabulary_of
WORD = re.compile(r"[\w@#]+")


class TextIndex:
    """Tokens of every group's folded text and signals, and the groups holding each."""

    def __init__(self, texts: Iterable[tuple[str, str, tuple[str, ...]]]) -> None:
        """`texts`: (group id, folded haystack, signals) for every group."""
        self.groups: list[str] = []
        self.haystacks: list[str] = []  # group n's folded text (the view's own string)
        self.signal_texts: list[str] = [""]  # the distinct folded signals (0: none)
        self.signal_of = array("i")  # group n -> its folded signals in `signal_texts`
        signal_ids = {"": 0}
        postings: dict[str, array[int]] = {}
        self.words: set[str] = set()  # the haystacks' words: the fuzzy vocabulary
        for n, (gid, haystack, signals) in enumerate(texts):
            self.groups.append(gid)
            self.haystacks.append(haystack)
            tokens = {w for w in SPLIT.split(haystack) if len(w) >= MIN_WORD}
            self.words |= tokens
            folded = folded_signals(signals) if signals else ""  # as Filter.matches reads them
            k = signal_ids.get(folded)
            if k is None:
                k = signal_ids[folded] = len(self.signal_texts)
                self.signal_texts.append(folded)
            self.signal_of.append(k)
            if folded:
                tokens.update(w for w in SPLIT.split(folded) if len(w) >= 3)
            for token in tokens:
                posting = postings.get(token)
                if posting is None:
                    posting = postings[token] = array("i")
                posting.append(n)
        self._last: tuple[RankOrder, set[int], list[str]] | None = None  # (see `ranked`)
        self.tokens = list(postings)
        self.postings = [postings[t] for t in self.tokens]
        self.text = "\n" + "\n".join(self.tokens) + "\n"
        self.starts: list[int] = []
        position = 1
        for token in self.tokens:
            self.starts.append(position)
            position += len(token) + 1

    def candidates(self, flt: Filter) -> set[str] | None:
        """Groups that may match every positive free word of `flt` (with its
        expansions); None when the index cannot narrow the search."""
        selected = self.select(flt)
        if selected is None:
            return None
        return {self.groups[n] for n in selected[0]}

    def select(self, flt: Filter) -> tuple[set[int], bool] | None:
        """(group numbers, exact): the groups holding every positive free word the index
        can judge, and whether that is exactly the groups `flt` matches (every term
        was such a word, so `Filter.matches` need not run); None if it judges none."""
        found: set[int] | None = None
        limit = int(len(self.groups) * MAX_SHARE)
        exact = True
        for term in flt.terms:
            if term.field != "" or term.negate:
                exact = False
                continue
            groups, judged = self.term_groups(term, limit)
            exact = exact and judged
            if groups is not None:
                found = groups if found is None else found & groups
        if found is None:
            return None
        return found, exact

    def term_groups(self, term: Term, limit: int) -> tuple[set[int] | None, bool]:
        """(groups, exact) for a positive free word: the groups holding the word or one of
        its expansions (exactly when each is a word the index judges, else a superset
        from their runs of word characters); None when it cannot narrow (too common, a
        word with no run of 3 word characters)."""
        found: set[int] = set()
        exact = True
        for word in {term.value, *term.alternatives}:
            if len(word) >= MIN_WORD and WORD.fullmatch(word):
                groups = self._containing((word,), limit)
            else:
                exact = False
                groups = None
                for run in WORD.findall(word):
                    if len(run) >= MIN_WORD and (held := self._containing((run,), limit)) is not None:
                        groups = held if groups is None else groups & held
            if groups is None:
                return None, False
            found |= groups
            if len(found) > limit:
                return None, False
        return found, exact

    def ranked(self, flt: Filter, order: RankOrder) -> tuple[list[str], bool] | None:
        """The groups `select` gives, in the order of `order`'s ranking (groups the
        ranking lacks are left out), and whether they are exact; None as `select`.
        The same groups as the last call give the same list (callers do not change it)."""
        selected = self.select(flt)
        if selected is None:
            return None
        found, exact = selected
        last = self._last
        if last is not None and last[0] is order and last[1] == found:
            return last[2], exact  # typing on: "lamp" -> "lampe" often holds the same groups
        position, ranked = order.position, order.ranked
        if len(found) * 8 < len(ranked):
            ids = [ranked[p] for p in sorted([position[n] for n in found]) if p >= 0]
        else:  # many: mark them by rank and read the ranking once, no sort
            mark = bytearray(len(ranked) + 1)  # the extra cell takes the -1s
            for p in map(position.__getitem__, found):
                mark[p] = 1
            ids = list(compress(ranked, mark))
        self._last = (order, found, ids)
        return ids, exact

    def holding(self, words: Iterable[str]) -> set[int]:
        """The groups whose text or signals hold one of `words` (each made of 3 or more
        word characters), however many."""
        found = self._containing(words, len(self.groups))
        assert found is not None
        return found

    def _containing(self, words: Iterable[str], limit: int) -> set[int] | None:
        text, starts, postings = self.text, self.starts, self.postings
        hits: set[int] = set()
        for word in words:
            at = text.find(word)
            while at >= 0:
                k = bisect.bisect_right(starts, at) - 1
                hits.update(postings[k])
                if len(hits) > limit:
                    return None
                at = text.find(word, starts[k + 1]) if k + 1 < len(starts) else -1
        return hits


class RankOrder:
    """Each indexed group's position in one ranking, so that a filter's candidates come
    out ranked by sorting small integers (a dict look-up per group and a sort by key
    took 20-40 ms a keystroke at 100,000 groups). Built once per ranking (~20 ms)."""

    def __init__(self, index: TextIndex, ranked: Sequence[str]) -> None:
        self.index = index
        self.ranked = ranked
        self.where = where = {g: i for i, g in enumerate(ranked)}
        self.position = array("i", [where.get(g, -1) for g in index.groups])
        self._columns: tuple[array[int], list[str], array[int], list[bytes]] | None = None

    def fits(self, index: TextIndex, ranked: Sequence[str]) -> bool:
        return index is self.index and ranked is self.ranked

    def columns(self) -> tuple[array[int], list[str], array[int], list[bytes]] | None:
        """(group numbers, folded texts, signals, blocks) in rank order, built once (~20 ms
        at 100,000 groups); None when some ranked group is not in the index. Block k is
        the texts of rows k*BLOCK to (k+1)*BLOCK joined by NUL, in UTF-8 (a text holds a
        word exactly when its UTF-8 holds the word's): a word not in it is in none of
        them (one C search skips BLOCK groups)."""
        if self._columns is None:
            number = array("i", [-1]) * len(self.ranked)
            for n, p in enumerate(self.position):
                if p >= 0:
                    number[p] = n
            if len(number) and min(number) < 0:
                return None
            index = self.index
            texts = list(map(index.haystacks.__getitem__, number))
            self._columns = (
                number,
                texts,
                array("i", map(index.signal_of.__getitem__, number)),
                [  # UTF-8: a text with one emoji would make its block 4 bytes a character
                    "\0".join(texts[k : k + BLOCK]).encode("utf-8", "surrogatepass")
                    for k in range(0, len(texts), BLOCK)
                ],
            )
        return self._columns

    def rows_of(self, ids: Sequence[str]) -> Sequence[int] | None:
        """The rank positions of `ids` (all ranked), or None if one is not."""
        if ids is self.ranked:
            return range(len(ids))
        try:
            return array("i", map(self.where.__getitem__, ids))
        except KeyError:
            return None
