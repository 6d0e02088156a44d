from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from monitor.decode import decode_html
from monitor.extract import element_text, extract_page, parse_html, title_and_date
from tests.conftest import page_html, saved_pages

P1 = "广东省发布未来产业集群行动方案，明确到2030年建成5个未来产业科技园，培育一批领军企业和创新平台。"
P2 = "到2035年，基本形成若干具有全球影响力的未来产业集群，人形机器人、脑机接口等领域取得突破。"
BOILER = ('<div class="share">分享到：微信 微博</div>'
          '<div class="related"><h3>相关链接</h3><ul><li><a href="/a">今日天气</a></li></ul></div>')


def test_main_text_kept_and_page_furniture_dropped() -> None:
    html = page_html("广东省培育未来产业集群行动方案", P1, P2, extra=BOILER)
    page = extract_page(html, "http://127.0.0.1/post_1.html")
    assert P1 in page.text and P2 in page.text
    assert "政务公开" not in page.text and "版权所有" not in page.text
    assert page.title == "广东省培育未来产业集群行动方案"
    assert page.language == "zh"


def test_ignore_css_removes_noise_before_extraction() -> None:
    html = page_html("标题", P1, P2, extra='<div id="counter">今日访客 98765 人</div>')
    assert "98765" not in extract_page(html, ignore_css=["#counter"]).text


def test_content_css_overrides_the_region_and_falls_back_when_it_matches_nothing() -> None:
    html = page_html("标题", P1, P2).replace('<div class="footer">', '<div class="footer"><p>附件：实施细则</p>')
    chosen = extract_page(html, content_css="div.footer")
    assert "附件：实施细则" in chosen.text and P1 not in chosen.text
    fallback = extract_page(html, content_css="div.does-not-exist")
    assert P1 in fallback.text


def test_element_text_keeps_one_line_per_block_and_skips_scripts() -> None:
    tree = parse_html("<div id=x><p>一</p><script>var a=1</script><p>二<br>三</p><span>四</span><span>五</span></div>")
    assert element_text(tree.cssselect("#x")[0]) == "一\n二\n三\n四五"


def test_element_text_leaves_the_tree_whole() -> None:
    tree = parse_html("<div id=x><style>p{}</style>甲<script>go()</script>乙<noscript>请启用脚本</noscript>丙</div>")
    before = lxml_html.tostring(tree)
    assert element_text(tree.cssselect("#x")[0]) == "甲乙丙"
    assert lxml_html.tostring(tree) == before  # trafilatura may still read it when the regions are empty


# A gov.cn-style article: the <title> carries the site name, the body sits in #UCAP-CONTENT, the date in meta.
GOV_PAGE = ("<html lang='zh-CN'><head><meta charset='utf-8'>"
            "<title>关于加快培育氢能产业的实施意见_政策_中国政府网</title>"
            "<meta name='firstpublishedtime' content='2024-05-20 09:30:00'>"
            "<meta property='og:title' content='关于加快培育氢能产业的实施意见'></head><body>"
            "<div class='nav'><a href='/'>首页</a> <a href='/zhengce/'>政策</a></div>"
            "<div class='article'><h1>氢能产业实施意见（全文）</h1>"
            "<div class='pages-date'>2024-05-20 09:30 来源：办公厅</div>"
            "<div id='UCAP-CONTENT'>{body}</div>"
            "<div class='share'>分享到：微信 微博</div></div>"
            "<div class='footer'>版权所有 联系我们 网站标识码</div></body></html>")
H1 = "各地区要统筹布局制氢、储运和加注设施，到2027年建成加氢站不少于一百座，燃料电池汽车示范应用规模明显扩大。"
H2 = "支持企业开展电解水制氢装备攻关，推动可再生能源制氢项目落地，降低终端用氢成本。"


def test_content_css_regions_are_the_text_without_trafilaturas_body_extraction(monkeypatch: Any) -> None:
    html = GOV_PAGE.format(body=f"<p>{H1}</p><script>track()</script><p>{H2}</p>")
    url = "http://127.0.0.1/zhengce/content_1.htm"
    guessed = extract_page(html, url)  # what trafilatura makes of the page on its own
    import trafilatura

    def no_body_extraction(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("trafilatura's body extraction ran although content_css matched text")

    monkeypatch.setattr(trafilatura, "bare_extraction", no_body_extraction)
    page = extract_page(html, url, content_css="#UCAP-CONTENT")
    assert page.text == f"{H1}\n{H2}"
    assert page.title == guessed.title == "关于加快培育氢能产业的实施意见"  # metadata title, not the h1
    assert page.published == guessed.published == "2024-05-20"
    assert page.language == "zh"
    assert extract_page(html, url, content_css="#UCAP-CONTENT", with_date=False).published is None


def test_content_css_matching_only_empty_elements_or_nothing_lets_trafilatura_decide(caplog: Any) -> None:
    url = "http://127.0.0.1/zhengce/content_2.htm"
    empty = GOV_PAGE.format(body="<script>load()</script> ") + "".join(f"<p>{p}</p>" for p in (H1, H2))
    empty = empty.replace("<div class='share'>", f"<div class='text'><p>{H1}</p><p>{H2}</p></div><div class='share'>")
    guessed = extract_page(empty, url)
    for css, said in (("#UCAP-CONTENT", "only empty elements"), ("div.TRS_Editor", "nothing")):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="monitor.extract"):
            page = extract_page(empty, url, content_css=css)
        assert page == guessed and H1 in page.text and H2 in page.text
        assert page.title == "关于加快培育氢能产业的实施意见" and page.published == "2024-05-20"
        assert [r.getMessage() for r in caplog.records] == [
            f"content_css {css!r} matched {said} on {url}; using automatic extraction"]


