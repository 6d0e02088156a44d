"""Re-checking real HTTP answers: conditional requests, removals, moves, canonical URLs, recheck policy.

Each test crawls a scripted server on 127.0.0.1 in a child process (the way the CLI does), several
times, and reads the archive and the requests the server saw.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import feedparser
import pytest

from crawlers.runner import run_crawl
from monitor.demo import DEMO_CRAWL_SETTINGS
from monitor.feeds import write_feeds
from storage import Archive
from tests.conftest import page_html, plan_page
from tests.crawl_faults import fault_settings
from tests.scripted_site import HANG, Answer, ScriptedSite

pytestmark = pytest.mark.slow

TEXT_A = "广东省发布人形机器人产业发展行动方案，提出到2027年培育10家以上具有国际竞争力的整机企业。"
TEXT_B = "深圳市印发脑机接口产业创新发展若干措施，支持建设临床试验平台和开放共享的数据集。"
TEXT_C = "广州市出台6G与量子科技未来产业培育计划，布局一批中试验证平台和应用示范场景。"
LAST_MODIFIED = "Tue, 05 Mar 2024 08:00:00 GMT"
EVERY_RUN = "{old_every: 0}"  # removed pages are re-checked like old ones: here, every run


def article(title: str, text: str, extra: str = "") -> bytes:
    return page_html(title, text, text[::-1][:40] + "。", extra=extra).encode("utf-8")


def listing(*paths: str, extra: str = "") -> Answer:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
    return Answer(f"<html><body><ul>{links}</ul>{extra}</body></html>".encode())


def crawl(site: ScriptedSite, tmp_path: Path, settings: dict[str, str] | None = None, log_level: str = "WARNING",
          **source_keys: Any) -> dict[str, Any]:
    keys = {"start_urls": f"['{site.url('/list/index.html')}']", "allow": "['/content/']",
            "follow": "['/list/index_\\d+\\.html$']", "topics": "[]", **source_keys}
    lines = ["sources:", "  - name: scripted", *(f"    {key}: {value}" for key, value in keys.items())]
    sources = tmp_path / "sources.yaml"
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [summary] = run_crawl(sources, tmp_path / "archive.db", settings={**DEMO_CRAWL_SETTINGS, **(settings or {})},
                          timeout=60, log_level=log_level)
    return summary


def fetches(tmp_path: Path, run_id: int, kind: str = "page") -> dict[str, tuple[int | None, str]]:
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        rows = archive.db.execute("select url, status, outcome from fetches where run_id = ? and kind = ?",
                                  [run_id, kind]).fetchall()
    return {url.rsplit("/", 1)[-1]: (status, outcome) for url, status, outcome in rows}


def events(tmp_path: Path) -> list[tuple[str, str]]:
    """All events in the order they were recorded; the first crawl's ``new`` ones sorted by URL."""
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        rows = archive.db.execute("select kind, url from events order by id").fetchall()
    found = [(kind, url.rsplit("/", 1)[-1]) for kind, url in rows]
    first = [e for e in found if e[0] == "new"]
    return sorted(first) + found[len(first):] if found[:len(first)] == first else found


def test_conditional_requests_send_the_servers_validators_and_304_is_unchanged(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html", "/content/b.html", "/content/c.html")
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A), etag='"a-v1"')
        site.answers["/content/b.html"] = Answer(article("脑机接口若干措施", TEXT_B), last_modified=LAST_MODIFIED)
        site.answers["/content/c.html"] = Answer(article("6G与量子科技培育计划", TEXT_C))
        first = crawl(site, tmp_path)
        assert first["new"] == 3
        second = crawl(site, tmp_path, settings={"POLICYWATCH_CONTACT_URL": "https://example.org/our-crawler"})
        a, b, c = (site.requests_for(f"/content/{n}.html")[-1] for n in "abc")
    assert "(+https://example.org/our-crawler;" in a.headers["User-Agent"]  # the setting, as well as the env var
    assert a.headers.get("If-None-Match") == '"a-v1"' and a.status == 304
    assert b.headers.get("If-Modified-Since") == LAST_MODIFIED and b.status == 304
    assert "If-None-Match" not in c.headers and "If-Modified-Since" not in c.headers and c.status == 200
    assert second["unchanged"] == 3 and second["errors"] == 0 and second["changed"] == 0
    assert fetches(tmp_path, second["id"]) == {"a.html": (304, "unchanged"), "b.html": (304, "unchanged"),
                                               "c.html": (200, "unchanged")}
    assert events(tmp_path) == [("new", "a.html"), ("new", "b.html"), ("new", "c.html")]


