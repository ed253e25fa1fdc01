"""Ingestion-time enrichment: brands, keywords, group, priority and signals of a mention.

Everything a stored mention carries is decided here, once, before its first write (the
archive is append-only). `seed` loads recent history so that a new copy joins a story
that started before this process did. Deterministic: the same mentions, in the same
order, get the same fields.

Why a copy joined its story is kept in `mention.extra["grouped"]` as
`{"rule": "exact"|"ratio"|"token_set", "score": 0-100, "with": <mention id compared>}`
(absent for the first post of a story), so the TUI can show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from triage.brands import BrandMatcher
from triage.config import BrandConfig, SlaConfig
from triage.grouping import Grouper, Match
from triage.model import Mention
from triage.priority import URGENT_THRESHOLD, score_mention
from triage.sla import SlaPolicy


class Pipeline:
    """Brand matching, near-duplicate grouping and priority, in one call per mention."""

    def __init__(self, brands: Sequence[BrandConfig], sla: SlaConfig | None = None):
        self.matcher = BrandMatcher(brands)
        self.grouper = Grouper()
        self.sla = sla or SlaConfig()
        self.urgent_threshold = URGENT_THRESHOLD
        self.sla_policy = SlaPolicy.from_config(self.sla, URGENT_THRESHOLD)

    def seed(self, mentions: Iterable[Mention]) -> None:
        """Remember already-stored mentions (with their decided group ids) for grouping."""
        for m in sorted(mentions, key=lambda m: (m.created_at, m.id)):
            self.grouper.add_known(m.id, _group_text(m), m.created_at, m.group_id)

    def process(self, mention: Mention) -> Mention:
        """A copy of the mention with brands, keywords, group_id, priority, signals."""
        matches = self.matcher.match(f"{mention.title}\n{mention.text}")
        brands = tuple(m.brand for m in matches)
        keywords = tuple(dict.fromkeys(k for m in matches for k in m.keywords))
        placed: Match = self.grouper.place(mention.id, _group_text(mention), mention.created_at)
        priority, signals = score_mention(mention, self.matcher.is_comparison(matches))
        extra = dict(mention.extra)
        if placed.rule != "new":
            extra["grouped"] = {
                "rule": placed.rule,
                "score": round(placed.score, 1),
                "with": placed.other_id,
            }
        return replace(
            mention,
            brands=brands,
            keywords=keywords,
            group_id=placed.group_id,
            priority=priority,
            signals=signals,
            extra=extra,
        )


def _group_text(m: Mention) -> str:
    """Articles group by title and text; posts by text."""
    return f"{m.title} {m.text}" if m.title else m.text
