"""Keep a long-lived archive fast and small: merge the search index, refresh statistics, reclaim space.

Every stored version updates the full-text index (storage/search.py), which FTS5 keeps as a growing
list of segments merged only now and then; after months of crawls a search reads many of them.
``optimize_archive`` merges them into one, lets SQLite refresh its query statistics
(``PRAGMA optimize``) and, when asked, rewrites the file (``VACUUM``) to return freed pages to the disk.
The daemon runs it (without VACUUM) once a day; ``policywatch optimize`` runs it by hand.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from storage.archive import Archive, write_transaction
from storage.search import optimize_index

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OptimizeReport:
    bytes_before: int
    bytes_after: int
    index_segments_before: int
    index_segments_after: int
    seconds: float
    vacuumed: bool


def _file_bytes(path: str | Path) -> int:
    return sum(p.stat().st_size for p in (Path(path), Path(f"{path}-wal")) if p.exists())


def index_segments(archive: Archive) -> int:
    """Segments of the full-text index: what a search has to read through (one after optimizing)."""
    return int(archive.db.execute("select count(distinct segid) from pages_fts_idx").fetchone()[0])


def optimize_archive(archive: Archive, *, vacuum: bool = False) -> OptimizeReport:
    """Merge the index, refresh statistics, optionally VACUUM; safe while crawls write (it takes the lock)."""
    started = time.monotonic()
    before, segments_before = _file_bytes(archive.path), index_segments(archive)
    with write_transaction(archive.db):
        optimize_index(archive.db)
    archive.db.execute("PRAGMA optimize")
    if vacuum:
        archive.db.execute("VACUUM")
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report = OptimizeReport(before, _file_bytes(archive.path), segments_before, index_segments(archive),
                            time.monotonic() - started, vacuum)
    logger.info("archive %s optimized in %.1f s: index segments %d -> %d, %d -> %d bytes", archive.path,
                report.seconds, report.index_segments_before, report.index_segments_after, before,
                report.bytes_after)
    return report
