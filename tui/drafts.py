"""Reply drafts that survive a crash: one small JSON file per user and store.

Saved as you type (atomic replace, so a crash mid-write keeps the previous draft),
kept outside the shared store (drafts are private and unfinished) in the user's state
folder, keyed by the store path so two stores never mix drafts.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from platformdirs import user_state_path


def drafts_path(store_root: str | Path, user: str) -> Path:
    digest = hashlib.blake2b(str(Path(store_root).resolve()).encode(), digest_size=6).hexdigest()
    return user_state_path("veille") / "drafts" / f"{user}-{digest}.json"


class Drafts:
    """Group id -> draft text, written through to disk on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._drafts: dict[str, str] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self._drafts = {str(k): str(v) for k, v in data.items()}
        except (OSError, ValueError):
            pass  # no drafts yet, or an unreadable file: start empty rather than fail

    def get(self, target: str) -> str:
        return self._drafts.get(target, "")

    def __len__(self) -> int:
        return len(self._drafts)

    def set(self, target: str, text: str) -> None:
        if text.strip():
            self._drafts[target] = text
        elif self._drafts.pop(target, None) is None:
            return
        self._write()

    def discard(self, target: str) -> None:
        if self._drafts.pop(target, None) is not None:
            self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(self._drafts, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
