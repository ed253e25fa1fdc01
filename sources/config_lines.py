"""Configuration errors told in words: where in the TOML text (tomllib keeps no
positions), what msgspec's message means, and what was probably meant.

A light scan, not a parser: it knows `[table]`, `[[array]]` headers (counting each
array's entries) and `key =` lines (bare, quoted or inside an inline table), which is
all a message needs to point at the right line. Errors tomllib itself raises carry
their line already.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

DURATION_KEYS = frozenset({"every", "urgent", "normal", "microblog", "sla_warning"})


class ConfigError(ValueError):
    """A configuration file that cannot be used, in words: file, line, what is expected."""

    def __init__(self, message: str, path: str = "", line: int | None = None) -> None:
        where = path + (f", line {line}" if line else "") if path else ""
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line
        self.reason = message


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def parse_path(path: str) -> list[str | int]:
    """msgspec's `$.sources[0].every` -> ["sources", 0, "every"]."""
    out: list[str | int] = []
    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path):
        out.append(int(index) if index else name.strip("'\""))
    return out


def _sections(lines: list[str]) -> list[tuple[str, int | None, int]]:
    """(table name, index in its array or None, line number) of every header."""
    counts: dict[str, int] = {}
    found: list[tuple[str, int | None, int]] = []
    for n, line in enumerate(lines, start=1):
        m = _HEADER.match(line)
        if not m:
            continue
        name = m.group(2).strip().strip("'\"")
        if m.group(1) == "[[":
            index = counts.get(name, -1) + 1
            counts[name] = index
            found.append((name, index, n))
        else:
            found.append((name, None, n))
    return found


def _key_line(lines: list[str], start: int, end: int, key: str) -> int | None:
    pattern = re.compile(rf"(^|[{{,\s.])[\"']?{re.escape(key)}[\"']?\s*=")
    for n in range(start, end):
        if pattern.search(lines[n - 1]):
            return n
    return None


def line_of(text: str, where: list[str | int], key: str | None = None) -> int | None:
    """The line of `key` in the table at `where` (["sources", 2] is the 3rd [[sources]]),
    else the table's header, else None."""
    lines = text.splitlines()
    sections = _sections(lines)
    first_header = sections[0][2] if sections else len(lines) + 1
    table = where[0] if where and isinstance(where[0], str) else None
    index = where[1] if len(where) > 1 and isinstance(where[1], int) else None
    nested = [p for p in where[2 if index is not None else 1 :] if isinstance(p, str)]
    wanted = [k for k in (key, *reversed(nested)) if k]
    if table is None:  # top level: a key before the first header, or a table's header
        for k in wanted:
            found = _key_line(lines, 1, first_header, k)
            if found:
                return found
            for name, _, n in sections:
                if name == k or name.startswith(k + "."):
                    return n
        return None
    for name, idx, n in sections:
        if name != table or (index is not None and idx != index):
            continue
        end = next((m for _, _, m in sections if m > n), len(lines) + 1)
        for k in wanted:
            found = _key_line(lines, n + 1, end, k)
            if found:
                return found
        return n
    # written inline at the top: `sla = { urgent = "1h" }` or `sla.urgent = "1h"`
    for k in (*wanted, table):
        found = _key_line(lines, 1, first_header, f"{table}.{k}" if k != table else k)
        if found:
            return found
    return _key_line(lines, 1, first_header, table)


def explain(
    error: str, fields: Callable[[str], list[str]]
) -> tuple[str, list[str | int], str | None]:
    """msgspec's message in words, the path of the table it is about, and the key."""
    at = re.search(r" - at `(\$[^`]*)`$", error)
    where = parse_path(at.group(1)) if at else []
    body = error[: at.start()] if at else error
    unknown = re.match(r"Object contains unknown field `(.+)`$", body)
    if unknown:
        name = unknown.group(1)
        return _unknown(name, where, fields), where, name
    missing = re.match(r"Object missing required field `(.+)`$", body)
    if missing:
        return f"{name_of(where)} needs {missing.group(1)} = ...", where, None
    key = _pop_key(where)
    while where and isinstance(where[-1], int) and key is None:
        where.pop()  # an item of a list: the line of the list
        key = _pop_key(where)
    label = name_of([*where, key] if key else where)
    if key in DURATION_KEYS and re.match(r"Expected `str`", body):
        return (
            f'{label} must be a duration with its unit, such as "30s", "15m", "2h" or "1d"',
            where,
            key,
        )
    bound = re.match(r"Expected `(.+?)` (>=|<=|>|<) (\S+)$", body)
    if bound:
        words = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}
        return f"{label} must be {words[bound.group(2)]} {bound.group(3)}", where, key
    expected = re.match(r"Expected `(.+?)`, got `(.+?)`", body)
    if expected:
        want = _words(expected.group(1))
        return f"{label} must be {want}, got {expected.group(2)}", where, key
    return f"{label}: {body[0].lower() + body[1:]}", where, key


def _pop_key(where: list[str | int]) -> str | None:
    if where and isinstance(where[-1], str):
        return str(where.pop())
    return None


def _unknown(name: str, where: list[str | int], fields: Callable[[str], list[str]]) -> str:
    table = ".".join(p for p in where if isinstance(p, str))
    named = str(where[-2]) if len(where) > 1 and isinstance(where[-1], int) else table
    known = fields(named)
    what = f"[{table}] has no key {name!r}" if table else f"unknown table or key {name!r}"
    if where and isinstance(where[-1], int):
        what = f"{name_of(where)} has no key {name!r}"
    return what + did_you_mean(name, known) + "; expected one of " + ", ".join(known)


def did_you_mean(name: str, known: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""


def name_of(where: list[str | int]) -> str:
    """["sources", 0, "every"] -> "[[sources]] #1 every"; ["watch", "bell"] -> "[watch] bell"."""
    if not where:
        return "the file"
    head, rest = where[0], list(where[1:])
    first = rest[0] if rest else None
    if isinstance(first, int):
        rest.pop(0)
        label = f"[[{head}]] #{first + 1}"
    elif rest:
        label = f"[{head}]"
    else:
        return str(head)
    tail = ""
    for part in rest:
        if isinstance(part, int):
            tail += f" #{part + 1}"
        else:
            tail += f".{part}" if tail else part
    return f"{label} {tail}" if tail else label


def _words(type_text: str) -> str:
    words = {
        "str": "text in quotes",
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
        "array": "a list",
        "object": "a table",
    }
    parts = [words.get(p.strip(), p.strip()) for p in type_text.split("|")]
    return " or ".join(dict.fromkeys(parts))
