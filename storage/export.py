"""Stream pages, versions or events out of the archive as CSV, JSON or JSON lines.

Rows go from a SQLite cursor to the output one at a time, so exporting a large archive needs the
memory of one row, not of the archive (bench/archive_bench.py measures throughput and peak memory).
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from sqlite_utils import Database

from storage.content import load_text

FORMATS = ("csv", "json", "jsonl")
WHAT = ("pages", "versions", "events")

# What each export holds, and the column its --since filter applies to.
_QUERIES: dict[str, tuple[str, str]] = {
    "pages": (
        "select p.id, p.url, p.source, s.region, p.title, p.first_seen, p.last_checked, p.last_changed, "
        "p.last_status, p.version_count from pages p left join sources s on s.name = p.source",
        "p.last_changed",
    ),
    "versions": (
        "select v.id, v.page_id, p.url, p.source, v.number, v.fetched_at, v.title, v.published, v.language, "
        "v.relevant, v.content_hash, v.text_length, v.text_hash as text from versions v "
        "join pages p on p.id = v.page_id",
        "v.fetched_at",
    ),
    "events": (
        "select e.id, e.guid, e.kind, e.created_at, e.page_id, e.version_id, e.source, e.region, e.url, "
        "e.title, e.summary, e.excerpt, e.diff_html, e.relevant from events e",
        "e.created_at",
    ),
}
_ORDER = {"pages": "p.id", "versions": "v.page_id, v.number", "events": "e.id"}
_SOURCE_COLUMN = {"pages": "p.source", "versions": "p.source", "events": "e.source"}


class ExportError(ValueError):
    """Unknown format or table."""


@dataclass
class Export:
    columns: list[str]
    rows: Iterator[dict[str, Any]]


def export_rows(db: Database, what: str, *, since: str | None = None, source: str | None = None) -> Export:
    """The rows of ``what`` (pages, versions with their text, or events), oldest first, lazily."""
    if what not in _QUERIES:
        raise ExportError(f"cannot export {what!r}: choose one of {', '.join(WHAT)}")
    sql, since_column = _QUERIES[what]
    clauses, args = [], []
    if since:
        clauses.append(f"{since_column} >= ?")
        args.append(since)
    if source:
        clauses.append(f"{_SOURCE_COLUMN[what]} = ?")
        args.append(source)
    where = f" where {' and '.join(clauses)}" if clauses else ""
    cursor = db.execute(f"{sql}{where} order by {_ORDER[what]}", args)
    columns = [c[0] for c in cursor.description]

    def rows() -> Iterator[dict[str, Any]]:
        for row in cursor:
            record = dict(zip(columns, row, strict=True))
            if what == "versions":
                record["text"] = load_text(db, record["text"])
            yield record

    return Export(columns, rows())


def write_export(export: Export, out: TextIO, fmt: str) -> int:
    """Write the rows to ``out`` in ``fmt``; return how many were written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=export.columns, lineterminator="\n")
        writer.writeheader()
        for record in export.rows:
            writer.writerow(record)
            count += 1
    elif fmt == "jsonl":
        for record in export.rows:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    else:
        out.write("[")
        for record in export.rows:
            out.write(("\n" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    return count
