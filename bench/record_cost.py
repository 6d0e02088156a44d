"""CPU the crawl process spends per page once a worker has analysed it: ``monitor.detect.record``.

In a crawl the worker process (monitor/analysis_pool.py) extracts the text and reads the plans; the
crawl process then only writes the archive (version, texts, search index, fetch row, event, plan links
and plan events). This times exactly that side, without Scrapy and without the worker: analyses are
made first, then ``record`` is timed (``time.process_time``) for every article of a generated site,
as a first crawl, with the archive's writes committed per page or in batches of ``--batch`` pages, and
the search index brought up to date every ``--search-batch`` pages as a crawl does (crawlers/pipelines.py;
1: with every page). The archive's size per page is reported too (after a WAL checkpoint).

    python bench/record_cost.py --pages 500 --runs 3
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from site_gen import generate_site

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.items import PageItem  # noqa: E402
from crawlers.pipelines import SEARCH_BATCH  # noqa: E402
from monitor.analysis_pool import analyse_in_worker  # noqa: E402
from monitor.detect import record  # noqa: E402
from monitor.normalize import NoiseRules  # noqa: E402
from monitor.sources import Source  # noqa: E402
from storage import Archive  # noqa: E402


def record_all(db_path: Path, source: Source, pages: list[tuple[PageItem, object]], batch: int,
               search_batch: int) -> float:
    """CPU ms per page to record every page into a fresh archive (commit every ``batch`` pages)."""
    noise = NoiseRules(source.ignore_text)
    with Archive(db_path, search_batch=search_batch) as archive:
        run_id = archive.start_run(source.name, "2026-11-21T00:00:00Z")
        start = time.process_time()
        for number, (item, analysis) in enumerate(pages):
            if batch > 1 and number % batch == 0:
                if archive.db.conn.in_transaction:
                    archive.db.conn.commit()
                archive.db.conn.execute("BEGIN IMMEDIATE")
            record(archive, source, item, run_id=run_id, noise=noise, analysis=analysis)
        if archive.db.conn.in_transaction:
            archive.db.conn.commit()
        archive.index_queued()  # as closing the crawl's archive does
        spent = time.process_time() - start
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return 1000 * spent / len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, action="append", help="pages per commit (repeatable; default 1 and 50)")
    parser.add_argument("--search-batch", type=int, default=SEARCH_BATCH,
                        help=f"pages per search index update (default {SEARCH_BATCH}, as in a crawl)")
    args = parser.parse_args(argv)
    batches = args.batch or [1, 50]
    with tempfile.TemporaryDirectory() as tmp:
        site = generate_site(Path(tmp) / "site", args.pages, 1)
        source = Source(name="bench-zh", start_urls=["http://127.0.0.1/"], allow=[r"/post_\d+"],
                        language="zh", region="guangdong")
        pages = []
        for article in site.articles:
            url = f"http://127.0.0.1/{article.path}"
            body = (site.root / article.path).read_bytes()
            item = PageItem(url=url, source=source.name, status=200, body=body, content_type="text/html",
                            fetched_at="2026-11-21T00:00:00Z")
            pages.append((item, analyse_in_worker(body, "text/html", url, source, {})))
        results: dict[str, list[float]] = {str(b): [] for b in batches}
        for run in range(args.runs):
            for batch in batches:
                db_path = Path(tmp) / f"a-{run}-{batch}.db"
                results[str(batch)].append(record_all(db_path, source, pages, batch, args.search_batch))
        archive_bytes = db_path.stat().st_size
    report: dict[str, object] = {f"record_cpu_ms_per_page_batch_{b}": statistics.median(v)
                                 for b, v in results.items()}
    report["archive_bytes_per_page"] = round(archive_bytes / len(pages))
    report["runs"] = results
    report["command"] = " ".join(["python", "bench/record_cost.py", *(argv or sys.argv[1:])])
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
