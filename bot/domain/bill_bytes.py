"""A bill's bytes as lines: gzip or plain, told by the magic number, hashed as read. Pure."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator

__all__ = ["GZIP_MAGIC", "Hashed", "TooLarge", "body_lines"]

GZIP_MAGIC = b"\x1f\x8b"


class TooLarge(ValueError):
    """A compressed body that opens to more than the limit (a gzip bomb, or just too big)."""


class Hashed:
    """Lines passed through unchanged, the sha256 of their bytes taken on the way: the same
    content gzipped or not is the same file."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = lines
        self._sha = hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for line in self._lines:
            self._sha.update(line)
            yield line

    @property
    def digest(self) -> str:
        return self._sha.hexdigest()


def body_lines(data: bytes, limit: int) -> list[bytes]:
    """The lines of a request body, gunzipped when it is gzip; at most `limit` bytes open."""
    if data.startswith(GZIP_MAGIC):
        opener = zlib.decompressobj(wbits=31)
        try:
            data = opener.decompress(data, limit + 1)
        except zlib.error as exc:
            raise ValueError(f"not a readable gzip file: {exc}") from None
        if len(data) > limit or opener.unconsumed_tail:
            raise TooLarge(f"the bill opens to more than {limit:,} bytes")
    return data.splitlines(keepends=True)
