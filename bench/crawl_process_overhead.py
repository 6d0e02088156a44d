"""What a subprocess per crawl run costs: wall time of one whole run of a tiny source, as the daemon starts it.

The source is the bundled demo's German news section on 127.0.0.1 (robots.txt, one list page, one
article), so the time is almost all interpreter + Scrapy start-up + archive open: the fixed price the
daemon pays per run for crash and hang isolation. Prints the median of N runs (after one warm-up).

Run from the repository root:
    PYTHONPATH=. python bench/crawl_process_overhead.py --runs 9
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from crawlers.runner import start_crawl
from monitor.demo import DEMO_CRAWL_SETTINGS, write_demo_sources
from monitor.siteserver import SiteServer

DEMO_SITE = Path(__file__).resolve().parent.parent / "monitor" / "demo_site"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work, SiteServer(DEMO_SITE / "state1") as site:
        sources = write_demo_sources(DEMO_SITE / "sources.yaml", site.base_url, Path(work) / "sources.yaml")
        db = Path(work) / "archive.db"
        timings = []
        for i in range(args.runs + 1):
            started = time.perf_counter()
            summaries = start_crawl(sources, db, ["de-demo"], settings=DEMO_CRAWL_SETTINGS).wait(timeout=120)
            elapsed = time.perf_counter() - started
            assert summaries and summaries[0]["status"] == "ok", summaries
            if i:  # the first run creates the archive and warms the OS file cache
                timings.append(elapsed)
    print(f"crawl runs of one tiny source in a child process: n={len(timings)} "
          f"median={statistics.median(timings):.2f} s min={min(timings):.2f} s max={max(timings):.2f} s "
          f"(python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
