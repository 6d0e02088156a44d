from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import Archive
from storage.migrations import migrations
from storage.search import SearchError, light_stem, query_terms, search
from storage.texts import load_text, store_text, text_hash
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


def test_hits_carry_snippets_and_rank_title_matches_first(sample_db: Path) -> None:
    with Archive(sample_db, readonly=True) as archive:
        hits = search(archive.db, "脑机接口", mark=("[", "]"))
        assert len(hits) == 1
        assert "[脑机接口]技术攻关" in hits[0].snippet
        assert hits[0].region == "Beijing" and hits[0].version_count == 1
        robot_hits = search(archive.db, "robot")
        assert robot_hits[0].url == EN_ROBOTS and "**Robot**s" in robot_hits[0].snippet


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


def test_identical_texts_are_stored_once_and_versions_compress_against_the_previous(tmp_path: Path) -> None:
    db = Database(tmp_path / "t.db")
    db["texts"].create({"hash": str, "base": str, "text_z": bytes, "chars": int, "bytes": int}, pk="hash")
    first = "".join(f"第{i}条：到{2000 + i}年建成{i * 7 % 13}个中试平台，投资{i * 37}亿元。" for i in range(80))
    second = first + "新增：建设两个中试平台。"
    a = store_text(db, first)
    assert store_text(db, first) == a == text_hash(first)
    b = store_text(db, second, previous=a)
    c = store_text(db, second + "再增一句。", previous=b)  # base stays the root, chains one level deep
    rows = {r["hash"]: r for r in db["texts"].rows}
    assert len(rows) == 3
    assert rows[b]["base"] == a and rows[c]["base"] == a and rows[a]["base"] is None
    assert len(rows[b]["text_z"]) * 5 < len(rows[a]["text_z"])
    assert [load_text(db, h) for h in (a, b, c)] == [first, second, second + "再增一句。"]


def test_an_archive_written_before_this_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m002_query_texts_and_search")
    db["pages"].insert({"id": 1, "url": "http://a/1", "source": "s", "first_seen": "2026-01-01", "version_count": 2,
                        "title": "旧标题"})
    for number, text in ((1, "第一版：发展人形机器人。"), (2, "第二版：发展人形机器人和脑机接口。")):
        db["versions"].insert({"page_id": 1, "number": number, "fetched_at": f"2026-01-0{number}", "content_hash": "h",
                               "title": "旧标题", "text": text, "text_length": len(text), "relevant": 1,
                               "html_gz": b"", "html_bytes": 0})
    db.close()
    with Archive(path) as archive:
        assert [v.text for v in archive.versions("http://a/1")] == ["第一版：发展人形机器人。",
                                                                     "第二版：发展人形机器人和脑机接口。"]
        assert "text" not in archive.db["versions"].columns_dict
        assert [h.url for h in search(archive.db, "脑机接口")] == ["http://a/1"]
