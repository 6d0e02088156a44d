"""A list's status flags (gkmlpt is_expired / is_abolished) count as a change of the page."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.detect import comparison_text, record
from monitor.sources import Source
from storage import Archive
from tests.conftest import FakeFetch, page_html

URL = "http://127.0.0.1/gkmlpt/content/0/963/post_963149.html"
BODY = page_html("广东省培育未来产业集群行动计划", "省政府决定实施未来产业集群培育行动，建设一批概念验证中心。",
                 "重点布局具身智能机器人、低空经济、量子科技和生物制造。").encode("utf-8")


def fetch(when: str, **meta: object) -> FakeFetch:
    return FakeFetch(url=URL, body=BODY, fetched_at=when, meta={"document_number": "粤府〔2026〕21号", **meta})


def test_a_plan_becoming_abolished_is_a_change_and_the_diff_shows_it(archive: Archive, source: Source) -> None:
    assert record(archive, source, fetch("2026-01-01T00:00:00Z", is_abolished=0, is_expired=0)).kind == "new"
    assert record(archive, source, fetch("2026-01-02T00:00:00Z", is_abolished=0, is_expired=0)).kind == "unchanged"
    abolished = record(archive, source, fetch("2026-01-03T00:00:00Z", is_abolished=1, is_expired=0))
    assert abolished.kind == "changed" and abolished.event is not None
    assert "[status] abolished" in (abolished.event.diff_html or "")
    assert record(archive, source, fetch("2026-01-04T00:00:00Z", is_abolished=1, is_expired=0)).kind == "unchanged"
    restored = record(archive, source, fetch("2026-01-05T00:00:00Z", is_abolished=0, is_expired=0))
    assert restored.kind == "changed" and "[status] abolished" in (restored.event.diff_html or "")  # type: ignore[union-attr]
    assert [v.number for v in archive.versions(URL)] == [1, 2, 3]


@pytest.mark.parametrize(("meta", "lines"), [
    ({}, []), ({"is_abolished": 0, "is_expired": "0"}, []), ({"is_abolished": True}, ["abolished"]),
    ({"is_expired": "1", "is_abolished": 1}, ["expired", "abolished"]), ({"publisher": "x"}, []),
])
def test_status_lines_only_for_flags_that_are_set(meta: dict[str, object], lines: list[str]) -> None:
    text = comparison_text("T", "body", meta)
    assert text == "T\nbody" + "".join(f"\n[status] {line}" for line in lines)


def test_diff_command_shows_the_status_change_its_event_showed(tmp_path: Path, source: Source) -> None:
    """``policywatch diff`` compares the versions on what the crawl compared them on, status facts included."""
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        record(archive, source, fetch("2026-01-01T00:00:00Z", is_abolished=0, is_expired=0))
        abolished = record(archive, source, fetch("2026-01-03T00:00:00Z", is_abolished=1, is_expired=0)).event
    assert abolished is not None and abolished.summary
    result = CliRunner().invoke(cli, ["diff", URL, "--db", str(db), "--no-color"])
    assert result.exit_code == 0, result.output
    assert f"version 1 (2026-01-01T00:00:00Z) → version 2 (2026-01-03T00:00:00Z): {abolished.summary}" \
        in result.output
    assert "{+[status] abolished+}" in result.output and "no text change" not in result.output
    unified = CliRunner().invoke(cli, ["diff", URL, "--db", str(db), "--unified"])
    assert "+[status] abolished" in unified.output
