"""``policywatch sources check`` and ``sources list`` against fixture sites on 127.0.0.1."""
from __future__ import annotations

import json
import logging
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from crawlers.check import MAX_LOG_CHARS, log_line
from monitor.cli import cli
from tests.crawl_faults import fault_settings
from tests.kindsite import FixtureSite, materialise

pytestmark = pytest.mark.slow
LOCAL = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    work = tmp_path_factory.mktemp("check")
    kinds = ("trs", "gkmlpt", "discovery", "govcn-json", "miit-buildstatic", "hanweb")
    servers = {kind: FixtureSite(work / kind).start() for kind in kinds}
    for kind, server in servers.items():
        materialise(kind, server.root, server.base_url)
    yield {kind: server.base_url for kind, server in servers.items()}
    for server in servers.values():
        server.stop()


def write_sources(path: Path, sites: dict[str, str]) -> Path:
    trs = {"kind": "trs", "start_urls": [sites["trs"] + "/xxgk/zcfb/tz/"],
           "allow": [r"/xxgk/zcfb/tz/\d{6}/t\d{8}_\d+\.html$"], "follow": [r"/xxgk/zcfb/tz/(index(_\d+)?\.html)?$"]}
    sources = [
        {"name": "ndrc-local", **trs, "content_css": "div.TRS_Editor"},
        {"name": "ndrc-wrong-css", **trs, "content_css": "div.article-body"},
        {"name": "ndrc-empty-css", **trs, "content_css": "meta"},
        {"name": "ndrc-wrong-allow", **trs, "allow": [r"/content/post_\d+\.html$"]},
        {"name": "news-local", "kind": "html", "start_urls": [sites["discovery"] + "/"],
         "allow": [r"/a/\d{6}/\d{2}/WS\w+\.html$"], "sitemap_urls": [sites["discovery"] + "/sitemap_index.xml"]},
        {"name": "gd-local", "kind": "gkmlpt", "start_urls": [sites["gkmlpt"] + "/gkmlpt/index"],
         "allow": [r"/gkmlpt/content/\d+/\d+/post_\d+\.html$"], "options": {"categories": [5]}},
        *more_sources(sites, trs),
    ]
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


