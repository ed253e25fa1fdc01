"""From a `[[sources]]` entry to the connector that polls it.

Base URLs come from the entry (`url`, `instance`, and the `base_url`, `service`,
`public_service` extras) so that tests and mirrors can point a source anywhere. Secrets
are read here, from the environment or the secrets file, never from the config file.
"""

from __future__ import annotations

from urllib.parse import quote

from sources.base import Source
from sources.bluesky import BlueskySource
from sources.hackernews import HackerNewsSource
from sources.http import MAX_BYTES
from sources.mastodon import MastodonSource
from sources.reddit import RedditSource
from sources.rss import RssSource
from sources.secrets import get_secret
from triage.config import SourceConfig


def _option(config: SourceConfig, key: str, default: str) -> str:
    value = config.options.get(key)
    return str(value) if value else default


def build_source(config: SourceConfig) -> Source:
    """The connector for one configured source (its kind checked by load_config)."""
    token = get_secret(config.token_env, required=False) if config.token_env else ""
    max_bytes = int(config.options.get("max_bytes") or MAX_BYTES)
    if config.kind == "rss":
        return RssSource(config.name, config.url, platform="rss", max_bytes=max_bytes)
    if config.kind == "reddit":
        base = _option(config, "base_url", "https://www.reddit.com").rstrip("/")
        url = config.url or f"{base}/search.rss?q={quote(config.query)}&sort=new"
        return RedditSource(config.name, url, base_url=base, max_bytes=max_bytes)
    if config.kind == "mastodon":
        return MastodonSource(
            config.name, config.instance, config.hashtags, token=token, query=config.query
        )
    if config.kind == "hackernews":
        base = config.url or _option(config, "base_url", "https://hn.algolia.com")
        return HackerNewsSource(config.name, config.query, base_url=base)
    if config.kind == "bluesky":
        return BlueskySource(
            config.name,
            config.query,
            handle=_option(config, "handle", ""),
            password=token,
            service=config.url or _option(config, "service", "https://bsky.social"),
            public_service=_option(config, "public_service", "https://public.api.bsky.app"),
        )
    raise ValueError(f"unknown source kind {config.kind!r}")
