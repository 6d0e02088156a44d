"""Schema of the archive as named migrations, applied in order on open.

Every table is meant to be read by people in Datasette, so columns are plain and named for what they
hold. ``PRAGMA user_version`` mirrors the number of applied migrations (the schema version).
"""
from __future__ import annotations

import gzip

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.blobs import BLOB_COLUMNS, TABLES
from storage.content import load_text, store_body, store_text

migrations = Migrations("policywatch")


@migrations()
def m001_initial(db: Database) -> None:
    db["sources"].create(
        {"name": str, "title": str, "region": str, "language": str, "updated_at": str},
        pk="name",
    )
    db["runs"].create(
        {
            "id": int, "source": str, "started_at": str, "finished_at": str, "status": str,
            "fetched": int, "new": int, "changed": int, "unchanged": int, "errors": int, "error": str,
        },
        pk="id",
    )
    db["pages"].create(
        {
            "id": int, "url": str, "source": str, "first_seen": str, "last_checked": str,
            "last_changed": str, "last_status": int, "version_count": int, "title": str,
        },
        pk="id",
    )
    db["pages"].create_index(["url"], unique=True)
    db["pages"].create_index(["source"])
    db["versions"].create(
        {
            "id": int, "page_id": int, "number": int, "fetched_at": str, "content_hash": str,
            "title": str, "text": str, "text_length": int, "published": str, "language": str,
            "relevant": int, "meta_json": str, "html_gz": bytes, "html_bytes": int,
        },
        pk="id",
        foreign_keys=[("page_id", "pages", "id")],
    )
    db["versions"].create_index(["page_id", "number"], unique=True)
    db["fetches"].create(
        {
            "id": int, "run_id": int, "source": str, "url": str, "page_id": int, "fetched_at": str,
            "status": int, "bytes": int, "elapsed_ms": float, "outcome": str, "error": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("page_id", "pages", "id")],
    )
    db["fetches"].create_index(["url"])
    db["events"].create(
        {
            "id": int, "guid": str, "kind": str, "created_at": str, "run_id": int, "page_id": int,
            "version_id": int,
            "source": str, "region": str, "url": str, "title": str, "summary": str, "excerpt": str,
            "diff_html": str, "relevant": int,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("page_id", "pages", "id"), ("version_id", "versions", "id")],
    )
    db["events"].create_index(["guid"], unique=True)
    db["events"].create_index(["created_at"])


@migrations()
def m002_query_compact_storage_and_search(db: Database) -> None:
    """Texts and fetched pages stored once per content, compressed (storage/blobs.py), and a full-text index.

    ``versions.text`` and ``versions.html_gz`` move to ``texts`` and ``bodies`` (``versions.text_hash``,
    ``versions.html_hash``). ``pages_fts`` indexes the latest title and text of every page (rowid =
    ``pages.id``) in trigrams, so Chinese (no spaces) and German compounds match on any substring of
    3+ characters; it is contentless (the texts are in ``texts``) and ``pages_fts_terms`` lists its
    trigrams, which is how storage/search.py finds terms of one or two characters.
    """
    for table in TABLES:
        db[table].create(BLOB_COLUMNS, pk="hash")
    db["html_roots"].create({"source": str, "hash": str}, pk="source")
    db["versions"].add_column("text_hash", str)
    db["versions"].add_column("html_hash", str)
    previous: dict[int, tuple[str, str]] = {}
    ids = [row[0] for row in db.execute("select id from versions order by id").fetchall()]
    for version_id in ids:  # one row at a time: an old archive's texts and pages need not fit in memory
        page_id, source, text, html_gz = db.execute(
            "select v.page_id, p.source, v.text, v.html_gz from versions v join pages p on p.id = v.page_id "
            "where v.id = ?", [version_id]).fetchone()
        prev_text, prev_body = previous.get(page_id, (None, None))
        text_key = store_text(db, text or "", previous=prev_text)
        body_key = store_body(db, gzip.decompress(html_gz) if html_gz else b"", source=source, previous=prev_body)
        previous[page_id] = (text_key, body_key)
        db.execute("update versions set text_hash = ?, html_hash = ? where id = ?", [text_key, body_key, version_id])
    db.execute("ALTER TABLE versions DROP COLUMN text")
    db.execute("ALTER TABLE versions DROP COLUMN html_gz")
    db["versions"].create_index(["text_hash"])
    db.execute("create virtual table pages_fts using fts5(title, text, tokenize = 'trigram', content = '')")
    db.execute("create virtual table pages_fts_terms using fts5vocab(pages_fts, row)")
    for page_id, title, digest in db.execute(
        "select page_id, title, text_hash from versions v where number = "
        "(select max(number) from versions where page_id = v.page_id)"
    ).fetchall():
        db.execute("insert into pages_fts (rowid, title, text) values (?, ?, ?)",
                   [page_id, title or "", load_text(db, digest)])

def apply_migrations(db: Database) -> int:
    """Bring the schema up to date; return the schema version."""
    migrations.apply(db)
    version = len(migrations.applied(db))
    db.execute(f"PRAGMA user_version = {version}")
    return version
