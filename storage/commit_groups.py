"""`CommitGroup`: the writes of several pages committed as one transaction.

A first crawl stores a page every few milliseconds, and committing each one cost about a seventh of
what storing it did (bench/record_cost.py, ``--batch``). But an open transaction holds SQLite's write
lock, and other writers (a second crawl, the daemon, a plans rebuild) wait for it, so a group is short:
it is committed after ``max_pages`` pages, after ``max_seconds``, and as soon as the writer has nothing
else on the way (``done(idle=True)``; crawlers/pipelines.py says when: no page with the analysis worker,
nothing downloading, no other response being scraped). Each page is a savepoint inside the group, so a
page whose write fails is undone alone, as it was in its own transaction. A process killed mid-group loses the group's
pages; they were never marked as checked, so the next crawl fetches and stores them again.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from storage.archive import Archive, savepoint

DEFAULT_PAGES = 20
DEFAULT_SECONDS = 0.25


class CommitGroup:
    """Opens a transaction for the first page of a group and commits it when the group is due.

    ``schedule(seconds, callback)`` (for example the event loop's ``call_later``) commits a group that
    no further page comes to close; it returns a handle with ``cancel()``, or None where there is no loop.
    """

    def __init__(self, archive: Archive, *, max_pages: int = DEFAULT_PAGES, max_seconds: float = DEFAULT_SECONDS,
                 schedule: Callable[[float, Callable[[], None]], object] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_pages < 1:
            raise ValueError(f"a commit group holds at least one page, got max_pages={max_pages}")
        self.archive = archive
        self.max_pages = max_pages
        self.max_seconds = max_seconds
        self.schedule = schedule
        self.clock = clock
        self.pages = 0  # in the open group
        self.written = 0  # pages (items) written in all
        self.commits = 0  # groups committed
        self._opened = 0.0
        self._timer: object | None = None

    @contextmanager
    def page(self) -> Iterator[None]:
        """The writes of one page: in the open group (a savepoint), or in a new one."""
        conn = self.archive.db.conn
        if self.max_pages == 1:
            with self.archive.write():
                yield
            self.written += 1
            self.commits += 1
            return
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
            self.pages, self._opened = 0, self.clock()
            if self.schedule is not None:
                self._timer = self.schedule(self.max_seconds, self.commit)
        with savepoint(self.archive.db):
            yield
        self.pages += 1
        self.written += 1

    def done(self, *, idle: bool) -> None:
        """A page was written; ``idle``: no other page is on its way to the archive now."""
        if idle or self.pages >= self.max_pages or self.clock() - self._opened >= self.max_seconds:
            self.commit()

    def commit(self) -> None:
        """Commit the open group, if any (also what the scheduled callback and closing the crawl do)."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()  # type: ignore[attr-defined]
        conn = self.archive.db.conn
        if conn.in_transaction:
            conn.commit()
            self.commits += 1
        self.pages = 0
