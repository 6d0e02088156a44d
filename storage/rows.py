"""Plain-SQL inserts and updates for the writes made once per fetched page.

sqlite-utils' ``Table.insert``/``update`` re-read the table's schema (and, for an update, the row)
on every call; on the per-page path of a crawl that was most of the archive's cost (bench/crawl_bench.py
--profile). These helpers take a dict of column values like sqlite-utils does, for tables whose
columns exist (the migrations create them), and values that SQLite stores as they are.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database


def insert_row(db: Database, table: str, row: Mapping[str, Any], *, or_ignore: bool = False) -> int | None:
    """Insert one row; its rowid, or None when ``or_ignore`` skipped it (a unique key already held)."""
    columns = ", ".join(f"[{column}]" for column in row)
    cursor = db.conn.execute(
        f"insert {'or ignore ' if or_ignore else ''}into [{table}] ({columns}) values ({', '.join('?' * len(row))})",
        list(row.values()))
    return cursor.lastrowid if cursor.rowcount else None


def insert_rows(db: Database, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert rows that all have the same columns (in the same order)."""
    rows = list(rows)
    if not rows:
        return
    columns = ", ".join(f"[{column}]" for column in rows[0])
    db.conn.executemany(f"insert into [{table}] ({columns}) values ({', '.join('?' * len(rows[0]))})",
                        [list(row.values()) for row in rows])


def chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    """``values`` in slices of at most ``size``: SQLite limits the parameters of one statement."""
    return [values[i:i + size] for i in range(0, len(values), size)]


def update_row(db: Database, table: str, key: Any, values: Mapping[str, Any], *, key_column: str = "id") -> None:
    if not values:
        return
    assignments = ", ".join(f"[{column}] = ?" for column in values)
    db.conn.execute(f"update [{table}] set {assignments} where [{key_column}] = ?", [*values.values(), key])
