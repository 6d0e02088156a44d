"""Wall time per page of the plan step a crawl now runs after storing a version.

``monitor.plans.events.record_plan_events`` (analyse the version, link it to its plans, write plan
events) is timed for every page of the labelled plans corpus (tests/corpus/plans, 65 pages in zh/en/de),
stored one after another into a fresh archive in a temp directory, as a crawl would; the page's own
storing is not timed. Medians (and the 90th percentile) over all pages of ``--passes`` passes.

    python bench/plan_events_cost.py --passes 5
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.plans.evaluation import read_page  # noqa: E402
from monitor.plans.events import record_plan_events  # noqa: E402
from storage import Archive  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "plans"


def one_pass(work: Path) -> tuple[list[float], int]:
    pages = [read_page(path) for path in sorted(CORPUS.glob("*.txt"))]
    times, events = [], 0
    with Archive(work / "archive.db") as archive:
        for number, page in enumerate(pages):
            source = f"src-{page.language}"
            fetched_at = f"2026-01-01T00:{number // 60:02d}:{number % 60:02d}Z"
            archive.upsert_source(source, title=None, region=page.region, language=page.language, now=fetched_at)
            with archive.db.atomic():
                event = archive.add_version(
                    run_id=None, source=source, region=page.region, url=f"http://127.0.0.1/{number}.html",
                    fetched_at=fetched_at, status=200, raw_html=b"<html></html>", elapsed_ms=1.0,
                    content_hash=str(number), title=page.title, text=page.text, published=None,
                    language=page.language, relevant=True, event_kind="new", summary=None, excerpt=None,
                    diff_html=None, meta=page.meta)
                start = time.perf_counter()
                events += len(record_plan_events(archive, event))
                times.append((time.perf_counter() - start) * 1000)
    return times, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    times: list[float] = []
    for _ in range(args.passes):
        with tempfile.TemporaryDirectory() as tmp:
            pass_times, events = one_pass(Path(tmp))
            times += pass_times
    deciles = statistics.quantiles(times, n=10)
    print(f"{len(times) // args.passes} pages x {args.passes} passes, {events} plan events per pass: "
          f"plan step median {statistics.median(times):.1f} ms, p90 {deciles[-1]:.1f} ms per page")


if __name__ == "__main__":
    main()
