"""Plan events in the pipeline and feeds that speak in plans (issue 7, "What users see").

The end-to-end tests crawl the bundled demo site (and the seed articles, when ../shared/seeds is there)
from 127.0.0.1 with the real crawler, into a real archive, and parse every feed back with feedparser.
"""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.demo import DEMO_CRAWL_SETTINGS, write_demo_sources
from monitor.detect import record
from monitor.feeds import write_feed_set
from monitor.siteserver import SiteServer
from monitor.sources import Source
from storage import Archive
from storage.plan_events import PlanEventStore
from storage.plans import PlanStore
from tests.conftest import DEMO_SITE, FakeFetch, page_html

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.exists():  # the repo root's sibling, wherever the worktree lives
    SEEDS = Path("/work/shared/seeds")
FIVE_CLUSTERS = "广东省五大未来产业集群行动方案"
EXPECTED: dict[str, Any] = json.loads((DEMO_SITE / "EXPECTED.json").read_text(encoding="utf-8"))


def parse(path: Path) -> list[Any]:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed.entries


def body(entry: Any) -> str:
    return entry.content[0].value


def all_feeds_parse(out: Path) -> dict[str, list[Any]]:
    return {str(p.relative_to(out)): parse(p) for p in sorted(out.rglob("*.xml"))}


@pytest.fixture(scope="module")
def demo_crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from crawlers.runner import run_crawl

    work = tmp_path_factory.mktemp("planfeed")
    db = work / "archive.db"
    feeds: dict[str, dict[str, list[Any]]] = {}
    with SiteServer(DEMO_SITE / "state1") as site:
        sources = write_demo_sources(DEMO_SITE / "sources.yaml", site.base_url, work / "sources.yaml")
        run_crawl(sources, db, settings=DEMO_CRAWL_SETTINGS)
        with Archive(db, readonly=True) as archive:
            write_feed_set(archive, work / "feeds1")
        site.root = DEMO_SITE / "state2"
        run_crawl(sources, db, settings=DEMO_CRAWL_SETTINGS)
        with Archive(db, readonly=True) as archive:
            write_feed_set(archive, work / "feeds2")
            write_feed_set(archive, work / "feeds3")  # a second feed run
            events_after_two = len(PlanEventStore(archive.db).events(limit=1000))
        run_crawl(sources, db, settings=DEMO_CRAWL_SETTINGS)  # nothing changed on the site
    for name in ("feeds1", "feeds2", "feeds3"):
        feeds[name] = all_feeds_parse(work / name)
    return {"work": work, "db": db, "base": site.base_url, "feeds": feeds, "events_after_two": events_after_two}


def five_clusters_id(db: Path) -> str:
    with Archive(db, readonly=True) as archive:
        (plan,) = [p for p in PlanStore(archive.db).plans() if p["title"] == FIVE_CLUSTERS]
    return plan["id"]


@pytest.mark.slow
def test_first_crawl_announces_the_five_clusters_plan_with_its_facts(demo_crawls: dict[str, Any]) -> None:
    main = demo_crawls["feeds"]["feeds1"]["atom.xml"]
    new_plans = [e for e in main if e.title == f"New plan: {FIVE_CLUSTERS}"]
    assert len(new_plans) == 1
    entry = new_plans[0]
    assert entry.link == demo_crawls["base"] + "/gd/content/post_1001.html"
    text = body(entry)
    assert "guangdong" in text and "<table>" in text
    assert "5个" in text and "未来产业科技园" in text  # the 2030 target, in the targets table
    assert demo_crawls["base"] + "/gd/content/post_1001.html" in text  # the sources list
    # The page event of the same version is not a second alert.
    assert not [e for e in main if e.link == entry.link and e.title.startswith("New: ")]
    # A page naming no plan keeps its page event.
    assert [e for e in main if e.title.startswith("New: ")]


