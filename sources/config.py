"""Reading and checking the TOML configuration file into `triage.config.Config`.

The keys are DESIGN.md's contract (extend them, never rename them). Any mistake becomes
a `ConfigError` naming the file, the line and what was expected: tomllib gives the line
of a syntax error; for a wrong value we find the key's line in the text ourselves,
because tomllib keeps no positions.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from triage.config import (
    BrandConfig,
    Config,
    SlaConfig,
    SourceConfig,
    TeamConfig,
    Template,
)

KINDS = ("rss", "mastodon", "bluesky", "hackernews", "reddit")
_SOURCE_KEYS = {"name", "kind", "every", "url", "instance", "hashtags", "query", "token_env"}
_BRAND_KEYS = {
    "name",
    "keywords",
    "aliases",
    "handles",
    "hashtags",
    "exclude",
    "competitors",
    "is_competitor",
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(ValueError):
    """A configuration file that cannot be used, in words: file, line, what is expected."""

    def __init__(self, message: str, path: str = "", line: int | None = None) -> None:
        where = path + (f", line {line}" if line else "") if path else ""
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line
        self.reason = message


def config_path(given: str | os.PathLike[str] | None = None) -> Path:
    """--config, else $VEILLE_CONFIG, else config.toml in the user's config folder."""
    from platformdirs import user_config_path

    chosen = given or os.environ.get("VEILLE_CONFIG")
    return Path(chosen).expanduser() if chosen else user_config_path("veille") / "config.toml"


