"""The configuration file: its one schema, read and checked into `triage.config.Config`.

This is the only module that reads the file. Every table (user, brands, sources, teams,
templates, sla, watch, smtp, keys, views, store) is declared below as a msgspec Struct
that forbids unknown fields, so a typo is an error, never a silent default: msgspec
checks the structure and the types, and `_build` the values (durations, quiet hours,
placeholders, key action ids, ranges). tomllib keeps no positions, so a light scan of
the text (`sources.config_lines.line_of`) finds the line an error is about; tomlkit
gives no line numbers either. Every mistake is a `ConfigError` naming the file, the
line, what was expected and, for a misspelt name, what was probably meant.
"""

from __future__ import annotations

import os
import re
import tomllib
from typing import Annotated, cast

import msgspec

from sources.config_approval import Approval as _Approval
from sources.config_approval import approval_entries
from sources.config_lines import (
    ConfigError,
    did_you_mean,
    explain,
    line_of,
    name_of,
)
from sources.config_rules import _HandOff, _People, _Rule, build_people, build_rules, refuse_replies
from sources.config_values import (
    BAD_USER,
    DURATION,
    KEY_ACTIONS,
    RESERVED_KEYS,
    STORE_MODES,
    config_path,
    parse_duration,
    parse_quiet_hours,
    user_default,
)
from sources.config_values import Bad as _Bad
from sources.config_values import check_keys as _keys
from sources.config_values import check_user as _user
from triage.config import (
    BrandConfig,
    Config,
    SlaConfig,
    SmtpConfig,
    SourceConfig,
    StoreConfig,
    TeamConfig,
    Template,
    WatchConfig,
)

KINDS = ("rss", "mastodon", "bluesky", "hackernews", "reddit")
PLACEHOLDERS = ("author", "brand")  # what the reply editor fills in a template
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_URL = re.compile(r"^https?://[^\s/]+")


# --------------------------------------------------------------------------- the schema

Strings = list[str] | str
Duration = str  # "30s", "5m", "2h", "1d": a unit is required (is 15 seconds or minutes?)