def more_sources(sites: dict[str, str], trs: dict[str, Any]) -> list[dict[str, Any]]:
    """The other kinds, and sources broken the ways a check must explain (kept out of ``sources list``'s test)."""
    govcn = {"kind": "govcn-json", "start_urls": [sites["govcn-json"] + "/zhengce/zuixin/ZUIXINZHENGCE.json"],
             "allow": [r"/zhengce/.*content_\d+\.htm$"]}
    miit = {"kind": "miit-buildstatic", "start_urls": [sites["miit-buildstatic"] + "/zwgk/zcwj/wjfb/index.html"],
            "allow": [r"/art/\d{4}/art_[0-9a-f]{32}\.html?$"]}
    gkmlpt = {"kind": "gkmlpt", "allow": [r"/gkmlpt/content/\d+/\d+/post_\d+\.html$"], "options": {"categories": [5]}}
    return [
        {"name": "govcn-local", **govcn},
        {"name": "govcn-wrong-path", **govcn, "options": {"items_path": "data.list"}},
        {"name": "miit-local", **miit},
        {"name": "miit-wrong-script", **miit, "options": {"script_css": "script[parseType=nothing]"}},
        {"name": "hanweb-local", "kind": "hanweb", "start_urls": [sites["hanweb"] + "/col/col1229019364/index.html"],
         "allow": [r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"]},
        {"name": "ndrc-wrong-list", **trs, "options": {"list_css": "ul.nolist li a"}},
        {"name": "ndrc-two-starts", **trs,
         "start_urls": [*trs["start_urls"], sites["trs"] + "/xxgk/zcfb/tz/index_1.html"]},
        {"name": "ndrc-gone", **trs, "start_urls": [sites["trs"] + "/xxgk/zcfb/nothere/"]},
        {"name": "ndrc-down", **trs, "start_urls": [f"http://127.0.0.1:{closed_port()}/xxgk/zcfb/tz/"]},
        {"name": "trs-without-list-block", "kind": "trs", "start_urls": [sites["discovery"] + "/"],
         "allow": [r"/a/\d{6}/\d{2}/WS\w+\.html$"], "sitemap_urls": [sites["discovery"] + "/sitemap_index.xml"]},
        {"name": "gd-no-sid", **gkmlpt, "start_urls": [sites["trs"] + "/xxgk/zcfb/tz/"]},
    ]


def closed_port() -> int:
    """A port nothing listens on (bound, then closed: the connection is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check(tmp_path: Path, sites: dict[str, str], name: str, *extra: str) -> Result:
    sources = write_sources(tmp_path / "sources.yaml", sites)
    return CliRunner().invoke(cli, ["sources", "check", name, "--sources", str(sources), *LOCAL, *extra])


def test_check_reports_list_matches_and_the_first_article(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "ndrc-local")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "source ndrc-local (kind trs)"
    assert lines[1] == (f"list     {sites['trs']}/xxgk/zcfb/tz/  HTTP 200  anchors 4  links 2  matched allow 2  "
                        "list pages 2")
    assert f"article  {sites['trs']}/xxgk/zcfb/tz/202605/t20260520_1400001.html  HTTP 200" in lines
    assert any(line.startswith("  title:   关于推动人形机器人产业高质量发展的通知") for line in lines)
    assert any(line.startswith("  opening: 发改办高技〔2026〕301号 各省、自治区、直辖市发展改革委") for line in lines)
    # What the page says about itself, and the <meta> tags the kind keeps with the version.
    assert {"  date:    2026-05-20", "  fact:    document_number: 发改办高技〔2026〕301号",
            "  meta:    PubDate: 2026-05-20 10:30", "  meta:    ContentSource: 国家发展改革委"} <= set(lines)
    assert not any(line.startswith(("warning", "note", "error")) for line in lines)


def test_check_warns_when_content_css_matches_nothing(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "ndrc-wrong-css", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    (warning,) = report["article"]["warnings"]
    assert warning.startswith("content_css 'div.article-body' matched nothing on the page")
    assert report["article"]["text_length"] > 100  # extraction fell back to its automatic guess


def test_check_warns_when_content_css_matches_only_empty_elements(tmp_path: Path, sites: dict[str, str]) -> None:
    report = json.loads(check(tmp_path, sites, "ndrc-empty-css", "--json").output)
    (warning,) = report["article"]["warnings"]
    assert warning.startswith("content_css 'meta' matched only elements without text")
    assert report["article"]["text_length"] > 100


def test_check_says_when_no_link_matches_allow(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "ndrc-wrong-allow")
    assert result.exit_code == 1
    assert "matched allow 0" in result.output and "article  none found" in result.output


def test_check_of_an_api_kind_shows_each_list_call(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "gd-local", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    index, api = report["listings"]
    assert index["role"] == "gkmlpt-index" and index["list_pages"] == 1 and index["allow"] == 0
    assert api["url"] == f"{sites['gkmlpt']}/gkmlpt/api/all/5?page=1&sid=2"
    assert api["links"] == 2 and api["allow"] == 2 and api["list_pages"] == 1  # page 2 counted, not fetched
    assert report["article"]["title"] == "广东省培育未来产业集群行动计划" and report["article"]["text_length"] > 40


def test_check_follows_a_sitemap_index_to_its_first_child(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "news-local", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    # The home page and the sitemap index are fetched concurrently: compare without their order.
    assert sorted((listing["role"], listing["allow"]) for listing in report["listings"]) == [
        ("list", 0), ("sitemap", 0), ("sitemap", 2)]
    assert report["article"]["title"] == "Shenzhen opens a humanoid robot training ground"


def test_check_of_an_unknown_source_is_a_clear_error(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "nope")
    assert result.exit_code == 1 and "no source named 'nope'" in result.output


def test_sources_list(tmp_path: Path, sites: dict[str, str]) -> None:
    sources = write_sources(tmp_path / "sources.yaml", sites)
    result = CliRunner().invoke(cli, ["sources", "list", "--sources", str(sources)], catch_exceptions=False)
    assert result.exit_code == 0
    assert [line.split()[:2] for line in result.output.splitlines() if not line.startswith(" ")][:6] == [
        ["ndrc-local", "trs"], ["ndrc-wrong-css", "trs"], ["ndrc-empty-css", "trs"], ["ndrc-wrong-allow", "trs"],
        ["news-local", "html"],
        ["gd-local", "gkmlpt"]]
    assert "  + 1 sitemap(s)" in result.output
    as_json = CliRunner().invoke(cli, ["sources", "list", "--sources", str(sources), "--json"])
    assert json.loads(as_json.output.splitlines()[5])["options"] == {"categories": [5]}


def test_check_of_govcn_json_shows_the_list_facts_and_page_meta(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "govcn-local")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith(f"list     {sites['govcn-json']}/zhengce/zuixin/ZUIXINZHENGCE.json  HTTP 200  links 3  "
                               "matched allow 2")
    assert f"article  {sites['govcn-json']}/zhengce/content/202605/content_7010001.htm  HTTP 200" in lines
    assert {"  meta:    title: 国务院办公厅关于加快培育未来产业的指导意见", "  meta:    published: 2026-05-21",
            "  meta:    manuscriptId: 7010001"} <= set(lines)


def test_check_of_govcn_json_names_a_wrong_items_path(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "govcn-wrong-path")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"warning: {sites['govcn-json']}/zhengce/zuixin/ZUIXINZHENGCE.json: no item list at 'data.list'" in lines
    assert lines[-1] == "article  none found: the list pages gave no links (see the warnings above)"
    assert "allow" not in lines[-1]


def test_check_of_miit_buildstatic_fetches_the_api_call(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "miit-local", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    page, api = report["listings"]
    assert (page["role"], page["list_pages"], page["allow"]) == ("list", 1, 0)
    assert api["role"] == "buildstatic-api" and api["url"].startswith(f"{sites['miit-buildstatic']}/api-gateway/")
    assert api["allow"] == 2 and report["log"] == []
    article = report["article"]
    assert "/art/2026/art_" in article["url"] and article["text_length"] > 40 and not article["warnings"]
    assert article["meta"]["published"] == article["meta"]["PubDate"] == article["published"]


def test_check_of_miit_buildstatic_names_a_script_css_matching_nothing(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "miit-wrong-script")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (f"warning: {sites['miit-buildstatic']}/zwgk/zcwj/wjfb/index.html: script_css 'script[parseType=nothing]' "
            "matched no script with a url; only the page's own links were read") in lines
    assert lines[-1] == ("article  none found: no link matched `allow`; "
                         "the warnings above say what the kind could not read")


def test_check_of_hanweb_reads_the_datastore(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "hanweb-local", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    (column,) = report["listings"]  # the dataproxy page is counted, not fetched
    assert (column["links"], column["allow"], column["list_pages"]) == (2, 2, 1)
    assert column["list_page_urls"][0].startswith(f"{sites['hanweb']}/module/web/jpage/dataproxy.jsp?page=2&")
    article = report["article"]
    assert article["title"] == "浙江省人民政府关于加快建设未来产业先导区的实施意见" and article["text_length"] > 40
    assert article["meta"]["ContentSource"] == "浙江省人民政府办公厅" and article["meta"]["published"] == "2026-05-18"


def test_a_configured_list_css_matching_nothing_is_a_warning(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "ndrc-wrong-list")
    assert result.exit_code == 1  # an article was found, but from every link of the page
    assert (f"warning: {sites['trs']}/xxgk/zcfb/tz/: list_css 'ul.nolist li a' matched no link, reading all links "
            "of the page") in result.output.splitlines()


def test_the_default_list_css_matching_nothing_is_a_note(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "trs-without-list-block")
    assert result.exit_code == 0, result.output
    assert (f"note: {sites['discovery']}/: list_css 'ul.u-list li a' matched no link, reading all links of the page"
            in result.output.splitlines())


@pytest.mark.parametrize(("name", "reason"), [
    ("ndrc-gone", "answered HTTP 404"),
    ("ndrc-down", "did not answer: DownloadConnectionRefusedError: "),
])
def test_check_says_when_the_list_page_failed(tmp_path: Path, sites: dict[str, str], name: str, reason: str) -> None:
    result = check(tmp_path, sites, name, "--set", "RETRY_ENABLED=False")
    assert result.exit_code == 1
    last = result.output.splitlines()[-1]
    assert last.startswith("article  none found: the list page http://127.0.0.1:") and reason in last
    assert not any(line.startswith(("warning", "error")) for line in result.output.splitlines())  # said once


def test_check_of_a_gkmlpt_index_without_sid(tmp_path: Path, sites: dict[str, str]) -> None:
    result = check(tmp_path, sites, "gd-no-sid")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"warning: {sites['trs']}/xxgk/zcfb/tz/: no SID in window._CONFIG; set options.sid" in lines
    assert lines[-1] == "article  none found: the list pages gave no links (see the warnings above)"


def test_check_of_another_start_url(tmp_path: Path, sites: dict[str, str]) -> None:
    second = f"{sites['trs']}/xxgk/zcfb/tz/index_1.html"
    for wanted in ("2", second):
        report = json.loads(check(tmp_path, sites, "ndrc-two-starts", "--start-url", wanted, "--json").output)
        assert report["start_url"] == second and [entry["url"] for entry in report["listings"]] == [second]
        assert report["article"]["url"] == f"{sites['trs']}/xxgk/zcfb/tz/202604/t20260428_1399512.html"
    result = check(tmp_path, sites, "ndrc-two-starts", "--start-url", "3")
    assert result.exit_code == 1 and "'3' is not a start URL of source 'ndrc-two-starts'" in result.output
    assert f"2: {second}" in result.output


def test_check_reports_callback_and_pipeline_exceptions_in_one_line_each(tmp_path: Path,
                                                                        sites: dict[str, str]) -> None:
    faults = [arg for key, value in fault_settings(callbacks="/xxgk/zcfb/tz/$", items="/202605/").items()
              for arg in ("--set", f"{key}={value}")]
    result = check(tmp_path, sites, "ndrc-local", "--json", *faults)
    assert result.exit_code == 1
    report = json.loads(result.output)
    (callback,) = report["log"]
    assert callback == {"level": "ERROR", "logger": "scrapy.core.scraper", "message": (
        f"Spider error processing <GET {sites['trs']}/xxgk/zcfb/tz/> (referer: None): "
        f"RuntimeError: callback bug on {sites['trs']}/xxgk/zcfb/tz/")}
    assert report["reason"] == "no list page was read (see the warnings above)"
    # The article page fails in the pipeline: its item is named by its URL, never printed with its body.
    report = json.loads(check(tmp_path, sites, "ndrc-local", "--json",
                              *[a.replace("/xxgk/zcfb/tz/$", "$^") for a in faults]).output)
    article = f"{sites['trs']}/xxgk/zcfb/tz/202605/t20260520_1400001.html"
    assert report["log"] == [{"level": "ERROR", "logger": "scrapy.core.scraper", "message": (
        f"Error processing <PageItem {article}>: ValueError: pipeline bug on {article}")}]
    assert report["article"]["url"] == article


def test_a_log_line_is_one_bounded_line_that_keeps_its_exception() -> None:
    try:
        raise ValueError("the answer was not JSON\n" + "x" * 5000)
    except ValueError:
        record = logging.LogRecord("spider", logging.ERROR, __file__, 1, "parse failed on %s\nsecond line",
                                   ("y" * 1000,), sys.exc_info())
    line = log_line(record)
    assert len(line) == MAX_LOG_CHARS and "\n" not in line
    assert line.startswith("parse failed on yyy") and line.endswith("…: ValueError: the answer was not JSON")


def test_check_counts_only_further_list_pages_and_samples_articles_as_archived(tmp_path: Path) -> None:
    from crawlers.check import run_check
    from tests.scripted_site import Answer, ScriptedSite

    with ScriptedSite() as site:
        links = ('<a href="/list/index.html">首页</a> <a href="/list/index_1.html">2</a> '
                 '<a href="/content/a.html?utm_source=wechat#top">a</a>')
        site.answers["/list/index.html"] = Answer(f"<html><body>{links}</body></html>".encode())
        site.answers["/content/a.html"] = Answer("<html><body><p>人形机器人行动方案。</p></body></html>".encode())
        sources = tmp_path / "sources.yaml"
        sources.write_text(yaml.safe_dump({"sources": [{
            "name": "self-link", "start_urls": [site.url("/list/index.html")], "allow": ["/content/"],
            "follow": [r"/list/index(_\d+)?\.html$"]}]}), encoding="utf-8")
        report = run_check(sources, "self-link", settings={"DOWNLOAD_DELAY": "0"})
    [listing] = report["listings"]
    assert listing["list_pages"] == 1 and listing["list_page_urls"] == [site.url("/list/index_1.html")]
    assert listing["article_urls"] == [site.url("/content/a.html")]
