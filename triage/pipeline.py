"""Ingestion-time enrichment: brands, keywords, group, priority and signals of a mention.

Everything a stored mention carries is decided here, once, before its first write (the
archive is append-only). `seed` loads recent history so that a new copy joins a story
that started before this process did. Deterministic: the same mentions, in the same
order, get the same fields.

Two halves. `Preparer` decides what depends on the mention alone (brands, keywords,
priority, signals, and the normal form grouping compares), folding its text once; it is
pure and picklable, so the poller runs it in the worker process that parsed the feed
(`Pipeline.prepare_hook()`), across the cores. `Pipeline.process` then only places the
mention in its story, which must happen in order, one mention at a time. A mention the
workers did not prepare (or prepared under another brand configuration) is prepared
there, so the result is the same either way.

Why a copy joined its story is kept in `mention.extra["grouped"]` as
`{"rule": "exact"|"ratio"|"token_set", "score": 0-100, "with": <mention id compared>}`
(absent for the first post of a story), so the TUI can show it.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, replace
from functools import partial
from itertools import repeat
from operator import attrgetter
from typing import Any

from triage.brandindex import IndexedBrandMatcher
from triage.brands import MAX_MATCHED
from triage.config import BrandConfig, SlaConfig
from triage.grouping import Grouper, Match, keys_and_counts, scope
from triage.model import Mention, Prepared
from triage.normalize import grouping_norm, grouping_norm_folded
from triage.priority import URGENT_THRESHOLD, score_mention
from triage.sla import SlaPolicy
from triage.text import fold


def brands_fingerprint(brands: Sequence[BrandConfig]) -> str:
    """A short name for a brand configuration: equal configurations, equal names."""
    return hashlib.blake2b(repr(list(brands)).encode(), digest_size=8).hexdigest()


RECENT = 20_000  # contents whose preparation a Preparer remembers (~20 MB)


class Preparer:
    """The per-mention half: brands, keywords, priority, signals and the normal form."""

    def __init__(self, brands: Sequence[BrandConfig]):
        self.brands = tuple(brands)
        self.matcher = IndexedBrandMatcher(self.brands)  # BrandMatcher's results, faster
        self.fingerprint = brands_fingerprint(self.brands)
        self._recent: dict[tuple[object, ...], dict[str, object]] = {}

    def decided(self, mention: Mention) -> dict[str, object]:
        """`fields(mention)`, remembered for the last `RECENT` contents prepared: the same
        post in several feeds (a tweet in three search feeds), and a feed's old entries
        served again beside a new one, are prepared once per worker. What `fields` reads
        of a mention is its title, text, language and author's reach: the key."""
        key = content_key(mention)
        found = self._recent.get(key)
        if found is None:
            found = self._recent[key] = self.fields(mention)
            if len(self._recent) > RECENT:
                # the oldest; the inbox prepares on several threads: another one may
                # have just evicted it (then one more stays until next time)
                with contextlib.suppress(RuntimeError, KeyError, StopIteration):
                    del self._recent[next(iter(self._recent))]
        return found

    def fields(self, mention: Mention) -> dict[str, object]:
        """What this half decides for one mention, as Mention field values."""
        # every step below reads a bounded beginning of the post (issue 11)
        title_folded = fold(mention.title[:MAX_MATCHED])
        text_folded = fold(mention.text[:MAX_MATCHED])
        matches = self.matcher.match_folded(f"{title_folded}\n{text_folded}", mention.lang)
        priority, signals = score_mention(
            mention, self.matcher.is_comparison(matches), folded=(title_folded, text_folded)
        )
        # articles group by title and text, posts by text; a title that is only the text's
        # beginning (microblog feeds) is dropped
        norm = grouping_norm_folded(title_folded, text_folded)
        return {
            "brands": tuple(m.brand for m in matches),
            "keywords": tuple(dict.fromkeys(k for m in matches for k in m.keywords)),
            "priority": priority,
            "signals": signals,
            "prepared": Prepared(self.fingerprint, norm, *keys_and_counts(norm)),
        }

    def warm(self) -> None:
        """Load now what the first posts would load: VADER's tables and the frequent
        words fuzzy brand matching checks (~0.3 s). The poller calls it in its own
        process before it forks the parse workers, which then inherit them ready
        instead of each loading its own copy."""
        from triage.common_words import ALWAYS, common_words
        from triage.sentiment import tone_of

        tone_of("a good start")
        for lang in ALWAYS:
            common_words(lang)

    def prepare(self, mention: Mention) -> Mention:
        """A prepared copy of the mention."""
        return replace(mention, **self.decided(mention))  # type: ignore[arg-type]

    def prepare_owned(self, mentions: list[Mention]) -> list[Mention]:
        """Prepare mentions nobody else holds yet (just parsed), in place: no copies."""
        for m in mentions:
            for name, value in self.decided(m).items():
                setattr(m, name, value)
        return mentions


def content_key(mention: Mention) -> tuple[str, str, str | None, int | None]:
    """What `Preparer.fields` reads of a mention: equal keys, equal prepared fields."""
    return (mention.title, mention.text, mention.lang, mention.author.reach)


