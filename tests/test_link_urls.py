"""``link_urls`` extracts what Scrapy's LinkExtractor(deny=…, unique=True) extracts, only faster."""
from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawlers.kinds import link_urls

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([*(ROOT / "tests" / "fixtures").rglob("*.html"), *(ROOT / "monitor" / "demo_site").rglob("*.html")])

TRICKY = """<html><head><base href="http://example.org/base/"></head><body>
<a href=" rel/one.html ">one</a> <a href="/abs">abs</a> <a href="rel/one.html">again</a>
<a href="javascript:void(0)">js</a> <a href="mailto:a@b.c">mail</a> <a href="file.PDF">pdf</a>
<a href="/docs/a.docx?x=1">docx</a> <a href="http://[bad">bad</a> <a href="/政策/解读.html">zh</a>
<a href="/skip/this">denied</a> <map><area href="/area-link"></map> <a>no href</a> <a href="">empty</a>
<a href="#frag">frag</a> <a href="//other.example.com/x">proto-relative</a></body></html>"""


def extractor_urls(response: HtmlResponse, deny: tuple[str, ...]) -> list[str]:
    return [link.url for link in LinkExtractor(deny=deny, unique=True).extract_links(response)]


@pytest.mark.parametrize("deny", [(), (r"/skip/", r"index_\d+")])
def test_same_links_as_the_link_extractor_on_every_fixture_page(deny: tuple[str, ...]) -> None:
    assert len(PAGES) >= 20
    compared = 0
    for path in PAGES:
        response = HtmlResponse(url=f"http://127.0.0.1:8000/{path.name}", body=path.read_bytes())
        expected = extractor_urls(response, deny)
        assert link_urls(response, deny) == expected, path
        compared += len(expected)
    assert compared > 100


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_same_links_on_tricky_markup(encoding: str) -> None:
    response = HtmlResponse(url="http://example.org/list/index.html", body=TRICKY.encode(encoding),
                            encoding=encoding)
    urls = link_urls(response, (r"/skip/",))
    assert urls == extractor_urls(response, (r"/skip/",))
    assert "http://example.org/base/rel/one.html" in urls and "http://example.org/area-link" in urls
    assert not any(u.lower().endswith((".pdf", ".docx?x=1")) or u.startswith(("javascript", "mailto")) for u in urls)
