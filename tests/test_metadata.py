"""Document facts from policy pages: info tables, inline label runs, meta tags, htmldate fallback.

The fixtures are written for these tests in the shapes of real pages (gov.cn ``table.bd1``, TRS meta
tags, provincial inline "label：value" lines); their text is our own.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.metadata import PageMetadata, extract_metadata, normalise_date

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"

CASES = {
    "gov_info_table.html": PageMetadata(
        published="2024-01-29", modified="2024-02-02", written_date="2024-01-18", issuer="工业和信息化部等七部门",
        document_number="工信部联科〔2024〕12号", index_number="000014349/2024-00009", subject="工业、交通\\其他"),
    "trs_meta_tags.html": PageMetadata(published="2024-03-06", issuer="国家发展改革委办公厅",
                                       document_number="发改办高技〔2024〕88号"),
    "inline_labels.html": PageMetadata(
        published="2024-04-12", issuer="深圳市人民政府办公厅", document_number="深府办规〔2024〕3号",
        index_number="11440300MB2C92050R/2024-00188", subject="科技；产业"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_pages(name: str) -> None:
    html = (FIXTURES / name).read_text(encoding="utf-8")
    assert extract_metadata(html, f"http://127.0.0.1/{name}") == CASES[name]


@pytest.mark.parametrize(("text", "date"), [
    ("2024年3月5日", "2024-03-05"), ("2024-03-05 10:00", "2024-03-05"), ("2024/3/5", "2024-03-05"),
    ("2024-01-30-10:02:11", "2024-01-30"), ("2024.12.31", "2024-12-31"), ("第2024-13-40号", None), ("无", None),
])
def test_dates_are_normalised(text: str, date: str | None) -> None:
    assert normalise_date(text) == date


def test_htmldate_is_the_last_resort_and_can_be_turned_off() -> None:
    html = ("<html><head><title>t</title><meta itemprop='datePublished' content='2023-11-02'></head><body>"
            "<article><h1>标题</h1><p>正文内容，关于未来产业的通知。</p></article></body></html>")
    assert extract_metadata(html).published == "2023-11-02"
    assert extract_metadata(html, htmldate_fallback=False).published is None


# A notice for next year's applications: the year is in the title and the text, no day anywhere.
_YEAR_ONLY = ("<html><head><title>关于开展2026年度科技计划项目申报工作的通知</title></head><body>"
              "<div class='nav'><a href='/'>首页</a></div><h1>关于开展2026年度科技计划项目申报工作的通知</h1>"
              "<p>各有关单位：为做好2026年度项目申报工作，现将有关事项通知如下。</p>"
              "<p>一、申报单位应在本市注册，2025年营业收入不低于500万元。</p>{extra}"
              "<div class='footer'>版权所有 2026 某市科学技术局</div></body></html>")


@pytest.mark.parametrize("url", ["http://127.0.0.1/a.html", "http://127.0.0.1/c/202604/index_1.html"])
def test_a_bare_year_is_no_publication_date(url: str) -> None:
    from monitor.detect import analyse_page
    from monitor.sources import Source

    html = _YEAR_ONLY.format(extra="")
    assert extract_metadata(html, url).published is None
    source = Source(name="t", start_urls=["http://127.0.0.1/"])
    assert analyse_page(html.encode(), "text/html; charset=utf-8", url, source).published is None


@pytest.mark.parametrize(("url", "extra", "date"), [
    ("http://127.0.0.1/zcfg/202604/t20260415_4471.html", "", "2026-04-15"),  # TRS address
    ("http://127.0.0.1/art/2026/4/15/art_12_345.html", "", "2026-04-15"),  # Hanweb address
    ("http://127.0.0.1/2026/04/15/notice.html", "", "2026-04-15"),
    ("http://127.0.0.1/a.html", "<p>2026年4月15日</p>", "2026-04-15"),  # a full date in the text
    ("http://127.0.0.1/a.html", "<p>（2026-1-1 发布）</p>", "2026-01-01"),  # the first of January, stated
    ("http://127.0.0.1/a.html", "<p>发布日期：2026/3/9</p>", "2026-03-09"),
])
def test_a_stated_day_is_the_publication_date(url: str, extra: str, date: str) -> None:
    from monitor.detect import analyse_page
    from monitor.sources import Source

    html = _YEAR_ONLY.format(extra=extra)
    assert extract_metadata(html, url).published == date
    source = Source(name="t", start_urls=["http://127.0.0.1/"])
    assert analyse_page(html.encode(), "text/html; charset=utf-8", url, source).published == date


def test_a_guess_on_the_first_of_a_month_stands_only_with_that_day_stated() -> None:
    from monitor.metadata import stated

    assert stated("2026-04-15", "<p>无日期</p>") == "2026-04-15"  # htmldate read a full date: no check
    assert stated("2026-01-01", "<p>2026年度</p>") is None  # a bare year, filled with January 1st
    assert stated("2026-04-01", "<p>2026年4月</p>") is None  # a year and month
    assert stated("2026-04-01", "<meta content='2026-04-01T08:00'>") == "2026-04-01"
    assert stated("2026-04-01", "<p>x</p>", "http://127.0.0.1/2026/4/1/a.html") == "2026-04-01"
    for written in ("2026年4月1日", "t20260401_5.html", "01.04.2026", "1.4.2026", "04/01/2026", "1. April 2026",
                    "April 1st, 2026", "1 Apr 2026"):
        assert stated("2026-04-01", f"<p>Stand: {written}</p>") == "2026-04-01", written
    for other in ("11.04.2026", "2026-04-11", "21 April 2026", "April 2026", "1.4.20261"):
        assert stated("2026-04-01", f"<p>Stand: {other}</p>") is None, other
    assert stated("2022-03-01", "<p>1. März 2022</p>") == "2022-03-01"
    assert stated(None, "<p>2026-04-01</p>") is None


def test_the_date_near_the_top_is_a_full_date_up_to_today() -> None:
    from monitor.metadata import text_date

    assert text_date("首页 > 通知公告 2025年12月3日 关于…的通知 到2030年底") == "2025-12-03"
    assert text_date("请于2999年5月30日前报送，2024/5/6 发布") == "2024-05-06"  # a deadline after today is skipped
    assert text_date("2026年度 2026年4月 第2026-13-40号 120260415") is None


def test_hostile_or_empty_input_gives_empty_metadata() -> None:
    assert extract_metadata("") == PageMetadata()
    long_value = "<table><tr><td>发文机关：</td><td>" + "很长" * 500 + "</td></tr></table>"
    assert len(extract_metadata(long_value).issuer or "") <= 120


def test_facts_are_stored_with_the_version(archive, source) -> None:  # type: ignore[no-untyped-def]
    from monitor.detect import record
    from tests.conftest import FakeFetch

    body = (FIXTURES / "gov_info_table.html").read_bytes()
    outcome = record(archive, source, FakeFetch(url="http://127.0.0.1/content/post_9.html", body=body))
    assert outcome.kind == "new"
    row = archive.db.execute("select published, issuer, document_number, index_number, written_date, modified, "
                             "subject from versions").fetchone()
    assert row == ("2024-01-29", "工业和信息化部等七部门", "工信部联科〔2024〕12号", "000014349/2024-00009",
                   "2024-01-18", "2024-02-02", "工业、交通\\其他")


def test_control_characters_after_a_script_do_not_break_extraction() -> None:
    html = "<html><body><p>发布日期：2024-02-08</p><p>现将<script>x()</script>方案印发给你们。\x07</p></body></html>"
    assert extract_metadata(html).published == "2024-02-08"


def test_labels_spaced_out_or_split_across_elements_are_still_read() -> None:
    # a label's characters may stand in separate inline elements and with ideographic spaces between them
    html = ("<html><body><div class='info'><p><b>发</b><b>布</b>\u3000日\u3000期 ：2024年6月3日</p>"
            "<p>发文<span>字号</span>：粤科规〔2024〕7号</p><p>主题词 本段没有冒号，不是标签</p></div>"
            "<div class='text'><p>为加快培育深海装备产业，现提出以下意见。</p></div></body></html>")
    facts = extract_metadata(html, "http://127.0.0.1/a.html", htmldate_fallback=False)
    assert (facts.published, facts.document_number, facts.subject) == ("2024-06-03", "粤科规〔2024〕7号", None)


def test_quick_scans_leave_the_facts_as_their_plain_definitions_read_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """_ANY_LABEL and _BRACKETED_YEAR only skip work, text_of is text_content: with scans that match everything
    and text_content, the facts are the same."""
    import random
    import re

    import monitor.metadata as metadata

    pieces = ["<p>", "</p>", "<td>", "</td>", "<span>", "</span>", "<b>", "</b>", "<div>", "</div>", "<br>", "\n",
              "发", "布", "日期", "发文字号", "文号", "索\u3000引\u3000号", "主题 分类", "信息来源", "成文日期", "：",
              ":", " ", "  ", "\u3000", "2024年6月3日", "2023-11-05", "粤科规", "〔2024〕", "[2023]", "7号",
              "第12号", "国办发〔2024〕5号", "国务院办公厅", "本段没有冒号", "Date", "发布日期", "成文日期："]
    rng = random.Random(9)
    pages = [f"<html><body>{''.join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))}</body></html>"
             for _ in range(1500)]
    quick = [extract_metadata(page, htmldate_fallback=False) for page in pages]
    monkeypatch.setattr(metadata, "_ANY_LABEL", re.compile(""))
    monkeypatch.setattr(metadata, "_BRACKETED_YEAR", re.compile(""))
    monkeypatch.setattr(metadata, "text_of", lambda element: element.text_content())
    plain = [extract_metadata(page, htmldate_fallback=False) for page in pages]
    assert quick == plain
    assert sum(1 for facts in plain if facts.document_number) > 200
    assert sum(1 for facts in plain if facts.published or facts.written_date) > 50
    assert sum(1 for facts in plain if facts.index_number) > 20


def test_text_is_text_content() -> None:
    from pathlib import Path

    from lxml import html as lxml_html

    from monitor.extract import text_of

    compared = 0
    pages = [*sorted(Path(__file__).parent.rglob("*.html"))[:200],
             "<div>a<!-- note -->b<?pi x?>&amp;&nbsp;<![CDATA[z]]><span>s</span>t<br>u</div>tail"]
    for page in pages:
        tree = lxml_html.fromstring(page.read_bytes() if isinstance(page, Path) else page)
        for element in tree.iter():
            if isinstance(element, lxml_html.HtmlElement):
                assert text_of(element) == element.text_content()
                compared += 1
    assert compared > 10000


def test_a_comment_between_label_and_value_hides_nothing_whichever_parse_read_the_page() -> None:
    from monitor.extract import parse_html

    html = ("<html><body><table><tr><td>发布日期：</td><!-- 发布日期 --><td>2024-03-05</td></tr>"
            "<tr><th>发文字号</th>\n<!-- x --><td>国办发〔2024〕5号</td></tr></table></body></html>")
    for facts in (extract_metadata(html, htmldate_fallback=False),
                  extract_metadata(html, htmldate_fallback=False, tree=parse_html(html))):
        assert (facts.published, facts.document_number) == ("2024-03-05", "国办发〔2024〕5号")


def test_facts_from_the_shared_parse_are_the_facts_of_the_page() -> None:
    """analyse_page hands extract_metadata the tree parse_html made for extraction; on every saved page
    that tree gives the facts metadata's own parse gives."""
    from monitor.decode import decode_html
    from monitor.extract import parse_html
    from tests.conftest import saved_pages

    pages = [decode_html(p.read_bytes())[0] for p in saved_pages()]
    assert len(pages) > 100
    with_facts = 0
    for html in pages:
        own = extract_metadata(html, htmldate_fallback=False)
        assert extract_metadata(html, htmldate_fallback=False, tree=parse_html(html)) == own, html[:200]
        with_facts += own != PageMetadata()
    assert with_facts > 30
