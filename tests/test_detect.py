from __future__ import annotations

from monitor.detect import record
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
    assert changed.event.summary == "1 paragraph changed; numbers changed: 5→6"
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
