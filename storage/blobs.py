"""Content stored once per distinct value, compressed against similar content already stored.

Why: a page's versions differ in a few sentences, pages of one site share their whole frame (head,
scripts, navigation, footer), and the same article is often republished, so storing each fetched page
and each extracted text on its own would make them the bulk of the archive. Each distinct value is kept
once, keyed by the SHA-256 of its bytes, compressed with the most useful earlier value (the page's
previous version, or a recent page of the same site) as dictionary: its ``base``. Chains are at most
``MAX_DEPTH`` long, so reading any value costs at most ``MAX_DEPTH + 1`` decompressions.

Two tables have this shape: ``texts`` (extracted texts) and ``bodies`` (pages as fetched).

Values are written as Zstandard frames with the base as raw-content dictionary: at level 3 a page costs
a quarter of the CPU zlib's level 6 took and comes out no larger (bench/compression_levels.py), and
compression was a third of what storing a page cost the crawl process. Archives written before hold
zlib streams (the base's last 32 KiB as preset dictionary); they are told apart by their first bytes
(a zstd frame's magic number, a zlib header's 0x78) and stay readable, and either kind serves as base
for the other, since a base is used as the bytes it decompresses to.

A value that has a base is also compressed alone unless the delta is clearly small: a value alone that
is no larger becomes self-contained, and a body that is becomes its source's new frame (storage/content.py).
"""
from __future__ import annotations

import hashlib
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import zstandard

MAX_DEPTH = 2
ZDICT_BYTES = 32 * 1024  # zlib (archives written before zstd) used at most the last 32 KiB of a base
LEVEL = 3  # zstd
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
PRIMED_DICTIONARIES = 8  # bases kept ready as compression dictionaries (a source's frame is one per source)
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


class _PrimedDictionaries:
    """Bases made into zstd dictionaries, prepared for compression at ``LEVEL``, kept for the next pages.

    Reading a base costs a row and a decompression, and preparing it as a dictionary a third of
    compressing a page against it, while every new page of a source is compressed against the same
    frame. Keyed by the base's hash (its content), so an entry fits any archive that stores that base.
    A prepared dictionary is read-only and may be shared; each compression gets its own compressor.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._primed: OrderedDict[str, zstandard.ZstdCompressionDict | None] = OrderedDict()

    def get(self, digest: str, base: Callable[[], bytes]) -> zstandard.ZstdCompressionDict | None:
        """The dictionary of the base ``digest``; ``base()`` gives its bytes when it is not cached.
        None for an empty base, which is no dictionary (``_decompress`` reads it so)."""
        with self._lock:
            if digest in self._primed:
                self._primed.move_to_end(digest)
                return self._primed[digest]
        data = base()
        primed = _dictionary(data) if data else None
        if primed is not None:
            primed.precompute_compress(level=LEVEL)
        with self._lock:
            self._primed[digest] = primed
            while len(self._primed) > self.size:
                self._primed.popitem(last=False)
        return primed


_primed = _PrimedDictionaries(PRIMED_DICTIONARIES)


def _dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def _compress(data: bytes, dictionary: zstandard.ZstdCompressionDict | None = None) -> bytes:
    compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=dictionary) if dictionary is not None \
        else zstandard.ZstdCompressor(level=LEVEL)
    return compressor.compress(data)


def _decompress(blob: bytes, base: bytes | None) -> bytes:
    """One stored value from its bytes and its base's bytes (None: self-contained), zstd or older zlib."""
    if blob[:4] == ZSTD_MAGIC:
        decompressor = zstandard.ZstdDecompressor(dict_data=_dictionary(base)) if base \
            else zstandard.ZstdDecompressor()
        return decompressor.decompress(blob)
    zlib_stream = zlib.decompressobj(zdict=base[-ZDICT_BYTES:]) if base else zlib.decompressobj()
    return zlib_stream.decompress(blob) + zlib_stream.flush()


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
        compressed = _compress(data, _primed.get(candidate, lambda c=candidate: load_blob(db, table, c)))
        if best is None or len(compressed) < len(best):
            best_base, best_depth, best = candidate, depth + 1, compressed
    if best is None or len(best) > len(data) * GOOD_DELTA_RATIO:  # no base, or not clearly useful: try alone
        plain = _compress(data)
        if best is None or len(plain) <= len(best):
            best_base, best_depth, best = None, 0, plain
    db.execute(f"insert into {table} (hash, base, depth, data_z, bytes) values (?, ?, ?, ?, ?)",
               [digest, best_base, best_depth, best, len(data)])
    return StoredBlob(digest, best_depth)
