"""Pages written in commit groups: what another connection sees, when a group is committed, and that a failing
page is undone alone."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import Archive
from storage.commit_groups import CommitGroup


def _note(archive: Archive, text: str) -> None:
    archive.db.conn.execute("insert into notes values (?)", [text])


def _seen_from_outside(path: Path) -> list[str]:
    with sqlite3.connect(path) as other:
        return [r[0] for r in other.execute("select note from notes order by rowid")]


@pytest.fixture(autouse=True)
def notes(archive: Archive) -> None:
    """A table the tests' pages write to, in conftest's ``archive``."""
    archive.db.execute("create table notes (note text)")


def test_a_group_is_committed_when_full_and_other_readers_see_it_only_then(archive: Archive) -> None:
    group = CommitGroup(archive, max_pages=3, max_seconds=60)
    for n in range(5):
        with group.page():
            _note(archive, f"page {n}")
        group.done(idle=False)
        assert _seen_from_outside(archive.path) == [f"page {k}" for k in range(3 if n >= 2 else 0)]
    assert group.commits == 1 and group.pages == 2 and archive.db.conn.in_transaction
    group.commit()
    assert _seen_from_outside(archive.path) == [f"page {k}" for k in range(5)]
    assert not archive.db.conn.in_transaction and (group.written, group.commits) == (5, 2)


def test_a_writer_with_nothing_else_on_the_way_commits_at_once(archive: Archive) -> None:
    group = CommitGroup(archive, max_pages=50, max_seconds=60)
    with group.page():
        _note(archive, "the only page")
    group.done(idle=True)
    assert _seen_from_outside(archive.path) == ["the only page"]


def test_a_group_older_than_its_time_is_committed_with_its_next_page(archive: Archive) -> None:
    now = [100.0]
    group = CommitGroup(archive, max_pages=50, max_seconds=0.5, clock=lambda: now[0])
    with group.page():
        _note(archive, "first")
    group.done(idle=False)
    now[0] += 0.4
    with group.page():
        _note(archive, "second")
    group.done(idle=False)
    assert _seen_from_outside(archive.path) == []
    now[0] += 0.2
    with group.page():
        _note(archive, "third")
    group.done(idle=False)
    assert _seen_from_outside(archive.path) == ["first", "second", "third"]


def test_the_scheduled_commit_closes_a_group_no_page_comes_to_close(archive: Archive) -> None:
    scheduled: list[tuple[float, Callable[[], None]]] = []

    class Handle:
        cancelled = False

        def cancel(self) -> None:
            self.cancelled = True

    handles: list[Handle] = []

    def schedule(seconds: float, callback: Callable[[], None]) -> Handle:
        scheduled.append((seconds, callback))
        handles.append(Handle())
        return handles[-1]

    group = CommitGroup(archive, max_pages=50, max_seconds=0.25, schedule=schedule)
    with group.page():
        _note(archive, "waiting")
    group.done(idle=False)
    assert [s for s, _ in scheduled] == [0.25] and _seen_from_outside(archive.path) == []
    scheduled[0][1]()  # the event loop calls it 0.25 s later
    assert _seen_from_outside(archive.path) == ["waiting"]
    with group.page():  # a new group schedules its own commit; committing it cancels that
        _note(archive, "next")
    group.done(idle=True)
    assert len(scheduled) == 2 and handles[1].cancelled


def test_a_failing_page_is_undone_alone_and_the_group_goes_on(archive: Archive) -> None:
    group = CommitGroup(archive, max_pages=10, max_seconds=60)
    with group.page():
        _note(archive, "good")
    with pytest.raises(ValueError), group.page():
        _note(archive, "half written")
        raise ValueError("extraction of this page blew up mid-write")
    with group.page():
        with archive.write():  # what record() does inside: a nested savepoint
            _note(archive, "also good")
    group.commit()
    assert _seen_from_outside(archive.path) == ["good", "also good"]


def test_an_open_group_holds_the_write_lock_until_it_is_committed(archive: Archive) -> None:
    group = CommitGroup(archive, max_pages=10, max_seconds=60)
    with group.page():
        _note(archive, "held")
    other = sqlite3.connect(archive.path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    group.commit()
    other.execute("BEGIN IMMEDIATE")
    other.execute("insert into notes values ('another writer')")
    other.execute("COMMIT")
    other.close()
    assert _seen_from_outside(archive.path) == ["held", "another writer"]


def test_one_page_per_group_is_a_transaction_per_page(archive: Archive) -> None:
    group = CommitGroup(archive, max_pages=1)
    with group.page():
        _note(archive, "alone")
    assert not archive.db.conn.in_transaction and (group.written, group.commits) == (1, 1)
    assert _seen_from_outside(archive.path) == ["alone"]
    with pytest.raises(ValueError):
        CommitGroup(archive, max_pages=0)
