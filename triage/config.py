"""Configuration records (pure data). Reading and validating the TOML file lives in
`sources/config.py`; these dataclasses are what the rest of the code receives.

The keys mirror DESIGN.md's configuration contract: extend them, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class BrandConfig:
    name: str
    keywords: tuple[str, ...] = ()  # phrases; case and accents ignored
    aliases: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()  # "@lumio"
    hashtags: tuple[str, ...] = ()  # "#lumio"
    exclude: tuple[str, ...] = ()  # a mention matching these is not about the brand
    competitors: tuple[str, ...] = ()  # names of other configured brands
    is_competitor: bool = False  # configured only to measure share of voice
    exact_keywords: tuple[str, ...] = ()  # phrases matched as written, never by misspelling


@dataclass(slots=True)
class SourceConfig:
    name: str
    kind: str  # rss | mastodon | bluesky | hackernews | reddit
    every: float = 300.0  # seconds
    url: str = ""
    instance: str = ""
    hashtags: tuple[str, ...] = ()
    query: str = ""
    token_env: str = ""
    options: dict[str, object] = field(default_factory=dict)  # kind-specific extras


@dataclass(slots=True)
class TeamConfig:
    name: str
    webhook: str = ""
    email: str = ""


@dataclass(slots=True)
class SlaConfig:
    urgent: float = 3600.0  # seconds
    normal: float = 86400.0
    microblog: float = 7200.0


@dataclass(slots=True)
class Template:
    name: str
    text: str


@dataclass(slots=True)
class Config:
    user: str
    brands: tuple[BrandConfig, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    teams: tuple[TeamConfig, ...] = ()
    sla: SlaConfig = field(default_factory=SlaConfig)
    templates: tuple[Template, ...] = ()
    path: str = ""  # where it was read from, for messages