class _Table(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    pass


class _Keyword(_Table):
    phrase: str
    fuzzy: bool = True


class _Brand(_Table):
    name: str
    keywords: list[str | _Keyword] | str = []
    aliases: Strings = []
    handles: Strings = []
    hashtags: Strings = []
    exclude: Strings = []
    competitors: Strings = []
    is_competitor: bool = False
    exact_keywords: Strings = []


class _Source(_Table):
    name: str
    kind: str = ""
    every: Duration = "5m"
    url: str = ""
    instance: str = ""
    hashtags: Strings = []
    query: str = ""
    token_env: str = ""
    # kind-specific extras, handed to the connector as SourceConfig.options
    handle: str = ""  # bluesky: the account that logs in
    identifier: str = ""  # bluesky: the account that posts replies
    service: str = ""  # bluesky: the PDS
    public_service: str = ""  # bluesky: the public AppView
    base_url: str = ""  # reddit, hackernews: a mirror or a test server
    max_bytes: Annotated[int, msgspec.Meta(ge=1024)] = 0
    allow_private: bool = False  # follow redirects to private/link-local addresses


class _Team(_Table):
    name: str
    webhook: str = ""
    email: str = ""


class _Template(_Table):
    name: str
    text: str


class _Sla(_Table):
    urgent: Duration = "1h"
    normal: Duration = "24h"
    microblog: Duration = "2h"


class _Watch(_Table):
    quiet_hours: str = ""
    alert_webhook: str = ""
    alert_webhook_env: str = ""
    alert_email: str = ""
    bell: bool = False
    sla_warning: Duration = "15m"
    spike_factor: Annotated[float, msgspec.Meta(gt=1.0, le=100.0)] = 3.0


class _Smtp(_Table):
    host: str = "localhost"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 587
    sender: str = "veille@localhost"
    username: str = ""
    password_env: str = ""
    verify_tls: bool = True


class _Store(_Table):
    path: str = ""
    mode: str = "private"  # private | group (store.files.prepare_store)
    group: str = ""  # the Unix group sharing the store (mode = "group"); default: the folder's
    hot_days: int = 30  # the inbox indexes these last days + every group not closed (issue 16)


class _File(_Table):
    user: str = ""
    brands: list[_Brand] = []
    sources: list[_Source] = []
    teams: list[_Team] = []
    approval: list[_Approval] = []
    templates: list[_Template] = []
    sla: _Sla = msgspec.field(default_factory=_Sla)
    watch: _Watch = msgspec.field(default_factory=_Watch)
    smtp: _Smtp = msgspec.field(default_factory=_Smtp)
    keys: dict[str, str] = {}
    views: dict[str, str] = {}
    store: _Store = msgspec.field(default_factory=_Store)
    rules: list[_Rule] = []  # sources/config_rules.py
    people: _People | msgspec.UnsetType = msgspec.UNSET  # no [people] table: the defaults


def _fields_of(table: str) -> list[str]:
    """The keys a table may hold (for "did you mean" and "expected one of")."""
    return list(_TABLE_TYPES.get(table, _File).__struct_fields__)


_TABLE_TYPES: dict[str, type[msgspec.Struct]] = {
    "": _File, "brands": _Brand, "sources": _Source, "teams": _Team, "templates": _Template,
    "sla": _Sla, "watch": _Watch, "smtp": _Smtp, "store": _Store, "keywords": _Keyword,
    "rules": _Rule, "hand_off": _HandOff, "people": _People,
}  # fmt: skip
_TABLE_TYPES["approval"] = cast("type[_Table]", _Approval)  # issue 17


# --------------------------------------------------------------------------- reading


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """The configuration at `path` (or the default place), checked; ConfigError if wrong."""
    file = config_path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            "no configuration file here; create one with `veille config init`", str(file)
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror})", str(file)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError("is not UTF-8 text; save it as UTF-8", str(file), line) from None
    return parse_config(text, str(file))


