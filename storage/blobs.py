"""Content stored once per distinct value, compressed against similar content already stored.

Why: a page's versions differ in a few sentences, pages of one site share their whole frame (head,
scripts, navigation, footer), and the same article is often republished, so storing each fetched page
and each extracted text on its own would make them the bulk of the archive. Each distinct value is kept
once, keyed by the SHA-256 of its bytes, zlib-compressed, with the most useful earlier value (the page's
previous version, or a recent page of the same site) as the zlib preset dictionary: its ``base``.
Chains are at most ``MAX_DEPTH`` long, so reading any value costs at most ``MAX_DEPTH + 1``
decompressions.

Two tables have this shape: ``texts`` (extracted texts) and ``bodies`` (pages as fetched).
"""
from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from typing import Protocol

MAX_DEPTH = 2
ZDICT_BYTES = 32 * 1024  # zlib uses at most the last 32 KiB of a preset dictionary
LEVEL = 6
GOOD_DELTA_RATIO = 0.1  # a delta this small is kept without also compressing the value alone
TABLES = ("texts", "bodies")
BLOB_COLUMNS = {"hash": str, "base": str, "depth": int, "data_z": bytes, "bytes": int}


class MissingBlobError(LookupError):
    """A version points at a hash that is not stored."""


class _Executes(Protocol):
    def execute(self, sql: str, parameters: Iterable[object] = ..., /) -> object: ...


def blob_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _compress(data: bytes, zdict: bytes | None) -> bytes:
    compressor = zlib.compressobj(LEVEL, zdict=zdict[-ZDICT_BYTES:]) if zdict else zlib.compressobj(LEVEL)
    return compressor.compress(data) + compressor.flush()


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


def depth_of(db: _Executes, table: str, digest: str) -> int:
    return _row(db, table, digest)[1]


def store_blob(db: _Executes, table: str, data: bytes, *, bases: Iterable[str | None] = ()) -> str:
    """Store ``data`` unless identical bytes are stored; return its hash. Call inside a transaction.

    ``bases`` are hashes of similar stored values; each (or, when its chain is already at the limit,
    its own base) is tried as compression dictionary and the smallest result is kept.
    """
    digest = blob_hash(data)
    if db.execute(f"select 1 from {table} where hash = ?", [digest]).fetchone():  # type: ignore[attr-defined]
        return digest
    best_base, best_depth, best = None, 0, None
    for candidate in dict.fromkeys(b for b in bases if b):
        base, depth, _ = _row(db, table, candidate)
        while depth >= MAX_DEPTH and base is not None:
            candidate = base
            base, depth, _ = _row(db, table, candidate)
        compressed = _compress(data, load_blob(db, table, candidate))
        if best is None or len(compressed) < len(best):
            best_base, best_depth, best = candidate, depth + 1, compressed
    if best is None or len(best) > len(data) * GOOD_DELTA_RATIO:  # no base, or not clearly useful: try alone
        plain = _compress(data, None)
        if best is None or len(plain) <= len(best):
            best_base, best_depth, best = None, 0, plain
    db.execute(f"insert into {table} (hash, base, depth, data_z, bytes) values (?, ?, ?, ?, ?)",
               [digest, best_base, best_depth, best, len(data)])
    return digest
