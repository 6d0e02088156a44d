"""Schema of the archive as named migrations, applied in order on open.

Every table is meant to be read by people in Datasette, so columns are plain and named for what they
hold. ``PRAGMA user_version`` mirrors the number of applied migrations (the schema version).
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.texts import load_text, store_text

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
def m002_query_texts_and_search(db: Database) -> None:
    """Texts stored once per content (compressed, see storage/texts.py) and a full-text index.

    ``pages_fts`` holds the latest title and text of every page (rowid = ``pages.id``), tokenised in
    trigrams so that Chinese (no spaces) and German compounds match on any substring of 3+ characters.
    """
    db["texts"].create(
        {"hash": str, "base": str, "text_z": bytes, "chars": int, "bytes": int},
        pk="hash",
    )
    db["versions"].add_column("text_hash", str)
    previous: dict[int, str] = {}
    for version_id, page_id, text in db.execute(
        "select id, page_id, text from versions order by page_id, number"
    ).fetchall():
        digest = store_text(db, text or "", previous=previous.get(page_id))
        previous[page_id] = digest
        db.execute("update versions set text_hash = ? where id = ?", [digest, version_id])
    db.execute("ALTER TABLE versions DROP COLUMN text")
    db["versions"].create_index(["text_hash"])
    db.execute(
        "create virtual table pages_fts using fts5(title, text, tokenize = 'trigram')"
    )
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
