"""The value rules of the configuration schema (sources/config.py reads the file and
builds the Config; these are the checks and vocabularies it applies): durations, quiet
hours, the key action ids and the keys nobody may rebind, the acting user's name."""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path

from sources.config_lines import did_you_mean

# Every binding id the TUI has (tests/tui/test_keys.py checks it against the screens).
KEY_ACTIONS = (
    "app.quit", "app.help", "app.dashboard",
    "inbox.merge", "inbox.split", "inbox.approve", "inbox.send_back",  # issue 17
    "inbox.filter", "inbox.tag", "inbox.reply", "inbox.handoff", "inbox.claim", "inbox.done",
    "inbox.ignore", "inbox.snooze", "inbox.note", "inbox.undo", "inbox.reopen", "inbox.clear",
    "inbox.open_post", "inbox.copy_link", "inbox.retry_handoff", "inbox.person", "person.vip",
    "person.note",
    *(f"inbox.view{n}" for n in range(10)),
    "list.down", "list.up", "list.top", "list.bottom", "list.page_down", "list.page_up",
    "list.open", "list.select",
    "reply.send", "reply.leave", "reply.template",
    "dashboard.back", "dashboard.refresh", "help.close",
    "modal.cancel", "confirm.yes", "confirm.no",
)  # fmt: skip
# Keys that must keep their meaning: q quits, escape backs out of everything.
RESERVED_KEYS = {
    "q": ("app.quit", "dashboard.back"),
    "escape": ("inbox.clear", "dashboard.back", "help.close", "modal.cancel", "confirm.no",
               "reply.leave"),
}  # fmt: skip
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

def parse_duration(value: object) -> float:
    """'30s', '5m', '2h', '1d' (or a number of seconds) -> seconds; ValueError otherwise.

    For command-line options; in the file a duration must say its unit."""
    if isinstance(value, bool):
        raise ValueError("not a duration")
    if isinstance(value, int | float):
        if value <= 0:
            raise ValueError("not positive")
        return float(value)
    match = DURATION.match(str(value))
    if not match:
        raise ValueError("not a duration")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("not positive")
    return seconds


def parse_quiet_hours(value: str) -> tuple[time, time]:
    """'22:00-07:00' -> (22:00, 07:00); ValueError otherwise."""
    m = _QUIET.match(value or "")
    if not m:
        raise ValueError(f'expected "HH:MM-HH:MM" such as "22:00-07:00", got {value!r}')
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"{value!r} is not a span between two times of day")
    return time(h1, m1), time(h2, m2)


def user_default() -> str:
    return os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"


def config_path(given: str | os.PathLike[str] | None = None) -> Path:
    """--config, else $VEILLE_CONFIG, else config.toml in the user's config folder."""
    chosen = given or os.environ.get("VEILLE_CONFIG")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_config_path  # 7 ms (shutil, tempfile): only when used

    return user_config_path("veille") / "config.toml"



class Bad(Exception):
    """A value the schema refuses: the message, and where in the file it is."""

    def __init__(self, message: str, where: list[str | int], key: str | None = None) -> None:
        super().__init__(message)
        self.message, self.where, self.key = message, where, key



def check_keys(keys: dict[str, str]) -> dict[str, str]:
    for action, value in keys.items():
        if action not in KEY_ACTIONS:
            raise Bad(
                f"[keys] {action!r} is not a key action{did_you_mean(action, KEY_ACTIONS)}; "
                "the ids are listed in the help screen (?)",
                ["keys"],
                action,
            )
        for key in (k.strip() for k in value.split(",")):
            if not key:
                raise Bad(f"[keys] {action!r}: an empty key in {value!r}", ["keys"], action)
            owners = RESERVED_KEYS.get(key)
            if owners is not None and action not in owners:
                meaning = "quits" if key == "q" else "backs out"
                raise Bad(
                    f"[keys] {action!r} = {value!r} would take {key!r}, which {meaning} "
                    "everywhere; choose another key",
                    ["keys"],
                    action,
                )
    return dict(keys)



STORE_MODES = ("private", "group")
BAD_USER = re.compile(r"[/\\\x00-\x1f\x7f-\x9f]")


def check_user(value: str) -> str:
    """The acting user's name: it names files (drafts) and is shown to the team, so no
    path separators, no "..", no control characters."""
    user = value.strip() or user_default()
    if BAD_USER.search(user) or user in (".", "..") or ".." in user:
        raise Bad(
            f"user {value!r} cannot be used: a user name has no '/', '\\', '..' or control "
            "characters",
            [],
            "user",
        )
    return user
