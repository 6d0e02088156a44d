"""Attachments: text from PDF/DOCX, and an added or changed file is a change of its page."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser
import pytest
from click.testing import CliRunner

from monitor.attachments import attachment_text, is_attachment_url, may_be_attachment_link, record_attachment
from monitor.cli import cli
from monitor.detect import record
from monitor.sources import Source
from monitor.urls import canonical_url
from storage import Archive
from storage.plan_events import PlanEventStore
from tests.conftest import FakeFetch, page_html
from tests.documents import make_docx, make_pdf
from tests.scripted_site import Answer, ScriptedSite

PAGE = "http://127.0.0.1/content/post_1.html"
PDF_URL = "http://127.0.0.1/att/guide.pdf"
P1 = "国家发展改革委组织开展未来产业先导区申报工作，申报指南见附件，请各地于规定时间前报送材料。"


@dataclass
class FakeAttachment:
    url: str
    body: bytes
    status: int | None = 200
    page_url: str = PAGE
    title: str | None = "申报指南"
    source: str = "test-source"
    content_type: str | None = "application/pdf"
    fetched_at: str = "2026-01-01T00:00:00Z"
    elapsed_ms: float | None = 1.0
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@pytest.mark.parametrize(("url", "expected"), [
    ("http://x.cn/att/P020240305.pdf", True), ("http://x.cn/a/b.DOCX", True), ("http://x.cn/a.wps", True),
    ("http://x.cn/a.xls", True), ("http://x.cn/a.ofd", True), ("http://x.cn/a.html", False),
    ("http://x.cn/download?file=a.pdf", False),
])
def test_attachment_urls(url: str, expected: bool) -> None:
    assert is_attachment_url(url) is expected


@pytest.mark.parametrize("href", [
    "/att/P020240305.pdf", "b.DOCX", "../files/%E6%8C%87%E5%8D%97.wps", "x.p%64f", "?download=1", "#top",
    "http://x.cn/a.html", "/content/post_12.html", "javascript:void(0)", "/download?file=a.pdf", "/list/index_2.html",
])
def test_the_link_pre_filter_never_drops_an_attachment(href: str) -> None:
    """may_be_attachment_link may let extra links through, never stop one that is_attachment_url takes."""
    for base in ("http://x.cn/content/post_1.html", "http://x.cn/att/guide.pdf"):
        if is_attachment_url(canonical_url(urljoin(base, href))):
            assert may_be_attachment_link(href), (base, href)
    assert not may_be_attachment_link("/content/post_12.html")


def test_text_of_pdf_and_docx_and_none_for_others() -> None:
    assert attachment_text(make_pdf("Pilot zones", "Target: 10 zones by 2027"), PDF_URL) == \
        "Pilot zones\nTarget: 10 zones by 2027"
    assert attachment_text(make_docx("申报指南", "到2027年建设10个先导区。"), "http://x/a.docx") == \
        "申报指南\n到2027年建设10个先导区。"
    assert attachment_text(b"\xd0\xcf\x11\xe0 old word file", "http://x/a.doc") is None
    assert attachment_text(b"%PDF-1.4 broken", PDF_URL) in (None, "")


def test_with_a_new_page_then_changed_then_added_then_failing(archive: Archive, source: Source) -> None:
    runs = [archive.start_run(source.name, f"2026-01-0{n}T00:00:00Z") for n in (1, 2)]
    record(archive, source, FakeFetch(url=PAGE, body=page_html("先导区申报通知", P1).encode()), run_id=runs[0])
    first = make_pdf("Pilot zones", "Target: 10 zones by 2027")
    assert record_attachment(archive, source, FakeAttachment(PDF_URL, first), run_id=runs[0]) == "new"
    assert [e.kind for e in archive.events()] == ["new"]  # part of the new page, no event of its own
    assert record_attachment(archive, source, FakeAttachment(PDF_URL, first, fetched_at="2026-01-02T00:00:00Z")) \
        == "unchanged"
    revised = make_pdf("Pilot zones", "Target: 12 zones by 2027")
    assert record(archive, source, FakeFetch(url=PAGE, body=page_html("先导区申报通知", P1).encode(),
                                             fetched_at="2026-01-03T00:00:00Z"), run_id=runs[1]).kind == "unchanged"
    assert record_attachment(archive, source, FakeAttachment(PDF_URL, revised, fetched_at="2026-01-03T00:00:00Z"),
                             run_id=runs[1]) == "changed"
    docx = FakeAttachment("http://127.0.0.1/att/form.docx", make_docx("申报表"), title=None,
                          fetched_at="2026-01-04T00:00:00Z")
    assert record_attachment(archive, source, docx, run_id=runs[1]) == "added"
    broken = FakeAttachment(PDF_URL, b"", status=None, error="TimeoutError: took too long",
                            fetched_at="2026-01-05T00:00:00Z")
    assert record_attachment(archive, source, broken) == "error"
    events = archive.events()
    assert [(e.kind, e.summary) for e in events[:2]] == [
        ("changed", "Attachment added: form.docx"),
        ("changed", "Attachment changed: 申报指南 (1 sentence changed; numbers changed: 10→12)")]
    assert "<del>10</del><ins>12</ins>" in (events[1].diff_html or "")
    stored = {a.url: a for a in archive.attachments(PAGE)}
    assert stored[PDF_URL].text == "Pilot zones\nTarget: 12 zones by 2027"  # the failure kept the last good text
    assert stored[PDF_URL].error == "TimeoutError: took too long" and stored[PDF_URL].title == "申报指南"
    assert stored["http://127.0.0.1/att/form.docx"].text == "申报表"
    assert len(archive.versions(PAGE)) == 1
    # its text is unchanged, its attachments changed: the run counts the page as changed (once)
    counts = archive.finish_run(runs[1], status="ok", now="2026-01-06T00:00:00Z")
    assert (counts["fetched"], counts["changed"], counts["unchanged"]) == (1, 1, 0)


def feed_entries(db: Path, out: Path) -> list[Any]:
    """``policywatch feed`` on the archive, its RSS parsed back."""
    result = CliRunner().invoke(cli, ["feed", "--db", str(db), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse((out / "rss.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed.entries


def test_a_plan_pages_attachment_change_reaches_the_main_feed_once(tmp_path: Path, source: Source) -> None:
    """The attachment's event points at the page's latest version, which has plan events of its own: those
    tell the page's text, not the file, so the attachment entry stays and the plan entries come once each."""
    from tests.test_plan_feeds import OFFICIAL

    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        runs = [archive.start_run(source.name, f"2026-01-0{n}T00:00:00Z") for n in (1, 2)]
        record(archive, source, FakeFetch(url=PAGE, body=page_html(*OFFICIAL).encode()), run_id=runs[0])
        guide = FakeAttachment(PDF_URL, make_pdf("Pilot zones", "Target: 10 zones by 2027"))
        assert record_attachment(archive, source, guide, run_id=runs[0]) == "new"
        revised = page_html(*OFFICIAL[:2], OFFICIAL[2].replace("5个", "6个"))
        assert record(archive, source, FakeFetch(url=PAGE, body=revised.encode(), fetched_at="2026-01-02T00:00:00Z"),
                      run_id=runs[1]).kind == "changed"
        guide = FakeAttachment(PDF_URL, make_pdf("Pilot zones", "Target: 12 zones by 2027"),
                               fetched_at="2026-01-02T00:01:00Z")
        assert record_attachment(archive, source, guide, run_id=runs[1]) == "changed"
        assert [e.kind for e in PlanEventStore(archive.db).events()] == ["plan-changed", "plan-new"]
        # text and attachment changed in one run: one changed page
        assert archive.finish_run(runs[1], status="ok", now="2026-01-02T00:02:00Z")["changed"] == 1
    entries = feed_entries(db, tmp_path / "feeds")
    assert [e.title.split(":")[0] for e in entries] == ["Changed", "Plan changed", "New plan"]
    assert "Attachment changed: 申报指南 (1 sentence changed; numbers changed: 10→12)" in entries[0].description
    assert entries[0].link == PAGE and len({e.id for e in entries}) == 3