def crawl_a_and_b(site: ScriptedSite, tmp_path: Path) -> Answer:
    """A first crawl of a list linking articles a and b (checked every run from then on); b's answer."""
    site.answers["/list/index.html"] = listing("/content/a.html", "/content/b.html")
    site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
    page_b = site.answers["/content/b.html"] = Answer(article("脑机接口若干措施", TEXT_B))
    crawl(site, tmp_path, recheck=EVERY_RUN)
    return page_b


def test_a_page_gone_twice_is_removed_once_and_restored_when_back(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        page_b = crawl_a_and_b(site, tmp_path)
        # b leaves the list and the site; a fails with server errors meanwhile.
        site.answers["/list/index.html"] = listing("/content/a.html")
        site.answers["/content/a.html"] = Answer(b"busy", 503, "text/plain")
        runs = []
        for answer in (404, 0, 404, 404):  # 0: the connection is reset; it neither counts nor breaks the streak
            site.answers["/content/b.html"] = Answer(b"gone", answer, "text/plain")
            runs.append(crawl(site, tmp_path, recheck=EVERY_RUN))
        assert [fetches(tmp_path, r["id"])["b.html"] for r in runs] == [
            (404, "missing"), (None, "error"), (404, "removed"), (404, "missing")]
        assert [(r["missing"], r["removed"], r["errors"]) for r in runs] == [(1, 0, 1), (0, 0, 2), (0, 1, 1), (1, 0, 1)]
        assert all(fetches(tmp_path, r["id"])["a.html"] == (503, "error") for r in runs)
        assert len(site.requests_for("/content/a.html")) == 1 + 4 * 3  # retried twice per run
        # b answers again with the same text; a recovers unchanged.
        site.answers["/content/b.html"] = page_b
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        back = crawl(site, tmp_path, recheck=EVERY_RUN)
    assert fetches(tmp_path, back["id"]) == {"a.html": (200, "unchanged"), "b.html": (200, "unchanged")}
    assert events(tmp_path) == [("new", "a.html"), ("new", "b.html"), ("removed", "b.html"), ("restored", "b.html")]
    with Archive(tmp_path / "archive.db") as archive:
        assert len(archive.versions(site.url("/content/b.html"))) == 1
        paths = write_feeds(archive, tmp_path / "feeds")
    titles = [e.title for e in feedparser.parse(paths["atom"].read_bytes()).entries]
    assert "Removed: 脑机接口若干措施" in titles and "Restored: 脑机接口若干措施" in titles


def test_removed_after_is_configurable_and_a_changed_return_is_also_a_change(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html")
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        crawl(site, tmp_path, removed_after=1, recheck=EVERY_RUN)
        site.answers["/content/a.html"] = Answer(b"gone", 410, "text/plain")
        gone = crawl(site, tmp_path, removed_after=1, recheck=EVERY_RUN)
        assert fetches(tmp_path, gone["id"]) == {"a.html": (410, "removed")}
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A + "新增：设立产业基金。"))
        crawl(site, tmp_path, removed_after=1, recheck=EVERY_RUN)
    assert events(tmp_path) == [("new", "a.html"), ("removed", "a.html"), ("changed", "a.html"),
                                ("restored", "a.html")]


