"""Sources on one host are crawled one after the other, so the per-domain limits hold across sources."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.crawl import sources_sharing_hosts
from crawlers.runner import run_crawl
from monitor.demo import DEMO_CRAWL_SETTINGS
from monitor.source import Source
from storage import Archive
from tests.conftest import page_html
from tests.scripted_site import Answer, ScriptedSite


def _source(name: str, *urls: str) -> Source:
    return Source(name=name, start_urls=list(urls), allow=["/content/"])


def test_sources_are_grouped_by_the_hosts_they_share_directly_or_through_another() -> None:
    a = _source("a", "https://www.gd.gov.cn/zwgk/")
    b = _source("b", "https://www.gz.gov.cn/zwgk/")
    c = _source("c", "https://WWW.GD.GOV.CN/gkmlpt/index", "https://stic.sz.gov.cn/gkmlpt/index")
    d = _source("d", "https://stic.sz.gov.cn/other/")
    e = _source("e", "https://www.gov.cn/zhengce/")
    f = _source("f", "https://www.gz.gov.cn/zwgk/fggw/")
    groups = sources_sharing_hosts([(s, s.name) for s in (a, b, c, d, e, f)])
    assert [[tag for _, tag in group] for group in groups] == [["a", "c", "d"], ["b", "f"], ["e"]]
    assert sources_sharing_hosts([]) == []


@pytest.mark.slow
def test_two_sources_on_one_host_do_not_request_it_side_by_side(tmp_path: Path) -> None:
    texts = {"one": "广东省发布人形机器人产业行动方案，提出到2027年培育10家整机企业。",
             "two": "深圳市印发脑机接口产业若干措施，支持建设临床试验平台。"}
    with ScriptedSite() as site:
        lines = ["sources:"]
        for name, text in texts.items():
            links = "".join(f'<li><a href="/{name}/content/{n}.html">{n}</a></li>' for n in range(6))
            site.answers[f"/{name}/index.html"] = Answer(f"<html><body><ul>{links}</ul></body></html>".encode())
            for n in range(6):
                site.answers[f"/{name}/content/{n}.html"] = Answer(
                    page_html(f"{name} {n}", f"{text}第{n}条。", "配套措施另行发布。").encode())
            lines += [f"  - name: {name}", f"    start_urls: ['{site.url(f'/{name}/index.html')}']",
                      f"    allow: ['/{name}/content/']", "    topics: []"]
        sources = tmp_path / "sources.yaml"
        sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
        summaries = run_crawl(sources, tmp_path / "archive.db", settings=DEMO_CRAWL_SETTINGS, timeout=60)
        order = [seen.path.split("/")[1] for seen in site.seen if seen.path != "/robots.txt"]

    assert {s["source"]: (s["new"], s["status"]) for s in summaries} == {"one": (6, "ok"), "two": (6, "ok")}
    assert sorted(order) == ["one"] * 7 + ["two"] * 7
    first = order[0]
    assert order == [first] * 7 + [n for n in texts if n != first] * 7, order  # one source's requests, then the other's
    with Archive(tmp_path / "archive.db", readonly=True) as archive:
        assert archive.db.execute("select count(*) from pages").fetchone()[0] == 12