def parse_duration(value: object) -> float:
    """'30s', '5m', '2h', '1d' (or a number of seconds) -> seconds; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("not a duration")
    if isinstance(value, int | float):
        if value <= 0:
            raise ValueError("not positive")
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError("not a duration")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("not positive")
    return seconds


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
        line = _toml_error_line(str(exc))
        if line is None and "end of document" in str(exc):
            line = max(1, len(text.splitlines()))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(exc))
        raise ConfigError(f"not valid TOML: {reason}", path, line) from None
    return _Reader(text, path).config(data)


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


class _Reader:
    """Turns the parsed TOML into records, raising ConfigError at the right line."""

    def __init__(self, text: str, path: str) -> None:
        self.lines = text.splitlines()
        self.path = path

    # ---- locating a key in the text (tomllib keeps no positions)

    def line_of(self, table: str | None, index: int | None, key: str | None) -> int | None:
        """The line of `key` in the index-th [[table]] (or [table], or top level)."""
        start, end = 0, len(self.lines)
        if table is not None:
            headers = [
                i
                for i, line in enumerate(self.lines)
                if re.match(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$", line)
            ]
            pos = index or 0
            if pos < len(headers):
                start = headers[pos]
                following = [
                    i for i, line in enumerate(self.lines) if i > start and _is_header(line)
                ]
                end = following[0] if following else len(self.lines)
            else:
                return None
        elif key is not None:
            following = [i for i, line in enumerate(self.lines) if _is_header(line)]
            end = following[0] if following else len(self.lines)
        if key is None:
            return start + 1
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for i in range(start, end):
            if pattern.match(self.lines[i]):
                return i + 1
        return start + 1 if table is not None else None

    def fail(
        self,
        message: str,
        table: str | None = None,
        index: int | None = None,
        key: str | None = None,
    ) -> ConfigError:
        return ConfigError(message, self.path, self.line_of(table, index, key))

    # ---- typed getters

    def string(
        self, data: dict, key: str, table: str | None, index: int | None, default: str = ""
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            where = _where(table, index, key)
            raise self.fail(f"{where} must be text in quotes, got {value!r}", table, index, key)
        return value

    def strings(self, data: dict, key: str, table: str, index: int | None) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            where = _where(table, index, key)
            raise self.fail(
                f'{where} must be a list of texts, such as ["a", "b"], got {value!r}',
                table,
                index,
                key,
            )
        return tuple(value)

    def duration(
        self, data: dict, key: str, table: str | None, index: int | None, default: float
    ) -> float:
        if key not in data:
            return default
        try:
            return parse_duration(data[key])
        except ValueError:
            where = _where(table, index, key)
            raise self.fail(
                f'{where} must be a duration such as "30s", "5m", "2h" or "1d", got {data[key]!r}',
                table,
                index,
                key,
            ) from None

    def tables(self, data: dict, key: str) -> list[dict]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"{key} must be written as [[{key}]] tables", None, None, key)
        return value

    # ---- the sections

    def config(self, data: dict[str, Any]) -> Config:
        user = self.string(data, "user", None, None, "") or (
            os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"
        )
        brands = tuple(self.brand(b, i) for i, b in enumerate(self.tables(data, "brands")))
        sources = tuple(self.source(s, i) for i, s in enumerate(self.tables(data, "sources")))
        teams = tuple(self.team(t, i) for i, t in enumerate(self.tables(data, "teams")))
        templates = tuple(self.template(t, i) for i, t in enumerate(self.tables(data, "templates")))
        self.unique("brands", [b.name for b in brands])
        self.unique("sources", [s.name for s in sources])
        self.unique("teams", [t.name for t in teams])
        self.unique("templates", [t.name for t in templates])
        sla = data.get("sla", {})
        if not isinstance(sla, dict):
            raise self.fail("sla must be a [sla] table", None, None, "sla")
        defaults = SlaConfig()
        return Config(
            user=user,
            brands=brands,
            sources=sources,
            teams=teams,
            sla=SlaConfig(
                urgent=self.duration(sla, "urgent", "sla", None, defaults.urgent),
                normal=self.duration(sla, "normal", "sla", None, defaults.normal),
                microblog=self.duration(sla, "microblog", "sla", None, defaults.microblog),
            ),
            templates=templates,
            path=self.path,
        )

    def unique(self, table: str, names: list[str]) -> None:
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                raise self.fail(
                    f"{table}: the name {name!r} is used twice; each must be unique",
                    table,
                    i,
                    "name",
                )
            seen.add(name)

    def name(self, data: dict, table: str, index: int) -> str:
        name = self.string(data, "name", table, index).strip()
        if not name:
            raise self.fail(
                f'{_where(table, index, "name")} is missing: give it a name = "..."',
                table,
                index,
                None,
            )
        return name

    def brand(self, data: dict, i: int) -> BrandConfig:
        for key in data:
            if key not in _BRAND_KEYS:
                raise self.fail(
                    f"{_where('brands', i, key)} is not a brand key; expected one of "
                    + ", ".join(sorted(_BRAND_KEYS)),
                    "brands",
                    i,
                    key,
                )
        name = self.name(data, "brands", i)
        keywords = self.strings(data, "keywords", "brands", i)
        is_competitor = data.get("is_competitor", False)
        if not isinstance(is_competitor, bool):
            raise self.fail(
                f"{_where('brands', i, 'is_competitor')} must be true or false",
                "brands",
                i,
                "is_competitor",
            )
        return BrandConfig(
            name=name,
            keywords=keywords or (name.lower(),),
            aliases=self.strings(data, "aliases", "brands", i),
            handles=self.strings(data, "handles", "brands", i),
            hashtags=self.strings(data, "hashtags", "brands", i),
            exclude=self.strings(data, "exclude", "brands", i),
            competitors=self.strings(data, "competitors", "brands", i),
            is_competitor=is_competitor,
        )

    def source(self, data: dict, i: int) -> SourceConfig:
        name = self.name(data, "sources", i)
        kind = self.string(data, "kind", "sources", i)
        if kind not in KINDS:
            raise self.fail(
                f"{_where('sources', i, 'kind')} must be one of {', '.join(KINDS)}, got {kind!r}",
                "sources",
                i,
                "kind" if "kind" in data else None,
            )
        source = SourceConfig(
            name=name,
            kind=kind,
            every=self.duration(data, "every", "sources", i, 300.0),
            url=self.string(data, "url", "sources", i),
            instance=self.string(data, "instance", "sources", i),
            hashtags=tuple(h.lstrip("#") for h in self.strings(data, "hashtags", "sources", i)),
            query=self.string(data, "query", "sources", i),
            token_env=self.string(data, "token_env", "sources", i),
            options={k: v for k, v in data.items() if k not in _SOURCE_KEYS},
        )
        needs = {
            "rss": ("url", source.url),
            "mastodon": ("instance", source.instance),
            "hackernews": ("query", source.query),
            "bluesky": ("query", source.query),
            "reddit": ("query (or url)", source.query or source.url),
        }[kind]
        if not needs[1]:
            raise self.fail(
                f'source {name!r} ({kind}) needs {needs[0]} = "..."', "sources", i, None
            )
        if kind == "mastodon" and not source.hashtags and not source.query:
            raise self.fail(
                f'source {name!r} (mastodon) needs hashtags = ["..."] or query = "..." '
                "to listen to",
                "sources",
                i,
                None,
            )
        if kind == "mastodon" and source.query and not source.token_env:
            raise self.fail(
                f"source {name!r} (mastodon): full-text search (query) needs an access "
                'token: token_env = "NAME OF THE VARIABLE"',
                "sources",
                i,
                None,
            )
        for key in ("url", "instance"):
            value = getattr(source, key)
            if value and not re.match(r"^https?://[^\s/]+", value):
                raise self.fail(
                    f"{_where('sources', i, key)} must be an http:// or https:// address, "
                    f"got {value!r}",
                    "sources",
                    i,
                    key,
                )
        return source

    def team(self, data: dict, i: int) -> TeamConfig:
        return TeamConfig(
            name=self.name(data, "teams", i),
            webhook=self.string(data, "webhook", "teams", i),
            email=self.string(data, "email", "teams", i),
        )

    def template(self, data: dict, i: int) -> Template:
        return Template(
            name=self.name(data, "templates", i),
            text=self.string(data, "text", "templates", i),
        )


def _is_header(line: str) -> bool:
    return bool(re.match(r"^\s*\[", line))


def _where(table: str | None, index: int | None, key: str) -> str:
    if table is None:
        return key
    if index is None:
        return f"[{table}] {key}"
    return f"[[{table}]] #{index + 1} {key}"


def example_config() -> str:
    """A commented configuration that `load_config` accepts (written by `veille config init`)."""
    return _EXAMPLE


_EXAMPLE = """\
# veille configuration. Durations: "30s", "5m", "2h", "1d".
# Secrets (tokens, passwords) never go in this file: put them in environment variables
# or in secrets.toml next to this file (chmod 600), and name them with *_env keys.

