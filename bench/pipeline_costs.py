"""CPU cost per page of each step a crawl runs after the download, measured in-process without Scrapy.

The crawl child does all of this in its one Scrapy process, so these milliseconds bound its pages/s
whatever the downloader does. Steps timed (CPU time, ``time.process_time``), medians over the pages of
a generated benchmark site:

    decode -> extract (trafilatura) -> noise clean -> normalise + hash -> relevance -> archive write

and the wall time of the archive's per-page commit with SQLite's default fsync per commit and without.

    python bench/pipeline_costs.py --pages 200
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura
from htmldate import find_date
from site_gen import generate_site

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.items import PageItem  # noqa: E402
from monitor.decode import decode_html  # noqa: E402
from monitor.detect import comparison_text, record  # noqa: E402
from monitor.extract import FAVOR_PRECISION, extract_page, parse_html  # noqa: E402
from monitor.normalize import NoiseRules, content_hash, normalize_text  # noqa: E402
from monitor.relevance import DEFAULT_TOPICS, _fold, _matcher, is_relevant  # noqa: E402
from monitor.sources import Source  # noqa: E402
from storage import Archive  # noqa: E402


def _cpu(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    value = step()
    return (time.process_time() - start) * 1000, value


def measure(pages: int, seed: int) -> dict[str, float]:
    costs: dict[str, list[float]] = {k: [] for k in (
        "decode", "extract", "noise_clean", "normalise_hash", "relevance", "record_new", "record_unchanged",
        "whatif_relevance_search", "whatif_trafilatura_no_metadata", "whatif_htmldate_only")}
    topics_matcher = _matcher(DEFAULT_TOPICS)
    with tempfile.TemporaryDirectory() as tmp:
        site = generate_site(Path(tmp) / "site", pages, seed)
        source = Source(name="bench-zh", start_urls=["http://127.0.0.1/"], allow=[r"/post_\d+"], language="zh")
        noise = NoiseRules(source.ignore_text)
        with Archive(Path(tmp) / "archive.db") as archive:
            for article in site.articles:
                url = f"http://127.0.0.1/{article.path}"
                body = (site.root / article.path).read_bytes()
                ms, (html, _) = _cpu(lambda body=body: decode_html(body, "text/html"))
                costs["decode"].append(ms)
                ms, page = _cpu(lambda html=html, url=url: extract_page(html, url, language=source.language))
                costs["extract"].append(ms)
                ms, text = _cpu(lambda page=page: noise.clean(page.text))
                costs["noise_clean"].append(ms)
                ms, _ = _cpu(lambda page=page, text=text: content_hash(
                    normalize_text(comparison_text(page.title, text))))
                costs["normalise_hash"].append(ms)
                ms, _ = _cpu(lambda page=page, text=text: is_relevant(f"{page.title}\n{text}", source.topics))
                costs["relevance"].append(ms)
                # What-ifs for the report: stop at the first topic keyword; trafilatura without its metadata
                # pass (title and date then come from <h1>/<title> and htmldate).
                ms, _ = _cpu(lambda page=page, text=text: topics_matcher.search(_fold(f"{page.title}\n{text}")))
                costs["whatif_relevance_search"].append(ms)
                ms, _ = _cpu(lambda html=html: trafilatura.bare_extraction(
                    parse_html(html), with_metadata=False, include_comments=False, include_tables=True,
                    deduplicate=False, favor_precision=FAVOR_PRECISION))
                costs["whatif_trafilatura_no_metadata"].append(ms)
                ms, _ = _cpu(lambda html=html: find_date(parse_html(html), extensive_search=False))
                costs["whatif_htmldate_only"].append(ms)
                for kind in ("record_new", "record_unchanged"):
                    item = PageItem(url=url, source=source.name, status=200, body=body, content_type="text/html",
                                    fetched_at="2026-11-21T00:00:00Z")
                    ms, _ = _cpu(lambda item=item: record(archive, source, item, noise=noise))
                    costs[kind].append(ms)
    medians = {k: statistics.median(v) for k, v in costs.items()}
    medians.update(fetch_row_wall_ms(len(site.articles)))
    return medians


def fetch_row_wall_ms(pages: int) -> dict[str, float]:
    """Wall ms to record one "unchanged" fetch, as the archive does (one transaction per page), with
    SQLite's default ``synchronous=FULL`` (an fsync per commit in WAL mode) and with ``NORMAL``. The
    pipeline runs in the reactor thread, so this time blocks all downloads."""
    result = {}
    for mode in ("FULL", "NORMAL"):
        with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "archive.db") as archive:
            archive.db.execute(f"PRAGMA synchronous = {mode}")
            urls = [f"http://127.0.0.1/post_{i}.html" for i in range(pages)]
            timings = []
            for _ in range(2):  # the first pass creates the pages, the second is a re-check
                timings.clear()
                for url in urls:
                    start = time.perf_counter()
                    archive.add_fetch(run_id=None, source="bench", url=url, fetched_at="2026-11-21T00:00:00Z",
                                      status=200, size=1, elapsed_ms=1.0, outcome="unchanged")
                    timings.append((time.perf_counter() - start) * 1000)
            result[f"fetch_row_wall_{mode.lower()}"] = statistics.median(timings)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    medians = measure(args.pages, args.seed)
    print(f"median ms per page over {args.pages} generated pages (one process; CPU time except *_wall_*):")
    for key, value in medians.items():
        print(f"  {key:<32} {value:7.2f} ms")
    print("record_* is the whole per-page pipeline (decode..archive write) for a new / an unchanged page;\n"
          f"one core at record_unchanged alone gives at most {1000 / medians['record_unchanged']:.0f} pages/s.\n"
          "fetch_row_wall_* is WALL time to record an unchanged fetch (synchronous=FULL, the default, / NORMAL).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
