"""Plans in the archive: re-analysing archived versions fills plans / plan_sources / plan_targets, and the
``plans`` / ``plan`` commands read them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.detect import record
from monitor.plans.archive import rebuild_plans
from monitor.plans.evaluation import read_page
from monitor.plans.records import PlanRecord, plans_for_version
from monitor.sources import Source
from storage import Archive
from storage.plans import PlanStore
from tests.conftest import FakeFetch, page_html

CORPUS = Path(__file__).resolve().parent / "corpus" / "plans"
PAGES = ["01-gd-electronic-official", "02-gd-materials-official", "28-gd-electronic-translation-en",
         "40-gd-materials-de", "06-gd-five-press-zh", "25-gd-five-press-en", "26-gd-five-news-en",
         "22-sz-expired-zh"]


def add_corpus_page(archive: Archive, name: str, fetched_at: str, *, text: str | None = None) -> None:
    page = read_page(CORPUS / f"{name}.txt")
    source = f"src-{page.language}"
    archive.upsert_source(source, title=None, region=page.region, language=page.language, now=fetched_at)
    archive.add_version(
        run_id=None, source=source, region=page.region, url=f"http://127.0.0.1/{name}.html", fetched_at=fetched_at,
        status=200, raw_html=b"<html></html>", elapsed_ms=1.0, content_hash=f"{name}-{fetched_at}",
        title=page.title, text=text if text is not None else page.text, published=None, language=page.language,
        relevant=True, event_kind="new", summary=None, excerpt=None, diff_html=None, meta=page.meta)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        for day, name in enumerate(PAGES, 1):
            add_corpus_page(archive, name, f"2024-03-{day:02d}T08:00:00Z")
    return path


def test_plans_for_version_gives_each_plan_its_role_and_its_own_targets() -> None:
    page = read_page(CORPUS / "07-gd-five-news-zh.txt")
    records = plans_for_version(page.text, page.title, language="zh", region="guangdong")
    by_title = {r.mention.title: r for r in records if isinstance(r, PlanRecord)}
    electronic = by_title["广东省培育未来电子信息产业集群行动计划"]
    materials = by_title["广东省培育未来材料产业集群行动计划"]
    assert [(t.year, t.quantity) for t in electronic.targets] == [(2025, 3e11)]
    assert [(t.year, t.quantity) for t in materials.targets] == [(2030, 5)]
    assert electronic.role == materials.role == "news"
    assert "future-materials" in materials.sectors and "future-materials" not in electronic.sectors


def test_reports_that_only_describe_a_known_plan_are_linked_to_it_and_found_no_plan(tmp_path: Path) -> None:
    described = ["66-gd-five-described-en", "67-gd-five-described-de", "68-gd-two-clusters-ambiguous-en",
                 "69-sichuan-five-described-en"]
    with Archive(tmp_path / "archive.db") as archive:
        # read before any page names the plan, a description founds nothing; it is linked once the plan appears
        add_corpus_page(archive, described[0], "2024-03-01T08:00:00Z")
        for day, name in enumerate(["01-gd-electronic-official", "02-gd-materials-official", "06-gd-five-press-zh",
                                    *described[1:]], 2):
            add_corpus_page(archive, name, f"2024-03-{day:02d}T08:00:00Z")
        summary = rebuild_plans(archive)
        store = PlanStore(archive.db)
        plans = store.plans()
        by_url = {source["url"].rsplit("/", 1)[1].removesuffix(".html"): (plan["id"], source["role"])
                  for plan in plans for source in store.sources(plan["id"])}
        waiting = {(row["region"], row["url"].rsplit("/", 1)[1])
                   for region in ("guangdong", "guangzhou", "sichuan", "chengdu")
                   for row in store.waiting_clues(region)}
    # kept for plans that may appear later: the ambiguous report and the one about Sichuan
    assert waiting == {("guangdong", "68-gd-two-clusters-ambiguous-en.html"),
                       ("guangzhou", "68-gd-two-clusters-ambiguous-en.html"),
                       ("sichuan", "69-sichuan-five-described-en.html"),
                       ("chengdu", "69-sichuan-five-described-en.html")}
    assert summary.plans == len(plans) == 3  # electronic, materials, five clusters: descriptions found none
    five = by_url["06-gd-five-press-zh"][0]
    assert by_url["66-gd-five-described-en"] == (five, "news")
    assert by_url["67-gd-five-described-de"] == (five, "news")
    assert "68-gd-two-clusters-ambiguous-en" not in by_url  # two cluster plans fit equally: linked to neither
    assert "69-sichuan-five-described-en" not in by_url  # no plan of Sichuan is known
    five_plan = next(p for p in plans if p["id"] == five)
    assert five_plan["title"] == "广东五大未来产业集群行动计划" and five_plan["source_count"] == 3


def test_rebuild_groups_pages_across_languages_and_keeps_cluster_plans_apart(filled: Path) -> None:
    with Archive(filled) as archive:
        summary = rebuild_plans(archive)
        store = PlanStore(archive.db)
        plans = {p["id"]: p for p in store.plans()}
        by_url = {}
        for plan_id in plans:
            for source in store.sources(plan_id):
                by_url.setdefault(source["url"].rsplit("/", 1)[1], set()).add(plan_id)
    assert summary.versions == len(PAGES)
    electronic = by_url["01-gd-electronic-official.html"]
    materials = by_url["02-gd-materials-official.html"]
    assert electronic.isdisjoint(materials)
    assert electronic <= by_url["28-gd-electronic-translation-en.html"]
    assert materials <= by_url["40-gd-materials-de.html"]
    five = by_url["25-gd-five-press-en.html"] & by_url["26-gd-five-news-en.html"] & by_url["06-gd-five-press-zh.html"]
    assert len(five) == 1
    (electronic_id,) = electronic
    assert plans[electronic_id]["title"] == "广东省培育未来电子信息产业集群行动计划"  # the official title wins
    assert plans[electronic_id]["doc_number"] == "粤工信规字〔2024〕2号"
    assert plans[electronic_id]["source_count"] == 3  # zh official, en translation, de news


def test_a_changed_target_is_kept_per_version_and_a_rebuild_is_repeatable(filled: Path) -> None:
    page = read_page(CORPUS / "02-gd-materials-official.txt")
    with Archive(filled) as archive:
        add_corpus_page(archive, "02-gd-materials-official", "2024-04-01T08:00:00Z",
                        text=page.text.replace("100个以上实验室", "120个以上实验室"))
        first = rebuild_plans(archive)
        second = rebuild_plans(archive)
        store = PlanStore(archive.db)
        (plan,) = [p for p in store.plans() if p["title"] == "广东省培育未来材料产业集群行动计划"]
        centres = [(t["seen_at"][:10], t["quantity"]) for t in store.targets(plan["id"])
                   if t["subject"].startswith("实验室") and t["role"] == "official"]
    assert first == second
    assert centres == [("2024-03-02", 100), ("2024-04-01", 120)]


def test_plans_command_rebuilds_filters_and_prints_json(filled: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["plans", "--rebuild", "--db", str(filled), "--region", "广东", "--json"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["region"] == "guangdong" for r in rows)
    assert "re-analysed 8 versions" in result.stderr
    materials = runner.invoke(cli, ["plans", "--db", str(filled), "--sector", "future-materials"])
    assert materials.exit_code == 0 and "未来材料" in materials.output and "未来电子信息" not in materials.output
    shenzhen = runner.invoke(cli, ["plans", "--db", str(filled), "--region", "shenzhen", "--json"])
    assert [r["status"] for r in json.loads(shenzhen.output)] == ["expired"]


def test_plan_command_shows_sources_and_targets(filled: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["plans", "--rebuild", "--db", str(filled)], catch_exceptions=False)
    rows = json.loads(runner.invoke(cli, ["plans", "--db", str(filled), "--json"]).output)
    materials = next(r for r in rows if r["title"] == "广东省培育未来材料产业集群行动计划")
    result = runner.invoke(cli, ["plan", materials["id"], "--db", str(filled)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "official" in result.output and "02-gd-materials-official.html" in result.output
    assert "issuer: guangdong:drc (广东省 发展和改革委员会 / Development and Reform Commission)" in result.output
    assert "2030  100个" in result.output
    data = json.loads(runner.invoke(cli, ["plan", materials["id"], "--db", str(filled), "--json"]).output)
    assert {p["role"] for p in data["pages"]} == {"official", "news"}


def test_plan_command_shows_one_row_per_page_and_every_version_in_json(filled: Path) -> None:
    page = read_page(CORPUS / "02-gd-materials-official.txt")
    with Archive(filled) as archive:  # the official text is edited twice: three versions of one page
        for day, centres in ((10, "120个以上实验室"), (20, "150个以上实验室")):
            add_corpus_page(archive, "02-gd-materials-official", f"2024-04-{day}T08:00:00Z",
                            text=page.text.replace("100个以上实验室", centres))
    runner = CliRunner()
    runner.invoke(cli, ["plans", "--rebuild", "--db", str(filled)], catch_exceptions=False)
    rows = json.loads(runner.invoke(cli, ["plans", "--db", str(filled), "--json"]).output)
    materials = next(r for r in rows if r["title"] == "广东省培育未来材料产业集群行动计划")
    shown = runner.invoke(cli, ["plan", materials["id"], "--db", str(filled)], catch_exceptions=False)
    assert shown.exit_code == 0, shown.output
    official_url = "http://127.0.0.1/02-gd-materials-official.html"
    assert shown.output.count(official_url) == 1  # one row for the page, not one per version
    (row,) = [line for line in shown.output.splitlines() if line.lstrip().startswith("official ")]
    assert "2024-03-02T08:00:00Z → 2024-04-20T08:00:00Z" in row and "3 versions" in row and "src-zh" in row
    assert "1 version " in shown.output  # the German report, seen once
    data = json.loads(runner.invoke(cli, ["plan", materials["id"], "--db", str(filled), "--json"]).output)
    (official,) = [p for p in data["pages"] if p["url"] == official_url]
    assert (official["role"], official["version_count"], official["source"]) == ("official", 3, "src-zh")
    assert (official["first_seen"], official["last_seen"]) == ("2024-03-02T08:00:00Z", "2024-04-20T08:00:00Z")
    assert [v["seen_at"][:10] for v in official["versions"]] == ["2024-03-02", "2024-04-10", "2024-04-20"]
    assert len({v["version_id"] for v in official["versions"]}) == 3


def test_plan_commands_fail_clearly(tmp_path: Path, filled: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["plans", "--db", str(tmp_path / "nope.db")])
    assert missing.exit_code == 1 and "no such archive" in missing.output
    not_built = runner.invoke(cli, ["plan", "p-0000000000", "--db", str(filled)])
    assert not_built.exit_code == 1 and "no plan 'p-0000000000'" in not_built.output
    bad_region = runner.invoke(cli, ["plans", "--db", str(filled), "--region", "Atlantis"])
    assert bad_region.exit_code == 2 and "unknown region" in bad_region.output
    for command in (["plans", "--help"], ["plan", "--help"]):
        assert "Example:" in runner.invoke(cli, command).output


def test_recording_one_new_version_links_it_and_says_whether_its_plans_are_new(filled: Path) -> None:
    from monitor.plans.archive import record_version_plans

    with Archive(filled) as archive:
        rebuild_plans(archive)
        add_corpus_page(archive, "27-gd-materials-translation-en", "2024-05-01T08:00:00Z")
        add_corpus_page(archive, "17-zj-official-zh", "2024-05-02T08:00:00Z")
        translation_id, zhejiang_id = (row[0] for row in archive.db.execute(
            "select id from versions order by id desc limit 2").fetchall()[::-1])
        (materials,) = record_version_plans(archive, translation_id)
        (zhejiang,) = record_version_plans(archive, zhejiang_id)
        sources = PlanStore(archive.db).sources(materials[0])
        with pytest.raises(ValueError, match="no version 999"):
            record_version_plans(archive, 999)
    assert materials[1] is False and materials[2].role == "translation"  # a known plan, seen in a new source
    assert zhejiang[1] is True and zhejiang[2].mention.doc_number == "浙政办发〔2023〕9号"
    assert [s["role"] for s in sources] == ["official", "news", "translation"]
    assert json.loads(next(s for s in sources if s["role"] == "official")["dates_json"] or "{}") == {}


def test_datasette_views_answer_targets_by_region_and_plans_per_sector(filled: Path) -> None:
    with Archive(filled) as archive:
        rebuild_plans(archive)
        rows = archive.db.execute(
            "select region, quantity, subject from plan_targets_by_region where year = 2030 and role = 'official' "
            "order by quantity").fetchall()
        sectors = dict(archive.db.execute(
            "select sector, plans from plans_per_sector_per_year where year = '2024'").fetchall())
    assert ("guangdong", 100.0, "实验室/企业未来材料联合工程中心") in rows
    assert all(region == "guangdong" for region, _, _ in rows)
    assert sectors["future-materials"] >= 1 and sectors["future-information"] >= 1


def test_a_version_that_cannot_be_analysed_is_logged_and_skipped(filled: Path, caplog: pytest.LogCaptureFixture,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.plans.archive as plans_archive

    real = plans_archive.plans_for_version

    def fragile(text: str, *args: object, **kwargs: object) -> list:
        if "未来材料" in text and "先导区" in text and "粤工信规字〔2024〕5号" in text:
            raise RuntimeError("broken page")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(plans_archive, "plans_for_version", fragile)
    with Archive(filled) as archive:
        summary = rebuild_plans(archive)
    assert summary.failed == 1 and summary.versions == len(PAGES)
    assert "02-gd-materials-official.html" in caplog.text
    assert summary.plans >= 5  # every other page was still analysed


def test_plans_lists_only_plans_named_by_watched_pages_unless_all(tmp_path: Path, source: Source) -> None:
    db = tmp_path / "archive.db"
    fire = page_html("广东省人民政府办公厅关于做好秋冬季森林防火工作的通知",
                     "各地要严格管控野外用火，加强巡查值守，做好扑救准备，确保不发生重大森林火灾。")
    plan = page_html("广东省人民政府办公厅关于印发广东省人形机器人产业行动方案的通知",
                     "《广东省人形机器人产业行动方案》提出，到2027年全省人形机器人产业规模达到300亿元。")
    with Archive(db) as archive:
        assert record(archive, source, FakeFetch(url="http://127.0.0.1/post_1", body=fire.encode())).kind == "new"
        assert record(archive, source, FakeFetch(url="http://127.0.0.1/post_2", body=plan.encode())).kind == "new"
    watched = CliRunner().invoke(cli, ["plans", "--db", str(db), "--json"], catch_exceptions=False)
    everything = CliRunner().invoke(cli, ["plans", "--db", str(db), "--json", "--all"], catch_exceptions=False)
    titles = [p["title"] for p in json.loads(watched.output)]
    all_titles = [p["title"] for p in json.loads(everything.output)]
    assert not any("森林防火" in t for t in titles) and any("人形机器人" in t for t in titles)
    assert any("森林防火" in t for t in all_titles) and len(all_titles) == len(titles) + 1


def test_a_plan_keeps_its_title_in_its_own_language_whoever_named_it_first(tmp_path: Path) -> None:
    en = Source(name="en-news", start_urls=["http://127.0.0.1/"], allow=["/"], language="en")
    zh = Source(name="zh-news", start_urls=["http://127.0.0.1/"], allow=["/"], language="zh")
    english = page_html("Ministries publish guidance on future industries", (
        "Seven ministries led by MIIT issued the “Implementation Opinions on Promoting the Innovation and "
        "Development of Future Industries”, which aim for breakthroughs in key technologies by 2027."), lang="en")
    chinese = page_html("工信部等七部门发文推动未来产业发展", (
        "工业和信息化部等七部门联合印发《关于推动未来产业创新发展的实施意见》，提出到2027年未来产业综合实力显著提升。"))
    with Archive(tmp_path / "archive.db") as archive:
        record(archive, en, FakeFetch(url="http://127.0.0.1/en/1", body=english.encode(), source="en-news"))
        record(archive, zh, FakeFetch(url="http://127.0.0.1/zh/1", body=chinese.encode(), source="zh-news"))
        plans = PlanStore(archive.db).plans(relevant_only=False)
    assert len(plans) == 1, [p["title"] for p in plans]
    assert plans[0]["title"] == "关于推动未来产业创新发展的实施意见"
    assert plans[0]["source_count"] == 2


def test_title_ranks_stored_before_they_said_the_language_are_migrated(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from storage.migrations import migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m010_plan_title_rank_by_language")
    db["plans"].insert({"id": "p-1", "title": "Guangdong plans for five clusters", "title_rank": 2,
                        "region": "guangdong", "first_seen": "2024-01-01", "last_seen": "2024-01-01"})
    db.close()
    with Archive(path) as archive:
        assert archive.db.execute("select title_rank from plans").fetchone()[0] == 5  # a description, language unknown
        event = archive.add_version(
            run_id=None, source="s", region=None, url="http://127.0.0.1/zh", fetched_at="2024-02-01T00:00:00Z",
            status=200, raw_html=b"<p></p>", elapsed_ms=1.0, content_hash="h", title="t", text="t", published=None,
            language="zh", relevant=True, event_kind="new", summary=None, excerpt=None, diff_html=None)
        store = PlanStore(archive.db)
        store.record({"id": "p-1", "title": "广东省五大未来产业集群行动方案", "title_rank": 4, "region": "guangdong"},
                     [], {"page_id": event.page_id, "version_id": event.version_id, "url": event.url, "source": "s",
                          "role": "news", "seen_at": "2024-02-01T00:00:00Z"}, [])
        assert store.plan("p-1")["title"] == "广东省五大未来产业集群行动方案"  # a zh description now outranks it
