"""The pure parts of re-checking: durations, due dates, canonical URLs, and detect's shortcuts."""
from __future__ import annotations

from datetime import datetime, timezone
from unittest import mock

import pytest

from monitor.detect import record
from monitor.recheck import RecheckPolicy, is_due, parse_duration
from monitor.sources import ConfigError, Source, parse_sources
from monitor.urls import canonical_url
from storage import Archive
from tests.conftest import FakeFetch, page_html, plan_page

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
URL = "http://127.0.0.1/gd/content/post_1.html"
P1 = "广东省发布未来产业集群行动方案，明确到2030年建成5个未来产业科技园，培育一批领军企业和创新平台。"


@pytest.mark.parametrize(("text", "seconds"), [
    (0, 0), (90, 90), ("45s", 45), ("30m", 1800), ("6h", 21600), ("7d", 604800), ("2w", 1209600), ("1.5h", 5400),
])
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["soon", "-1h", "6 hours", "", True])
def test_bad_durations_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("first_seen", "last_ok", "missing", "due"), [
    ("2026-05-30T00:00:00Z", "2026-06-01T11:59:00Z", 0, True),   # new page, new_every 0: every run
    ("2025-01-01T00:00:00Z", "2026-05-30T00:00:00Z", 0, False),  # old page checked 2.5 days ago
    ("2025-01-01T00:00:00Z", "2026-05-20T00:00:00Z", 0, True),   # old page checked 12 days ago
    ("2025-01-01T00:00:00Z", "2026-06-01T11:00:00Z", 1, True),   # a 404 streak is confirmed next run
    ("2025-01-01T00:00:00Z", None, 0, True),                     # only errors so far
])
def test_new_pages_often_old_pages_rarely(first_seen: str, last_ok: str | None, missing: int, due: bool) -> None:
    policy = RecheckPolicy()
    assert is_due(policy, first_seen=first_seen, last_ok=last_ok, missing_count=missing, now=NOW) is due


def test_removed_pages_are_checked_like_old_ones() -> None:
    policy = RecheckPolicy()
    seen = "2026-05-30T00:00:00Z"
    assert not is_due(policy, first_seen=seen, last_ok="2026-05-30T00:00:00Z", missing_count=2, now=NOW, removed=True)
    assert is_due(policy, first_seen=seen, last_ok="2026-05-20T00:00:00Z", missing_count=2, now=NOW, removed=True)


def test_new_every_spaces_checks_of_new_pages() -> None:
    policy = RecheckPolicy(new_every="6h", old_every="30d", new_days=7)
    seen = "2026-05-31T00:00:00Z"
    assert not is_due(policy, first_seen=seen, last_ok="2026-06-01T08:00:00Z", missing_count=0, now=NOW)
    assert is_due(policy, first_seen=seen, last_ok="2026-06-01T05:00:00Z", missing_count=0, now=NOW)


def test_recheck_keys_are_validated_with_the_source_and_line() -> None:
    text = "sources:\n  - name: gd\n    start_urls: [http://x.cn/]\n    allow: [post]\n    recheck: {every: 6h}\n"
    with pytest.raises(ConfigError, match=r"f.yaml:5: source 'gd': key 'recheck.every'"):
        parse_sources(text, "f.yaml")
    with pytest.raises(ConfigError, match="removed_after"):
        parse_sources(text.replace("recheck: {every: 6h}", "removed_after: 0"), "f.yaml")


