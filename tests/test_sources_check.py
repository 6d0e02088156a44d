"""``policywatch sources check`` and ``sources list`` against fixture sites on 127.0.0.1."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from monitor.cli import cli
from tests.kindsite import FixtureSite, materialise

pytestmark = pytest.mark.slow
LOCAL = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    work = tmp_path_factory.mktemp("check")
    servers = {kind: FixtureSite(work / kind).start() for kind in ("trs", "gkmlpt", "discovery")}
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
    ]
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


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
    assert not any(line.startswith("warning") for line in lines)


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
    assert [line.split()[:2] for line in result.output.splitlines() if not line.startswith(" ")] == [
        ["ndrc-local", "trs"], ["ndrc-wrong-css", "trs"], ["ndrc-empty-css", "trs"], ["ndrc-wrong-allow", "trs"],
        ["news-local", "html"],
        ["gd-local", "gkmlpt"]]
    assert "  + 1 sitemap(s)" in result.output
    as_json = CliRunner().invoke(cli, ["sources", "list", "--sources", str(sources), "--json"])
    assert json.loads(as_json.output.splitlines()[5])["options"] == {"categories": [5]}
