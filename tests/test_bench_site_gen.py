"""The benchmark site generator writes the site the crawl benchmark's counts rely on."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.site_gen import EN_DIR, MAX_BYTES, MIN_BYTES, ZH_DIR, generate_site, write_sources
from monitor.extract import extract_page
from monitor.sources import load_sources

pytestmark = pytest.mark.slow

LINK = re.compile(r'href="([^"]+)"')


def _links(path: Path) -> set[str]:
    return set(LINK.findall(path.read_text(encoding="utf-8")))


def test_site_structure_lists_link_every_article_and_sizes_fit(tmp_path: Path) -> None:
    info = generate_site(tmp_path / "site", pages=45, seed=7)
    root = info.root
    assert len(info.articles) == 45
    assert (root / "robots.txt").read_text().startswith("User-agent: *")
    for article in info.articles:
        size = (root / article.path).stat().st_size
        assert MIN_BYTES <= size <= MAX_BYTES, (article.path, size)
    # Every article is reachable from its section's list pages, which chain index.html, index_1.html…
    for section in (ZH_DIR, EN_DIR):
        pages = sorted(p for p in info.list_pages if p.startswith(section))
        assert f"{section}/index.html" in pages
        linked = set().union(*(_links(root / p) for p in pages))
        expected = {"/" + a.path for a in info.articles if a.path.startswith(section)}
        assert expected <= linked
        if len(pages) > 1:
            assert "index_1.html" in _links(root / section / "index.html")
    zh_share = sum(not a.english for a in info.articles) / len(info.articles)
    assert zh_share > 0.7


def test_article_text_is_extractable_and_about_future_industries(tmp_path: Path) -> None:
    info = generate_site(tmp_path / "site", pages=12, seed=3)
    article = next(a for a in info.articles if not a.english)
    html = (info.root / article.path).read_text(encoding="utf-8")
    assert "发文字号" in html and "<footer" in html
    page = extract_page(html, "http://127.0.0.1/" + article.path, language="zh")
    assert len(page.text) > 2000
    assert "ICP备案号" not in page.text  # the footer is boilerplate, not main text


def test_same_seed_same_bytes_and_changed_fraction_edits_only_some(tmp_path: Path) -> None:
    a = generate_site(tmp_path / "a", pages=40, seed=5)
    b = generate_site(tmp_path / "b", pages=40, seed=5)
    edited = generate_site(tmp_path / "c", pages=40, seed=5, changed_fraction=0.05)
    assert len(edited.changed) == 2
    for article in a.articles:
        first, second = (a.root / article.path), (b.root / article.path)
        assert first.read_bytes() == second.read_bytes()
        assert first.stat().st_mtime == second.stat().st_mtime
        third = edited.root / article.path
        if article.number in {c.number for c in edited.changed}:
            old, new = first.read_text(encoding="utf-8"), third.read_text(encoding="utf-8")
            assert old != new and len(new) > len(old)
            assert third.stat().st_mtime > first.stat().st_mtime
        else:
            assert third.read_bytes() == first.read_bytes()


def test_sources_file_loads_and_patterns_match_the_site(tmp_path: Path) -> None:
    info = generate_site(tmp_path / "site", pages=30, seed=2)
    path = write_sources(tmp_path / "sources.yaml", "http://127.0.0.1:8123", info)
    sources = {s.name: s for s in load_sources(path)}
    assert set(sources) == {"bench-zh", "bench-en"}
    zh = sources["bench-zh"]
    article = next(a for a in info.articles if not a.english)
    assert re.search(zh.allow[0], f"http://127.0.0.1:8123/{article.path}")
    assert re.search(zh.follow[0], f"http://127.0.0.1:8123/{ZH_DIR}/index_1.html")
    assert not re.search(zh.allow[0], f"http://127.0.0.1:8123/{EN_DIR}/content/post_1.html")
    assert zh.max_pages >= len(info.articles)
    assert zh.content_css is None  # the default benchmark lets trafilatura find the text


def test_sources_file_can_name_the_body_container_and_it_reads_like_trafilatura(tmp_path: Path) -> None:
    info = generate_site(tmp_path / "site", pages=12, seed=3)
    path = write_sources(tmp_path / "sources.yaml", "http://127.0.0.1:8123", info, content_css="#zoom")
    sources = {s.name: s for s in load_sources(path)}
    assert {s.content_css for s in sources.values()} == {"#zoom"}
    article = next(a for a in info.articles if not a.english)
    html = (info.root / article.path).read_text(encoding="utf-8")
    url = "http://127.0.0.1/" + article.path
    scoped, guessed = extract_page(html, url, content_css="#zoom"), extract_page(html, url)
    assert (scoped.title, scoped.published) == (guessed.title, guessed.published)
    assert scoped.text == guessed.text  # the generated body container is exactly what trafilatura finds


def test_profile_summary_attributes_samples_to_the_innermost_area(tmp_path: Path) -> None:
    from bench.profile_summary import summarise

    raw = tmp_path / "stacks.txt"
    raw.write_text(
        "main (crawlers/crawl.py:10);record (monitor/detect.py:5);bare_extraction (trafilatura/core.py:9) 30\n"
        "main (crawlers/crawl.py:10);record (monitor/detect.py:5);is_relevant (monitor/relevance.py:3) 10\n"
        "_bootstrap (threading.py:1);Condition.wait (threading.py:320) 60\n", encoding="utf-8")
    text = summarise(raw)
    assert "40 busy samples (60 idle-thread samples left out)" in text
    assert "75.0%  trafilatura (extraction)" in text
    assert "25.0%  policywatch monitor/" in text


def test_profile_summary_splits_samples_by_process(tmp_path: Path) -> None:
    from bench.profile_summary import summarise

    crawl = 'process 11:"python -m crawlers.crawl --sources s.yaml" ()'
    worker = 'process 12:"python -B -c from multiprocessing.forkserver import main" ()'
    raw = tmp_path / "stacks.txt"
    raw.write_text(
        f"{crawl};main (crawlers/crawl.py:10);record (monitor/detect.py:5) 20\n"
        f"{crawl};{worker};_process_worker (concurrent/futures/process.py:2);"
        "bare_extraction (trafilatura/core.py:9) 60\n"
        f"{crawl};{worker};_process_worker (concurrent/futures/process.py:2);"
        "targets (monitor/plans/targets.py:3) 20\n",
        encoding="utf-8")
    words = " ".join(summarise(raw).split())
    assert "80.0% analysis workers 60.0% trafilatura (extraction) 20.0% policywatch monitor/" in words
    assert "20.0% crawl process 20.0% policywatch monitor/" in words
    raw.write_text("main (crawlers/crawl.py:10);record (monitor/detect.py:5) 20\n", encoding="utf-8")
    assert "by process" not in summarise(raw)  # one process: no split