def test_source_language_wins_over_page_attribute() -> None:
    html = page_html("Title", "Guangdong publishes plans for future industries with targets.", lang="en")
    assert extract_page(html, language="de").language == "de"
    assert extract_page(html).language == "en"


def _cms_page(zoom: str, rest: str) -> str:
    headlines = "".join(f"<li><a href='/n/{n}.html'>今日热点新闻标题第{n}条，点击查看详情</a></li>"
                        for n in range(40))
    return (f"<html><head><title>行动方案</title></head><body><div class='wrap'><div id='zoom'>{zoom}</div>{rest}"
            f"<div class='hot'><h3>热点新闻</h3><ul>{headlines}</ul></div></div></body></html>")


NOTICE = ("<div class='notice'><p>本网站所载文章仅供参考，转载请注明出处。如有侵权请联系本站删除，"
          "本站保留最终解释权。</p></div>")


def test_cms_content_container_keeps_site_notices_out() -> None:
    html = _cms_page(f"<p>{P1}</p><p>{P2}</p>", NOTICE)
    page = extract_page(html, "http://127.0.0.1/post_1.html")
    assert P1 in page.text and P2 in page.text
    assert "本站保留最终解释权" not in page.text and "热点新闻" not in page.text
    assert "本站保留最终解释权" in extract_page(html, cms_containers=False).text  # the step is what decides


def test_tiny_cms_container_does_not_replace_the_article() -> None:
    article = "".join(f"<p>{p}</p>" for p in (P1, P2, P1.replace("2030", "2031"), P2.replace("2035", "2036")))
    page = extract_page(_cms_page("<p>图为签约现场。</p>", f"<div class='article'>{article}</div>"))
    assert P1 in page.text and P2 in page.text


_BODY = "<p>" + P1 + "</p><p>" + P2 + "</p>"
# Pages where each step of trafilatura's title and date reading decides: OpenGraph title (escaped twice),
# a canonical URL holding the date, JSON-LD headline and date, the <title> when there are several <h1>.
METADATA_PAGES = {
    "og-canonical": ('<html><head><meta property="og:title" content="Plan &amp;amp; Outline">'
                     '<meta name="date" content="2021-01-08">'
                     '<link rel="canonical" href="https://example.org/2023/05/17/plan.html"></head>'
                     f"<body><h1>Another heading</h1>{_BODY}</body></html>", ("Plan & Outline", "2023-05-17")),
    "json-ld": ('<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
                '"@type": "NewsArticle", "headline": "Headline from JSON-LD", "datePublished": "2022-02-03"}'
                f"</script></head><body><h1>One</h1><h1>Two</h1>{_BODY}</body></html>",
                ("Headline from JSON-LD", "2022-02-03")),
    "title-element": (f"<html><head><title>Zukunftsindustrien im Überblick</title></head><body><h1>A</h1><h1>B</h1>"
                      f"{_BODY}<p>Stand 4. März 2021</p></body></html>", ("Zukunftsindustrien im Überblick", None)),
}


def test_title_and_date_are_trafilaturas_own() -> None:
    """Our short replay of trafilatura's metadata pass must read what the full pass reads (title, date),
    on pages made to exercise each step and on every saved page of the tests."""
    from trafilatura.metadata import extract_metadata

    root = Path(__file__).parent
    pages = {path.relative_to(root).as_posix(): decode_html(path.read_bytes())[0] for path in saved_pages()}
    assert len(pages) > 100
    pages.update({name: html for name, (html, _) in METADATA_PAGES.items()})
    differing = []
    for name, html in pages.items():
        url = f"http://127.0.0.1/{name}"
        full = extract_metadata(parse_html(html), url)
        ours = title_and_date(parse_html(html), url)
        if ours != (full.title, full.date):
            differing.append((name, ours, (full.title, full.date)))
    assert not differing
    for name, (html, expected) in METADATA_PAGES.items():
        title, published = title_and_date(parse_html(html), f"http://127.0.0.1/{name}")
        assert (title, published if expected[1] else None) == expected, name