def test_attachment_of_an_unarchived_page_is_skipped(archive: Archive, source: Source) -> None:
    assert record_attachment(archive, source, FakeAttachment(PDF_URL, make_pdf("x"))) == "skipped"


@pytest.mark.slow
def test_crawl_fetches_attachments_conditionally_and_feeds_their_changes(tmp_path: Path) -> None:
    """A plan's page whose attachment changes behind a 304: the run counts the page as changed and the
    main feed shows the attachment's change beside the page's plan entry (each once)."""
    from tests.test_crawl_behaviour import crawl, fetches, listing
    from tests.test_plan_feeds import OFFICIAL

    with ScriptedSite() as site:
        links = ('<div class="attachment"><a href="/att/guide.pdf">申报指南</a> '
                 '<a href="/att/form.docx#x">申报表</a> <a href="/att/data.xls">数据</a></div>')
        site.answers["/list/index.html"] = listing("/content/a.html")
        site.answers["/content/a.html"] = Answer(page_html(*OFFICIAL, extra=links).encode(), etag='"p1"')
        site.answers["/att/guide.pdf"] = Answer(make_pdf("Target: 10 zones"), content_type="application/pdf",
                                                etag='"g1"')
        site.answers["/att/form.docx"] = Answer(make_docx("申报表"), content_type="application/octet-stream")
        site.answers["/att/data.xls"] = Answer(b"\xd0\xcf\x11\xe0 sheet", content_type="application/vnd.ms-excel")
        first = crawl(site, tmp_path)
        assert first["new"] == 1
        site.answers["/att/guide.pdf"] = Answer(make_pdf("Target: 12 zones"), content_type="application/pdf",
                                                etag='"g2"')
        second = crawl(site, tmp_path)
        third = crawl(site, tmp_path)
        guide = site.requests_for("/att/guide.pdf")
        page = site.requests_for("/content/a.html")
    assert (second["fetched"], second["changed"], second["unchanged"]) == (1, 1, 0)
    assert (third["fetched"], third["changed"], third["unchanged"]) == (1, 0, 1)
    assert [p.status for p in page] == [200, 304, 304]  # the attachments behind a 304 page are still checked
    # every attachment fetch has its fetches row (the attachments table keeps only the last state), and the
    # run's page counts are as before: one article page, unchanged
    assert (third["fetched"], third["unchanged"], third["errors"]) == (1, 1, 0)
    assert fetches(tmp_path, third["id"], "attachment") == {
        "guide.pdf": (304, "unchanged"), "form.docx": (200, "unchanged"), "data.xls": (200, "unchanged")}
    assert fetches(tmp_path, first["id"], "attachment") == {
        "guide.pdf": (200, "new"), "form.docx": (200, "new"), "data.xls": (200, "new")}
    assert fetches(tmp_path, second["id"], "attachment")["guide.pdf"] == (200, "changed")
    assert fetches(tmp_path, third["id"], "listing") == {"index.html": (200, "read")}
    assert [g.status for g in guide] == [200, 200, 304] and guide[2].headers.get("If-None-Match") == '"g2"'
    with Archive(tmp_path / "archive.db") as archive:
        page_url = site.url("/content/a.html")
        stored = {a.url.rsplit("/", 1)[-1]: a for a in archive.attachments(page_url)}
        assert set(stored) == {"guide.pdf", "form.docx", "data.xls"}
        assert stored["form.docx"].text == "申报表" and stored["data.xls"].text is None
        assert stored["data.xls"].size == len(b"\xd0\xcf\x11\xe0 sheet") and stored["data.xls"].content_hash
        assert [r["changed"] for r in archive.runs()] == [0, 1, 0]  # the runs table says what the summary said
        assert [(e.kind, e.summary) for e in archive.run_events([second["id"]])] == [
            ("changed", "Attachment changed: 申报指南 (1 sentence changed; numbers changed: 10→12)")]
    entries = feed_entries(tmp_path / "archive.db", tmp_path / "feeds")
    assert [e.title for e in entries] == [f"Changed: {OFFICIAL[0]}", "New plan: 广东省未来材料产业集群行动计划"]
    assert "Attachment changed: 申报指南" in entries[0].description


