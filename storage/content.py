"""Extracted texts and fetched pages, stored once each and compressed against their neighbours.

A text is compressed against the page's previous text; a fetched page (its body) against the page's
previous body or, for a page seen for the first time, the latest self-contained body of the same
source (``html_roots``), which shares its frame. See storage/blobs.py for the storage format.
"""
from __future__ import annotations

from storage.blobs import _Executes, load_blob, store_blob


def store_text(db: _Executes, text: str, *, previous: str | None = None) -> str:
    """Store ``text`` (once); ``previous`` is the hash of the text it replaces. Returns its hash."""
    return store_blob(db, "texts", text.encode("utf-8"), bases=[previous]).digest


def load_text(db: _Executes, digest: str) -> str:
    return load_blob(db, "texts", digest).decode("utf-8")


def store_body(db: _Executes, body: bytes, *, source: str, previous: str | None = None) -> str:
    """Store a fetched page (once); ``previous`` is the hash of the page's previous body."""
    row = db.execute("select hash from html_roots where source = ?", [source]).fetchone()  # type: ignore[attr-defined]
    root = row[0] if row else None
    stored = store_blob(db, "bodies", body, bases=[previous, root])
    if stored.digest != root and stored.depth == 0:  # nothing helped: a new frame for the source
        db.execute("insert or replace into html_roots (source, hash) values (?, ?)", [source, stored.digest])
    return stored.digest


def load_body(db: _Executes, digest: str) -> bytes:
    return load_blob(db, "bodies", digest)
