from __future__ import annotations

from pathlib import Path

import feedparser

from monitor.detect import record
from monitor.feeds import write_feeds
from monitor.sources import Source
from storage import Archive
from tests.conftest import FakeFetch, page_html

P1 = "广东省发布未来产业集群行动方案，明确到2030年建成5个未来产业科技园，培育一批领军企业和创新平台。"
P2 = "到2035年，基本形成若干具有全球影响力的未来产业集群，人形机器人、脑机接口等领域取得突破。"


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def test_feeds_parse_and_carry_kind_source_region(archive: Archive, source: Source, tmp_path: Path) -> None:
    url = "http://127.0.0.1/post_1.html"
    record(archive, source, FakeFetch(url=url, body=page_html("行动方案", P1, P2).encode()))
    revised = page_html("行动方案", P1.replace("建成5个", "建成6个"), P2)
    record(archive, source, FakeFetch(url=url, body=revised.encode(), fetched_at="2026-01-02T00:00:00Z"))
    paths = write_feeds(archive, tmp_path / "feeds")
    for kind in ("rss", "atom"):
        feed = parse(paths[kind])
        assert [e.title for e in feed.entries] == ["Changed: 行动方案", "New: 行动方案"]
        changed, new = feed.entries
        assert changed.link == url
        assert {t.term for t in changed.tags} == {"changed", "test-source", "Guangdong"}
        body = changed.content[0].value if kind == "atom" else changed.description
        assert "<del>5</del><ins>6</ins>" in body
        assert P1 in (new.content[0].value if kind == "atom" else new.description)
        assert changed.id != new.id


def test_regenerating_is_stable_and_adds_nothing(archive: Archive, source: Source, tmp_path: Path) -> None:
    record(archive, source, FakeFetch(url="http://127.0.0.1/post_1.html", body=page_html("方案", P1).encode()))
    first = write_feeds(archive, tmp_path / "a")
    second = write_feeds(archive, tmp_path / "b")
    assert first["rss"].read_bytes() == second["rss"].read_bytes()
    assert first["atom"].read_bytes() == second["atom"].read_bytes()


def test_hostile_page_content_stays_valid_and_inert(archive: Archive, source: Source, tmp_path: Path) -> None:
    nasty_title = "未来产业\x00\x0b方案 <script>alert(1)</script>"
    body = page_html("t", P1 + "\x07\x1b[31m", '<img src=x onerror="steal()"> ]]> &amp; 人形机器人 \ufffe')
    body = body.replace("<title>t</title>", f"<title>{nasty_title} \ud800</title>").replace("<h1>t</h1>", "")
    archive.add_version(
        run_id=None, source="test-source", region="Guangdong", url="http://127.0.0.1/x?a=1&b=<2>",
        fetched_at="2026-01-01T00:00:00Z", status=200, raw_html=b"", elapsed_ms=None, content_hash="h",
        title=nasty_title, text=P1 + "\x07 <script>x()</script>", published=None, language="zh",
        relevant=True, event_kind="new", summary=None, excerpt=P1 + "\x07 <script>x()</script>", diff_html=None,
    )
    record(archive, source, FakeFetch(url="http://127.0.0.1/y", body=body.encode("utf-8", "surrogatepass")))
    paths = write_feeds(archive, tmp_path)
    for kind in ("rss", "atom"):
        feed = parse(paths[kind])
        assert len(feed.entries) == 2
        for entry in feed.entries:
            html = entry.content[0].value if kind == "atom" else entry.description
            assert "<script" not in html and "<img" not in html and "onerror=\"" not in html


def test_feed_is_bounded_and_newest_first(archive: Archive, source: Source, tmp_path: Path) -> None:
    for n in range(5):
        record(archive, source, FakeFetch(url=f"http://127.0.0.1/post_{n}.html",
                                          body=page_html(f"方案{n}", P1, P2).encode(),
                                          fetched_at=f"2026-01-0{n + 1}T00:00:00Z"))
    feed = parse(write_feeds(archive, tmp_path, limit=3)["rss"])
    assert [e.title for e in feed.entries] == ["New: 方案4", "New: 方案3", "New: 方案2"]


def test_every_change_is_a_new_entry_with_its_own_guid(archive: Archive, source: Source, tmp_path: Path) -> None:
    url = "http://127.0.0.1/post_2.html"
    for n, (old, new) in enumerate((("建成5个", "建成5个"), ("建成5个", "建成6个"), ("建成5个", "建成7个")), 1):
        body = page_html("行动方案", P1.replace(old, new), P2).encode()
        record(archive, source, FakeFetch(url=url, body=body, fetched_at=f"2026-01-0{n}T00:00:00Z"))
    feed = parse(write_feeds(archive, tmp_path / "feeds")["atom"])
    assert [e.title for e in feed.entries] == ["Changed: 行动方案", "Changed: 行动方案", "New: 行动方案"]
    assert len({e.id for e in feed.entries}) == 3
    assert "<del>6</del><ins>7</ins>" in feed.entries[0].content[0].value