def test_a_redirect_that_ends_in_404_or_410_is_the_page_answering_it(tmp_path: Path) -> None:
    """Government sites send a deleted article to their 404 page (302, then 404): whatever that page's
    URL, even one ``allow`` matches, the article answered 404/410 and is removed like one that did."""
    with ScriptedSite() as site:
        page_b = crawl_a_and_b(site, tmp_path)
        site.answers["/list/index.html"] = listing("/content/a.html")
        site.answers["/news/404.html"] = Answer("<html><body>页面不存在</body></html>".encode(), 404)
        site.answers["/content/gone.html"] = Answer("<html><body>已删除</body></html>".encode(), 410)
        runs = []
        for target in ("/news/404.html", "/content/gone.html", "/news/404.html"):
            site.answers["/content/b.html"] = Answer(status=302, location=site.url(target))
            runs.append(crawl(site, tmp_path, recheck=EVERY_RUN))
        assert [fetches(tmp_path, r["id"])["b.html"] for r in runs] == [
            (404, "missing"), (410, "removed"), (404, "missing")]
        assert [(r["missing"], r["removed"], r["errors"]) for r in runs] == [(1, 0, 0), (0, 1, 0), (1, 0, 0)]
        site.answers["/content/b.html"] = page_b
        back = crawl(site, tmp_path, recheck=EVERY_RUN)
    assert fetches(tmp_path, back["id"])["b.html"] == (200, "unchanged")
    assert (back["restored"], back["unchanged"]) == (1, 2)
    assert events(tmp_path) == [("new", "a.html"), ("new", "b.html"), ("removed", "b.html"), ("restored", "b.html")]
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        assert archive.aliases("scripted") == {}
        assert [archive.page(site.url(p)) for p in ("/news/404.html", "/content/gone.html")] == [None, None]


def test_a_removed_page_a_list_links_again_is_checked_in_the_next_run(tmp_path: Path) -> None:
    """A removed page is re-checked like an old page (``old_every``, a week by default) while no list
    links it; a list linking it again makes it due at once, so a false "Removed:" does not stay a week."""
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html", "/content/b.html", "/content/c.html")
        pages = {n: Answer(article(title, text)) for n, title, text in (
            ("a", "人形机器人行动方案", TEXT_A), ("b", "脑机接口若干措施", TEXT_B),
            ("c", "6G与量子科技培育计划", TEXT_C))}
        for n, answer in pages.items():
            site.answers[f"/content/{n}.html"] = answer
        crawl(site, tmp_path, removed_after=1)
        site.answers["/list/index.html"] = listing("/content/a.html")
        for n in "bc":
            site.answers[f"/content/{n}.html"] = Answer(b"gone", 404, "text/plain")
        gone = crawl(site, tmp_path, removed_after=1)
        assert gone["removed"] == 2
        # Both answer again; only b is linked again. c keeps the schedule of a removed page.
        site.answers["/list/index.html"] = listing("/content/a.html", "/content/b.html")
        site.answers["/content/b.html"], site.answers["/content/c.html"] = pages["b"], pages["c"]
        back = crawl(site, tmp_path, removed_after=1)
        assert [len(site.requests_for(f"/content/{n}.html")) for n in "bc"] == [3, 2]
    assert fetches(tmp_path, back["id"]) == {"a.html": (200, "unchanged"), "b.html": (200, "unchanged")}
    assert back["restored"] == 1
    assert events(tmp_path)[5:] == [("restored", "b.html")]  # after the new and removed ones


