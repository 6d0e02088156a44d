"""Datasette started for real with the shipped metadata against a sample archive (127.0.0.1, free port)."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from monitor.commands.query import DATASETTE_METADATA
from monitor.plans.archive import rebuild_plans
from storage import Archive
from tests.archive_samples import BJ_BCI, GD_OCEAN, GD_ROBOTS, build_sample_archive

pytest.importorskip("datasette")
pytestmark = pytest.mark.slow
START_DEADLINE_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def datasette_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_sample_archive(tmp_path_factory.mktemp("datasette") / "archive.db")
    with Archive(db) as archive:
        rebuild_plans(archive)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", str(db), "--metadata", str(DATASETTE_METADATA),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_DEADLINE_S
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"datasette exited: {process.stdout.read().decode()}")  # type: ignore[union-attr]
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"datasette did not answer within {START_DEADLINE_S} s") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(base: str, path: str, **params: str) -> Any:
    query = urllib.parse.urlencode({**params, "_shape": "objects"})
    with urllib.request.urlopen(f"{base}{path}?{query}", timeout=10) as response:
        return json.load(response)


def test_table_page_with_full_text_search_and_facets(datasette_url: str) -> None:
    found = get(datasette_url, "/archive/pages.json", _search="人形机器人")
    assert [row["url"] for row in found["rows"]] == [GD_ROBOTS]
    events = get(datasette_url, "/archive/events.json")
    assert {"kind", "source", "region"} <= set(events["facet_results"])
    kinds = {f["value"]: f["count"] for f in events["facet_results"]["kind"]["results"]}
    assert kinds == {"new": 5, "changed": 2}


def test_canned_queries(datasette_url: str) -> None:
    mentioning = get(datasette_url, "/archive/pages_mentioning.json", keyword="脑机接口")
    assert [row["url"] for row in mentioning["rows"]] == [BJ_BCI]
    assert "脑机接口" in mentioning["rows"][0]["opening"]
    versions = get(datasette_url, "/archive/versions_of_page.json", page=GD_OCEAN)
    assert [(row["number"], row["kind"]) for row in versions["rows"]] == [(1, "new"), (2, "changed"), (3, "changed")]
    by_region = get(datasette_url, "/archive/changes_by_region.json", since="2026-03-01")
    assert {(r["region"], r["kind"], r["events"]) for r in by_region["rows"]} == {
        ("Guangdong", "changed", 2), ("Beijing", "new", 1)}
    recent = get(datasette_url, "/archive/recent_changes.json")
    assert recent["rows"][0]["url"] == GD_OCEAN and len(recent["rows"]) == 7


def test_metadata_descriptions_are_served(datasette_url: str) -> None:
    metadata = get(datasette_url, "/-/metadata.json")
    pages = metadata["databases"]["archive"]["tables"]["pages"]
    assert pages["fts_table"] == "pages_fts" and "latest title" in pages["description"]


def test_plan_canned_queries(datasette_url: str) -> None:
    targets = get(datasette_url, "/archive/targets_for_year_by_region.json", year="2027")
    assert {(r["region"], r["quantity"], r["unit"]) for r in targets["rows"]} == {
        ("guangdong", 30000000000.0, "元"), ("guangdong", 3.0, "个")}
    assert get(datasette_url, "/archive/targets_for_year_by_region.json", year="")["rows"] == []  # 2030: none
    sectors = get(datasette_url, "/archive/plans_per_sector_per_year.json")
    assert {"sector", "year", "plans"} <= set(sectors["rows"][0])
    assert any(r["sector"] == "6g" for r in sectors["rows"])
    plans = get(datasette_url, "/archive/plans.json")
    assert {"region", "status"} <= set(plans["facet_results"])