@pytest.mark.parametrize(("url", "canonical"), [
    ("http://www.gd.gov.cn/a/post_1.html#top", "http://www.gd.gov.cn/a/post_1.html"),
    ("HTTP://WWW.GD.GOV.CN/a/post_1.html?utm_source=wx&utm_medium=x", "http://www.gd.gov.cn/a/post_1.html"),
    ("http://x.cn/c.htm?from=timeline&isappinstalled=0", "http://x.cn/c.htm"),
    ("http://x.cn/detail?spm=a.b.c&id=7&cat=2", "http://x.cn/detail?cat=2&id=7"),
    ("http://x.cn/detail?id=7&cat=2", "http://x.cn/detail?cat=2&id=7"),
    ("http://x.cn/s.jsp?q=%D6%D0%B9%FA&utm_source=x", "http://x.cn/s.jsp?q=%D6%D0%B9%FA"),  # GBK bytes kept
    ("http://x.cn/a?b=1+2&a=x%20y", "http://x.cn/a?a=x+y&b=1+2"),
    ("http://x.cn/搜索.html?q=人形机器人", "http://x.cn/%E6%90%9C%E7%B4%A2.html?q=%E4%BA%BA%E5%BD%A2%E6%9C%BA%E5%99%A8%E4%BA%BA"),
    # default ports, an empty port and servlet session ids name the same page; other ports do not
    ("http://www.gov.cn:80/a", "http://www.gov.cn/a"),
    ("https://www.gov.cn:443/a", "https://www.gov.cn/a"),
    ("HTTP://WWW.GOV.CN:/a", "http://www.gov.cn/a"),
    ("http://[::1]:80/a", "http://[::1]/a"),
    ("http://www.gov.cn:443/a", "http://www.gov.cn:443/a"),
    ("https://www.gov.cn:80/a", "https://www.gov.cn:80/a"),
    ("http://x.cn:8080/a", "http://x.cn:8080/a"),
    ("http://x.cn/art/a.jsp;jsessionid=0F3A9C.node1?id=7&from=timeline", "http://x.cn/art/a.jsp?id=7"),
    ("http://x.cn/a.jsp;JSESSIONID=ABC;v=2", "http://x.cn/a.jsp;v=2"),
    ("http://x.cn/app;jsessionid=ABC/p.html", "http://x.cn/app/p.html"),
])
def test_canonical_urls(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical


def test_list_urls_keep_their_parameters() -> None:
    assert canonical_url("http://x.cn/api/list?size=20&from=40#p3", strip_tracking=False) == \
        "http://x.cn/api/list?from=40&size=20"
    assert canonical_url("http://x.cn:80/api/list;jsessionid=A1?from=40", strip_tracking=False) == \
        "http://x.cn/api/list?from=40"


def test_identical_body_and_304_skip_extraction(archive: Archive, source: Source) -> None:
    body = page_html("行动方案", P1).encode()
    assert record(archive, source, FakeFetch(url=URL, body=body, etag='"v1"')).kind == "new"
    with mock.patch("monitor.detect.analyse_page", side_effect=AssertionError("extraction must be skipped")):
        assert record(archive, source, FakeFetch(url=URL, body=body, fetched_at="2026-01-02T00:00:00Z")).kind \
            == "unchanged"
        not_modified = FakeFetch(url=URL, body=b"", status=304, content_type=None, fetched_at="2026-01-03T00:00:00Z")
        assert record(archive, source, not_modified).kind == "unchanged"
    state = archive.page_state(URL)
    assert state is not None and state.last_ok == "2026-01-03T00:00:00Z" and state.body_hash
    rows = archive.db.execute("select status, outcome, error from fetches order by id").fetchall()
    assert rows == [(200, "new", None), (200, "unchanged", None), (304, "unchanged", None)]


def test_304_for_a_page_never_archived_is_an_error(archive: Archive, source: Source) -> None:
    outcome = record(archive, source, FakeFetch(url=URL, body=b"", status=304))
    assert outcome.kind == "error" and outcome.error == "HTTP 304"


def test_errors_between_404s_neither_remove_nor_reset_and_unknown_404_is_an_error(
        archive: Archive, source: Source) -> None:
    record(archive, source, FakeFetch(url=URL, body=page_html("行动方案", P1).encode()))
    kinds = [record(archive, source, FakeFetch(url=URL, body=b"", status=status, error=error)).kind
             for status, error in ((404, None), (None, "TimeoutError: took too long"), (502, None),
                                   (None, "DNSLookupError: no such host"), (410, None), (404, None))]
    assert kinds == ["missing", "error", "error", "error", "removed", "missing"]
    assert [e.kind for e in archive.events(relevant_only=False)] == ["removed", "new"]
    unknown = record(archive, source, FakeFetch(url=URL.replace("post_1", "post_2"), body=b"", status=404))
    assert unknown.kind == "error"


@pytest.mark.parametrize(("n", "retry_after", "delay"), [
    (0, None, 0), (1, None, 1), (2, None, 2), (3, None, 4), (10, None, 60), (1, 30.0, 30), (1, 600.0, 60),
])
def test_backoff_doubles_up_to_a_cap_and_honours_retry_after(n: int, retry_after: float | None,
                                                             delay: float) -> None:
    from crawlers.middlewares import backoff_delay
    assert backoff_delay(n, 1.0, 60.0, retry_after) == delay


def test_a_new_page_with_a_history_of_its_own_is_never_absorbed(archive: Archive, source: Source) -> None:
    old, new = URL, URL.replace("post_1", "post_2")
    runs = [archive.start_run(source.name, "2026-01-01T00:00:00Z") for _ in range(3)]
    record(archive, source, FakeFetch(url=old, body=page_html("行动方案", P1).encode()), run_id=runs[0])
    record(archive, source, FakeFetch(url=new, body=page_html("行动方案", P1).encode()), run_id=runs[1])
    assert not archive.absorb_new_page(old, new, run_id=runs[2])  # its "new" event belongs to another run
    assert archive.absorb_new_page(old, new, run_id=runs[1])
    assert archive.page(new) is None and len(archive.versions(old)) == 1
    assert [e.kind for e in archive.events(relevant_only=False)] == ["new"]


OLD, NEW = URL, URL.replace("post_1", "post_2")


def _plan_rows(archive: Archive) -> dict[str, list[tuple]]:
    db = archive.db
    return {"sources": db.execute("select page_id, version_id from plan_sources order by id").fetchall(),
            "targets": db.execute("select version_id, quantity from plan_targets order by id").fetchall(),
            "events": db.execute("select kind, page_id, version_id, guid from plan_events order by id").fetchall(),
            "counts": db.execute("select source_count from plans").fetchall()}


def _indexed_pages(archive: Archive, term: str) -> list[int]:
    """Rowids the full-text index holds for a term (pages_fts is contentless: rowids only)."""
    return [r[0] for r in archive.db.execute("select rowid from pages_fts where pages_fts match ?", [f'"{term}"'])]


@pytest.mark.parametrize("search_batch", [1, 100])  # the new page indexed at once, or still queued
def test_absorbing_a_page_whose_plans_the_old_page_names_drops_its_plan_rows_and_events(
        tmp_path, source: Source, search_batch: int) -> None:
    with Archive(tmp_path / "archive.db", search_batch=search_batch) as archive:
        runs = [archive.start_run(source.name, "2026-01-01T00:00:00Z") for _ in range(2)]
        old = record(archive, source, FakeFetch(url=OLD, body=plan_page()), run_id=runs[0]).event
        new = record(archive, source, FakeFetch(url=NEW, body=plan_page(), fetched_at="2026-02-01T00:00:00Z"),
                     run_id=runs[1]).event
        assert old is not None and new is not None
        rows = _plan_rows(archive)
        assert [e[0] for e in rows["events"]] == ["plan-new", "coverage"] and rows["counts"] == [(2,)]
        assert archive.absorb_new_page(OLD, NEW, run_id=runs[1])
        # what the old page's version said stays; the new page's copy of it goes, its coverage entry too
        assert _plan_rows(archive) == {"sources": rows["sources"][:1], "targets": rows["targets"][:2],
                                       "events": rows["events"][:1], "counts": [(1,)]}
        assert rows["sources"][0] == (old.page_id, old.version_id) and rows["targets"][0][0] == old.version_id
        assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []
        archive.index_queued()
        assert _indexed_pages(archive, "量子科技创新平台") == [old.page_id]
        # the absorbed page's id is free again: the next page gets it, and finds no text of its own indexed
        other = record(archive, source, FakeFetch(url=URL.replace("post_1", "post_3"),
                                                  body=page_html("行动方案", P1).encode()), run_id=runs[1]).event
        archive.index_queued()
        assert other is not None and other.page_id == new.page_id
        assert _indexed_pages(archive, "量子科技创新平台") == [old.page_id]
        assert _indexed_pages(archive, "未来产业科技园") == [other.page_id]


def test_absorbing_a_page_whose_plans_the_old_page_never_linked_re_points_them(archive: Archive,
                                                                              source: Source) -> None:
    runs = [archive.start_run(source.name, "2026-01-01T00:00:00Z") for _ in range(2)]
    report = "记者从市科技创新局获悉，《深圳市量子科技产业创新发展行动计划》近日印发。"
    news = FakeFetch(url=URL.replace("post_1", "post_9"), body=page_html("深圳印发量子科技行动计划", report).encode())
    record(archive, source, news, run_id=runs[0])
    with mock.patch("monitor.plans.events.record_plan_events", side_effect=RuntimeError("rules of the day")):
        old = record(archive, source, FakeFetch(url=OLD, body=plan_page()), run_id=runs[0]).event
    new = record(archive, source, FakeFetch(url=NEW, body=plan_page(), fetched_at="2026-02-01T00:00:00Z"),
                 run_id=runs[1]).event
    assert old is not None and new is not None
    guid = f"/coverage/page{new.page_id}"
    assert [(e[0], e[3].endswith(guid)) for e in _plan_rows(archive)["events"]] == [("plan-new", False),
                                                                                  ("coverage", True)]
    assert archive.absorb_new_page(OLD, NEW, run_id=runs[1])
    rows = _plan_rows(archive)
    assert rows["sources"][1:] == [(old.page_id, old.version_id)] and rows["counts"] == [(2,)]
    assert rows["targets"] == [(old.version_id, 3.0), (old.version_id, 10.0)]
    assert rows["events"][1][:3] == ("coverage", old.page_id, old.version_id)
    assert rows["events"][1][3].endswith(f"/coverage/page{old.page_id}")
    assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_move_that_fails_is_undone_and_the_page_keeps_its_fetch_row(
        archive: Archive, source: Source, caplog: pytest.LogCaptureFixture) -> None:
    import sqlite3

    runs = [archive.start_run(source.name, "2026-01-01T00:00:00Z") for _ in range(2)]
    record(archive, source, FakeFetch(url=OLD, body=plan_page()), run_id=runs[0])
    record(archive, source, FakeFetch(url=NEW, body=plan_page(), fetched_at="2026-02-01T00:00:00Z"), run_id=runs[1])
    before = _plan_rows(archive)
    redirect = FakeFetch(url=NEW, requested_url=OLD, body=plan_page(), fetched_at="2026-02-01T00:00:01Z")
    with mock.patch.object(Archive, "move_page", side_effect=sqlite3.IntegrityError("disk says no")):
        outcome = record(archive, source, redirect, run_id=runs[1])
    assert outcome.kind == "unchanged"
    assert "could not follow the move from " + OLD in caplog.text
    # the fold done before the failure is undone: both pages as they were, this check recorded
    assert [(p, n) for p, n in archive.db.execute("select url, version_count from pages order by id")] == [
        (OLD, 1), (NEW, 1)]
    assert _plan_rows(archive) == before
    assert archive.db.execute("select url, outcome from fetches where run_id = ? order by id", [runs[1]]).fetchall() \
        == [(NEW, "new"), (NEW, "unchanged")]
    assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []
