from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import Archive, ArchiveError
from storage.blobs import BLOB_COLUMNS, MAX_DEPTH, blob_hash
from storage.content import load_text, store_text
from storage.migrations import migrations
from storage.search import SearchError, light_stem, query_terms, search
from tests.archive_samples import BJ_BCI, DE_HYDROGEN, EN_ROBOTS, GD_OCEAN, GD_ROBOTS, build_sample_archive


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_archive(tmp_path_factory.mktemp("search") / "archive.db")


def urls(db_path: Path, query: str, **filters: object) -> set[str]:
    with Archive(db_path, readonly=True) as archive:
        return {hit.url for hit in search(archive.db, query, **filters)}  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "expected"), [
    ("人形机器人", {GD_ROBOTS}),                       # Chinese, no spaces, inside longer runs
    ("脑机接口", {BJ_BCI}),
    ("机器人 集聚区", {GD_ROBOTS}),                   # every term must occur
    ("合成生物", {GD_OCEAN}),                         # added in a later version: latest text is indexed
    ("深海装备", set()),                              # only in version 1, gone from the latest text
    ("量子", {BJ_BCI}),                               # two characters: LIKE fallback
    ("6g", {BJ_BCI}),
    ("humanoid robots", {EN_ROBOTS}),                 # case-insensitive, plural finds "robot" in the title
    ("INDUSTRIES", {EN_ROBOTS, DE_HYDROGEN}),         # industries → industr, also inside Zukunftsindustrien
    ("testing centre", {EN_ROBOTS}),                  # centre → centres (prefix)
    ('"component makers"', {EN_ROBOTS}),              # quoted phrase
    ('"makers component"', set()),
    ("wasserstoff", {DE_HYDROGEN}),                   # German compound found by its part
    ("Quanten", {DE_HYDROGEN}),
    ("zukunftsindustrien", {DE_HYDROGEN}),            # title
    ("2027", {GD_ROBOTS, EN_ROBOTS}),
    ("ai", {EN_ROBOTS}),                              # two letters, case-insensitive
])
def test_queries_with_known_answers(sample_db: Path, query: str, expected: set[str]) -> None:
    assert urls(sample_db, query) == expected


def test_filters(sample_db: Path) -> None:
    assert urls(sample_db, "2027", source="en-news") == {EN_ROBOTS}
    assert urls(sample_db, "2027", region="guangdong") == {GD_ROBOTS, EN_ROBOTS}
    assert urls(sample_db, "海洋", since="2026-04-10") == {GD_OCEAN}
    assert urls(sample_db, "海洋", until="2026-04-09") == set()
    assert urls(sample_db, "量子", region="Guangdong") == set()
    assert urls(sample_db, "2027", until="2026-02-01") == {GD_ROBOTS}


def test_hits_carry_snippets(sample_db: Path) -> None:
    with Archive(sample_db, readonly=True) as archive:
        hits = search(archive.db, "脑机接口", mark=("[", "]"))
        assert len(hits) == 1
        assert "[脑机接口]技术攻关" in hits[0].snippet
        assert hits[0].region == "Beijing" and hits[0].version_count == 1
        robot_hits = search(archive.db, "robot")
        assert robot_hits[0].url == EN_ROBOTS and "**Robot**s" in robot_hits[0].snippet


def test_relevance_puts_title_hits_first_newest_puts_new_pages_first(archive: Archive) -> None:
    for n, (title, text) in enumerate([("氢能产业发展规划", "推动氢能制储输用全链条发展，建设加氢站。"),
                                       ("关于营商环境的通知", "优化营商环境，另提及氢能企业服务。")], 1):
        archive.add_version(
            run_id=None, source="s", region=None, url=f"http://a/{n}", fetched_at=f"2026-01-0{n}T00:00:00Z",
            status=200, raw_html=b"<p></p>", elapsed_ms=1.0, content_hash=str(n), title=title, text=text,
            published=None, language="zh", relevant=True, event_kind="new", summary=None, excerpt=None,
            diff_html=None)
    assert [h.url for h in search(archive.db, "氢能", order="relevance")] == ["http://a/1", "http://a/2"]
    assert [h.url for h in search(archive.db, "氢能")] == ["http://a/2", "http://a/1"]


def test_newest_order_lists_recently_discovered_pages_first(sample_db: Path) -> None:
    with Archive(sample_db, readonly=True) as archive:
        assert [h.url for h in search(archive.db, "2027", order="newest")] == [EN_ROBOTS, GD_ROBOTS]
        assert [h.url for h in search(archive.db, "2027", order="newest", limit=1)] == [EN_ROBOTS]
        with pytest.raises(SearchError, match="unknown order 'oldest'"):
            search(archive.db, "2027", order="oldest")


