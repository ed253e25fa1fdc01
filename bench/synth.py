"""Realistic synthetic mentions for benchmarks (deterministic for a given seed).

Several platforms, French and English text (complaints, questions, praise, neutral
news), brands and competitors, recurring authors with reach, and copies of one story
(retweets, cross-posts, truncations) so that grouping has work to do.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from triage.model import Author, Mention

BRANDS = ("Lumio", "Brightly", "Lumenza", "Glowa")
PLATFORMS = ("rss", "mastodon", "bluesky", "hackernews", "reddit")
SUBJECTS = (
    "ma lampe {b}",
    "the {b} Glow",
    "le support {b}",
    "{b} app",
    "l'ampoule {b}",
    "my {b} order",
)
TEMPLATES = (
    "{s} ne s'allume plus depuis la mise à jour, remboursement svp",
    "{s} a pris feu dans la chambre, c'est dangereux, je porte plainte",
    "Quelqu'un sait comment réinitialiser {s} ? Le bouton ne répond pas",
    "Vraiment ravi de {s}, installation en 5 minutes, merci !",
    "{s} is a scam, still waiting for my refund after 3 weeks",
    "How do I pair {s} with my phone? The manual is unclear",
    "Loving {s}, best purchase this year #smarthome",
    "Comparatif : {s} contre la concurrence, lequel choisir ?",
    "Boycott {s} until they fix the overheating issue",
    "Test complet de {s} : luminosité, appli, consommation",
)


def mentions(
    count: int, *, days: int = 90, seed: int = 42, end: datetime | None = None
) -> Iterator[Mention]:
    """`count` mentions spread over `days` days up to `end`, oldest first."""
    rng = random.Random(seed)
    end = end or datetime(2026, 11, 20, 12, tzinfo=UTC)
    start = end - timedelta(days=days)
    span = (end - start).total_seconds()
    authors = [
        Author(
            f"Person {i}",
            f"@user{i}",
            f"https://social.example/@user{i}",
            rng.choice((None, 50, 800, 12_000, 250_000)),
        )
        for i in range(5_000)
    ]
    offsets = sorted(rng.random() * span for _ in range(count))
    recent: list[str] = []
    for n, offset in enumerate(offsets):
        platform = rng.choice(PLATFORMS)
        brand = rng.choices(BRANDS, weights=(6, 3, 2, 1))[0]
        if recent and rng.random() < 0.25:  # a copy of a recent story
            base = rng.choice(recent)
            text = rng.choice(
                (
                    f"RT @user{rng.randrange(99)}: {base}",
                    base[: max(20, len(base) - 15)] + "…",
                    f"{base} https://t.example/{n}",
                    f"{base} #{brand.lower()}",
                )
            )
        else:
            text = (
                rng.choice(TEMPLATES).format(s=rng.choice(SUBJECTS).format(b=brand))
                + f" (#{n % 997})"
            )
            recent.append(text)
            if len(recent) > 200:
                recent.pop(0)
        created = start + timedelta(seconds=offset)
        yield Mention(
            id=f"{platform}:{n}",
            platform=platform,
            source=f"{platform}-{brand.lower()}",
            url=f"https://{platform}.example/{n}",
            author=rng.choice(authors),
            text=text,
            title="",
            created_at=created,
            fetched_at=created + timedelta(minutes=rng.randrange(1, 30)),
            lang="fr" if "é" in text or " le " in text else "en",
            brands=(brand,),
            priority=float(rng.randrange(0, 100)),
        )
