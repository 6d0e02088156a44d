from __future__ import annotations

from pathlib import Path

import feedparser

from monitor.detect import UNREPORTED_KIND, record
from monitor.feeds import write_feeds
from monitor.sources import Source
from storage import Archive
from tests.conftest import FakeFetch, page_html

URL = "http://127.0.0.1/gd/content/post_1.html"
P1 = "广东省发布未来产业集群行动方案，明确到2030年建成5个未来产业科技园，培育一批领军企业和创新平台。"
P2 = "到2035年，基本形成若干具有全球影响力的未来产业集群，人形机器人、脑机接口等领域取得突破。"


def fetch(*paragraphs: str, counter: int = 1, when: str = "2026-01-01T00:00:00Z", **kw: object) -> FakeFetch:
    extra = f'<div class="info">发布日期：2024-03-01 浏览次数：{counter} 【打印本页】【关闭窗口】</div>'
    html = page_html("广东省培育未来产业集群行动方案", *paragraphs, extra=extra)
    return FakeFetch(url=URL, body=html.encode("utf-8"), fetched_at=when, **kw)  # type: ignore[arg-type]


def test_new_then_unchanged_then_changed(archive: Archive, source: Source) -> None:
    first = record(archive, source, fetch(P1, P2))
    assert first.kind == "new" and first.event is not None and first.event.relevant
    again = record(archive, source, fetch(P1, P2, counter=999, when="2026-01-02T00:00:00Z"))
    assert again.kind == "unchanged"
    revised = P1.replace("建成5个", "建成6个")
    changed = record(archive, source, fetch(revised, P2, when="2026-01-03T00:00:00Z"))
    assert changed.kind == "changed"
    assert changed.event is not None
    assert "<del>5</del><ins>6</ins>" in (changed.event.diff_html or "")
    assert changed.event.summary == "1 sentence changed; numbers changed: 5→6"
    assert [v.number for v in archive.versions(URL)] == [1, 2]
    assert "浏览次数" not in archive.latest_version(URL).text


def test_failures_never_become_versions(archive: Archive, source: Source) -> None:
    record(archive, source, fetch(P1, P2))
    for bad in (
        fetch(status=None, error="TimeoutError: took too long"),
        fetch(P1, status=503),
        fetch(P1, status=403),  # 404/410 of a known page is "missing": see test_removals.py
        FakeFetch(url=URL, body=b"<html><body></body></html>"),
        FakeFetch(url=URL, body=b"%PDF-1.7 ...", content_type="application/pdf"),
    ):
        assert record(archive, source, bad).kind == "error"
    assert len(archive.versions(URL)) == 1
    assert [e.kind for e in archive.events()] == ["new"]
    errors = archive.db.execute("select error from fetches where outcome = 'error' order by id").fetchall()
    assert [e[0] for e in errors] == ["TimeoutError: took too long", "HTTP 503", "HTTP 403",
                                      "no main text found", "not an HTML page (content type application/pdf)"]


def test_irrelevant_pages_are_archived_but_flagged(archive: Archive, source: Source) -> None:
    text = "关于做好今冬明春森林防火工作的通知，各地要落实责任，加强巡查，确保不发生重大火情。"
    outcome = record(archive, source, FakeFetch(url=URL, body=page_html("森林防火通知", text).encode()))
    assert outcome.kind == "new" and outcome.event is not None and not outcome.event.relevant
    assert archive.events() == []
    assert len(archive.events(relevant_only=False)) == 1


def test_source_topics_and_ignore_text(archive: Archive) -> None:
    source = Source(name="s", start_urls=["http://127.0.0.1/"], allow=["x"], topics=["森林防火"],
                    ignore_text=[r"责任编辑：\S+"])
    html = page_html("森林防火通知", "关于做好今冬明春森林防火工作的通知，各地要落实责任，加强巡查。", "责任编辑：张三")
    first = record(archive, source, FakeFetch(url=URL, body=html.encode()))
    assert first.event is not None and first.event.relevant
    assert "责任编辑" not in archive.latest_version(URL).text
    edited = html.replace("张三", "李四")
    assert record(archive, source, FakeFetch(url=URL, body=edited.encode())).kind == "unchanged"


def test_gbk_page_is_stored_as_text(archive: Archive, source: Source) -> None:
    html = page_html("广州市未来产业实施意见", P1, P2).replace('charset="utf-8"', 'charset="gb2312"')
    outcome = record(archive, source, FakeFetch(url=URL, body=html.encode("gbk"), content_type="text/html"))
    assert outcome.kind == "new"
    assert P1 in archive.latest_version(URL).text
    assert archive.raw_html(archive.latest_version(URL).id) == html.encode("gbk")