user = "camille"                       # who acts; default $USER

[[brands]]
name = "Lumio"
keywords = ["lumio", "lumio glow"]     # phrases; case and accents ignored
handles = ["@lumio", "@lumio_fr"]
hashtags = ["#lumio"]
exclude = ["lumio street"]             # a mention matching these is not about the brand
competitors = ["Brightly"]

[[brands]]
name = "Brightly"
keywords = ["brightly"]
is_competitor = true                   # measured for share of voice only

[[sources]]
name = "alerts-lumio"
kind = "rss"                           # rss | mastodon | bluesky | hackernews | reddit
url = "https://www.google.com/alerts/feeds/00000000000000000000/0000000000000000000"
every = "5m"

[[sources]]
name = "mastodon-lumio"
kind = "mastodon"
instance = "https://mastodon.social"
hashtags = ["lumio"]
token_env = "VEILLE_MASTODON_TOKEN"    # optional for hashtag timelines
# query = "lumio"                      # full-text search too: needs token_env, and finds
                                       # only posts whose authors opted in to search
every = "2m"

[[sources]]
name = "hn-lumio"
kind = "hackernews"
query = "lumio"
every = "10m"

[[sources]]
name = "bsky-lumio"
kind = "bluesky"
query = "lumio"
handle = "camille.bsky.social"
token_env = "VEILLE_BSKY_APP_PASSWORD" # an app password, not your account password
every = "5m"

[[sources]]
name = "reddit-lumio"
kind = "reddit"
query = "lumio"
every = "15m"

[[teams]]
name = "service-client"
webhook = "https://chat.example/hooks/abc"
email = "sav@example.com"

[sla]                                  # first-response targets
urgent = "1h"
normal = "24h"
microblog = "2h"

[[templates]]
name = "ack"
text = "Bonjour {author}, merci pour votre message, nous regardons et revenons vers vous en message privé."
"""