@pytest.mark.slow
def test_second_crawl_says_which_target_changed_once(demo_crawls: dict[str, Any]) -> None:
    main = demo_crawls["feeds"]["feeds2"]["atom.xml"]
    changed = [e for e in main if e.title == f"Plan changed: {FIVE_CLUSTERS}"]
    assert len(changed) == 1
    text = html.unescape(body(changed[0]))
    assert "target for 2030 changed: 5个 → 6个 未来产业科技园" in text
    assert "<del>5</del>" in body(changed[0])  # the diff excerpt
    post_1001 = demo_crawls["base"] + "/gd/content/post_1001.html"
    assert [e.title for e in main if e.link == post_1001 and "hanged" in e.title] == [changed[0].title]
    ids = [e.id for e in main]
    assert len(ids) == len(set(ids))
    assert any(e.title.startswith("New plan: 北京市") for e in main)  # post_1004 names Beijing's plan
    assert not [e for e in main if e.title.startswith("Coverage: ")]  # coverage is off in the main feed
    # a second feed run and a crawl of an unchanged site add nothing
    assert [e.id for e in demo_crawls["feeds"]["feeds3"]["atom.xml"]] == ids
    with Archive(demo_crawls["db"], readonly=True) as archive:
        assert len(PlanEventStore(archive.db).events(limit=1000)) == demo_crawls["events_after_two"]


@pytest.mark.slow
def test_plan_sector_and_region_feeds(demo_crawls: dict[str, Any]) -> None:
    feeds = demo_crawls["feeds"]["feeds2"]
    plan_id = five_clusters_id(demo_crawls["db"])
    per_plan = feeds[f"plans/{plan_id}.xml"]
    assert {e.title.split(":")[0] for e in per_plan} == {"New plan", "Plan changed", "Coverage"}
    # the English report never names the plan; it describes it, and is its coverage (EXPECTED.json)
    described = {demo_crawls["base"] + path for path, want in EXPECTED["plan_coverage"].items()
                 if path.startswith("/") and want["plan"] == FIVE_CLUSTERS}
    assert described
    assert {e.link for e in per_plan if e.title.startswith("Coverage: ")} == described
    assert all(plan_id in [t.term for t in e.tags] for e in per_plan)
    coverage = [e for name, entries in feeds.items() if name.startswith("plans/") for e in entries
                if e.title.startswith("Coverage: ")]
    assert coverage, "coverage entries are in the per-plan feeds"
    region = feeds["regions/guangdong.xml"]
    assert [e for e in region if e.title == f"Plan changed: {FIVE_CLUSTERS}"]
    assert feeds["regions/beijing.xml"] and all("北京" in e.title for e in feeds["regions/beijing.xml"])
    with Archive(demo_crawls["db"], readonly=True) as archive:
        sectors = PlanStore(archive.db).plan(plan_id)["sectors"]
    assert sectors
    assert [e for e in feeds[f"sectors/{sectors[0]}.xml"] if e.title == f"New plan: {FIVE_CLUSTERS}"]
    assert "pages.xml" in feeds and [e for e in feeds["pages.xml"] if e.title.startswith("Changed: ")]


@pytest.mark.slow
def test_plans_since_and_plan_history_on_the_crawled_archive(demo_crawls: dict[str, Any]) -> None:
    db = str(demo_crawls["db"])
    runner = CliRunner()
    listed = runner.invoke(cli, ["plans", "--db", db, "--region", "guangdong", "--json"], catch_exceptions=False)
    assert listed.exit_code == 0, listed.output
    assert FIVE_CLUSTERS in [p["title"] for p in json.loads(listed.output)]
    since = runner.invoke(cli, ["plans", "--db", db, "--since", "2000-01-01", "--json"], catch_exceptions=False)
    assert len(json.loads(since.output)) >= len(json.loads(listed.output))
    later = runner.invoke(cli, ["plans", "--db", db, "--since", "2999-01-01"], catch_exceptions=False)
    assert later.output.strip() == "no plans"
    shown = runner.invoke(cli, ["plan", five_clusters_id(demo_crawls["db"]), "--db", db, "--json"],
                          catch_exceptions=False)
    plan = json.loads(shown.output)
    (official,) = [p for p in plan["pages"] if p["url"].endswith("/post_1001.html")]
    assert official["version_count"] == len({v["version_id"] for v in official["versions"]}) == 2  # both versions
    parks = sorted((t["seen_at"], t["quantity"]) for t in plan["targets"] if t["subject"] == "未来产业科技园")
    assert [q for _, q in parks] == [5, 6]  # the target over time
    kinds = [e["kind"] for e in plan["events"]]  # newest first; the English report describes the plan
    assert kinds[0] == "plan-changed" and sorted(kinds) == ["coverage", "plan-changed", "plan-new"]


