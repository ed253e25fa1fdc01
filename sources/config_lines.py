"""Where in the TOML text a configuration error is: tomllib keeps no positions.

A light scan, not a parser: it knows `[table]`, `[[array]]` headers (counting each
array's entries) and `key =` lines (bare, quoted or inside an inline table), which is
all a message needs to point at the right line. Errors tomllib itself raises carry
their line already.
"""

from __future__ import annotations

import re

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
