from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import Archive, ArchiveError
from storage.migrations import migrations


def add(archive: Archive, url: str, text: str, *, when: str, kind: str = "new") -> None:
    archive.add_version(
        run_id=None, source="s", region="Guangdong", url=url, fetched_at=when, status=200,
        raw_html=f"<p>{text}</p>".encode(), elapsed_ms=1.0, content_hash=str(hash(text)), title="T",
        text=text, published=None, language="zh", relevant=True, event_kind=kind, summary=None,
        excerpt=text, diff_html=None,
    )


def test_versions_are_numbered_per_page_and_raw_html_is_kept(archive: Archive) -> None:
    add(archive, "http://a/1", "一", when="2026-01-01T00:00:00Z")
    add(archive, "http://a/1", "二", when="2026-01-02T00:00:00Z", kind="changed")
    add(archive, "http://a/2", "三", when="2026-01-02T00:00:00Z")
    versions = archive.versions("http://a/1")
    assert [(v.number, v.text) for v in versions] == [(1, "一"), (2, "二")]
    assert archive.latest_version("http://a/1").text == "二"
    assert archive.raw_html(versions[0].id) == "<p>一</p>".encode()
    assert archive.page("http://a/1").version_count == 2
    events = archive.events()
    assert [e.kind for e in events] == ["new", "changed", "new"][::-1] or len({e.guid for e in events}) == 3
    assert len({e.guid for e in events}) == 3


def test_schema_is_versioned_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    Archive(path).close()
    with Archive(path) as again:  # reopening applies nothing twice
        registered = len(migrations.pending(Database(memory=True)))
        assert again.schema_version == registered >= 2
        assert again.db.execute("PRAGMA user_version").fetchone()[0] == registered
        assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert again.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: no fsync per page commit
        assert {"pages", "versions", "fetches", "events", "runs", "sources"} <= set(again.db.table_names())


def test_read_only_archive_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        add(archive, "http://a/1", "一", when="2026-01-01T00:00:00Z")
    with Archive(path, readonly=True) as ro:
        assert ro.latest_version("http://a/1").text == "一"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            add(ro, "http://a/1", "二", when="2026-01-02T00:00:00Z")


def test_unusable_files_give_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ArchiveError, match="junk.db: cannot open archive"):
        Archive(junk)
    with pytest.raises(ArchiveError, match="no such archive"):
        Archive(tmp_path / "missing.db", readonly=True)
    with pytest.raises(ArchiveError, match="does not exist"):
        Archive(tmp_path / "no" / "dir" / "a.db")


WRITER = """
import sys
from storage import Archive
with Archive(sys.argv[1]) as archive:
    for n in range(int(sys.argv[3])):
        url = f"http://w{sys.argv[2]}/{n}"
        archive.add_version(
            run_id=None, source="s", region=None, url=url, fetched_at="2026-01-01T00:00:00Z", status=200,
            raw_html=b"<p>x</p>", elapsed_ms=None, content_hash=url, title="T", text=f"text {url}",
            published=None, language="en", relevant=True, event_kind="new", summary=None, excerpt=None,
            diff_html=None)
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "a.db"
    Archive(path).close()
    root = Path(__file__).resolve().parent.parent
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(w), "60"], cwd=root,
                                stderr=subprocess.PIPE, text=True) for w in range(3)]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with Archive(path, readonly=True) as archive:
        assert archive.db.execute("select count(*) from versions").fetchone()[0] == 180
        assert archive.db.execute("select count(*) from events").fetchone()[0] == 180


def test_sqlite_utils_plugins_do_not_run_on_the_archive(tmp_path: Path) -> None:
    """A plugin installed for other sqlite-utils work must not hook into the archive's connection."""
    from sqlite_utils import hookimpl
    from sqlite_utils.plugins import pm

    connections: list[sqlite3.Connection] = []

    class Plugin:
        @hookimpl
        def prepare_connection(self, conn: sqlite3.Connection) -> None:
            connections.append(conn)

    plugin = Plugin()
    pm.register(plugin, name="policywatch-test-plugin")
    try:
        Database(sqlite3.connect(":memory:"))  # the probe: sqlite-utils' default runs it
        assert len(connections) == 1
        with Archive(tmp_path / "a.db"):
            pass
        with Archive(tmp_path / "a.db", readonly=True):
            pass
        assert len(connections) == 1
    finally:
        pm.unregister(plugin)


def test_runs_count_page_fetches_only_also_in_an_archive_from_before_fetch_kinds(tmp_path: Path) -> None:
    """List pages and attachments have fetch rows of their own kind; a run's counts stay about pages."""
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m013_crawl_fetch_kinds")
    db["runs"].insert({"id": 1, "source": "s", "started_at": "2026-01-01", "status": "running"})
    db["fetches"].insert({"run_id": 1, "source": "s", "url": "http://a/1", "fetched_at": "2026-01-01",
                          "status": 200, "bytes": 9, "outcome": "new"})
    db.close()
    with Archive(path) as archive:
        assert archive.db.execute("select kind from fetches").fetchall() == [("page",)]
        archive.add_fetch(run_id=1, source="s", url="http://a/2", fetched_at="2026-01-01", status=None, size=0,
                          elapsed_ms=None, outcome="error", error="TimeoutError")
        for kind, url, status, outcome in (("listing", "http://a/list", 200, "read"),
                                           ("listing", "http://a/list_1", 304, "not modified"),
                                           ("attachment", "http://a/x.pdf", 200, "new"),
                                           ("attachment", "http://a/y.pdf", 500, "error")):
            archive.add_other_fetch(kind, run_id=1, source="s", url=url, page_id=None, fetched_at="2026-01-01",
                                    status=status, size=5, elapsed_ms=1.0, outcome=outcome)
        run = archive.finish_run(1, status="ok", now="2026-01-01T00:01:00Z")
        assert (run["fetched"], run["new"], run["errors"]) == (2, 1, 1)
        assert archive.db.execute("select count(*) from pages where url like '%list%' or url like '%.pdf'"
                                  ).fetchone() == (0,)  # no page rows for them