def parse_config(text: str, path: str = "<config>") -> Config:
    """The configuration held in `text` (named `path` in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        if line is None and "end of document" in str(exc):
            line = max(1, len(text.splitlines()))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(exc))
        raise ConfigError(f"not valid TOML: {reason}", path, line) from None
    refuse_replies(data, text, path)  # "a rule can never post a reply", before the schema
    try:
        parsed = msgspec.convert(data, _File)
    except msgspec.ValidationError as exc:
        message, where, key = explain(str(exc), _fields_of)
        raise ConfigError(message, path, line_of(text, where, key)) from None
    try:
        return _build(parsed, path)
    except _Bad as bad:
        raise ConfigError(bad.message, path, line_of(text, bad.where, bad.key)) from None


# --------------------------------------------------------------------------- values


def _strings(value: Strings) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _duration(value: str, where: list[str | int], key: str) -> float:
    if not DURATION.match(value):
        raise _Bad(
            f'{name_of([*where, key])} must be a duration with its unit, such as "30s", "5m", '
            f'"2h" or "1d", got {value!r}',
            where,
            key,
        )
    return parse_duration(value)


def _unique(table: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not name.strip():
            raise _Bad(f'{name_of([table, i])} needs a name = "..."', [table, i], "name")
        if name in seen:
            raise _Bad(
                f"{table}: the name {name!r} is used twice; each must be unique",
                [table, i],
                "name",
            )
        seen.add(name)


def _build(f: _File, path: str) -> Config:
    _unique("brands", [b.name for b in f.brands])
    _unique("sources", [s.name for s in f.sources])
    _unique("teams", [t.name for t in f.teams])
    _unique("templates", [t.name for t in f.templates])
    return Config(
        user=_user(f.user),
        brands=tuple(_brand(b, i) for i, b in enumerate(f.brands)),
        sources=tuple(_source(s, i) for i, s in enumerate(f.sources)),
        teams=tuple(TeamConfig(t.name.strip(), t.webhook, t.email) for t in f.teams),
        sla=SlaConfig(
            urgent=_duration(f.sla.urgent, ["sla"], "urgent"),
            normal=_duration(f.sla.normal, ["sla"], "normal"),
            microblog=_duration(f.sla.microblog, ["sla"], "microblog"),
        ),
        templates=tuple(_template(t, i) for i, t in enumerate(f.templates)),
        path=path,
        watch=_watch(f.watch),
        smtp=SmtpConfig(
            host=f.smtp.host,
            port=f.smtp.port,
            sender=f.smtp.sender,
            username=f.smtp.username,
            password_env=f.smtp.password_env,
            verify_tls=f.smtp.verify_tls,
        ),
        keys=_keys(f.keys),
        approval=approval_entries(f.approval),
        views=_views(f.views),
        store=_store(f.store),
        rules=build_rules(f.rules, [b.name.strip() for b in f.brands], [t.name.strip() for t in f.teams]),
        people=build_people(f.people),
    )


def _brand(b: _Brand, i: int) -> BrandConfig:
    phrases: list[str] = []
    exact = list(_strings(b.exact_keywords))
    for item in _strings(b.keywords) if isinstance(b.keywords, str) else b.keywords:
        phrase = item if isinstance(item, str) else item.phrase
        if not phrase.strip():
            raise _Bad(
                f"{name_of(['brands', i, 'keywords'])}: an empty phrase", ["brands", i], "keywords"
            )
        phrases.append(phrase)
        if isinstance(item, _Keyword) and not item.fuzzy and phrase not in exact:
            exact.append(phrase)
    return BrandConfig(
        name=b.name.strip(),
        keywords=tuple(phrases) or (b.name.strip().lower(),),
        exact_keywords=tuple(exact),
        aliases=_strings(b.aliases),
        handles=_strings(b.handles),
        hashtags=_strings(b.hashtags),
        exclude=_strings(b.exclude),
        competitors=_strings(b.competitors),
        is_competitor=b.is_competitor,
    )


def _source(s: _Source, i: int) -> SourceConfig:
    where: list[str | int] = ["sources", i]
    name = s.name.strip()
    if s.kind not in KINDS:
        raise _Bad(
            f"{name_of([*where, 'kind'])} must be one of {', '.join(KINDS)}, got {s.kind!r}"
            + did_you_mean(s.kind, KINDS),
            where,
            "kind" if s.kind else None,
        )
    options: dict[str, object] = {
        k: getattr(s, k)
        for k in (
            "handle",
            "identifier",
            "service",
            "public_service",
            "base_url",
            "max_bytes",
            "allow_private",
        )
        if getattr(s, k)
    }
    source = SourceConfig(
        name=name,
        kind=s.kind,
        every=_duration(s.every, where, "every"),
        url=s.url,
        instance=s.instance,
        hashtags=tuple(h.lstrip("#") for h in _strings(s.hashtags)),
        query=s.query,
        token_env=s.token_env,
        options=options,
    )
    needs = {
        "rss": ("url", source.url),
        "mastodon": ("instance", source.instance),
        "hackernews": ("query", source.query),
        "bluesky": ("query", source.query),
        "reddit": ("query (or url)", source.query or source.url),
    }[s.kind]
    if not needs[1]:
        raise _Bad(f'source {name!r} ({s.kind}) needs {needs[0]} = "..."', where)
    if s.kind == "mastodon" and not source.hashtags and not source.query:
        raise _Bad(
            f'source {name!r} (mastodon) needs hashtags = ["..."] or query = "..." to listen to',
            where,
        )
    if s.kind == "mastodon" and source.query and not source.token_env:
        raise _Bad(
            f"source {name!r} (mastodon): full-text search (query) needs an access "
            'token: token_env = "NAME OF THE VARIABLE"',
            where,
        )
    for key in ("url", "instance", "service", "public_service", "base_url"):
        value = getattr(s, key)
        if value and not _URL.match(value):
            raise _Bad(
                f"{name_of([*where, key])} must be an http:// or https:// address, got {value!r}",
                where,
                key,
            )
    return source


def _template(t: _Template, i: int) -> Template:
    for hole in _PLACEHOLDER.findall(t.text):
        if hole not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            hint = did_you_mean(hole, PLACEHOLDERS).replace("'", "")
            hint = re.sub(r"did you mean (\w+)\?", r"did you mean {\1}?", hint)
            raise _Bad(
                f"{name_of(['templates', i, 'text'])}: unknown placeholder {{{hole}}}{hint}; "
                f"a template can use {known}",
                ["templates", i],
                "text",
            )
    return Template(t.name.strip(), t.text)


def _watch(w: _Watch) -> WatchConfig:
    quiet = None
    if w.quiet_hours:
        try:
            quiet = parse_quiet_hours(w.quiet_hours)
        except ValueError as exc:
            raise _Bad(f"[watch] quiet_hours: {exc}", ["watch"], "quiet_hours") from None
    if w.alert_webhook and not _URL.match(w.alert_webhook):
        raise _Bad("[watch] alert_webhook must be an http(s) address", ["watch"], "alert_webhook")
    return WatchConfig(
        quiet_hours=quiet,
        alert_webhook=w.alert_webhook,
        alert_webhook_env=w.alert_webhook_env,
        alert_email=w.alert_email,
        bell=w.bell,
        sla_warning=_duration(w.sla_warning, ["watch"], "sla_warning"),
        spike_factor=w.spike_factor,
    )


def _views(views: dict[str, str]) -> tuple[tuple[str, str], ...]:
    if not views:
        return ()
    from triage.filter import FilterError, parse_filter  # 30 ms: only for a [views] table

    if len(views) > 9:
        raise _Bad(f"[views]: at most 9 (keys 1-9), got {len(views)}", ["views"])
    for name, text in views.items():
        try:
            parse_filter(text)
        except FilterError as exc:
            raise _Bad(f"[views] {name}: not a valid filter: {exc}", ["views"], name) from None
    return tuple(views.items())


def _store(store: _Store) -> StoreConfig:
    if store.mode not in STORE_MODES:
        raise _Bad(
            f"[store] mode {store.mode!r}: expected one of {', '.join(STORE_MODES)}",
            ["store"],
            "mode",
        )
    if store.group and store.mode != "group":
        raise _Bad('[store] group is only used with mode = "group"', ["store"], "group")
    if _url_with_password(store.path):  # a postgresql:// store (issue 15)
        raise _Bad(
            "[store] path: a PostgreSQL URL here must not hold a password (the file is no "
            "place for a secret); set PGPASSWORD or VEILLE_PG_PASSWORD, or use ~/.pgpass",
            ["store"],
            "path",
        )
    if store.hot_days < 1:
        raise _Bad(
            f"[store] hot_days = {store.hot_days}: expected a number of days, 1 or more",
            ["store"],
            "hot_days",
        )
    return StoreConfig(store.path, store.mode, store.group.strip(), store.hot_days)


def example_config(user: str | None = None) -> str:
    """A commented configuration that `load_config` accepts (written by `veille config init`)."""
    from sources.config_example import EXAMPLE

    name = user if user is not None else user_default()
    if BAD_USER.search(name) or ".." in name or '"' in name:
        name = "me"
    return EXAMPLE.replace('user = "camille"  ', f'user = "{name}"'.ljust(len('user = "camille"  ')), 1)


__all__ = [
    "KEY_ACTIONS",
    "RESERVED_KEYS",
    "STORE_MODES",
    "ConfigError",
    "config_path",
    "example_config",
    "load_config",
    "parse_config",
    "parse_duration",
    "parse_quiet_hours",
    "user_default",
]


def _url_with_password(path: str) -> bool:
    from urllib.parse import urlsplit

    if not path.lower().startswith(("postgresql://", "postgres://")):
        return False
    try:
        return bool(urlsplit(path).password) or "password=" in path.lower()
    except ValueError:
        return True