@pytest.mark.slow
def test_the_guangzhou_guideline_and_its_german_report_are_one_plan(demo_crawls: dict[str, Any]) -> None:
    with Archive(demo_crawls["db"], readonly=True) as archive:
        store = PlanStore(archive.db)
        (plan,) = [p for p in store.plans() if p["region"] == "guangzhou"]
        urls = {s["url"].split("/", 3)[3] for s in store.sources(plan["id"])}
    assert urls == {"gd/content/post_1003.html", "de/artikel/guangzhou-zukunftsindustrien.html"}


# -- single pages through monitor.detect.record -------------------------------------------------

OFFICIAL = ("广东省人民政府办公厅关于印发广东省未来材料产业集群行动计划的通知",
            "各地级以上市人民政府，省政府各部门：现将《广东省未来材料产业集群行动计划》印发给你们，请认真贯彻执行。",
            "到2030年，全省建设5个以上未来材料产业先导区。")


def fetch(url: str, *paragraphs: str, title: str = OFFICIAL[0], meta: dict[str, Any] | None = None,
          at: str = "2026-01-01T00:00:00Z", **kwargs: Any) -> FakeFetch:
    return FakeFetch(url=url, body=page_html(title, *paragraphs).encode(), fetched_at=at, meta=meta or {}, **kwargs)


def plan_events(archive: Archive) -> list[tuple[str, str]]:
    return [(e.kind, e.guid) for e in reversed(PlanEventStore(archive.db).events(limit=100))]


def test_abolition_from_list_metadata_is_a_plan_status_event(archive: Archive, source: Source) -> None:
    url = "http://127.0.0.1/post_1.html"
    record(archive, source, fetch(url, *OFFICIAL[1:]))
    record(archive, source, fetch(url, *OFFICIAL[1:], meta={"is_abolished": 1}, at="2026-02-01T00:00:00Z"))
    kinds = [k for k, _ in plan_events(archive)]
    assert kinds == ["plan-new", "plan-status"]
    (status,) = PlanEventStore(archive.db).events(kinds=("plan-status",))
    assert status.summary == "status: final → abolished"


def test_the_final_text_after_a_draft_at_another_address_is_a_status_change(archive: Archive,
                                                                            source: Source) -> None:
    draft_title = "广东省未来材料产业集群行动计划（征求意见稿）"
    draft = fetch("http://127.0.0.1/draft.html", f"现将《{draft_title}》公开征求意见，意见反馈截止日期为2024年3月1日。",
                  OFFICIAL[2], title=f"关于公开征求《{draft_title}》意见的通知")
    record(archive, source, draft)
    record(archive, source, fetch("http://127.0.0.1/final.html", *OFFICIAL[1:], at="2026-02-01T00:00:00Z"))
    assert [k for k, _ in plan_events(archive)] == ["plan-new", "plan-status"]
    (status,) = PlanEventStore(archive.db).events(kinds=("plan-status",))
    assert status.summary == "status: draft → final" and status.url == "http://127.0.0.1/final.html"


def test_failed_fetches_make_no_plan_events_and_each_change_is_a_new_guid(archive: Archive, source: Source) -> None:
    url = "http://127.0.0.1/post_2.html"
    record(archive, source, fetch(url, *OFFICIAL[1:], status=500))
    record(archive, source, fetch(url, *OFFICIAL[1:], error="timeout"))
    assert plan_events(archive) == []
    record(archive, source, fetch(url, *OFFICIAL[1:]))
    for month, parks in ((2, 6), (3, 7), (4, 7)):
        record(archive, source, fetch(url, OFFICIAL[1], f"到2030年，全省建设{parks}个以上未来材料产业先导区。",
                                      at=f"2026-0{month}-01T00:00:00Z"))
    events = plan_events(archive)
    assert [k for k, _ in events] == ["plan-new", "plan-changed", "plan-changed"]
    assert len({g for _, g in events}) == 3
    changes = [e.details["target_changes"] for e in PlanEventStore(archive.db).events(kinds=("plan-changed",))]
    assert changes == [["target for 2030 changed: 6个 → 7个 未来材料产业先导区"],
                       ["target for 2030 changed: 5个 → 6个 未来材料产业先导区"]]


