"""Run user-supplied SQL against the archive without any way to change it, and with a time limit.

Three locks, because each alone has a gap: the file is opened ``mode=ro`` (SQLite refuses writes),
``PRAGMA query_only`` refuses writes to anything attached later, and an authorizer refuses ATTACH,
DETACH and PRAGMAs that set values, so a statement cannot lift the other two. The time limit is a
progress handler that interrupts the statement once the deadline passes, also while rows stream out.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TIME_LIMIT_S = 10.0
PROGRESS_EVERY_N_OPS = 10_000
_REFUSED_ACTIONS = {sqlite3.SQLITE_ATTACH: "ATTACH", sqlite3.SQLITE_DETACH: "DETACH"}
# Pragmas whose argument names what to read, not a value to set: `PRAGMA table_info(pages)` and
# `select * from pragma_table_info('pages')` reach the authorizer with the argument like a setting would.
_READING_PRAGMAS = frozenset({"table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
                              "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"})


class QueryError(Exception):
    """The SQL failed: a syntax error, a write attempt, or the time limit; the message says which."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A connection that cannot write the archive at ``path``."""
    path = Path(path)
    if not path.exists():
        raise QueryError(f"{path}: no such archive")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("PRAGMA query_only = 1")
    conn.set_authorizer(_authorize)
    return conn


def _authorize(action: int, arg1: str | None, arg2: str | None, db_name: str | None, source: str | None) -> int:
    if action in _REFUSED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and (arg1 or "").lower() not in _READING_PRAGMAS:
        return sqlite3.SQLITE_DENY  # reading a pragma is fine, setting one is not
    return sqlite3.SQLITE_OK


def _explain(exc: sqlite3.Error, sql: str, time_limit_s: float) -> QueryError:
    message = str(exc)
    if "interrupted" in message:
        return QueryError(f"query stopped after the time limit of {time_limit_s:g} s (raise it with --time-limit)")
    if "readonly" in message or "query_only" in message or "not authorized" in message:
        return QueryError(f"the archive is opened read-only: this statement would change it ({message}); "
                          "only SELECT-style queries are allowed")
    return QueryError(f"SQL error: {message}\n  in: {sql.strip()[:200]}")


def run_query(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = (), *,
              time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> QueryResult:
    """Start ``sql`` and return its columns and a row iterator; the time limit covers fetching too."""
    deadline = time.monotonic() + time_limit_s
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, PROGRESS_EVERY_N_OPS)
    try:
        cursor = conn.execute(sql, params)
    except sqlite3.Error as exc:
        raise _explain(exc, sql, time_limit_s) from None
    except sqlite3.Warning as exc:  # "You can only execute one statement at a time."
        raise QueryError(f"SQL error: {exc}") from None
    columns = [c[0] for c in cursor.description or ()]

    def rows() -> Iterator[tuple[Any, ...]]:
        try:
            yield from cursor
        except sqlite3.Error as exc:
            raise _explain(exc, sql, time_limit_s) from None

    return QueryResult(columns, rows())
