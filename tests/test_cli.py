from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.detect import record
from monitor.sources import Source
from storage import Archive
from tests.conftest import FakeFetch, page_html

URL = "http://127.0.0.1/post_1.html"
P1 = "广东省发布未来产业集群行动方案，明确到2030年建成5个未来产业科技园，培育一批领军企业和创新平台。"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help) > 20
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert "<member " not in result.output and "object at 0x" not in result.output  # defaults read as values


@pytest.fixture
def two_versions(tmp_path: Path, source: Source) -> Path:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        record(archive, source, FakeFetch(url=URL, body=page_html("行动方案", P1).encode()))
        revised = page_html("行动方案", P1.replace("建成5个", "建成6个"), "新增：加快布局6G。")
        record(archive, source, FakeFetch(url=URL, body=revised.encode(), fetched_at="2026-01-02T00:00:00Z"))
    return db


def test_history_lists_versions(two_versions: Path) -> None:
    result = CliRunner().invoke(cli, ["history", URL, "--db", str(two_versions), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["number"] for r in rows] == [1, 2]
    assert set(rows[0]) == {"number", "fetched_at", "content_hash", "title", "text_length", "later_events"}
    assert [r["later_events"] for r in rows] == [[], []]  # both versions stand for their own events
    plain = CliRunner().invoke(cli, ["history", URL, "--db", str(two_versions)])
    assert "2026-01-02T00:00:00Z" in plain.output and "行动方案" in plain.output


def test_diff_defaults_to_latest_two_and_marks_words(two_versions: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", URL, "--db", str(two_versions)])
    assert result.exit_code == 0, result.output
    assert "[-5-]{+6+}" in result.output and "{+新增：加快布局6G。+}" in result.output
    assert "numbers changed: 5→6" in result.output
    coloured = CliRunner().invoke(cli, ["diff", URL, "--db", str(two_versions), "--color"])
    assert "\x1b[" in coloured.output
    unified = CliRunner().invoke(cli, ["diff", URL, "--db", str(two_versions), "--unified"])
    assert "--- version 1" in unified.output and "+新增：加快布局6G。" in unified.output


def test_diff_and_history_errors_are_clear(two_versions: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["diff", "http://nope/", "--db", str(two_versions)])
    assert missing.exit_code == 1 and "http://nope/: not in the archive" in missing.output
    bad = runner.invoke(cli, ["diff", URL, "--db", str(two_versions), "--from", "7"])
    assert bad.exit_code == 1 and "no version 7 (have 1, 2)" in bad.output
    nodb = runner.invoke(cli, ["history", URL, "--db", str(tmp_path / "none.db")])
    assert nodb.exit_code == 1 and "no such archive" in nodb.output


def test_page_commands_accept_an_old_address_and_urls_not_in_canonical_form(two_versions: Path) -> None:
    """history, diff and show find a moved page by its old address (url_aliases), and any page by a URL
    written with a fragment, tracking parameters or a default port, as a reader copies it."""
    moved = "http://127.0.0.1/new/post_1.html"
    with Archive(two_versions) as archive:
        archive.move_page(URL, moved, now="2026-01-03T00:00:00Z")
    runner = CliRunner()
    for ref in (URL, f"{URL}?utm_source=x#top", f"{moved}?utm_source=x&spm=1#top",
                "http://127.0.0.1:80/new/post_1.html#top", f" {moved} "):
        history = runner.invoke(cli, ["history", ref, "--db", str(two_versions), "--json"])
        assert history.exit_code == 0, (ref, history.output)
        assert [row["number"] for row in json.loads(history.output)] == [1, 2]
        diff = runner.invoke(cli, ["diff", ref, "--db", str(two_versions), "--unified"])
        assert diff.exit_code == 0 and "+新增：加快布局6G。" in diff.output, (ref, diff.output)
        show = runner.invoke(cli, ["show", ref, "--db", str(two_versions), "--json"])
        assert show.exit_code == 0, (ref, show.output)
        assert json.loads(show.output)["url"] == moved
    # a URL that differs in what it asks for (another query argument) is still not the page
    other = runner.invoke(cli, ["history", f"{moved}?id=2", "--db", str(two_versions)])
    assert other.exit_code == 1 and "not in the archive" in other.output


def test_crawl_rejects_bad_config_and_unreadable_archive_before_crawling(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - name: x\n    start_urls: [http://127.0.0.1:9/]\n    allow: ['(']\n",
                       encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(sources), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1
    assert f"{sources}:4: source 'x': key 'allow': invalid regular expression" in result.output
    sources.write_text("sources:\n  - name: x\n    start_urls: [http://127.0.0.1:9/]\n    allow: [x]\n",
                       encoding="utf-8")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 200)
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(sources), "--db", str(junk)])
    assert result.exit_code == 1 and "cannot open archive" in result.output
    unknown = CliRunner().invoke(cli, ["crawl", "--sources", str(sources), "--db", str(tmp_path / "a.db"),
                                       "--source", "nope"])
    assert unknown.exit_code == 1 and "no source named 'nope'" in unknown.output


@pytest.mark.slow
def test_unreachable_source_is_recorded_and_does_not_stop_others(tmp_path: Path, demo_site) -> None:  # type: ignore[no-untyped-def]
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - name: down\n    start_urls: [http://127.0.0.1:9/index.html]\n    allow: [post]\n"
        f"  - name: up\n    start_urls: [{demo_site.url('/gd/index.html')}]\n"
        "    allow: ['/gd/content/post_\\d+\\.html$']\n    follow: ['/gd/index_\\d+\\.html$']\n",
        encoding="utf-8",
    )
    db = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(sources), "--db", str(db), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    by_source = {s["source"]: s for s in map(json.loads, result.stdout.splitlines())}
    assert by_source["down"]["errors"] == 1 and by_source["down"]["new"] == 0
    assert by_source["up"]["new"] == 3 and by_source["up"]["errors"] == 0
    with Archive(db, readonly=True) as archive:
        error = archive.db.execute("select url, error from fetches where source = 'down'").fetchone()
    assert error[0] == "http://127.0.0.1:9/index.html" and "Connection" in error[1]


@pytest.mark.slow
def test_crawl_set_overrides_a_crawl_setting(tmp_path: Path, demo_site) -> None:  # type: ignore[no-untyped-def]
    """`crawl --set` reaches the crawl: with DOWNLOAD_MAXSIZE below the demo's articles (7–10 kB) and
    above its list pages (5 kB), the lists are read and every article fails, where a plain crawl of the
    same source archives three (test_unreachable_source_is_recorded_and_does_not_stop_others)."""
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - name: up\n    start_urls: [{demo_site.url('/gd/index.html')}]\n"
                       "    allow: ['/gd/content/post_\\d+\\.html$']\n    follow: ['/gd/index_\\d+\\.html$']\n",
                       encoding="utf-8")
    db = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(sources), "--db", str(db), "--json",
                                      "--set", "DOWNLOAD_MAXSIZE=6000", "--set", "POLICYWATCH_COMMIT_PAGES=1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (summary,) = map(json.loads, result.stdout.splitlines())
    assert summary["new"] == 0 and summary["errors"] == 3, summary
    with Archive(db, readonly=True) as archive:
        read = archive.db.execute("select count(*) from fetches where kind = 'listing' and outcome = 'read'").fetchone()
    assert read[0] == 2