TRICKY_LINKS = """<html><head><title>t</title></head><body>
<div id="zoom"><p>附件：</p>
<p><a HREF="/att/guide.pdf">1.<span>申报</span>指南<!-- 旧版 -->（2026年）</a></p>
<p><a href=" ../att/form.DOCX ">申报表<br>模板</a> <a href="/att/form.docx#p2">again</a></p>
<p><a href="/att/list&#46;xls">清单</a> <a href="javascript:void(0)">x.pdf</a> <a href="mailto:a@b.cn">b.pdf</a></p>
<p><a href="http://elsewhere.cn/att/other.pdf">offsite</a> <a href="/content/post_2.html">下一篇</a> <a>no href</a></p>
<p><a href="/att/%E9%99%84%E4%BB%B6.pdf"><img alt="图" src="i.png"></a></p>
</div></body></html>"""


def test_attachment_links_are_read_from_the_tree_as_the_css_form_reads_them() -> None:
    from scrapy.http import HtmlResponse

    from crawlers.spiders.pages import SourceSpider

    spider = SourceSpider(source=Source(name="s", start_urls=["http://127.0.0.1/list/"], allow=["/content/"]))
    response = HtmlResponse(url=PAGE, body=TRICKY_LINKS.encode(), encoding="utf-8")
    found = [(r.url, r.meta["policywatch_title"]) for r in spider.attachment_requests(response, PAGE)]
    reference = []  # what the Selector-per-link form gave
    for link in response.css("a[href]"):
        href = (link.attrib.get("href") or "").strip()
        url = canonical_url(response.urljoin(href))
        if not href.startswith(("javascript:", "mailto:")) and is_attachment_url(url) and \
                url.startswith("http://127.0.0.1/") and url not in [u for u, _ in reference]:
            reference.append((url, " ".join("".join(link.css("::text").getall()).split())[:300] or None))
    assert found == reference
    assert found[0] == ("http://127.0.0.1/att/guide.pdf", "1.申报指南（2026年）")
    assert ("http://127.0.0.1/att/list.xls", "清单") in found and found[-1][1] is None