def test_a_new_page_naming_a_known_plan_is_coverage(archive: Archive, source: Source) -> None:
    record(archive, source, fetch("http://127.0.0.1/post_3.html", *OFFICIAL[1:]))
    news = fetch("http://127.0.0.1/post_4.html",
                 "记者从省工业和信息化厅获悉，《广东省未来材料产业集群行动计划》近日印发，提出建设未来材料产业先导区。",
                 title="广东印发未来材料产业集群行动计划", at="2026-01-02T00:00:00Z")
    record(archive, source, news)
    assert [k for k, _ in plan_events(archive)] == ["plan-new", "coverage"]


def test_hostile_text_in_plan_entries_is_escaped(archive: Archive, source: Source, tmp_path: Path) -> None:
    # markup written as text on the page (&lt;…&gt;) is text after extraction: it must stay text in the feed
    record(archive, source, fetch("http://127.0.0.1/post_5.html", OFFICIAL[1] + "\x07",
                                  "到2030年，全省建设5个以上未来材料产业先导区&lt;img src=x onerror=alert(1)&gt;。"))
    assert "<img src=x" in archive.latest_version("http://127.0.0.1/post_5.html").text
    paths = write_feed_set(archive, tmp_path / "feeds", sources=[source.name])
    bodies = []
    for path in paths.values():
        parse(path)
        bodies += [body(e) for e in feedparser.parse(path.read_bytes(), sanitize_html=False).entries]
    plan_bodies = [b for b in bodies if "Targets:" in b]
    assert plan_bodies and all("&lt;img src=x" in b for b in plan_bodies)
    assert not [b for b in bodies if "<img" in b]


# -- the two seed articles about Guangdong's five-clusters plan ----------------------------------