def share_prepared(mentions: Iterable[Mention]) -> int:
    """Give each unprepared mention the prepared fields of a mention with the same
    content (a post several feeds carried, prepared by another parse worker), in place;
    how many were given. The ones without a twin stay unprepared (`Pipeline.process`
    prepares those)."""
    prepared: dict[tuple[object, ...], Mention] = {}
    waiting: list[Mention] = []
    for m in mentions:
        if m.prepared is None:
            waiting.append(m)
        else:
            prepared.setdefault(content_key(m), m)
    given = 0
    for m in waiting:
        twin = prepared.get(content_key(m))
        if twin is not None:
            for name in _DECIDED:
                setattr(m, name, getattr(twin, name))
            given += 1
    return given


_DECIDED = ("brands", "keywords", "priority", "signals", "prepared")  # what `fields` sets


_PREPARERS: dict[str, Preparer] = {}  # per worker process: built once per configuration


def _preparer(fingerprint: str, brands: tuple[BrandConfig, ...]) -> Preparer:
    preparer = _PREPARERS.get(fingerprint)
    if preparer is None:
        preparer = _PREPARERS[fingerprint] = Preparer(brands)
    return preparer


def prepare_parsed(
    fingerprint: str, brands: tuple[BrandConfig, ...], mentions: list[Mention]
) -> list[Mention]:
    """The poller's hook (run in its worker processes): prepare freshly parsed mentions."""
    return _preparer(fingerprint, brands).prepare_owned(mentions)


def warm_parsed(fingerprint: str, brands: tuple[BrandConfig, ...]) -> None:
    """The poller's warm-up hook: this process's preparer for `prepare_parsed`, built
    and loaded (see `Preparer.warm`)."""
    _preparer(fingerprint, brands).warm()


_COPIED = tuple(f.name for f in fields(Mention) if f.name not in ("group_id", "extra", "prepared"))
_copied = attrgetter(*_COPIED)
_set = object.__setattr__


def placed_copy(mention: Mention, group_id: str, extra: dict[str, Any]) -> Mention:
    """`replace(mention, group_id=group_id, extra=extra, prepared=None)` without running
    `Mention.__init__` again: its fields were cleaned when it was built (the sanitising
    boundary), a group id is a mention's id and `extra` gains only the grouping's dict,
    so the checks would change nothing; they cost ~20 us a mention, 0.2 s a first fetch.
    The fields are copied by one loop in C."""
    copy = object.__new__(Mention)
    _drain(map(_set, repeat(copy), _COPIED, _copied(mention)))
    copy.group_id = group_id or mention.id
    copy.extra = extra
    copy.prepared = None
    return copy


_drain: Callable[[Iterable[object]], None] = deque[object](maxlen=0).extend  # an iterator run, in C


class Pipeline:
    """Brand matching, near-duplicate grouping and priority, in one call per mention."""

    def __init__(self, brands: Sequence[BrandConfig], sla: SlaConfig | None = None):
        self.prepare_step = Preparer(brands)
        self.matcher = self.prepare_step.matcher
        self.grouper = Grouper()
        self.sla = sla or SlaConfig()
        self.urgent_threshold = URGENT_THRESHOLD
        self.sla_policy = SlaPolicy.from_config(self.sla, URGENT_THRESHOLD)

    def prepare_hook(self) -> Callable[[list[Mention]], list[Mention]]:
        """A picklable function preparing freshly parsed mentions (for the poller)."""
        p = self.prepare_step
        return partial(prepare_parsed, p.fingerprint, p.brands)

    def warm_hook(self) -> Callable[[], None]:
        """What readies `prepare_hook` in this process (before the workers fork)."""
        p = self.prepare_step
        return partial(warm_parsed, p.fingerprint, p.brands)

    def seed(self, mentions: Iterable[Mention]) -> None:
        """Remember already-stored mentions (with their decided group ids) for grouping."""
        for m in sorted(mentions, key=lambda m: (m.created_at, m.id)):
            self.grouper.add_known(
                m.id,
                "",
                m.created_at,
                m.group_id,
                norm=grouping_norm(m.title, m.text),
                brands=scope(m.brands, m.text),
            )

    def process(self, mention: Mention) -> Mention:
        """A copy of the mention with brands, keywords, group_id, priority, signals."""
        prepared = mention.prepared
        if prepared is None or prepared.fingerprint != self.prepare_step.fingerprint:
            mention = self.prepare_step.prepare(mention)
            prepared = mention.prepared
            assert prepared is not None
        placed: Match = self.grouper.place(
            mention.id,
            "",
            mention.created_at,
            norm=prepared.norm,
            keys=prepared.keys,
            counts=prepared.counts,
            brands=scope(mention.brands, mention.text),
        )
        extra = dict(mention.extra)
        if placed.rule != "new":
            extra["grouped"] = {
                "rule": placed.rule,
                "score": round(placed.score, 1),
                "with": placed.other_id,
            }
        return placed_copy(mention, placed.group_id, extra)
