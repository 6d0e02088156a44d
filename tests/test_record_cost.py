"""What made storing a page cheaper must not change what is stored: nested writes, plan key reads, the search
index filled in batches."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import Archive
from storage.migrations import migrations
from storage.plans import PlanStore
from storage.search import search


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


def _add(archive: Archive, url: str, text: str, at: str = "2026-01-01T00:00:00Z") -> None:
    archive.add_version(
        run_id=None, source="s", region=None, url=url, fetched_at=at, status=200, raw_html=f"<p>{text}</p>".encode(),
        elapsed_ms=1.0, content_hash=text, title=f"标题 {url[-1]}", text=text, published=None, language="zh",
        relevant=True, event_kind="new", summary=None, excerpt=None, diff_html=None)


def _index_terms(db: Database | sqlite3.Connection) -> list[tuple]:
    return db.execute("select term, doc, cnt from pages_fts_terms order by term").fetchall()


def _expected_terms(archive: Archive) -> list[tuple]:
    """The index a fresh build from every page's newest title and text would hold."""
    fresh = sqlite3.connect(":memory:")
    fresh.execute("create virtual table pages_fts using fts5(title, text, tokenize = 'trigram', content = '')")
    fresh.execute("create virtual table pages_fts_terms using fts5vocab(pages_fts, row)")
    for url in [r[0] for r in archive.db.execute("select url from pages where version_count > 0")]:
        latest = archive.latest_version(url)
        assert latest is not None
        fresh.execute("insert into pages_fts (rowid, title, text) values (?, ?, ?)",
                      [latest.page_id, latest.title or "", latest.text])
    return _index_terms(fresh)


TEXTS = ["到2030年培育人形机器人龙头企业十家。", "建设脑机接口中试平台三个。", "发展氢能重卡示范线路。",
         "建设量子计算公共服务平台。"]


def test_a_crawl_indexes_in_batches_what_page_by_page_indexing_would(tmp_path: Path) -> None:
    urls = [f"http://127.0.0.1/{n}" for n in range(4)]
    # new pages, then changes: some of a page queued already, some of a page indexed before
    steps = [(urls[n], TEXTS[n]) for n in range(4)] + [
        (urls[0], TEXTS[0] + "新增合成生物。"), (urls[2], "改写：深海装备。"), (urls[0], TEXTS[0] + "再改：商业航天。")]
    queries = ("人形机器人", "合成生物", "商业航天", "氢能", "深海", "标题")
    results = {}
    for batch in (1, 3, 50):
        with Archive(tmp_path / f"b{batch}.db", search_batch=batch) as archive:
            for number, (url, text) in enumerate(steps):
                _add(archive, url, text, at=f"2026-01-01T00:00:{number:02d}Z")
                if number == 1 and batch == 50:
                    with Archive(archive.path, readonly=True) as reader:  # queued pages are not searchable yet
                        assert search(reader.db, "人形机器人") == []
        with Archive(tmp_path / f"b{batch}.db", readonly=True) as reader:
            results[batch] = (_index_terms(reader.db), {q: [h.url for h in search(reader.db, q)] for q in queries})
            assert reader.db.execute("select count(*) from search_queue").fetchone()[0] == 0
    assert results[1] == results[3] == results[50]
    assert results[1][1]["合成生物"] == [] and results[1][1]["商业航天"] == [urls[0]]


def test_pages_queued_by_a_crawl_that_died_are_indexed_at_the_next_open(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a.db", search_batch=50)
    for n, text in enumerate(TEXTS[:3]):
        _add(archive, f"http://127.0.0.1/{n}", text)
    archive.db.conn.close()  # killed: Archive.close never ran
    with Archive(tmp_path / "a.db", readonly=True) as reader:
        assert search(reader.db, "脑机接口") == []
    with Archive(tmp_path / "a.db") as archive:
        assert [h.url for h in search(archive.db, "脑机接口")] == ["http://127.0.0.1/1"]
        assert _index_terms(archive.db) == _expected_terms(archive)


def test_a_version_rolled_back_is_never_indexed_and_other_writers_index_the_queue_right(tmp_path: Path) -> None:
    crawl = Archive(tmp_path / "a.db", search_batch=50)
    _add(crawl, "http://127.0.0.1/0", TEXTS[0])
    with pytest.raises(RuntimeError), crawl.write():
        _add(crawl, "http://127.0.0.1/1", "回滚的文本：卫星互联网。")
        raise RuntimeError("the page's transaction failed")
    _add(crawl, "http://127.0.0.1/2", TEXTS[2])
    # meanwhile another process (the daemon, a plans rebuild) stores a change of a page the crawl queued
    with Archive(tmp_path / "a.db") as other:
        _add(other, "http://127.0.0.1/0", "第二版：先进核能。", at="2026-01-02T00:00:00Z")
        assert _index_terms(other.db) == _expected_terms(other)
    _add(crawl, "http://127.0.0.1/0", "第三版：未来网络。", at="2026-01-03T00:00:00Z")
    crawl.close()
    with Archive(tmp_path / "a.db") as archive:
        assert search(archive.db, "卫星互联网") == [] and search(archive.db, "先进核能") == []
        assert [h.url for h in search(archive.db, "未来网络")] == ["http://127.0.0.1/0"]
        assert _index_terms(archive.db) == _expected_terms(archive)


@pytest.mark.slow
def test_a_crawl_leaves_every_page_it_stored_in_the_search_index(tmp_path: Path) -> None:
    """The crawl process stores pages with the index in batches (here of 2): when it ends, none is left out."""
    from crawlers.runner import run_crawl
    from monitor.demo import DEMO_CRAWL_SETTINGS, write_demo_sources
    from monitor.siteserver import SiteServer
    from tests.conftest import DEMO_SITE

    db = tmp_path / "archive.db"
    with SiteServer(DEMO_SITE / "state1") as site:
        sources = write_demo_sources(DEMO_SITE / "sources.yaml", site.base_url, tmp_path / "sources.yaml")
        run_crawl(sources, db, settings={**DEMO_CRAWL_SETTINGS, "POLICYWATCH_SEARCH_BATCH": "2"})
    with Archive(db, readonly=True) as archive:
        pages = archive.db.execute("select count(*) from pages where version_count > 0").fetchone()[0]
        assert pages >= 5
        assert archive.db.execute("select count(*) from search_queue").fetchone()[0] == 0
        assert archive.db.execute("select count(*) from pages_fts_docsize").fetchone()[0] == pages
        assert _index_terms(archive.db) == _expected_terms(archive)