def seed_page(text: str) -> str:
    """A plain article page around a seed's text (read at test time, never stored in the repo)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    return (f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(lines[0])}</title></head><body>'
            f'<div class="nav"><a href="/index.html">Home</a></div><article><h1>{html.escape(lines[0])}</h1>'
            f"{paragraphs}</article><footer>Local copy for a test</footer></body></html>")


@pytest.mark.slow
@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not present")
def test_seed_articles_on_the_five_clusters_plan_make_one_plan_with_two_sources(tmp_path: Path) -> None:
    from crawlers.runner import run_crawl

    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    names = []
    for prefix in ("001_", "003_"):
        (seed,) = sorted(SEEDS.glob(f"{prefix}*.txt"))
        names.append(f"{prefix}seed.html")
        (site / "news" / names[-1]).write_text(seed_page(seed.read_text(encoding="utf-8")), encoding="utf-8")
    links = "".join(f'<li><a href="/news/{name}">{name}</a></li>' for name in names)
    (site / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8")
    db = tmp_path / "archive.db"
    with SiteServer(site) as server:
        sources = tmp_path / "sources.yaml"
        sources.write_text(f"sources:\n  - name: seeds\n    start_urls: ['{server.base_url}/index.html']\n"
                           f"    allow: ['/news/[\\w-]+\\.html$']\n    language: en\n", encoding="utf-8")
        (summary,) = run_crawl(sources, db, settings=DEMO_CRAWL_SETTINGS)
    assert summary["new"] == 2, summary
    urls = {f"{server.base_url}/news/{name}" for name in names}
    with Archive(db, readonly=True) as archive:
        store = PlanStore(archive.db)
        guangdong = [p for p in store.plans(region="guangdong")
                     if {s["url"] for s in store.sources(p["id"])} == urls]
        assert len(guangdong) == 1, [p["title"] for p in store.plans()]
        assert guangdong[0]["source_count"] == 2
        kinds = [e.kind for e in PlanEventStore(archive.db).events(plan_id=guangdong[0]["id"])]
    assert sorted(kinds) == ["coverage", "plan-new"]


def _coverage_archive(db: Path, source: Source) -> str:
    """An archive where a news page names a known plan: one coverage event; returns the news URL."""
    news_url = "http://127.0.0.1/post_4.html"
    with Archive(db) as archive:
        record(archive, source, fetch("http://127.0.0.1/post_3.html", *OFFICIAL[1:]))
        record(archive, source, fetch(news_url, "记者获悉，《广东省未来材料产业集群行动计划》近日印发。",
                                      title="广东印发未来材料产业集群行动计划", at="2026-01-02T00:00:00Z"))
        assert [k for k, _ in plan_events(archive)] == ["plan-new", "coverage"]
    return news_url


def coverage_links(path: Path) -> list[str]:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [e.link for e in parsed.entries if e.title.startswith("Coverage: ")]


def test_feed_coverage_switch_puts_coverage_in_the_main_feed(tmp_path: Path, source: Source) -> None:
    db = tmp_path / "archive.db"
    news_url = _coverage_archive(db, source)
    runner = CliRunner()
    for args, env, expected in ((["--out", str(tmp_path / "off")], {}, []),
                                (["--out", str(tmp_path / "on"), "--coverage"], {}, [news_url]),
                                (["--out", str(tmp_path / "env")], {"POLICYWATCH_FEED_COVERAGE": "1"}, [news_url])):
        result = runner.invoke(cli, ["feed", "--db", str(db), *args], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        out = Path(args[1])
        assert coverage_links(out / "rss.xml") == coverage_links(out / "atom.xml") == expected, args


def test_daemon_coverage_option_reaches_the_feeds_it_writes(tmp_path: Path, source: Source,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.daemon import Daemon, DaemonOptions

    db = tmp_path / "archive.db"
    news_url = _coverage_archive(db, source)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {name: test-source, start_urls: ['http://127.0.0.1:9/'], allow: ['/p'], "
                       "schedule: 'every 7d'}\n", encoding="utf-8")
    seen: list[DaemonOptions] = []
    monkeypatch.setattr(Daemon, "run", lambda self: seen.append(self.options))  # the options, not a daemon
    for flag, expected in (([], False), (["--coverage"], True)):
        result = CliRunner().invoke(cli, ["daemon", "--sources", str(sources), "--db", str(db), "--feeds",
                                          str(tmp_path / "feeds"), *flag], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert seen[-1].feed_coverage is expected
    with Archive(db, readonly=True) as archive:
        (plan,) = PlanStore(archive.db).plans()
    for coverage in (False, True):
        feeds = tmp_path / f"daemon-feeds-{coverage}"
        daemon = Daemon(DaemonOptions(sources_path=sources, db_path=db, feeds_dir=feeds, jitter=0,
                                      feed_coverage=coverage))
        daemon.run_source = lambda name: []  # type: ignore[method-assign]  # no crawl: the feeds are the point
        daemon.start()  # writes every feed once
        daemon.stop()
        assert coverage_links(feeds / "atom.xml") == ([news_url] if coverage else [])
        assert coverage_links(feeds / "plans" / f"{plan['id']}.xml") == [news_url]  # the plan's feed always has it


def test_a_report_describing_a_plan_before_it_appears_becomes_its_coverage_when_it_does(archive: Archive,
                                                                                        source: Source) -> None:
    news_source = Source(name="en-news", start_urls=["http://127.0.0.1/"], allow=[r"/news/"], language="en")
    report = FakeFetch(url="http://127.0.0.1/news/clusters.html", source="en-news", body=page_html(
        "Guangdong officials walk through five future industry cluster plans",
        "Officials in Guangdong explained the five future industry cluster action plans at a press briefing.",
        "Each cluster is meant to build on the province's existing strategic industries, officials said.",
        lang="en").encode())
    record(archive, news_source, report)
    assert plan_events(archive) == []  # a description founds no plan
    official = fetch("http://127.0.0.1/post_9.html",
                     "各地级以上市人民政府，省政府各部门：现将《广东省五大未来产业集群行动方案》印发给你们，请认真贯彻执行。",
                     "到2030年，全省建成5个未来产业科技园。",
                     title="广东省人民政府办公厅关于印发广东省五大未来产业集群行动方案的通知",
                     at="2026-01-03T00:00:00Z")
    record(archive, source, official)
    events = list(reversed(PlanEventStore(archive.db).events(limit=100)))
    assert [(e.kind, e.url) for e in events] == [("coverage", report.url), ("plan-new", official.url)]
    assert events[0].plan_id == events[1].plan_id and events[0].details["role"] == "news"
    sources = {s["url"]: s["role"] for s in PlanStore(archive.db).sources(events[1].plan_id)}
    assert sources == {report.url: "news", official.url: "official"}