@pytest.mark.parametrize("command", [["crawl", "--sources", "s.yaml", "--db", "a.db"],
                                     ["daemon", "--sources", "s.yaml", "--db", "a.db", "--feeds", "f"],
                                     ["sources", "check", "x", "--sources", "s.yaml"]])
def test_set_without_a_value_is_refused_by_every_command_that_has_it(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--set", "DOWNLOAD_DELAY"])
    assert result.exit_code == 2 and "'DOWNLOAD_DELAY' is not NAME=VALUE" in result.output


def test_commands_are_click_commands() -> None:
    assert isinstance(cli, click.Group)


def test_diff_reports_a_moved_paragraph(tmp_path: Path, source: Source) -> None:
    db = tmp_path / "archive.db"
    p2 = "到2035年，基本形成若干具有全球影响力的未来产业集群，人形机器人、脑机接口等领域取得突破。"
    p3 = "各地级以上市要建立工作推进机制，每年底前报送年度工作进展情况，省里定期通报。"
    with Archive(db) as archive:
        record(archive, source, FakeFetch(url=URL, body=page_html("行动方案", P1, p2, p3).encode()))
        moved = page_html("行动方案", p3, P1, p2)
        record(archive, source, FakeFetch(url=URL, body=moved.encode(), fetched_at="2026-01-02T00:00:00Z"))
    plain = CliRunner().invoke(cli, ["diff", URL, "--db", str(db)])
    assert plain.exit_code == 0, plain.output
    assert "1 paragraph moved" in plain.output
    assert f"> (moved paragraph) {p3}" in plain.output and "\x1b[" not in plain.output
    coloured = CliRunner().invoke(cli, ["diff", URL, "--db", str(db), "--color"])
    assert "\x1b[36m" in coloured.output


@pytest.mark.parametrize("module", ["monitor", "monitor.cli"])
def test_cli_runs_as_a_module(module: str) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", module, "--help"], cwd=root, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "plans" in result.stdout and "daemon" in result.stdout
