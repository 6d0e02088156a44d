"""Every source kind end to end: a real crawl (child process) of saved fixture sites on 127.0.0.1 into a tmp archive."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawlers.runner import run_crawl
from monitor.demo import DEMO_CRAWL_SETTINGS
from storage import Archive
from tests.kindsite import FixtureSite, crawl_once, materialise

pytestmark = pytest.mark.slow

SOURCES: dict[str, dict[str, Any]] = {
    "trs": {"kind": "trs", "start": "/xxgk/zcfb/tz/", "allow": [r"/xxgk/zcfb/tz/\d{6}/t\d{8}_\d+\.html$"],
            "follow": [r"/xxgk/zcfb/tz/(index(_\d+)?\.html)?$"]},
    "govcn-json": {"kind": "govcn-json", "start": "/zhengce/zuixin/ZUIXINZHENGCE.json",
                   "allow": [r"/zhengce/.*content_\d+\.htm$"]},
    "miit-buildstatic": {"kind": "miit-buildstatic", "start": "/zwgk/zcwj/wjfb/index.html",
                         "allow": [r"/art/\d{4}/art_[0-9a-f]{32}\.html?$"]},
    "gkmlpt": {"kind": "gkmlpt", "start": "/gkmlpt/index", "allow": [r"/gkmlpt/content/\d+/\d+/m*post_\d+\.html$"],
               "options": {"categories": [5]}},
    "hanweb": {"kind": "hanweb", "start": "/col/col1229019364/index.html",
               "allow": [r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"]},
    "discovery": {"kind": "html", "start": "/", "allow": [r"/a/\d{6}/\d{2}/WS\w+\.html$"],
                  "sitemap_urls": ["/sitemap_index.xml"], "feed_urls": ["/feed.xml"]},
}


def write_sources(path: Path, bases: dict[str, str]) -> Path:
    entries = []
    for fixture, spec in SOURCES.items():
        base = bases[fixture]
        entry = {"name": f"{fixture}-e2e".replace("_", "-"), "kind": spec["kind"], "start_urls": [base + spec["start"]],
                 "allow": spec["allow"], "follow": spec.get("follow", []), "language": "zh"}
        for key in ("sitemap_urls", "feed_urls"):
            if key in spec:
                entry[key] = [base + u for u in spec[key]]
        if "options" in spec:
            entry["options"] = spec["options"]
        entries.append(entry)
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


def archived(db: Path) -> dict[str, dict[str, Any]]:
    """Latest version of every archived page: path → meta."""
    with Archive(db, readonly=True) as archive:
        rows = archive.db.execute(
            "select pages.url, versions.meta_json from versions join pages on pages.id = versions.page_id "
            "order by versions.number").fetchall()
    return {url.split("/", 3)[3].join(["/", ""]): json.loads(meta or "{}") for url, meta in rows}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("kinds-e2e")
    sites = {name: FixtureSite(work / name) for name in SOURCES}
    for site in sites.values():
        site.start()
    try:
        bases = {name: site.base_url for name, site in sites.items()}
        for name, site in sites.items():
            materialise(name, site.root, site.base_url)
        sources = write_sources(work / "sources.yaml", bases)
        db = work / "archive.db"
        summaries = run_crawl(sources, db, settings=DEMO_CRAWL_SETTINGS, timeout=120)
        yield {"db": db, "sources": sources, "sites": sites, "bases": bases, "summaries": summaries,
               "pages": archived(db)}
    finally:
        for site in sites.values():
            site.stop()


def by_prefix(pages: dict[str, dict[str, Any]], *prefixes: str) -> dict[str, dict[str, Any]]:
    return {p: m for p, m in pages.items() if p.startswith(prefixes)}


def test_every_source_ran_without_errors(crawled: dict[str, Any]) -> None:
    summaries = {s["source"]: s for s in crawled["summaries"]}
    assert set(summaries) == {f"{name}-e2e" for name in SOURCES}
    assert all(s["errors"] == 0 and s["status"] == "ok" for s in summaries.values()), summaries


def test_trs_follows_the_script_pager_and_keeps_page_meta(crawled: dict[str, Any]) -> None:
    pages = by_prefix(crawled["pages"], "/xxgk/")
    assert sorted(pages) == ["/xxgk/zcfb/tz/202604/t20260415_1399208.html",
                             "/xxgk/zcfb/tz/202604/t20260428_1399512.html",
                             "/xxgk/zcfb/tz/202605/t20260512_1399870.html",
                             "/xxgk/zcfb/tz/202605/t20260520_1400001.html"]
    assert pages["/xxgk/zcfb/tz/202605/t20260520_1400001.html"]["PubDate"] == "2026-05-20 10:30"
    assert {"/xxgk/zcfb/tz/index_1.html", "/xxgk/zcfb/tz/index_2.html"} <= set(crawled["sites"]["trs"].requests)


def test_govcn_json_list_and_article_meta(crawled: dict[str, Any]) -> None:
    pages = by_prefix(crawled["pages"], "/zhengce/")
    assert sorted(pages) == ["/zhengce/content/202605/content_7010001.htm",
                             "/zhengce/zhengceku/202605/content_7009876.htm"]
    meta = pages["/zhengce/content/202605/content_7010001.htm"]
    assert meta["title"] == "国务院办公厅关于加快培育未来产业的指导意见" and meta["published"] == "2026-05-21"
    assert meta["manuscriptId"] == "7010001" and meta["firstpublishedtime"] == "2026-05-21-17:05:12"


def test_miit_buildstatic_api_gives_the_articles(crawled: dict[str, Any]) -> None:
    pages = by_prefix(crawled["pages"], "/zwgk/")
    assert len(pages) == 2 and all("/art/2026/art_" in p for p in pages)
    assert {m["published"] for m in pages.values()} == {"2026-05-19", "2026-05-08"}
    api_calls = [r for r in crawled["sites"]["miit-buildstatic"].requests if r.startswith("/api-gateway/")]
    assert len(api_calls) == 1 and "webId=a1b2c3d4e5f6" in api_calls[0]


def test_gkmlpt_api_pages_and_document_facts(crawled: dict[str, Any]) -> None:
    pages = by_prefix(crawled["pages"], "/gkmlpt/")
    assert sorted(pages) == ["/gkmlpt/content/0/955/post_955412.html", "/gkmlpt/content/0/962/post_962880.html",
                             "/gkmlpt/content/0/963/post_963149.html"]
    meta = pages["/gkmlpt/content/0/963/post_963149.html"]
    assert meta["document_number"] == "粤府〔2026〕21号" and meta["publisher"] == "广东省人民政府"
    assert meta["is_abolished"] == 0 and meta["is_expired"] == 0


def test_hanweb_datastore_and_dataproxy_pages(crawled: dict[str, Any]) -> None:
    pages = by_prefix(crawled["pages"], "/art/")
    assert sorted(pages) == ["/art/2026/4/20/art_1229019365_2599321.html",
                             "/art/2026/5/18/art_1229019365_2600101.html",
                             "/art/2026/5/6/art_1229019365_2599870.html"]
    assert pages["/art/2026/4/20/art_1229019365_2599321.html"]["published"] == "2026-04-20"
    assert any(r.startswith("/module/web/jpage/dataproxy.jsp?page=2&") for r in crawled["sites"]["hanweb"].requests)


def test_sitemap_and_feed_discovery_find_articles_the_home_page_does_not_link(crawled: dict[str, Any]) -> None:
    pages = by_prefix(crawled["pages"], "/a/")
    assert sorted(pages) == ["/a/202605/15/WS0003.html", "/a/202605/18/WS0002.html", "/a/202605/20/WS0001.html"]
    assert pages["/a/202605/20/WS0001.html"]["lastmod"] == "2026-05-20T08:00:00+08:00"
    assert pages["/a/202605/15/WS0003.html"]["title"] == "Hydrogen truck corridor links three cities"
    assert "/about/contact.html" not in crawled["sites"]["discovery"].requests


def test_gkmlpt_plan_becoming_abolished_is_a_changed_event(crawled: dict[str, Any]) -> None:
    api = crawled["sites"]["gkmlpt"].root / "gkmlpt/api/all/5@page=1.json"
    data = json.loads(api.read_text(encoding="utf-8"))
    data["articles"][0]["is_abolished"] = 1
    api.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (summary,) = run_crawl(crawled["sources"], crawled["db"], ["gkmlpt-e2e"], settings=DEMO_CRAWL_SETTINGS, timeout=120)
    assert summary["changed"] == 1 and summary["errors"] == 0, summary
    with Archive(crawled["db"], readonly=True) as archive:
        (event,) = [e for e in archive.events(relevant_only=False, source="gkmlpt-e2e") if e.kind == "changed"]
    assert event.url.endswith("/post_963149.html") and "[status] abolished" in (event.diff_html or "")


def test_a_source_with_only_a_feed_and_a_sitemap_needs_no_start_url(tmp_path: Path) -> None:
    site = FixtureSite(tmp_path / "site")
    site.start()
    try:
        materialise("discovery", site.root, site.base_url)
        source = {"name": "feed-only", "allow": SOURCES["discovery"]["allow"], "language": "en",
                  "feed_urls": [site.base_url + "/feed.xml"], "sitemap_urls": [site.base_url + "/sitemap_index.xml"]}
        summary = crawl_once(source, tmp_path)
    finally:
        site.stop()
    assert summary["status"] == "ok" and summary["errors"] == 0 and summary["new"] == 3, summary
    assert "/" not in site.requests and "/index.html" not in site.requests  # no home page was read