def test_bad_queries_are_clear_errors(sample_db: Path) -> None:
    with Archive(sample_db, readonly=True) as archive:
        with pytest.raises(SearchError, match="empty query"):
            search(archive.db, '  "" ')
        with pytest.raises(SearchError, match="--since 'yesterday' is not a date"):
            search(archive.db, "机器人", since="yesterday")
        # FTS5 syntax characters in a term are searched literally, not parsed
        assert search(archive.db, 'AND OR NEAR( "x') == []


def test_query_terms_and_stemming() -> None:
    assert query_terms('Humanoid  "Component Makers" 人形机器人*') == ["humanoid", "component makers", "人形机器人"]
    assert [light_stem(w) for w in ("robots", "industries", "policies", "planning", "process", "boxes", "6g")] == [
        "robot", "industr", "polic", "plann", "process", "box", "6g"]


def test_identical_content_is_stored_once_and_compressed_against_its_neighbours(tmp_path: Path) -> None:
    db = Database(tmp_path / "t.db")
    db["texts"].create(BLOB_COLUMNS, pk="hash")
    first = "".join(f"第{i}条：到{2000 + i}年建成{i * 7 % 13}个中试平台，投资{i * 37}亿元。" for i in range(80))
    versions = [first + "新增一句。" * k for k in range(5)]
    keys: list[str] = []
    for text in versions:
        keys.append(store_text(db, text, previous=keys[-1] if keys else None))
    assert store_text(db, first) == keys[0] == blob_hash(first.encode())
    rows = {r["hash"]: r for r in db["texts"].rows}
    assert len(rows) == 5
    assert [rows[k]["depth"] for k in keys] == [0, 1, 2, 2, 2]  # chains stop at MAX_DEPTH
    assert rows[keys[3]]["base"] == keys[1] and MAX_DEPTH == 2
    assert all(len(rows[k]["data_z"]) * 5 < len(rows[keys[0]]["data_z"]) for k in keys[1:])
    assert [load_text(db, k) for k in keys] == versions


def test_pages_of_one_source_share_their_frame(archive: Archive) -> None:
    frame = "".join(f'<li><a href="/menu/{i}.html">栏目{i}</a></li>' for i in range(300))
    for n in range(3):
        html = f"<html><body><ul>{frame}</ul><p>第{n}篇文章：推进人形机器人产业发展。</p></body></html>".encode()
        archive.add_version(
            run_id=None, source="s", region=None, url=f"http://a/{n}", fetched_at="2026-01-01T00:00:00Z",
            status=200, raw_html=html, elapsed_ms=1.0, content_hash=str(n), title="T", text=f"第{n}篇", published=None,
            language="zh", relevant=True, event_kind="new", summary=None, excerpt=None, diff_html=None)
        assert archive.raw_html(archive.latest_version(f"http://a/{n}").id) == html
    sizes = [r[0] for r in archive.db.execute("select length(data_z) from bodies order by rowid")]
    assert sizes[1] * 5 < sizes[0] and sizes[2] * 5 < sizes[0]


def test_an_archive_written_before_this_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m006_query_compact_storage_and_search")
    db["pages"].insert({"id": 1, "url": "http://a/1", "source": "s", "first_seen": "2026-01-01", "version_count": 2,
                        "title": "旧标题"})
    for number, text in ((1, "第一版：发展人形机器人。"), (2, "第二版：发展人形机器人和脑机接口。")):
        db["versions"].insert({"page_id": 1, "number": number, "fetched_at": f"2026-01-0{number}", "content_hash": "h",
                               "title": "旧标题", "text": text, "text_length": len(text), "relevant": 1,
                               "html_gz": gzip.compress(f"<p>{text}</p>".encode()), "html_bytes": 0})
    db.close()
    with pytest.raises(ArchiveError, match="schema is out of date; open it once for writing"):
        Archive(path, readonly=True)  # a reader never migrates
    with Archive(path) as archive:
        assert [v.text for v in archive.versions("http://a/1")] == ["第一版：发展人形机器人。",
                                                                     "第二版：发展人形机器人和脑机接口。"]
        assert not {"text", "html_gz"} & set(archive.db["versions"].columns_dict)
        latest = archive.latest_version("http://a/1")
        assert archive.raw_html(latest.id) == "<p>第二版：发展人形机器人和脑机接口。</p>".encode()
        assert [h.url for h in search(archive.db, "脑机接口")] == ["http://a/1"]
