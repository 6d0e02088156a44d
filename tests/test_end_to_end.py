"""The whole path against the bundled demo site on 127.0.0.1: crawl, change the site, crawl, feed.

Expectations come from ``monitor/demo_site/EXPECTED.json``, written with the site itself.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.demo import DEMO_CRAWL_SETTINGS, write_demo_sources
from monitor.siteserver import SiteServer
from storage import Archive
from tests.conftest import DEMO_SITE

pytestmark = pytest.mark.slow
EXPECTED: dict[str, Any] = json.loads((DEMO_SITE / "EXPECTED.json").read_text(encoding="utf-8"))


def crawl(sources: Path, db: Path) -> str:
    from crawlers.runner import run_crawl  # the same runner the CLI uses, with localhost settings
    from monitor.cli import format_summaries
    return format_summaries(run_crawl(sources, db, settings=DEMO_CRAWL_SETTINGS))


def paths_of(archive: Archive, run_ids: list[int], *, relevant: bool) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for event in archive.run_events(run_ids):
        if event.relevant == relevant:
            found.setdefault(event.kind, set()).add(event.url.split("/", 3)[3].join(["/", ""]))
    return found


def feed_entries(path: Path) -> list[Any]:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed.entries


def coverage_only(db: Path) -> set[str]:
    """Pages whose first version only added a source to known plans (which of two pages naming one plan
    is crawled first is up to the crawler)."""
    with Archive(db, readonly=True) as archive:
        rows = archive.db.execute(
            "select url from plan_events join versions on versions.id = plan_events.version_id "
            "where versions.number = 1 group by plan_events.version_id "
            "having sum(kind != 'coverage') = 0").fetchall()
    return {url for (url,) in rows}


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("e2e")
    db = work / "archive.db"
    runner = CliRunner()
    with SiteServer(DEMO_SITE / "state1") as site:
        sources = write_demo_sources(DEMO_SITE / "sources.yaml", site.base_url, work / "sources.yaml")
        first = runner.invoke(cli, ["crawl", "--sources", str(sources), "--db", str(db), "--json"],
                              catch_exceptions=False, env={"PW_TEST": "1"})
        requests_state1 = list(site.requests)
        feed1 = runner.invoke(cli, ["feed", "--db", str(db), "--out", str(work / "feed1")], catch_exceptions=False)
        site.root = DEMO_SITE / "state2"
        second_text = crawl(sources, db)
        feed2 = runner.invoke(cli, ["feed", "--db", str(db), "--out", str(work / "feed2")], catch_exceptions=False)
        feed3 = runner.invoke(cli, ["feed", "--db", str(db), "--out", str(work / "feed3")], catch_exceptions=False)
        third_text = crawl(sources, db)
    for result in (first, feed1, feed2, feed3):
        assert result.exit_code == 0, result.output
    with Archive(db, readonly=True) as archive:
        runs = sorted(r["id"] for r in archive.runs(limit=100))
    return {"work": work, "db": db, "base": site.base_url, "runs": runs, "first": first.output,
            "second": second_text, "third": third_text, "requests": requests_state1}


def test_crawl_prints_a_summary_per_source(two_crawls: dict[str, Any]) -> None:
    summaries = [json.loads(line) for line in two_crawls["first"].splitlines()]
    by_source = {s["source"]: s for s in summaries}
    assert set(by_source) == {"gd-demo", "en-demo", "de-demo"}
    assert sum(s["new"] for s in summaries) == len(EXPECTED["crawl1"]["new"]) + len(
        EXPECTED["crawl1"]["new_irrelevant"])
    assert all(s["errors"] == 0 and s["status"] == "ok" for s in summaries)
    assert "gd-demo" in two_crawls["second"] and "unchanged" in two_crawls["second"]


def test_first_crawl_finds_exactly_the_expected_new_pages(two_crawls: dict[str, Any]) -> None:
    first_runs = two_crawls["runs"][:3]
    with Archive(two_crawls["db"], readonly=True) as archive:
        assert paths_of(archive, first_runs, relevant=True) == {"new": set(EXPECTED["crawl1"]["new"])}
        assert paths_of(archive, first_runs, relevant=False) == {"new": set(EXPECTED["crawl1"]["new_irrelevant"])}


def test_second_crawl_finds_exactly_the_expected_changes(two_crawls: dict[str, Any]) -> None:
    second_runs = two_crawls["runs"][3:6]
    expected = EXPECTED["crawl2"]
    with Archive(two_crawls["db"], readonly=True) as archive:
        assert paths_of(archive, second_runs, relevant=True) == {
            "changed": set(expected["changed"]), "new": set(expected["new"])}
        assert paths_of(archive, second_runs, relevant=False) == {"changed": set(expected["changed_irrelevant"])}
        outcomes = dict(archive.db.execute(
            f"select url, outcome from fetches where run_id in ({','.join(map(str, second_runs))})").fetchall())
    for path in expected["unchanged"]:
        assert outcomes[two_crawls["base"] + path] == "unchanged"


def test_third_crawl_of_the_same_site_changes_nothing(two_crawls: dict[str, Any]) -> None:
    third_runs = two_crawls["runs"][6:9]
    with Archive(two_crawls["db"], readonly=True) as archive:
        assert archive.run_events(third_runs) == []
    assert len(third_runs) == 3


def test_robots_txt_is_obeyed_and_list_pages_are_not_archived(two_crawls: dict[str, Any]) -> None:
    requested = {r.split("?")[0] for r in two_crawls["requests"]}
    assert "/robots.txt" in requested
    for path in EXPECTED["robots_disallowed"]:
        assert path not in requested
    with Archive(two_crawls["db"], readonly=True) as archive:
        urls = {row[0] for row in archive.db.execute("select url from pages")}
    for path in EXPECTED["not_articles"]:
        assert two_crawls["base"] + path not in urls


def test_texts_decode_and_drop_boilerplate(two_crawls: dict[str, Any]) -> None:
    with Archive(two_crawls["db"], readonly=True) as archive:
        for path, states in EXPECTED["text_must_contain"].items():
            versions = archive.versions(two_crawls["base"] + path)
            by_state = {"state1": versions[0], "state2": versions[-1]} if path != "/gd/content/post_1004.html" \
                else {"state2": versions[-1]}
            for state, phrases in states.items():
                for phrase in phrases:
                    assert phrase in by_state[state].text, (path, state, phrase)
        for path, states in EXPECTED["text_must_not_contain"].items():
            versions = archive.versions(two_crawls["base"] + path)
            by_state = {"state1": versions[0], "state2": versions[-1]}
            for state, phrases in states.items():
                for phrase in phrases:
                    assert phrase not in by_state[state].text, (path, state, phrase)


def test_feeds_show_exactly_the_relevant_events_with_marked_diffs(two_crawls: dict[str, Any]) -> None:
    work, base = two_crawls["work"], two_crawls["base"]
    expected_new_1 = {base + p for p in EXPECTED["crawl1"]["new"]}
    for kind in ("rss", "atom"):
        # The feed speaks in plans: a page naming a new plan is a "New plan" entry, others stay "New",
        # and a page that only adds a source to a known plan (coverage) is no alert in the main feed.
        first = feed_entries(work / "feed1" / f"{kind}.xml")
        assert {e.link for e in first} == expected_new_1 - coverage_only(two_crawls["db"])
        assert all(e.title.startswith(("New: ", "New plan: ")) for e in first)
        assert any(e.title.startswith("New plan: ") for e in first)
        second = feed_entries(work / "feed2" / f"{kind}.xml")
        changes = [e for e in second if e.title.startswith(("Changed: ", "Plan changed: "))]
        changed = {e.link: e for e in changes}
        assert len(changes) == len(changed), "one alert per changed page, never a page and a plan entry"
        assert set(changed) == {base + p for p in EXPECTED["crawl2"]["changed"]}
        new = {e.link for e in second if e.title.startswith(("New: ", "New plan: "))}
        assert new == (expected_new_1 | {base + p for p in EXPECTED["crawl2"]["new"]}) - coverage_only(two_crawls["db"])
        for path, marks in EXPECTED["diff_must_contain"].items():
            if base + path not in changed:
                continue  # the irrelevant page's diff is archived, not in the feed
            entry = changed[base + path]
            body = entry.content[0].value if kind == "atom" else entry.description
            for text in marks.get("deleted", []):
                assert f"<del>{text}</del>" in body
            for text in marks.get("inserted", []):
                assert text in body.split("<ins>", 1)[1]
        everything = (work / "feed2" / f"{kind}.xml").read_text(encoding="utf-8")
        for boilerplate in EXPECTED["never_in_feed"]:
            assert boilerplate not in everything, boilerplate
        # Regenerating the feed adds nothing and keeps every GUID.
        again = feed_entries(work / "feed3" / f"{kind}.xml")
        assert [e.id for e in again] == [e.id for e in second]


def test_pages_that_only_describe_a_plan_are_its_coverage(two_crawls: dict[str, Any]) -> None:
    expected = {(two_crawls["base"] + path, want["plan"], want["role"])
                for path, want in EXPECTED["plan_coverage"].items() if path.startswith("/")}
    with Archive(two_crawls["db"], readonly=True) as archive:
        linked = set(archive.db.execute(
            "select plan_sources.url, plans.title, plan_sources.role from plan_sources "
            "join plans on plans.id = plan_sources.plan_id").fetchall())
        covered = set(archive.db.execute(
            "select plan_events.url, plans.title from plan_events join plans on plans.id = plan_events.plan_id "
            "where plan_events.kind = 'coverage'").fetchall())
    assert expected and expected <= linked
    assert {(url, title) for url, title, _ in expected} <= covered


def test_gbk_page_decodes(two_crawls: dict[str, Any]) -> None:
    with Archive(two_crawls["db"], readonly=True) as archive:
        for path, phrases in EXPECTED["gbk_phrases"].items():
            text = archive.latest_version(two_crawls["base"] + path).text
            for phrase in phrases:
                assert phrase in text


def test_demo_command_runs_the_main_job(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Crawl 2" in result.output and str(tmp_path / "feeds" / "rss.xml") in result.output
    assert "numbers changed: 5→6" in result.output
    # One entry per plan, or per page that names none: crawl 1's five new pages are four entries (the
    # German report on Guangzhou's guideline is coverage of that plan, not an alert of its own), and
    # crawl 2 adds plan-changed ×2 and plan-new ×1.
    assert len(feed_entries(tmp_path / "feeds" / "atom.xml")) == len(EXPECTED["crawl1"]["new"]) - 1 + 3
    # it writes every feed the daemon does, so the plan feed its closing lines point to exists (served by
    # `policywatch serve` on the same directory), with the plan's change in it
    match = re.search(r"curl -s http://127\.0\.0\.1:8080/plans/(p-[0-9a-f]+)\.xml", result.output)
    assert match, result.output
    plan_entries = feed_entries(tmp_path / "feeds" / "plans" / f"{match.group(1)}.xml")
    assert any(e.title.startswith("Plan changed:") for e in plan_entries)
    assert (tmp_path / "feeds" / "pages.xml").is_file() and list((tmp_path / "feeds" / "sectors").glob("*.xml"))
    # the English report that only describes the Guangdong plan is listed as its coverage
    # (the same report may also be listed under a plan it names by title: which page founds that plan, and
    # which merely covers it, depends on the order the crawl meets them)
    lines = result.output.split("Pages that name or describe a plan already known", 1)[1].splitlines()
    for path, want in EXPECTED["plan_coverage"].items():
        if path.startswith("/"):
            (at,) = [i for i, line in enumerate(lines) if line.strip().endswith(path) and want["plan"] in lines[i - 1]]
            assert lines[at + 1].strip().startswith(want["role"] + ":")


def test_plan_links_do_not_depend_on_the_order_pages_are_met(two_crawls: dict[str, Any], tmp_path: Path) -> None:
    """The crawler's order decides which page founds a plan (plan-new) and which covers it, never which
    pages are linked to which plan: replay the first crawl's pages in other orders and compare the links."""
    import shutil

    from monitor.plans.events import record_plan_events
    from storage.plans import PlanStore

    def links_when_met_in(order: list[Any]) -> set[tuple[str, str, str]]:
        db = tmp_path / "replay.db"
        shutil.copy(two_crawls["db"], db)
        with Archive(db) as archive:
            PlanStore(archive.db).clear()
            with archive.db.conn:
                archive.db.execute("delete from plan_events")
            for event in order + later:
                record_plan_events(archive, event)
            return set(archive.db.execute("select plan_id, url, role from plan_sources").fetchall())

    with Archive(two_crawls["db"], readonly=True) as archive:
        first_crawl = [json.loads(line)["id"] for line in two_crawls["first"].splitlines()]
        met = archive.run_events(first_crawl)
        later = archive.run_events([run for run in two_crawls["runs"] if run not in first_crawl])
        as_crawled = set(archive.db.execute("select plan_id, url, role from plan_sources").fetchall())
    assert len(met) >= 5 and as_crawled
    report_first = sorted(met, key=lambda e: not e.url.endswith("/en/news/guangdong-five-clusters.html"))
    plan_first = sorted(met, key=lambda e: not e.url.endswith("/gd/content/post_1001.html"))
    for order in (met, list(reversed(met)), report_first, plan_first):
        assert links_when_met_in(order) == as_crawled
