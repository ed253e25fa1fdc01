"""Durable file primitives: atomic replace, fsynced append, cheap change detection.

A write is only acknowledged once the bytes and the directory entry are on disk:
temp file in the same folder, fsync, os.replace, fsync of the folder. A full disk or any
other OS error becomes a StoreError naming the file, and the old file stays as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from store.errors import StoreError

TEMP_SUFFIX = ".tmp-veille"


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full: could not save {path} (nothing was changed)"
    if exc.errno == errno.EDQUOT:
        return f"disk quota exceeded: could not save {path} (nothing was changed)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied writing {path}"
    if exc.errno == errno.EFBIG:
        return f"file too large for this system: could not save {path} (nothing was changed)"
    if exc.errno == errno.EROFS:
        return f"the file system is read-only: could not save {path}"
    return f"could not save {path}: {exc.strerror or exc}"


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(describe_os_error(exc, path)) from exc


def append_durably(path: Path, data: bytes) -> int:
    """Append `data` (starting on a fresh line) and fsync; return the size before.

    On failure the file is cut back to its former size, so a half-written line never
    stays behind a failed action.
    """
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        size = os.fstat(fd).st_size
        try:
            if size:
                os.lseek(fd, size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":  # a torn line left by a crash: start anew
                    data = b"\n" + data
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            except OSError:
                pass
            raise StoreError(describe_os_error(exc, path)) from exc
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)
    return size


def clean_temp_files(folder: Path) -> list[Path]:
    """Remove temp files a killed writer left behind (they were never acknowledged)."""
    removed = []
    for tmp in folder.rglob(f"*{TEMP_SUFFIX}"):
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime_ns): changes whenever a file is replaced or appended to."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
