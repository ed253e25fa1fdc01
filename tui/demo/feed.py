"""The demo's configuration and its first fetch, through the real sources and pipeline.

`demo_config` points five sources (Google Alerts Atom, a forum RSS feed, Reddit's search
feed, a Mastodon hashtag timeline, HN Algolia) at the loopback DemoServer; `fill_store`
polls each once through the ingest service (app/ingest.py), exactly as `veille fetch`
does.
"""

from __future__ import annotations

from pathlib import Path

from app.ingest import ingest_once, make_poller, opener
from app.runtime import Runtime
from triage.config import BrandConfig, Config, SlaConfig, SourceConfig, TeamConfig, Template
from triage.protocol import Store
from tui.demo.server import HOOKS_PATH

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
    teams = tuple(  # each posts to the demo server's local hand-off sink
        TeamConfig(name, webhook=f"{server_url}{HOOKS_PATH}{name}")
        for name in ("service-client", "relations-presse", "produit")
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


async def fill_store(config: Config, inbox: Store, folder: Path) -> int:
    """Poll every demo source once and store what they return (the ingest service that
    `veille fetch` uses, cursors in `folder`/sources); the count stored."""
    runtime = Runtime.of(config, folder)
    with make_poller(runtime, parse="inline") as poller:
        run = await ingest_once(poller, opener(inbox))
    if run.failed and not any(o.mentions for o in run.outcomes):
        raise RuntimeError("; ".join(f"{o.name}: {o.error}" for o in run.failed))
    return len(run.new_ids)