def test_without_date_the_title_is_the_same() -> None:
    html = page_html("广东省培育未来产业集群行动方案", P1, P2)
    assert title_and_date(parse_html(html), None, with_date=False) == (title_and_date(parse_html(html), None)[0], None)


def test_htmldate_runs_only_when_the_page_states_no_date() -> None:
    from monitor.detect import analyse_page
    from monitor.sources import Source

    source = Source(name="t", start_urls=["http://127.0.0.1/"], allow=["x"])
    guessed = page_html("广东省培育未来产业集群行动方案", P1, P2, extra='<p class="time">2023-06-01</p>')
    assert extract_page(guessed).published == "2023-06-01"
    assert extract_page(guessed, with_date=False).published is None
    assert analyse_page(guessed.encode(), "text/html", "http://127.0.0.1/a.html", source).published == "2023-06-01"
    stated = guessed.replace("<p class=\"time\">", "<p>发布日期：2024-03-05</p><p class=\"time\">")
    assert analyse_page(stated.encode(), "text/html", "http://127.0.0.1/a.html", source).published == "2024-03-05"


def test_visible_chars_of_counts_what_element_text_shows() -> None:
    from monitor.extract import _visible_chars, visible_chars_of

    tricky = ("<html><body><div>a b<script>var x = 1;</script>tail&nbsp;c<!-- note --> d"
              "<noscript><p>no<script>inner()</script>script</p></noscript>after"
              "<style>p{}</style><template><p>t</p></template>\u3000端<br>口</div></body></html>")
    pages = [tricky, *(decode_html(path.read_bytes())[0] for path in saved_pages())]
    assert len(pages) > 100
    for html in pages:
        body = parse_html(html).find("body")
        if body is not None:
            assert visible_chars_of(body) == _visible_chars(element_text(body)), html[:200]


def test_skipping_the_whole_page_reading_changes_no_extraction(monkeypatch: Any) -> None:
    """When the CMS container holds over half the body's text, the whole-page reading cannot win, so
    extraction skips it; with the shortcut switched off every saved page must read the same."""
    import monitor.extract as extract

    root = Path(__file__).parent
    pages = {path.relative_to(root).as_posix(): decode_html(path.read_bytes())[0] for path in saved_pages()}
    pages["cms"] = _cms_page("".join(f"<p>{p}</p>" for p in (P1, P2) * 6), NOTICE)
    pages["tiny-cms"] = _cms_page("<p>图为签约现场。</p>", f"<div class='article'><p>{P1}</p><p>{P2}</p></div>")
    decided: list[bool] = []
    check = extract._container_outweighs_page

    def recording(tree: Any, scoped: str) -> bool:
        decided.append(check(tree, scoped))
        return decided[-1]

    monkeypatch.setattr(extract, "_container_outweighs_page", recording)
    shortcut = {name: extract_page(html, f"http://127.0.0.1/{name}") for name, html in pages.items()}
    assert sum(decided) >= 2  # the shortcut was taken (the "cms" page and some saved pages)
    monkeypatch.setattr(extract, "_container_outweighs_page", lambda tree, scoped: False)
    for name, html in pages.items():
        assert extract_page(html, f"http://127.0.0.1/{name}") == shortcut[name], name


def test_cms_container_finder_selects_what_the_css_selector_selects() -> None:
    """The finder replaces the compiled ``CMS_CONTENT_CSS`` selector for speed; it must pick the same
    elements in the same order, including on the selector's edge cases."""
    from monitor.extract import CMS_CONTENT_CSS, _cms_containers, _ContainerFinder, _selector

    tricky = ("<html><body><div id='zoom' class='TRS_Editor'>both</div>"  # selected once, not twice
              "<div class='x\tTRS_Editor\nother'>tab and newline separate tokens</div>"
              "<div class='x\u3000TRS_Editor'>an ideographic space does not</div>"
              "<div class='TRS_Editor2'>not a token</div><p id='ZOOM'>ids compare exactly</p>"
              "<div class='pages_content'><div id='js_content'>nested</div></div>"
              "<div id=' zoom'>no trimming</div><div class=' endText  artibody '>class, not id</div></body></html>")
    pages = [tricky, *(decode_html(path.read_bytes())[0] for path in saved_pages())]
    selector = _selector(CMS_CONTENT_CSS)
    selected = 0
    for html in pages:
        tree = parse_html(html)
        expected = selector(tree)
        found = _cms_containers(tree)
        assert len(found) == len(expected) and all(a is b for a, b in zip(found, expected, strict=True)), html[:200]
        selected += len(found)
    assert [e.text for e in _cms_containers(parse_html(tricky))] == [
        "both", "tab and newline separate tokens", None, "nested"]
    assert selected > len(pages) // 4  # saved pages hold containers too
    with pytest.raises(ValueError, match="only #id and .class"):
        _ContainerFinder("div.article")


