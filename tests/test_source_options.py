"""Kind names, per-kind ``options:`` and discovery URLs are validated when sources.yaml loads."""
from __future__ import annotations

import pytest

from monitor.sources import ConfigError, parse_sources
from tests.conftest import config_error

GKMLPT = """\
sources:
  - name: gd-gkmlpt
    kind: gkmlpt
    start_urls: [https://www.gd.gov.cn/gkmlpt/index]
    allow: ['/gkmlpt/content/']
    sitemap_urls: [https://www.gd.gov.cn/sitemap.xml]
    options:
      categories: [5]
      max_list_pages: 2
"""


def test_kind_options_and_discovery_urls_load() -> None:
    (source,) = parse_sources(GKMLPT)
    assert source.kind == "gkmlpt" and source.options == {"categories": [5], "max_list_pages": 2}
    assert source.sitemap_urls == ["https://www.gd.gov.cn/sitemap.xml"] and source.feed_urls == []


@pytest.mark.parametrize(("edit", "expected"), [
    (("kind: gkmlpt", "kind: json-list"), "s.yaml:3: source 'gd-gkmlpt': key 'kind': unknown kind 'json-list' "
                                          "(known: html, trs, govcn-json, miit-buildstatic, gkmlpt, hanweb)"),
    (("      max_list_pages: 2", "      max_pages: 2"),
     "s.yaml:9: source 'gd-gkmlpt': key 'options.max_pages': option 'max_pages' is not known to kind 'gkmlpt' "
     "(known: categories, max_list_pages, sid)"),
    (("max_list_pages: 2", "max_list_pages: two"),
     "s.yaml:9: source 'gd-gkmlpt': key 'options.max_list_pages': option 'max_list_pages' must be int, not str"),
    (("max_list_pages: 2", "max_list_pages: 0"),
     "key 'options.max_list_pages': option 'max_list_pages' must be at least 1"),
    (("      categories: [5]\n", ""),
     "s.yaml:8: source 'gd-gkmlpt': key 'options': kind 'gkmlpt' needs option 'categories'"),
    (("sitemap_urls: [https://www.gd.gov.cn/sitemap.xml]", "sitemap_urls: [/sitemap.xml]"),
     "s.yaml:6: source 'gd-gkmlpt': key 'sitemap_urls': not an absolute http(s) URL: '/sitemap.xml'"),
])
def test_option_errors_name_file_line_source_and_key(edit: tuple[str, str], expected: str) -> None:
    assert expected in config_error(GKMLPT, edit)


def test_html_kind_takes_no_options() -> None:
    text = GKMLPT.replace("kind: gkmlpt", "kind: html")
    with pytest.raises(ConfigError, match="option 'categories' is not known to kind 'html' \\(known: none\\)"):
        parse_sources(text, "s.yaml")


TRS = """\
sources:
  - name: ndrc
    kind: trs
    start_urls: [https://www.ndrc.gov.cn/xxgk/zcfb/tz/]
    allow: ['/t\\d+_\\d+\\.html$']
    content_css: div.TRS_Editor
    ignore_css: [.share]
    options:
      list_css: ul.u-list li a
"""


@pytest.mark.parametrize(("edit", "expected"), [
    (("content_css: div.TRS_Editor", "content_css: 'div..TRS_Editor['"),
     "s.yaml:6: source 'ndrc': key 'content_css': invalid CSS selector 'div..TRS_Editor['"),
    (("ignore_css: [.share]", "ignore_css: [.share, 'p::text']"),
     "s.yaml:7: source 'ndrc': key 'ignore_css': invalid CSS selector 'p::text': Pseudo-elements are not supported"),
    (("list_css: ul.u-list li a", "list_css: 'ul.u-list li a['"),
     "s.yaml:9: source 'ndrc': key 'options.list_css': option 'list_css': invalid CSS selector 'ul.u-list li a['"),
    (("    kind: trs\n", "    kind: trs\n    kind: html\n"),
     "s.yaml:4: not valid YAML: key 'kind' is given twice in this mapping"),
])
def test_selectors_and_repeated_keys_are_refused_when_the_file_is_read(edit: tuple[str, str], expected: str) -> None:
    (source,) = parse_sources(TRS)
    assert source.content_css == "div.TRS_Editor" and source.options == {"list_css": "ul.u-list li a"}
    assert expected in config_error(TRS, edit)


def test_a_source_may_start_from_feeds_or_sitemaps_alone() -> None:
    text = """\
sources:
  - name: news
    feed_urls: [https://english.news.example.cn/rss/tech.xml]
    sitemap_urls: [https://www.news.example.cn/sitemap.xml]
    allow: ['/a/\\d+\\.html$']
"""
    (source,) = parse_sources(text)
    assert source.start_urls == [] and source.domains == ["english.news.example.cn", "www.news.example.cn"]
    bare = "\n".join(line for line in text.splitlines() if "_urls" not in line) + "\n"
    with pytest.raises(ConfigError, match="s.yaml:2: source 'news': give at least one of start_urls, sitemap_urls, "
                                          "feed_urls"):
        parse_sources(bare, "s.yaml")
