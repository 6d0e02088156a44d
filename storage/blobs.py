"""Content stored once per distinct value, compressed against similar content already stored.

Why: a page's versions differ in a few sentences, pages of one site share their whole frame (head,
scripts, navigation, footer), and the same article is often republished, so storing each fetched page
and each extracted text on its own would make them the bulk of the archive. Each distinct value is kept
once, keyed by the SHA-256 of its bytes, zlib-compressed, with the most useful earlier value (the page's
previous version, or a recent page of the same site) as the zlib preset dictionary: its ``base``.
Chains are at most ``MAX_DEPTH`` long, so reading any value costs at most ``MAX_DEPTH + 1``
decompressions.

Two tables have this shape: ``texts`` (extracted texts) and ``bodies`` (pages as fetched).

A value that has a base is also tried alone (a value alone that is no larger becomes self-contained, and a
body that is becomes its source's new frame, see storage/content.py); that second compression cost as much
as the first. It is first tried at zlib level 1, a third of the cost, and done at ``LEVEL`` only when that
quick result comes within ``PROBE_MARGIN`` of the delta, that is when the base may not have helped.
"""
from __future__ import annotations

import hashlib
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

MAX_DEPTH = 2
ZDICT_BYTES = 32 * 1024  # zlib uses at most the last 32 KiB of a preset dictionary
LEVEL = 6
PROBE_LEVEL = 1
PROBE_MARGIN = 1.15  # level 1 output is ~8-13% larger than level 6 on HTML (bench site, gne-testpages)
PRIMED_COMPRESSORS = 8  # bases kept ready as compression dictionaries (a source's frame is one per source)
GOOD_DELTA_RATIO = 0.1  # a delta this small is kept without also compressing the value alone
TABLES = ("texts", "bodies")
BLOB_COLUMNS = {"hash": str, "base": str, "depth": int, "data_z": bytes, "bytes": int}


class MissingBlobError(LookupError):
    """A version points at a hash that is not stored."""


class _Executes(Protocol):
    def execute(self, sql: str, parameters: Iterable[object] = ..., /) -> object: ...


@dataclass(frozen=True, slots=True)
class StoredBlob:
    digest: str
    depth: int  # 0: self-contained; else how many bases must be decompressed first


def blob_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _PrimedCompressors:
    """zlib compressors that already hold a base as their dictionary, copied for each use.

    Setting a 32 KiB dictionary costs a quarter of compressing a page against it, and reading the base
    a decompression and a row: every new page of a source is compressed against the same frame. Keyed by
    the base's hash (its content), so a compressor fits any archive that stores that base.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._primed: OrderedDict[tuple[str, int], Any] = OrderedDict()

    def copy(self, digest: str, level: int, zdict: Any) -> Any:
        """A fresh compressor with the base ``digest`` as dictionary; ``zdict()`` gives the base if not cached."""
        key = (digest, level)
        with self._lock:
            primed = self._primed.get(key)
            if primed is not None:
                self._primed.move_to_end(key)
                return primed.copy()
        primed = zlib.compressobj(level, zdict=zdict()[-ZDICT_BYTES:])
        with self._lock:
            self._primed[key] = primed
            while len(self._primed) > self.size:
                self._primed.popitem(last=False)
        return primed.copy()


_primed = _PrimedCompressors(PRIMED_COMPRESSORS)


def _compress(data: bytes, compressor: Any) -> bytes:
    return compressor.compress(data) + compressor.flush()  # type: ignore[no-any-return]


def _decompress(blob: bytes, zdict: bytes | None) -> bytes:
    decompressor = zlib.decompressobj(zdict=zdict[-ZDICT_BYTES:]) if zdict else zlib.decompressobj()
    return decompressor.decompress(blob) + decompressor.flush()


def _row(db: _Executes, table: str, digest: str) -> tuple[str | None, int, bytes]:
    assert table in TABLES, table
    row = db.execute(f"select base, depth, data_z from {table} where hash = ?", [digest]).fetchone()  # type: ignore[attr-defined]
    if row is None:
        raise MissingBlobError(f"{digest} is missing from the {table} table")
    return row[0], int(row[1]), row[2]


def load_blob(db: _Executes, table: str, digest: str) -> bytes:
    """The stored bytes for ``digest``, decompressing its chain of bases."""
    chain = []
    current: str | None = digest
    while current is not None:
        if len(chain) > MAX_DEPTH:
            raise MissingBlobError(f"{digest} in {table}: chain of bases longer than {MAX_DEPTH}")
        base, _, data_z = _row(db, table, current)
        chain.append(data_z)
        current = base
    data = None
    for data_z in reversed(chain):
        data = _decompress(data_z, data)
    return data  # type: ignore[return-value]


def _chain_link(db: _Executes, table: str, digest: str) -> tuple[str | None, int]:
    """(base, depth) of a stored value, without its bytes."""
    row = db.execute(f"select base, depth from {table} where hash = ?", [digest]).fetchone()  # type: ignore[attr-defined]
    if row is None:
        raise MissingBlobError(f"{digest} is missing from the {table} table")
    return row[0], int(row[1])


def store_blob(db: _Executes, table: str, data: bytes, *, bases: Iterable[str | None] = ()) -> StoredBlob:
    """Store ``data`` unless identical bytes are stored; return its hash and depth. Call inside a transaction.

    ``bases`` are hashes of similar stored values; each (or, when its chain is already at the limit,
    its own base) is tried as compression dictionary and the smallest result is kept.
    """
    assert table in TABLES, table
    digest = blob_hash(data)
    stored = db.execute(f"select depth from {table} where hash = ?", [digest]).fetchone()  # type: ignore[attr-defined]
    if stored:
        return StoredBlob(digest, int(stored[0]))
    best_base, best_depth, best = None, 0, None
    for candidate in dict.fromkeys(b for b in bases if b):
        base, depth = _chain_link(db, table, candidate)
        while depth >= MAX_DEPTH and base is not None:
            candidate = base
            base, depth = _chain_link(db, table, candidate)
        compressor = _primed.copy(candidate, LEVEL, lambda c=candidate: load_blob(db, table, c))
        compressed = _compress(data, compressor)
        if best is None or len(compressed) < len(best):
            best_base, best_depth, best = candidate, depth + 1, compressed
    if best is None or len(best) > len(data) * GOOD_DELTA_RATIO:  # no base, or not clearly useful: try alone
        if best is None or len(_compress(data, zlib.compressobj(PROBE_LEVEL))) <= len(best) * PROBE_MARGIN:
            plain = _compress(data, zlib.compressobj(LEVEL))
            if best is None or len(plain) <= len(best):
                best_base, best_depth, best = None, 0, plain
    db.execute(f"insert into {table} (hash, base, depth, data_z, bytes) values (?, ?, ?, ?, ?)",
               [digest, best_base, best_depth, best, len(data)])
    return StoredBlob(digest, best_depth)