@pytest.mark.parametrize(("html", "page", "linked"), [
    ('<a href="/att/guide.pdf">指南</a>', PAGE, True),
    ('<a href="/att/GUIDE.PDF">指南</a>', PAGE, True),
    ('<a href="/att/guide%2Epdf">escaped dot</a>', PAGE, True),
    ('<a href="/att/guide.%50DF">escaped letter</a>', PAGE, True),
    ('<a href="/att/guide&#46;pdf">character reference</a>', PAGE, True),
    ('<base href="http://127.0.0.1/att/guide.pdf"><a href="?v=2">a base that is a file</a>', PAGE, True),
    ('<a href="#top">the page itself is a file</a>', "http://127.0.0.1/att/guide.pdf", True),
    ('<a href="/content/post_2.html">办法</a><a href="?page=2">下一页</a>', PAGE, False),
])
def test_a_page_is_skipped_only_when_none_of_its_links_is_an_attachment(html: str, page: str, linked: bool) -> None:
    """may_link_attachments gates the whole link reading: it may pass a page without attachment links,
    never stop one with."""
    from scrapy.http import HtmlResponse

    from crawlers.spiders.pages import SourceSpider
    from monitor.attachments import may_link_attachments

    spider = SourceSpider(source=Source(name="s", start_urls=["http://127.0.0.1/list/"], allow=["/content/"]))
    response = HtmlResponse(url=page, body=f"<html><body>{html}</body></html>".encode(), encoding="utf-8")
    assert may_link_attachments(response.text, page) is linked
    spider_finds = bool(list(spider.attachment_requests(response, page)))
    assert spider_finds is linked


def test_the_page_gates_read_the_corpus_pages_as_before() -> None:
    """On every saved and extraction-corpus page, the gated spider finds the same attachment links and
    canonical URL as reading every page would."""
    import gzip

    from scrapy.http import HtmlResponse

    from crawlers.spiders.pages import may_name_canonical
    from monitor.attachments import may_link_attachments
    from tests.conftest import saved_pages

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    paths = [*saved_pages(), *sorted(corpus.glob("*/html/*.html*"))]
    gated = skipped = 0
    for path in paths:
        body = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        response = HtmlResponse(url=PAGE, body=body)
        canonical = response.css("link[rel=canonical]::attr(href)").get()
        if not may_name_canonical(response.text):
            assert canonical is None, path
            gated += 1
        if not may_link_attachments(response.text, PAGE):
            assert not [h for h in response.xpath("//a/@href").getall()
                        if is_attachment_url(canonical_url(response.urljoin(h.strip())))], path
            skipped += 1
    assert len(paths) > 100 and gated > 50 and skipped > 50