def test_a_plain_cms_container_reads_as_trafilatura_read_it(monkeypatch: Any, tmp_path: Path) -> None:
    """A container of plain paragraphs is taken as its text, without trafilatura; on every saved page and on
    pages of the generated benchmark site, trafilatura's reading of it (the shortcut switched off) is the same.
    """
    import monitor.extract as extract
    from bench.site_gen import generate_site

    root = Path(__file__).parent
    pages = {path.relative_to(root).as_posix(): decode_html(path.read_bytes())[0] for path in saved_pages()}
    site = generate_site(tmp_path / "site", pages=12, seed=3)
    pages.update({a.path: decode_html((site.root / a.path).read_bytes())[0] for a in site.articles})
    pages["cms"] = _cms_page("".join(f"<p>{p}</p>" for p in (P1, P2) * 6), NOTICE)
    pages["cms-formatted"] = _cms_page(f"<p><strong>一、总体要求</strong></p><p>{P1}<br>{P2}</p>"
                                       f"<div><span style='font-size:16px'>{P2}</span></div>", "")
    plain: list[bool] = []
    check = extract._plain_container

    def recording(region: Any) -> bool:
        plain.append(check(region))
        return plain[-1]

    monkeypatch.setattr(extract, "_plain_container", recording)
    shortcut = {name: extract_page(html, f"http://127.0.0.1/{name}") for name, html in pages.items()}
    assert sum(plain) >= len(site.articles) + 2  # taken on every generated page and the two made here
    monkeypatch.setattr(extract, "_plain_container", lambda region: False)
    for name, html in pages.items():
        assert extract_page(html, f"http://127.0.0.1/{name}") == shortcut[name], name


@pytest.mark.parametrize("inside", [
    "<table><tr><td>指标</td><td>2030年目标</td></tr><tr><td>产业园</td><td>5个</td></tr></table>",
    "<ul>" + "".join(f"<li><a href='/r/{n}.html'>相关阅读：第{n}篇报道</a></li>" for n in range(6)) + "</ul>",
])
def test_a_container_with_a_table_or_a_link_list_is_read_by_trafilatura(inside: str) -> None:
    from monitor.extract import _cms_containers, regions_text, trafilatura_region_text

    html = _cms_page(f"<p>{P1}</p>{inside}<p>{P2}</p>" * 3, "")
    tree = parse_html(html)
    expected = trafilatura_region_text(_cms_containers(tree), "http://127.0.0.1/post_1.html")
    # (here trafilatura's reading differs from the container's text: it lays out the table, drops the list)
    assert expected != regions_text(_cms_containers(tree))
    assert extract_page(html, "http://127.0.0.1/post_1.html").text == expected


def test_text_after_a_plain_container_leaves_the_reading_to_trafilatura() -> None:
    from monitor.extract import _cms_containers, _plain_container

    tree = parse_html(_cms_page(f"<p>{P1}</p>", ""))
    assert _plain_container(_cms_containers(tree)[0])
    tree = parse_html(_cms_page(f"<p>{P1}</p>", "").replace("</div><div class='hot'>", "</div>尾注<div class='hot'>"))
    assert not _plain_container(_cms_containers(tree)[0])


@pytest.mark.parametrize("inner", [
    f"<p>{P1}</p><p>{P2}</p>" * 4,  # plain: read as its text
    f"<p>{P1}</p><table><tr><td>指标</td><td>2030年目标</td></tr></table><p>{P2}</p>" * 4,  # read by trafilatura
])
def test_nested_cms_containers_give_the_article_once(inner: str) -> None:
    """``#zoom`` around ``.TRS_Editor`` (as TRS-built sites nest them): both are containers, the text is read once."""
    nested = _cms_page(f"<div class='TRS_Editor'>{inner}</div>", NOTICE)
    single = _cms_page(inner, NOTICE)
    text = extract_page(nested, "http://127.0.0.1/post_1.html").text
    assert text == extract_page(single, "http://127.0.0.1/post_1.html").text
    assert text.count(P1) == 4 and P2 in text


def test_nested_content_css_regions_give_the_text_once() -> None:
    html = _cms_page(f"<div class='body'><p>{P1}</p></div><div class='body'><p>{P2}</p></div>", NOTICE)
    page = extract_page(html, "http://127.0.0.1/post_1.html", content_css="#zoom, .body")
    assert page.text == f"{P1}\n{P2}"
    # regions side by side are all read, in page order
    page = extract_page(html, "http://127.0.0.1/post_1.html", content_css=".body")
    assert page.text == f"{P1}\n{P2}"
