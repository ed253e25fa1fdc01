"""Configuration records (pure data). Reading and validating the TOML file lives in
`sources/config.py` (the one schema); these dataclasses are what the rest receives.

The keys mirror DESIGN.md's configuration contract: extend them, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the rules' and people's own modules (pure, like this one)
    from triage.people import PeopleSettings
    from triage.rules import Rule


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
class WatchConfig:
    """`[watch]`: the headless on-call mode's alerts."""

    quiet_hours: tuple[time, time] | None = None  # alerts held and sent as one digest
    alert_webhook: str = ""
    alert_webhook_env: str = ""  # the webhook's URL from a secret, by name
    alert_email: str = ""
    bell: bool = False
    sla_warning: float = 900.0  # seconds before a first-response target
    spike_factor: float = 3.0


@dataclass(slots=True)
class SmtpConfig:
    """`[smtp]`: where hand-offs and alerts by e-mail go out (the password by name)."""

    host: str = "localhost"
    port: int = 587
    sender: str = "veille@localhost"
    username: str = ""
    password_env: str = ""
    verify_tls: bool = True


@dataclass(slots=True)
class StoreConfig:
    """`[store]`: the store's folder (`--store` and $VEILLE_STORE come first) and who may
    use it: "private" (the owner only) or "group" (the Unix group `group`, see the README)."""

    path: str = ""
    mode: str = "private"
    group: str = ""
    hot_days: int = 30  # the inbox's hot window (store.hotwindow): older closed groups on disk


@dataclass(frozen=True, slots=True)
class ApprovalConfig:
    """`[[approval]]`: replies that wait for a reviewer (triage.approval): those on a
    group matching `when` (the filter language) and/or written by one of `authors`.
    `reviewers` may approve (empty: anyone but the reply's author)."""

    name: str
    when: str = ""
    authors: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()


@dataclass(slots=True)
class Config:
    user: str
    brands: tuple[BrandConfig, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    teams: tuple[TeamConfig, ...] = ()
    sla: SlaConfig = field(default_factory=SlaConfig)
    templates: tuple[Template, ...] = ()
    path: str = ""  # where it was read from, for messages
    watch: WatchConfig = field(default_factory=WatchConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys ("inbox.done")
    approval: tuple[ApprovalConfig, ...] = ()  # [[approval]]: replies that wait for a reviewer
    views: tuple[tuple[str, str], ...] = ()  # saved views 1-9: (name, filter)
    store: StoreConfig = field(default_factory=StoreConfig)
    rules: tuple[Rule, ...] = ()  # [[rules]], applied in this order at ingest
    people: PeopleSettings | None = None  # [people]; None: the defaults