def test_error_pages_are_fetch_problems_not_versions(archive: Archive, source: Source) -> None:
    record(archive, source, fetch(P1, P2))
    soft_404 = page_html("页面不存在", "抱歉，您访问的页面不存在或已被删除！", "请检查网址是否正确。")
    waf = ('<html><head><title>安全验证</title><script src="/waf/static/slider.js"></script></head>'
           "<body><p>为了您的访问安全，请完成以下验证</p><p>滑动验证</p></body></html>")
    outcomes = [record(archive, source, FakeFetch(url=URL, body=body.encode(), fetched_at=f"2026-01-0{n}T00:00:00Z"))
                for n, body in ((2, soft_404), (3, waf))]
    assert [o.kind for o in outcomes] == ["error", "error"]
    assert "page not found" in (outcomes[0].error or "") and "challenge" in (outcomes[1].error or "")
    assert len(archive.versions(URL)) == 1
    errors = archive.db.execute("select outcome, error from fetches where outcome = 'error'").fetchall()
    assert len(errors) == 2 and all(e[1] for e in errors)
    # the page comes back unchanged: no change event either way
    assert record(archive, source, fetch(P1, P2, when="2026-01-04T00:00:00Z")).kind == "unchanged"
    assert [e.kind for e in archive.events()] == ["new"]


def test_report_additions_keeps_deletions_out_of_feeds(archive: Archive, tmp_path: Path) -> None:
    source = Source(name="adds", start_urls=["http://127.0.0.1/"], allow=["x"], report="additions")
    record(archive, source, fetch(P1, P2))
    shorter = P2.replace("人形机器人、脑机接口等领域取得突破", "")
    deleted = record(archive, source, fetch(P1, shorter, when="2026-01-02T00:00:00Z"))
    assert deleted.kind == UNREPORTED_KIND and len(archive.versions(URL)) == 2
    added = P1 + "新增：对首台套装备给予最高500万元奖励。"
    grown = record(archive, source, fetch(added, shorter.replace("2035", "2033"), when="2026-01-03T00:00:00Z"))
    assert grown.kind == "changed" and grown.event is not None
    assert "<ins>新增：对首台套装备给予最高500万元奖励。</ins>" in (grown.event.diff_html or "")
    assert "<del>" not in (grown.event.diff_html or "")
    paths = write_feeds(archive, tmp_path / "feeds")
    entries = feedparser.parse(paths["atom"].read_bytes()).entries
    # the page is a plan's official text, so the feed speaks of the plan; the deletion stays unreported
    assert [e.title.split(":")[0] for e in entries] == ["Plan changed", "New plan"]
    assert "<del>" not in entries[0].content[0].value


def test_a_new_ignore_text_rule_does_not_announce_old_pages_as_changed(archive: Archive) -> None:
    plain = Source(name="s", start_urls=["http://127.0.0.1/"], allow=["x"])
    ruled = Source(name="s", start_urls=["http://127.0.0.1/"], allow=["x"], ignore_text=[r"责任编辑：\S+"])
    html = page_html("行动方案", P1, P2, "责任编辑：张三")
    record(archive, plain, FakeFetch(url=URL, body=html.encode()))
    assert "责任编辑：张三" in archive.latest_version(URL).text
    # the user adds the rule and the editor line changes: the stored page, read again, is the same text
    edited = html.replace("张三", "李四")
    assert record(archive, ruled, FakeFetch(url=URL, body=edited.encode(), fetched_at="2026-01-02T00:00:00Z")).kind \
        == "unchanged"
    # a real edit is still caught, and the diff does not show the editor line
    revised = edited.replace("建成5个", "建成6个")
    changed = record(archive, ruled, FakeFetch(url=URL, body=revised.encode(), fetched_at="2026-01-03T00:00:00Z"))
    assert changed.kind == "changed" and changed.event is not None
    assert changed.event.summary == "1 sentence changed; numbers changed: 5→6"
    assert "责任编辑" not in (changed.event.diff_html or "")


def test_a_source_content_css_region_is_what_is_stored_and_compared(archive: Archive) -> None:
    source = Source(name="s", start_urls=["http://127.0.0.1/"], allow=["x"], content_css="div.article")
    first = record(archive, source, fetch(P1, P2))
    stored = archive.latest_version(URL)
    assert first.kind == "new" and stored is not None
    assert (stored.title, stored.published) == ("广东省培育未来产业集群行动方案", "2024-03-01")
    assert P1 in stored.text and P2 in stored.text and "版权所有" not in stored.text
    outside = fetch(P1, P2, when="2026-01-02T00:00:00Z")
    outside.body = outside.body.replace("联系我们".encode(), "联系方式 020-12345678".encode())
    assert record(archive, source, outside).kind == "unchanged"  # the footer is outside the region
    inside = record(archive, source, fetch(P1, P2.replace("2035年", "2036年"), when="2026-01-03T00:00:00Z"))
    assert inside.kind == "changed"
