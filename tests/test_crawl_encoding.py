"""Pages whose HTTP charset lies or is missing are read in their real encoding by the whole crawl: links,
attachment titles and ``<meta>`` facts, not only the extracted text (crawlers/middlewares.py)."""
from __future__ import annotations

import codecs
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from crawlers import settings
from crawlers.middlewares import DecodeMiddleware
from monitor.feeds import write_feeds
from storage import Archive
from tests.documents import make_docx, make_pdf
from tests.scripted_site import Answer, ScriptedSite
from tests.test_crawl_behaviour import article, crawl, listing

TITLE = "关于开展未来产业先导区申报工作的通知"
PUBLISHER = "广东省发展和改革委员会"
P1 = "各地级以上市发展改革局：为加快培育未来产业，现组织开展先导区申报工作，请按附件要求报送材料。"
P2 = "申报单位应于二〇二六年六月三十日前将申报书及佐证材料报送我委，逾期不予受理。"


def gbk_article(links: str) -> bytes:
    """A GBK page that says so in its ``<meta>``, as most provincial sites still publish."""
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f'<meta name="ArticleTitle" content="{TITLE}"><meta name="ContentSource" content="{PUBLISHER}">'
            f"<title>{TITLE}</title></head><body><div class=\"nav\"><a href=\"/\">首页</a></div>"
            f"<div class=\"article\"><h1>{TITLE}</h1><p>{P1}</p><p>{P2}</p><p>附件：{links}</p></div>"
            f"</body></html>").encode("gbk")


@pytest.mark.slow
def test_a_gbk_page_under_a_utf8_header_gives_right_attachments_meta_and_events(tmp_path: Path) -> None:
    links = '<a href="/files/申报通知.docx">申报通知.docx</a> <a href="/files/附件2.pdf?name=指南">申报指南</a>'
    # What a browser requests: the path escaped as UTF-8 whatever the page's encoding, the query in the page's.
    docx_path = "/files/" + quote("申报通知".encode()) + ".docx"
    pdf_path = "/files/" + quote("附件2".encode()) + ".pdf"
    pdf_url_tail = pdf_path + "?name=" + quote("指南".encode("gbk"))
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html")
        site.answers["/content/a.html"] = Answer(gbk_article(links), content_type="text/html; charset=utf-8")
        site.answers[docx_path] = Answer(make_docx("申报书", "到2027年建设10个先导区。"),
                                         content_type="application/octet-stream")
        site.answers[pdf_path] = Answer(make_pdf("Guide"), content_type="application/pdf")
        assert crawl(site, tmp_path, kind="hanweb")["new"] == 1
        site.answers[docx_path] = Answer(make_docx("申报书", "到2027年建设12个先导区。"),
                                         content_type="application/octet-stream")
        crawl(site, tmp_path, kind="hanweb")
        assert [s.status for s in site.requests_for(docx_path)] == [200, 200]
        assert [s.status for s in site.requests_for(pdf_path)] == [200, 200]
        page_url = site.url("/content/a.html")
    with Archive(tmp_path / "archive.db") as archive:
        stored = {a.url.split("/files/", 1)[1]: a for a in archive.attachments(page_url)}
        assert {"/files/" + tail: a.title for tail, a in stored.items()} == {
            docx_path: "申报通知.docx", pdf_url_tail: "申报指南"}
        assert archive.latest_meta(page_url) == {"ArticleTitle": TITLE, "ContentSource": PUBLISHER}
        [changed, new] = archive.events()
        assert (new.kind, new.title) == ("new", TITLE)
        assert changed.kind == "changed" and changed.summary.startswith("Attachment changed: 申报通知.docx (")
        paths = write_feeds(archive, tmp_path / "feeds", source="scripted")  # page events, not plans
    entries = feedparser.parse(paths["atom"].read_bytes()).entries
    assert [e.title for e in entries] == [f"Changed: {TITLE}", f"New: {TITLE}"]
    assert "Attachment changed: 申报通知.docx" in entries[0].content[0].value


@pytest.mark.slow
@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=utf-8"])
def test_a_gb18030_list_page_without_a_true_charset_leads_to_its_chinese_addresses(
        tmp_path: Path, content_type: str) -> None:
    names = ["关于印发未来产业发展规划的通知", "先导区申报指南㐀"]  # the last character exists in GB18030 only
    items = "".join(f'<li><a href="/content/{name}.html">{name}</a></li>' for name in names)
    page = f"<html><head><title>政策文件</title></head><body><ul>{items}</ul></body></html>"
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = Answer(page.encode("gb18030"), content_type=content_type)
        paths = ["/content/" + quote(name.encode()) + ".html" for name in names]
        for path, name in zip(paths, names, strict=True):
            site.answers[path] = Answer(article(name, P1 + name))
        assert crawl(site, tmp_path)["new"] == 2
        assert [[s.status for s in site.requests_for(path)] for path in paths] == [[200], [200]]


def answer(body: bytes, content_type: str, status: int = 200, cls: type[TextResponse] = HtmlResponse) -> TextResponse:
    url = "http://127.0.0.1/content/a.html"
    return cls(url, status=status, body=body, headers={"Content-Type": content_type}, request=Request(url))


def test_the_middleware_reads_html_as_monitor_decode_does_and_leaves_the_rest() -> None:
    middleware = DecodeMiddleware()
    html = f'<html><head><meta charset="gbk"><title>{TITLE}</title></head><body><a href="?q=指南">x</a></body></html>'
    lying = middleware.process_response(None, answer(html.encode("gbk"), "text/html; charset=utf-8"))
    assert (lying.encoding, lying.text, lying.css("title::text").get()) == ("gb18030", html, TITLE)
    # A BOM is Scrapy's to strip: the encoding named is one without, fit to escape link queries with.
    bom = middleware.process_response(None, answer(codecs.BOM_UTF8 + html.encode(), "text/html; charset=gbk"))
    assert (bom.encoding, bom.text) == ("utf-8", html)
    utf16 = middleware.process_response(None, answer(html.encode("utf-16"), "text/html"))
    assert (utf16.encoding, utf16.text) == ("utf-16-le", html)
    untouched = [answer(b"", "text/html; charset=utf-8", status=304),
                 answer(html.encode("gbk"), "text/plain; charset=utf-8", cls=TextResponse)]
    assert all(middleware.process_response(None, r) is r for r in untouched)


def test_the_middleware_runs_after_decompression_and_before_anything_reads_the_text() -> None:
    base = settings.DOWNLOADER_MIDDLEWARES_BASE
    order = settings.DOWNLOADER_MIDDLEWARES["crawlers.middlewares.DecodeMiddleware"]
    assert base["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"] > order \
        > settings.DOWNLOADER_MIDDLEWARES["crawlers.middlewares.MetaRefreshMiddleware"]
