"""Response bodies: their sizes in words, and gzip / deflate undone in bounded steps.

Apart from sources.http so a parse worker can inflate a body the main process fetched
still compressed (`fetch(inflate=False)`): the main process drives every request of a
round and is its critical path, so it only moves bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

from sources.base import SourceError


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"


INFLATE_STEP = 64 * 1024  # the most one decompress call may produce
BROKEN = "the answer's compression is broken"


class Inflater:
    """gzip / deflate decoding that never produces more than `INFLATE_STEP` at once.

    httpx inflates each network chunk whole: a 64 KiB chunk of a gzip bomb becomes 64 MB
    before any cap can look at it (a 1 MB body peaked at 177 MB). Here each call is
    bounded with `max_length`, so the byte cap stops a bomb within one step.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib = self._fresh()
        self._first = True

    def _fresh(self) -> zlib._Decompress:
        if self.encoding == "deflate":
            return zlib.decompressobj()  # zlib-wrapped; raw deflate is detected below
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of `data`, in pieces of at most `INFLATE_STEP`."""
        try:
            while data:
                try:
                    piece = self._zlib.decompress(data, INFLATE_STEP)
                except zlib.error:
                    if not (self._first and self.encoding == "deflate"):
                        raise
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
                    piece = self._zlib.decompress(data, INFLATE_STEP)
                self._first = False
                if piece:
                    yield piece
                data = self._zlib.unconsumed_tail
                if not data and self._zlib.eof and self._zlib.unused_data:
                    data = self._zlib.unused_data  # another gzip member follows
                    self._zlib = self._fresh()
        except zlib.error:
            raise httpx.DecodingError("broken compression") from None


CODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}  # what `Inflater` undoes


def too_large(max_bytes: int) -> SourceError:
    return SourceError(f"answer larger than {describe_size(max_bytes)}")


def raw_cap(max_bytes: int) -> int:
    """The most compressed bytes read for a body inflated later (`fetch(inflate=False)`):
    a deflate stream is at most ~0.03 % larger than what it holds, so a body over this
    would not fit in `max_bytes` once inflated (or is padding no feed sends)."""
    return max_bytes + (max_bytes >> 10) + 1024


def inflate(body: bytes, encoding: str, max_bytes: int) -> bytes:
    """A body `fetch(inflate=False)` left compressed, inflated in bounded steps and
    refused past `max_bytes` decoded, in the words `fetch` uses: a parse worker calls
    this, so the main process (the critical path of a round) never inflates a feed."""
    if not encoding:
        return body
    chunks: list[bytes] = []
    size = 0
    try:
        for piece in Inflater(encoding).feed(body):
            size += len(piece)
            if size > max_bytes:
                raise too_large(max_bytes)
            chunks.append(piece)
    except httpx.DecodingError:
        raise SourceError(BROKEN) from None
    return b"".join(chunks)
