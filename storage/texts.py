"""Extracted texts stored once per distinct content, compressed.

Why: a page's versions differ in a few sentences, and the same article is often republished on several
sites, so storing every version's text in full would make the text the bulk of the archive. Each
distinct text is kept once in ``texts``, keyed by the SHA-256 of its exact characters, and compressed
with zlib. A text that replaces an earlier one of the same page is compressed with that earlier text as
the zlib preset dictionary (``base``), so a changed paragraph costs about its own size. Chains stay one
level deep (a ``base`` never has a base itself), so reading any text costs at most two decompressions.
"""
from __future__ import annotations

import hashlib
import zlib

from sqlite_utils import Database

ZLIB_LEVEL = 9
ZDICT_BYTES = 32 * 1024  # zlib uses at most the last 32 KiB of a preset dictionary


class MissingTextError(LookupError):
    """A version points at a text hash that is not in the ``texts`` table."""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _compress(data: bytes, zdict: bytes | None) -> bytes:
    compressor = zlib.compressobj(ZLIB_LEVEL, zdict=zdict[-ZDICT_BYTES:]) if zdict else zlib.compressobj(ZLIB_LEVEL)
    return compressor.compress(data) + compressor.flush()


def _decompress(blob: bytes, zdict: bytes | None) -> bytes:
    decompressor = zlib.decompressobj(zdict=zdict[-ZDICT_BYTES:]) if zdict else zlib.decompressobj()
    return decompressor.decompress(blob) + decompressor.flush()


def _row(db: Database, digest: str) -> tuple[str | None, bytes]:
    row = db.execute("select base, text_z from texts where hash = ?", [digest]).fetchone()
    if row is None:
        raise MissingTextError(f"text {digest} is missing from the texts table")
    return row[0], row[1]


def load_text(db: Database, digest: str) -> str:
    base, blob = _row(db, digest)
    zdict = None
    if base is not None:
        base_base, base_blob = _row(db, base)
        if base_base is not None:  # written by something else than store_text; refuse to recurse
            raise MissingTextError(f"text {digest}: its base {base} has a base of its own")
        zdict = _decompress(base_blob, None)
    return _decompress(blob, zdict).decode("utf-8")


def store_text(db: Database, text: str, *, previous: str | None = None) -> str:
    """Store ``text`` unless an identical one is stored; return its hash.

    ``previous`` is the hash of the text this one replaces (the page's previous version): it becomes
    the compression dictionary, or its own base does when it has one, keeping chains one level deep.
    Call inside the caller's transaction.
    """
    digest = text_hash(text)
    if db.execute("select 1 from texts where hash = ?", [digest]).fetchone():
        return digest
    data = text.encode("utf-8")
    base, zdict = None, None
    if previous is not None:
        previous_base, _ = _row(db, previous)
        base = previous_base or previous
        zdict = _decompress(_row(db, base)[1], None)
    blob = _compress(data, zdict)
    plain = _compress(data, None) if zdict is not None else blob
    if len(plain) <= len(blob):  # the old text did not help (a rewrite): keep it independent
        base, blob = None, plain
    db.execute("insert into texts (hash, base, text_z, chars, bytes) values (?, ?, ?, ?, ?)",
               [digest, base, blob, len(text), len(data)])
    return digest