def test_the_page_gate_passes_every_random_href_that_is_an_attachment() -> None:
    import random
    from urllib.parse import quote

    from monitor.attachments import ATTACHMENT_EXTENSIONS, may_link_attachments

    rng = random.Random(5)
    pieces = ["/att/", "a", "B", "指南", ".", "?x=", "#", "html", "/", "-", "%20", "&amp;", *ATTACHMENT_EXTENSIONS,
              *(e.upper() for e in ATTACHMENT_EXTENSIONS)]
    attachments = 0
    for _ in range(5000):
        href = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.5:
            href += "." + rng.choice(pieces)
        if rng.random() < 0.3:  # percent-escape some characters, as sites do
            href = "".join((rng.choice(("%{:02X}", "%{:02x}")).format(ord(c)) if c.isascii() else quote(c))
                           if rng.random() < 0.3 else c for c in href)
        if is_attachment_url(canonical_url(urljoin(PAGE, href))):
            attachments += 1
            assert may_link_attachments(f'<html><body><a href="{href}">x</a></body></html>', PAGE), href
    assert attachments > 300


def _search_cli(db: Path, *args: str) -> str:
    from click.testing import CliRunner

    from monitor.cli import cli

    result = CliRunner().invoke(cli, ["search", *args, "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_attachment_text_is_searched_from_the_cli_and_kept_in_step(tmp_path: Path, source: Source) -> None:
    import json

    from storage.search import search

    db = tmp_path / "archive.db"
    guide_url, form_url = "http://127.0.0.1/att/guide.docx", "http://127.0.0.1/att/form.docx"
    with Archive(db) as archive:
        record(archive, source, FakeFetch(url=PAGE, body=page_html("先导区申报通知", P1).encode()))
        guide = make_docx("申报指南", "对认定的先导区给予最高1200万元专项资金支持。")
        assert record_attachment(archive, source, FakeAttachment(guide_url, guide)) == "new"
        record_attachment(archive, source, FakeAttachment(form_url, make_docx("申报表"), title=None))
    out = _search_cli(db, "1200万元")
    assert f"{PAGE}\n" in out and f"in attachment 申报指南: {guide_url}" in out and "**1200万元**专项资金" in out
    hits = json.loads(_search_cli(db, "专项资金 先导区", "--json"))  # every term, in one attachment
    assert [(h["url"], h["attachment_url"], h["attachment_title"]) for h in hits] == [(PAGE, guide_url, "申报指南")]
    # the page's own text and its attachment both hold 先导区: the page first, then the attachment
    assert [h["attachment_url"] for h in json.loads(_search_cli(db, "先导区", "--json"))] == [None, guide_url]
    assert [h["attachment_url"] for h in json.loads(_search_cli(db, "资金", "--json"))] == [guide_url]  # 2 chars
    assert [h["attachment_url"] for h in json.loads(_search_cli(db, "申报表", "--json"))] == [form_url]
    assert "no page or attachment mentions '1300万元'" in _search_cli(db, "1300万元")

    revised = make_docx("申报指南", "对认定的先导区给予最高1500万元专项资金支持。")
    with Archive(db) as archive:
        record_attachment(archive, source, FakeAttachment(guide_url, revised, fetched_at="2026-01-02T00:00:00Z"))
        index_rows = archive.db.execute("select count(*) from attachments_fts_data").fetchone()
        unchanged = FakeAttachment(guide_url, revised, fetched_at="2026-01-03T00:00:00Z")
        assert record_attachment(archive, source, unchanged) == "unchanged"
        assert archive.db.execute("select count(*) from attachments_fts_data").fetchone() == index_rows  # untouched
        assert [h.attachment_url for h in search(archive.db, "1500万元")] == [guide_url]
        assert search(archive.db, "1200万元") == []  # the old text is forgotten
        archive.db.execute("delete from attachments where url = ?", [form_url])  # as moving a page does
        assert search(archive.db, "申报表") == []
        # raises (SQLITE_CORRUPT_VTAB) when the index does not hold exactly the table's texts
        archive.db.execute("insert into attachments_fts (attachments_fts, rank) values ('integrity-check', 1)")


def test_attachments_of_an_archive_from_before_the_attachment_index_are_searchable(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from storage.migrations import migrations
    from storage.search import search

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m012_query_attachment_search")
    db["pages"].insert({"id": 1, "url": PAGE, "source": "s", "first_seen": "2026-01-01", "version_count": 0})
    db["attachments"].insert({"page_id": 1, "source": "s", "url": PDF_URL, "title": "申报指南",
                              "first_seen": "2026-01-01", "text": "最高1200万元专项资金支持"})
    db.close()
    with Archive(path, readonly=True) as archive:  # a reader does not migrate: pages are searched, no error
        assert search(archive.db, "1200万元") == []
    with Archive(path) as archive:
        assert [(h.url, h.attachment_url) for h in search(archive.db, "1200万元")] == [(PAGE, PDF_URL)]


GUIDE_TABLE = [["项目", "支持金额"], ["先导区", "1200万元"]]
GUIDE_CHANGED = "Attachment changed: 申报指南 (1 sentence changed; numbers changed: 10→12)"


def _attachment_fetches(archive: Archive) -> list[tuple[str, str | None]]:
    return archive.db.execute("select outcome, error from fetches where kind = 'attachment' order by id").fetchall()


def _recheck(archive: Archive, source: Source, day: int, attachment: FakeAttachment) -> tuple[str, dict[str, Any]]:
    """A run on 2026-01-DAY in which the page is unchanged and the attachment is fetched: its outcome and the
    run's counts."""
    when = f"2026-01-{day:02d}T00:00:00Z"
    run = archive.start_run(source.name, when)
    assert record(archive, source, FakeFetch(url=PAGE, body=page_html("先导区申报通知", P1).encode(), fetched_at=when),
                  run_id=run).kind == "unchanged"
    attachment.fetched_at = when
    outcome = record_attachment(archive, source, attachment, run_id=run)
    return outcome, archive.finish_run(run, status="ok", now=when)


@pytest.mark.parametrize(("url", "make"), [
    (PDF_URL, lambda stamp, target="10": make_pdf("Pilot zones", f"Target: {target} zones by 2027", stamp=stamp)),
    ("http://127.0.0.1/att/%E7%94%B3%E6%8A%A5%E6%8C%87%E5%8D%97.docx",
     lambda stamp, target="1200": make_docx("附件：申报指南", table=[GUIDE_TABLE[0], ["先导区", f"{target}万元"]],
                                            stamp=stamp)),
], ids=["pdf", "docx"])
def test_a_file_made_anew_for_each_download_is_no_change_until_its_text_changes(
        archive: Archive, source: Source, url: str, make: Any) -> None:
    """A download script that stamps each copy (a new creation date, a new id): other bytes, the same text.
    Its new hash is kept, no event is written and the run does not count the page as changed; a change of
    the text (here inside a DOCX table) is still one."""
    first = archive.start_run(source.name, "2026-01-01T00:00:00Z")
    record(archive, source, FakeFetch(url=PAGE, body=page_html("先导区申报通知", P1).encode()), run_id=first)
    assert record_attachment(archive, source, FakeAttachment(url, make("1")), run_id=first) == "new"
    outcome, counts = _recheck(archive, source, 2, FakeAttachment(url, make("2")))
    assert outcome == "same text" and (counts["changed"], counts["unchanged"]) == (0, 1)
    assert [e.kind for e in archive.events()] == ["new"]
    stored = archive.attachments(PAGE)[0]
    assert stored.content_hash == hashlib.sha256(make("2")).hexdigest() and stored.last_changed == \
        "2026-01-01T00:00:00Z"
    # the next comparison is with the copy kept: the same bytes again are plainly unchanged
    assert _recheck(archive, source, 3, FakeAttachment(url, make("2")))[0] == "unchanged"
    outcome, counts = _recheck(archive, source, 4, FakeAttachment(url, make("3", "12" if url == PDF_URL else "1500")))
    assert outcome == "changed" and counts["changed"] == 1
    assert archive.events()[0].summary == GUIDE_CHANGED.replace("10→12", "10→12" if url == PDF_URL else "1200→1500")
    assert [o for o, _ in _attachment_fetches(archive)] == ["new", "same text", "unchanged", "changed"]


def test_files_without_text_are_changed_by_their_bytes(archive: Archive, source: Source) -> None:
    """XLS (no text read) and a PDF that holds no text (a scan): the hash is all there is, so new bytes
    are a change, named without a made-up text diff."""
    first = archive.start_run(source.name, "2026-01-01T00:00:00Z")
    record(archive, source, FakeFetch(url=PAGE, body=page_html("先导区申报通知", P1).encode()), run_id=first)
    sheet = FakeAttachment("http://127.0.0.1/att/data.xls", b"\xd0\xcf\x11\xe0 sheet 1", title="数据表")
    scan = FakeAttachment("http://127.0.0.1/att/scan.pdf", make_pdf(stamp="1"), title="扫描件")
    assert [record_attachment(archive, source, a, run_id=first) for a in (sheet, scan)] == ["new", "new"]
    assert {a.title: a.text for a in archive.attachments(PAGE)} == {"数据表": None, "扫描件": None}
    sheet.body, scan.body = b"\xd0\xcf\x11\xe0 sheet 2", make_pdf(stamp="2")
    assert _recheck(archive, source, 2, sheet)[0] == "changed"
    outcome, counts = _recheck(archive, source, 3, scan)
    assert outcome == "changed" and counts["changed"] == 1
    assert [e.summary for e in archive.events()[:2]] == ["Attachment changed: 扫描件", "Attachment changed: 数据表"]


def test_a_copy_whose_text_cannot_be_read_keeps_the_last_text_and_is_no_change(archive: Archive,
                                                                                 source: Source) -> None:
    """An error page served with 200 for the PDF, then a truncated copy: the text read before is kept (and
    searched), what happened is in the attachment's error and the fetch rows, and nothing is announced;
    the next readable copy is compared with the last text read."""
    first = archive.start_run(source.name, "2026-01-01T00:00:00Z")
    record(archive, source, FakeFetch(url=PAGE, body=page_html("先导区申报通知", P1).encode()), run_id=first)
    guide = make_pdf("Pilot zones", "Target: 10 zones by 2027")
    assert record_attachment(archive, source, FakeAttachment(PDF_URL, guide), run_id=first) == "new"
    error_page = FakeAttachment(PDF_URL, "<html><body>系统繁忙，请稍后再试</body></html>".encode(),
                                content_type="text/html")
    outcome, counts = _recheck(archive, source, 2, error_page)
    assert outcome == "unreadable" and (counts["changed"], counts["unchanged"]) == (0, 1)
    stored = archive.attachments(PAGE)[0]
    assert stored.text == "Pilot zones\nTarget: 10 zones by 2027"
    assert stored.error == "not a PDF file (it starts with b'<html><body>')"
    assert _recheck(archive, source, 3, FakeAttachment(PDF_URL, guide[: len(guide) // 2]))[0] == "unreadable"
    assert (archive.attachments(PAGE)[0].error or "").startswith("cannot read the pdf text: ")
    assert _recheck(archive, source, 4, FakeAttachment(PDF_URL, guide))[0] == "same text"
    assert archive.attachments(PAGE)[0].error is None
    assert [e.kind for e in archive.events()] == ["new"]
    revised = FakeAttachment(PDF_URL, make_pdf("Pilot zones", "Target: 12 zones by 2027"))
    assert _recheck(archive, source, 5, revised)[0] == "changed"
    assert archive.events()[0].summary == GUIDE_CHANGED
    fetched = _attachment_fetches(archive)
    assert [o for o, _ in fetched] == ["new", "unreadable", "unreadable", "same text", "changed"]
    assert fetched[1][1] == stored.error and (fetched[2][1] or "").startswith("cannot read the pdf text: ")


def _page_with_attachment_changes(db: Path, source: Source, *, second_version: bool = False) -> None:
    """PAGE archived once with its guide, the guide revised (10→12) and a form added in a later run;
    with ``second_version``, the page's text changed before the guide did."""
    with Archive(db) as archive:
        first = archive.start_run(source.name, "2026-01-01T00:00:00Z")
        record(archive, source, FakeFetch(url=PAGE, body=page_html("先导区申报通知", P1).encode()), run_id=first)
        guide = make_pdf("Pilot zones", "Target: 10 zones by 2027")
        assert record_attachment(archive, source, FakeAttachment(PDF_URL, guide), run_id=first) == "new"
        if second_version:
            revised_page = page_html("先导区申报通知", P1.replace("规定时间", "3月31日"))
            assert record(archive, source, FakeFetch(url=PAGE, body=revised_page.encode(),
                                                     fetched_at="2026-01-02T00:00:00Z")).kind == "changed"
        revised = make_pdf("Pilot zones", "Target: 12 zones by 2027")
        assert record_attachment(archive, source, FakeAttachment(PDF_URL, revised,
                                                                 fetched_at="2026-01-03T00:00:00Z")) == "changed"
        form = FakeAttachment("http://127.0.0.1/att/form.docx", make_docx("申报表"), title=None,
                              fetched_at="2026-01-04T00:00:00Z")
        assert record_attachment(archive, source, form) == "added"


def _cli(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def test_history_lists_a_pages_attachment_changes(tmp_path: Path, source: Source) -> None:
    db = tmp_path / "archive.db"
    _page_with_attachment_changes(db, source)
    lines = _cli("history", PAGE, "--db", str(db)).splitlines()
    assert lines[0].startswith("   1  2026-01-01T00:00:00Z  ")
    assert [line.strip() for line in lines[1:]] == [
        f"2026-01-03T00:00:00Z  changed: {GUIDE_CHANGED}",
        "2026-01-04T00:00:00Z  changed: Attachment added: form.docx"]
    rows = json.loads(_cli("history", PAGE, "--db", str(db), "--json"))
    assert [(e["created_at"], e["kind"], e["summary"]) for e in rows[0]["later_events"]] == [
        ("2026-01-03T00:00:00Z", "changed", GUIDE_CHANGED),
        ("2026-01-04T00:00:00Z", "changed", "Attachment added: form.docx")]
    with Archive(db, readonly=True) as archive:  # a page's events are found by index, not by reading them all
        plan = archive.db.execute("explain query plan select * from events where page_id = 1 "
                                  "order by created_at, id").fetchall()
        assert "USING INDEX idx_events_page_id_created_at (page_id=?)" in str(plan)


def test_diff_of_a_page_whose_attachments_alone_changed_shows_their_recorded_diffs(tmp_path: Path,
                                                                                   source: Source) -> None:
    db = tmp_path / "archive.db"
    _page_with_attachment_changes(db, source)
    out = _cli("diff", PAGE, "--db", str(db), "--no-color")
    assert out.splitlines() == [
        PAGE, "version 1 (2026-01-01T00:00:00Z) is the only version; its attachments changed since:",
        f"2026-01-03T00:00:00Z  {GUIDE_CHANGED}",
        "~ Target: [-10-]{+12+} zones by 2027",
        "2026-01-04T00:00:00Z  Attachment added: form.docx"]
    with Archive(db, readonly=True) as archive:  # what the feed showed, read back: not diffed anew
        assert "<del>10</del><ins>12</ins>" in (archive.events()[1].diff_html or "")
    assert "\x1b[31;9m10\x1b[0m\x1b[32m12\x1b[0m" in _cli("diff", PAGE, "--db", str(db), "--color")
    assert "no version 2 (have 1)" in _cli("diff", PAGE, "--db", str(db), "--to", "2", ok=False)


def test_diff_of_two_versions_adds_the_attachment_changes_since_the_older(tmp_path: Path, source: Source) -> None:
    db = tmp_path / "archive.db"
    _page_with_attachment_changes(db, source, second_version=True)
    out = _cli("diff", PAGE, "--db", str(db), "--no-color")
    assert "version 1 (2026-01-01T00:00:00Z) → version 2 (2026-01-02T00:00:00Z): 1 sentence changed" in out
    assert "[-规定时间-]{+3月31日+}" in out
    assert out.split("attachments changed in that time:\n")[1].splitlines() == [
        f"2026-01-03T00:00:00Z  {GUIDE_CHANGED}",
        "~ Target: [-10-]{+12+} zones by 2027",
        "2026-01-04T00:00:00Z  Attachment added: form.docx"]
    assert "Attachment" not in _cli("diff", PAGE, "--db", str(db), "--unified")  # a patch stays a patch
    lines = _cli("history", PAGE, "--db", str(db)).splitlines()
    assert [line.split()[0] for line in lines] == ["1", "2", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"]
