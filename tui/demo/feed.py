"""The demo's configuration and its first fetch, through the real sources and pipeline.

`demo_config` points five sources (Google Alerts Atom, a forum RSS feed, Reddit's search
feed, a Mastodon hashtag timeline, HN Algolia) at the loopback DemoServer; `fill_store`
polls each once with the real Poller and ingests what comes back into the Inbox (which
runs the triage pipeline when one was given), exactly as `veille fetch` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from triage.config import BrandConfig, Config, SlaConfig, SourceConfig, TeamConfig, Template

TEMPLATES = (
    Template(
        "accusé de réception",
        "Bonjour {author}, merci pour votre message. Nous regardons et revenons vers vous "
        "en message privé. L'équipe {brand}",
    ),
    Template(
        "acknowledge",
        "Hi {author}, thanks for flagging this. We're looking into it and will follow up "
        "by DM. — the {brand} team",
    ),
    Template(
        "problème connu",
        "Bonjour {author}, c'est un problème connu et nous travaillons dessus : "
        "suivez l'état sur status.lumio.example. L'équipe {brand}",
    ),
    Template("merci", "Merci beaucoup {author}, ça nous fait super plaisir ! L'équipe {brand}"),
)


def demo_config(server_url: str, folder: Path, user: str = "camille") -> Config:
    sources = (
        SourceConfig("alerts-lumio", "rss", every=300, url=f"{server_url}/alerts/lumio.atom"),
        SourceConfig("forum-maison", "rss", every=600, url=f"{server_url}/forum/lumio.rss"),
        SourceConfig("reddit-lumio", "reddit", every=600, url=f"{server_url}/reddit/search.rss"),
        SourceConfig(
            "mastodon-lumio",
            "mastodon",
            every=120,
            instance=f"{server_url}/mastodon",
            hashtags=("lumio",),
        ),
        SourceConfig("hn-lumio", "hackernews", every=600, url=f"{server_url}/hn", query="lumio"),
    )
    brands = (
        BrandConfig(
            "Lumio",
            keywords=("lumio", "lumio glow", "lumio desk"),
            handles=("@lumio", "@lumio_fr"),
            hashtags=("#lumio", "#lumiogate"),
            exclude=("lumio street",),
            competitors=("Brightly", "Lumen & Co"),
        ),
        BrandConfig("Brightly", keywords=("brightly",), is_competitor=True),
        BrandConfig("Lumen & Co", keywords=("lumen & co", "lumen and co"), is_competitor=True),
    )
    teams = (
        TeamConfig("service-client"),
        TeamConfig("relations-presse"),
        TeamConfig("produit"),
    )
    return Config(
        user=user,
        brands=brands,
        sources=sources,
        teams=teams,
        sla=SlaConfig(),
        templates=TEMPLATES,
        path="",
    )


async def fill_store(config: Config, inbox: Any, folder: Path) -> int:
    """Poll every demo source once and store what they return; the count stored."""
    from sources.poller import Poller

    with Poller(config, folder / "sources", parse="inline") as poller:
        outcomes = await poller.poll_once(save=False)
        mentions = [m for outcome in outcomes for m in outcome.mentions]
        new = inbox.ingest(mentions)
        poller.save(outcomes)
    failed = [o for o in outcomes if not o.ok]
    if failed and not mentions:
        raise RuntimeError("; ".join(f"{o.name}: {o.error}" for o in failed))
    return len(new)