def test_tracking_parameters_fragments_and_canonical_links_lead_to_one_page(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing(
            "/content/a.html?utm_source=wechat#top", "/content/a.html?from=timeline", "/content/a.html",
            "/content/print.html?id=7&spm=1.2")
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        canonical = f'<link rel="canonical" href="{site.url("/content/b.html")}">'
        site.answers["/content/print.html"] = Answer(article("脑机接口若干措施", TEXT_B).replace(
            b"</head>", canonical.encode() + b"</head>"))
        crawl(site, tmp_path)
        assert len(site.requests_for("/content/a.html")) == 1
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        urls = sorted(row[0].rsplit("/", 1)[-1] for row in archive.db.execute("select url from pages"))
        aliases = archive.aliases("scripted")
    assert urls == ["a.html", "b.html"]
    assert aliases == {site.url("/content/print.html?id=7"): site.url("/content/b.html")}


def test_links_with_tracking_parameters_or_fragments_match_an_allow_ending_in_dollar(tmp_path: Path) -> None:
    """Patterns are matched against the canonical URL: what a link adds after the page's own address
    hides it neither from ``allow``/``follow`` nor from ``deny``, whether a list page, sitemap or feed gave it."""
    with ScriptedSite() as site:
        site.answers["/anc/index.html"] = listing(
            "post_0.html#content", "post_1.html?from=timeline&isappinstalled=0", "post_2.html?utm_source=wechat",
            "index_1.html?from=timeline#top", "post_9.html#denied")
        site.answers["/anc/index_1.html"] = listing("post_3.html?spm=a.b.c#p2")
        site.answers["/sitemap.xml"] = Answer(
            b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + f"<url><loc>{site.url('/anc/post_4.html?from=sitemap')}</loc></url></urlset>".encode(),
            content_type="application/xml")
        site.answers["/feed.xml"] = Answer(
            b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            + f"<item><title>five</title><link>{site.url('/anc/post_5.html#comments')}</link></item>".encode()
            + b"</channel></rss>", content_type="application/rss+xml")
        for n in range(10):
            site.answers[f"/anc/post_{n}.html"] = Answer(article(f"人形机器人行动方案第{n}号", TEXT_A + f"第{n}条。"))
        summary = crawl(site, tmp_path, start_urls=f"['{site.url('/anc/index.html')}']",
                        allow=r"['/anc/post_\d+\.html$']", follow=r"['/anc/index_\d+\.html$']",
                        deny=r"['/post_9\.html$']", sitemap_urls=f"['{site.url('/sitemap.xml')}']",
                        feed_urls=f"['{site.url('/feed.xml')}']")
        requested = [s.path for s in site.seen if s.path.startswith("/anc/post_")]
    assert summary["new"] == 6 and summary["errors"] == 0
    assert sorted(requested) == [f"/anc/post_{n}.html" for n in range(6)]  # each once, post_9 denied
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        urls = sorted(row[0] for row in archive.db.execute("select url from pages"))
    assert urls == [site.url(f"/anc/post_{n}.html") for n in range(6)]


def test_a_redirect_to_the_same_text_is_a_move_and_to_a_home_page_is_not_new(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html", "/content/b.html")
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        site.answers["/content/b.html"] = Answer(article("脑机接口若干措施", TEXT_B))
        crawl(site, tmp_path)
        site.answers["/content/a.html"] = Answer(status=301, location=site.url("/content/2024/a.html"))
        site.answers["/content/2024/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        site.answers["/content/b.html"] = Answer(status=302, location=site.url("/index.html"))
        site.answers["/index.html"] = Answer(article("首页", TEXT_C))
        moved = crawl(site, tmp_path)
        assert moved["new"] == 0 and moved["unchanged"] == 1 and moved["errors"] == 1
        after = crawl(site, tmp_path)  # the list still links the old address: it maps to the moved page
    assert after["new"] == 0 and after["unchanged"] == 1
    assert events(tmp_path) == [("new", "a.html"), ("new", "b.html"), ("moved", "a.html")]
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        page = archive.page(site.url("/content/2024/a.html"))
        assert page is not None and page.version_count == 1
        assert archive.page(site.url("/content/a.html")) is None
        assert archive.page(site.url("/index.html")) is None
        assert archive.aliases("scripted")[site.url("/content/a.html")] == site.url("/content/2024/a.html")


def test_recheck_policy_skips_fresh_pages_and_incremental_mode_stops_paging(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html", "/list/index_1.html")
        site.answers["/list/index_1.html"] = listing("/content/b.html")
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        site.answers["/content/b.html"] = Answer(article("脑机接口若干措施", TEXT_B))
        keys = {"recheck": "{new_every: 1h}", "incremental": "true"}
        assert crawl(site, tmp_path, **keys)["new"] == 2
        second = crawl(site, tmp_path, **keys)
        assert second["fetched"] == 0
        assert [len(site.requests_for(p)) for p in ("/list/index.html", "/list/index_1.html")] == [2, 1]
        site.answers["/list/index.html"] = listing("/content/c.html", "/content/a.html", "/list/index_1.html")
        site.answers["/content/c.html"] = Answer(article("6G与量子科技培育计划", TEXT_C))
        third = crawl(site, tmp_path, **keys)
        assert third["new"] == 1 and third["fetched"] == 1
        assert len(site.requests_for("/list/index_1.html")) == 2  # page 1 had an unknown article: kept paging
        every_run = crawl(site, tmp_path)  # default policy: pages first seen recently are checked every run
    assert every_run["unchanged"] == 3


def test_malformed_links_are_skipped_without_losing_the_rest_of_the_page(tmp_path: Path) -> None:
    bad = '<a href="http://[bad">x</a> <a href="http://127.0.0.1:99999/content/z.html">port</a>'
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html", "/content/b.html", extra=bad)
        site.answers["/content/a.html"] = Answer(article(
            "人形机器人行动方案", TEXT_A, extra='<a href="http://[x/att/guide.pdf">附件</a>').replace(
            b"<head>", b'<head><link rel="canonical" href="http://[bad/content/a.html">'))
        site.answers["/content/b.html"] = Answer(article("脑机接口若干措施", TEXT_B))
        summary = crawl(site, tmp_path)
    assert (summary["new"], summary["errors"], summary["status"]) == (2, 0, "ok"), summary
    assert events(tmp_path) == [("new", "a.html"), ("new", "b.html")]


def test_incremental_mode_stops_a_script_pager_that_announces_every_page_at_once(tmp_path: Path) -> None:
    pager = '<script>createPageHTML(4, 0, "index", "html");</script>'

    def trs_list(*paths: str, script: str = "") -> Answer:
        links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
        return Answer(f'<html><body><ul class="u-list">{links}</ul>{script}</body></html>'.encode())

    with ScriptedSite() as site:
        site.answers["/list/index.html"] = trs_list("/content/a.html", script=pager)
        site.answers["/list/index_1.html"] = trs_list("/content/b.html")
        site.answers["/list/index_2.html"] = trs_list("/content/c.html")
        site.answers["/list/index_3.html"] = trs_list("/content/d.html")
        for name, text in zip("abcde", (TEXT_A, TEXT_B, TEXT_C, TEXT_A[::-1], TEXT_B[::-1]), strict=True):
            site.answers[f"/content/{name}.html"] = Answer(article(f"文件{name}", text))
        keys = {"kind": "trs", "recheck": "{new_every: 1h}", "incremental": "true"}
        assert crawl(site, tmp_path, **keys)["new"] == 4  # every page had unknown articles: all were read
        pages = ("/list/index_1.html", "/list/index_2.html", "/list/index_3.html")
        assert [len(site.requests_for(p)) for p in pages] == [1, 1, 1]
        site.answers["/list/index.html"] = trs_list("/content/e.html", "/content/a.html", script=pager)
        second = crawl(site, tmp_path, **keys)
        assert second["new"] == 1 and second["fetched"] == 1
        # page 1 holds only known articles: pages 2 and 3, announced by page 0's script, are not asked for
        assert [len(site.requests_for(p)) for p in pages] == [2, 1, 1]
        site.answers["/list/index_1.html"] = Answer(b"busy", 503)  # a failing page does not stop paging
        site.answers["/list/index.html"] = trs_list("/content/f.html", "/content/e.html", script=pager)
        site.answers["/content/f.html"] = Answer(article("文件f", TEXT_C[::-1]))
        crawl(site, tmp_path, **keys)
        assert [len(site.requests_for(p)) for p in pages] == [5, 2, 1]  # 503: tried 3 times; page 3 known again


def test_retries_back_off_and_the_user_agent_names_the_configured_contact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYWATCH_CONTACT_URL", "mailto:watch@example.org")
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html")
        site.answers["/content/a.html"] = Answer(b"busy", 503, "text/plain")
        summary = crawl(site, tmp_path, settings={"RETRY_BACKOFF_BASE": "0.3"})
        tries = site.requests_for("/content/a.html")
    assert summary["errors"] == 1 and [t.status for t in tries] == [503, 503, 503]
    assert tries[1].at - tries[0].at >= 0.3 and tries[2].at - tries[1].at >= 0.6
    assert all("(+mailto:watch@example.org;" in t.headers["User-Agent"] for t in site.seen)


def test_timeouts_back_off_like_server_errors(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """A server that takes the request and never answers: each retry waits RETRY_BACKOFF_BASE * 2**(n-1)
    first, as after a 503 (the waits are read from the middleware's log line, not timed)."""
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html")
        site.answers["/content/a.html"] = Answer(status=HANG)
        capfd.readouterr()
        summary = crawl(site, tmp_path, settings={"RETRY_BACKOFF_BASE": "0.2", "DOWNLOAD_TIMEOUT": "0.3"},
                        log_level="DEBUG")
        log = capfd.readouterr().err
        tries = site.requests_for("/content/a.html")
    url = site.url("/content/a.html")
    assert summary["errors"] == 1 and len(tries) == 3
    assert fetches(tmp_path, summary["id"]) == {"a.html": (None, "error")}
    assert "DownloadTimeoutError: Getting" in log
    waits = re.findall(r"waiting ([\d.]+) s before retry (\d) of (\S+) \((\w+)\)", log)
    assert waits == [("0.2", "1", url, "DownloadTimeoutError"), ("0.4", "2", url, "DownloadTimeoutError")]


def test_a_site_moving_its_articles_gives_moves_not_new_plans(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html")
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        crawl(site, tmp_path)
        # The list now links the new address first; the old one redirects there.
        site.answers["/list/index.html"] = listing("/content/2024/a.html")
        site.answers["/content/2024/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        site.answers["/content/a.html"] = Answer(status=301, location=site.url("/content/2024/a.html"))
        moved = crawl(site, tmp_path)
        again = crawl(site, tmp_path)
    assert moved["new"] == 0 and again["new"] == 0 and again["unchanged"] == 1
    assert events(tmp_path) == [("new", "a.html"), ("moved", "a.html")]
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        [page] = [row[0] for row in archive.db.execute("select url from pages")]
        assert page == site.url("/content/2024/a.html")
        assert [v.number for v in archive.versions(page)] == [1]
        assert archive.db.execute("select reason from url_aliases").fetchall() == [("moved",)]


def test_a_site_moving_a_plan_page_listed_at_its_new_address_first_gives_one_page_and_its_plan_rows(
        tmp_path: Path) -> None:
    """The new address is archived (with plan rows) before the old one redirects there: the move folds it
    back into the old page, plan rows included (they used to make the fold fail on a foreign key)."""
    plan = Answer(plan_page())
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a2.html")
        site.answers["/content/a2.html"] = plan
        first = crawl(site, tmp_path, region="Guangdong", language="zh")
        site.answers["/list/index.html"] = listing("/content/new/a2.html", "/content/a2.html")
        site.answers["/content/new/a2.html"] = plan
        site.answers["/content/a2.html"] = Answer(status=301, location=site.url("/content/new/a2.html"))
        moved = crawl(site, tmp_path, region="Guangdong", language="zh")
        again = crawl(site, tmp_path, region="Guangdong", language="zh")
        old, new = site.url("/content/a2.html"), site.url("/content/new/a2.html")
    assert first["new"] == 1
    assert (moved["new"], moved["errors"], again["new"], again["errors"]) == (0, 0, 0, 0)
    assert events(tmp_path) == [("new", "a2.html"), ("moved", "a2.html")]
    with Archive(tmp_path / "archive.db") as archive:
        db = archive.db
        [(page_id, url)] = db.execute("select id, url from pages").fetchall()
        [version_id] = [v.id for v in archive.versions(new)]
        assert url == new and archive.aliases("scripted") == {old: new}
        # the new address's first fetch and the old address's redirect there, both checks of the one page
        assert db.execute("select url, page_id, outcome from fetches where run_id = ? and kind = 'page'",
                          [moved["id"]]).fetchall() == [(new, page_id, "unchanged")] * 2
        plan_sources = db.execute("select page_id, version_id, url from plan_sources").fetchall()
        assert plan_sources == [(page_id, version_id, old)]  # the URL the version was seen at
        assert db.execute("select version_id, year, quantity from plan_targets order by quantity").fetchall() == [
            (version_id, 2027, 3.0), (version_id, 2027, 10.0)]
        assert db.execute("select source_count from plans").fetchall() == [(1,)]
        assert db.execute("select kind, page_id, version_id from plan_events").fetchall() == [
            ("plan-new", page_id, version_id)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        paths = write_feeds(archive, tmp_path / "feeds", coverage=True)
    entries = feedparser.parse(paths["atom"].read_bytes()).entries
    assert len(entries) == 1 and "深圳市量子科技产业创新发展行动计划" in entries[0].title


def test_a_re_check_commits_its_unchanged_pages_in_groups(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """304s reach the archive one after another while more are downloading: committing each alone was
    ~4% of a re-check's CPU samples, so they share commits (storage/commit_groups.py), and all are stored."""
    paths = [f"/content/{n}.html" for n in range(40)]
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing(*paths)
        for n, path in enumerate(paths):
            site.answers[path] = Answer(article(f"人形机器人行动方案第{n}号", TEXT_A), etag=f'"v{n}"')
        crawl(site, tmp_path)
        capfd.readouterr()
        [second] = run_crawl(tmp_path / "sources.yaml", tmp_path / "archive.db",
                             settings={**DEMO_CRAWL_SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN": "8"},
                             timeout=60, log_level="INFO")
        log = capfd.readouterr().err
    assert second["unchanged"] == 40 and second["errors"] == 0
    assert list(fetches(tmp_path, second["id"]).values()).count((304, "unchanged")) == 40
    written, commits = map(int, re.search(r"(\d+) items written in (\d+) commits", log).groups())
    assert written >= 40 and commits <= written // 4, log[-2000:]


def test_a_run_whose_pages_all_raise_says_so_and_changes_nothing(tmp_path: Path) -> None:
    with ScriptedSite() as site:
        site.answers["/list/index.html"] = listing("/content/a.html", "/content/b.html")
        site.answers["/content/a.html"] = Answer(article("人形机器人行动方案", TEXT_A))
        site.answers["/content/b.html"] = Answer(article("脑机接口若干措施", TEXT_B))
        first = crawl(site, tmp_path, recheck=EVERY_RUN)
        assert first["new"] == 2 and first["status"] == "ok" and first["error"] is None
        # Every callback raises (the list page's and the articles' the re-check of unlinked pages fetches).
        broken = crawl(site, tmp_path, settings=fault_settings(callbacks="/(list|content)/"), recheck=EVERY_RUN)
        assert broken["status"] == "errors: 3 exceptions" and broken["errors"] == 3, broken
        assert broken["error"] == "exceptions: 3 in spider callbacks (RuntimeError ×3)"
        assert broken["fetched"] == broken["changed"] == broken["missing"] == broken["removed"] == 0
        # The item pipeline failing on one page: that page is not recorded, the other is.
        half = crawl(site, tmp_path, settings=fault_settings(items="/content/a"), recheck=EVERY_RUN)
        assert half["status"] == "errors: 1 exception" and half["errors"] == 1 and half["unchanged"] == 1, half
        assert half["error"] == "exceptions: 1 in item pipeline (ValueError ×1)"
        healthy = crawl(site, tmp_path, recheck=EVERY_RUN)
    assert healthy["status"] == "ok" and healthy["unchanged"] == 2 and healthy["errors"] == 0, healthy
    assert events(tmp_path) == [("new", "a.html"), ("new", "b.html")]
