"""CPU cost per page of each step a crawl runs after the download, measured in-process without Scrapy.

The crawl child does all of this in its one Scrapy process, so these milliseconds bound its pages/s
whatever the downloader does. Steps timed (CPU time, ``time.process_time``), medians over the pages of
a generated benchmark site:

    decode -> extract (trafilatura) -> noise clean -> normalise + hash -> relevance -> archive write

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

from site_gen import generate_site

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.items import PageItem  # noqa: E402
from monitor.decode import decode_html  # noqa: E402
from monitor.detect import comparison_text, record  # noqa: E402
from monitor.extract import extract_page  # noqa: E402
from monitor.normalize import NoiseRules, content_hash, normalize_text  # noqa: E402
from monitor.relevance import is_relevant  # noqa: E402
from monitor.sources import Source  # noqa: E402
from storage import Archive  # noqa: E402


def _cpu(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    value = step()
    return (time.process_time() - start) * 1000, value


def measure(pages: int, seed: int) -> dict[str, float]:
    costs: dict[str, list[float]] = {k: [] for k in (
        "decode", "extract", "noise_clean", "normalise_hash", "relevance", "record_new", "record_unchanged")}
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
                for kind in ("record_new", "record_unchanged"):
                    item = PageItem(url=url, source=source.name, status=200, body=body, content_type="text/html",
                                    fetched_at="2026-11-21T00:00:00Z")
                    ms, _ = _cpu(lambda item=item: record(archive, source, item, noise=noise))
                    costs[kind].append(ms)
    return {k: statistics.median(v) for k, v in costs.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    medians = measure(args.pages, args.seed)
    print(f"median CPU ms per page over {args.pages} generated pages (one process):")
    for key, value in medians.items():
        print(f"  {key:<18} {value:7.2f} ms")
    print("record_* is the whole per-page pipeline (decode..archive write) for a new / an unchanged page;\n"
          f"one core at record_unchanged alone gives at most {1000 / medians['record_unchanged']:.0f} pages/s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
