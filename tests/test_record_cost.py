"""What made storing a page cheaper must not change what is stored: nested writes, plan key reads, the index."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import Archive
from storage.migrations import migrations
from storage.plans import PlanStore


def test_nested_writes_fail_alone_under_one_savepoint_name(archive: Archive) -> None:
    """Savepoints of one name nest: a failure rolls back its own write only, at any depth."""
    archive.db.execute("create table notes (note text)")

    def note(text: str) -> None:
        archive.db.conn.execute("insert into notes values (?)", [text])

    with archive.write():
        note("page")
        with archive.write():
            note("plans")
            with pytest.raises(ValueError), archive.write():
                note("plan events")
                raise ValueError("plan analysis failed")
            note("plans, continued")
        with pytest.raises(KeyError), archive.write():
            note("validators")
            with archive.write():
                note("inner")
            raise KeyError("late failure")
        note("fetch row")
    assert not archive.db.conn.in_transaction
    assert [r[0] for r in archive.db.execute("select note from notes order by rowid")] == [
        "page", "plans", "plans, continued", "fetch row"]
    with pytest.raises(RuntimeError), archive.write():
        note("a whole page")
        raise RuntimeError("page failed")
    assert archive.db.execute("select count(*) from notes").fetchone()[0] == 4


def _plan(store: PlanStore, plan_id: str, region: str, keys: list[str], version: dict) -> None:
    store.record({"id": plan_id, "title": plan_id, "title_rank": 0, "region": region},
                 [(key, None) for key in keys], {**version, "role": "official", "seen_at": "2026-01-01"}, [])


def test_the_aliases_of_some_plans_are_those_plans_rows_of_all_aliases(archive: Archive) -> None:
    event = archive.add_version(
        run_id=None, source="s", region=None, url="http://127.0.0.1/p", fetched_at="2026-01-01T00:00:00Z",
        status=200, raw_html=b"<p></p>", elapsed_ms=1.0, content_hash="h", title="t", text="t", published=None,
        language="zh", relevant=True, event_kind="new", summary=None, excerpt=None, diff_html=None)
    version = {"page_id": event.page_id, "version_id": event.version_id, "url": event.url, "source": "s"}
    store = PlanStore(archive.db)
    _plan(store, "p-b", "guangdong", ["alias:guangdong|action-plan|humanoid-robots", "title:guangdong|b"], version)
    _plan(store, "p-a", "guangdong", ["alias:guangdong|implementation-opinions|6g",
                                      "alias:guangdong|action-plan|6g+quantum"], version)
    _plan(store, "p-c", "guangzhou", ["alias:guangzhou|action-plan|6g"], version)
    _plan(store, "p-d", "guangdong-x", ["alias:guangdong-x|action-plan|6g"], version)  # a region sharing a prefix
    everything = store.aliases("guangdong")
    assert [plan_id for _, plan_id in everything] == ["p-b", "p-a", "p-a"]
    for wanted in ({"p-a"}, {"p-b", "p-c"}, {"p-a", "p-b", "p-d"}, set()):
        assert store.aliases("guangdong", plan_ids=wanted) == [row for row in everything if row[1] in wanted]


def test_an_archive_from_before_is_given_the_plan_key_index_that_linking_reads(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m011_record_cost_plan_keys_by_plan")
    assert "plan_id" not in {c for index in db["plan_keys"].indexes for c in index.columns}
    db.close()
    with Archive(path) as archive:
        plan = archive.db.execute("explain query plan select rowid, key, plan_id, language from plan_keys "
                                  "where plan_id in (?, ?)", ["p-1", "p-2"]).fetchall()
        assert "SCAN" not in " ".join(row[3] for row in plan) and "plan_id" in " ".join(row[3] for row in plan)
    with Archive(path) as again:  # applied once
        assert again.db.execute("select count(*) from _sqlite_migrations where name = ?",
                                ["m011_record_cost_plan_keys_by_plan"]).fetchone()[0] == 1
