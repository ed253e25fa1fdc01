"""Hint files (the generation counter, the journal's applied mark and checked lengths)
rewritten in place.

A hint is only a shortcut: lost or unreadable, the next writer recomputes it. Replacing
one by rename, as `store.files.replace_hint` does, costs ~4 ms on ext4, which flushes a
file renamed over another (auto_da_alloc), and so does truncating one: three hints made
a third of a scripted `veille tag`. Here the new bytes are written over the old ones
from offset 0, padded with spaces to the old length (every hint is JSON or a number,
which read the same with trailing blanks): no rename, no truncation, ~10 µs.

A reader may see a hint torn by a crash or, without the store lock, half-written: each
reader takes what does not parse for a missing hint (a redo, a check, a refresh that
finds nothing new), never for a true one it is not.
"""

from __future__ import annotations

import os
from pathlib import Path

from store.files import create_file


def overwrite_hint(path: Path, data: bytes) -> None:
    """Write `data` over the hint at `path` (created with the store's file mode if
    missing). OS errors are the caller's, as with replace_hint."""
    fd = create_file(path, os.O_WRONLY)
    try:
        size = os.fstat(fd).st_size
        if size > len(data):
            data += b" " * (size - len(data))
        view = memoryview(data)
        offset = 0
        while offset < len(data):
            offset += os.pwrite(fd, view[offset:], offset)
    finally:
        os.close(fd)
