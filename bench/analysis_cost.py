"""CPU milliseconds per page of ``monitor.detect.analyse_page`` and of each of its stages.

analyse_page is what the crawl's analysis worker runs for every new or changed page (decode, extract,
noise cleaning, document facts, relevance, error-page check, hash), so its cost bounds first-crawl
pages/s. Timed over the article pages of a generated benchmark site (files not named index*.html),
CPU time (``time.process_time``) per call, median over pages, then median over ``--runs`` passes:

    PYTHONPATH=.:bench python bench/site_gen.py /tmp/ec-site --pages 300
    PYTHONPATH=.:bench python bench/analysis_cost.py /tmp/ec-site --runs 5 --json bench/results/NAME.json
    PYTHONPATH=.:bench python bench/analysis_cost.py /tmp/ec-site --runs 5 --content-css '#zoom'

``--content-css`` reads the pages with a source that declares that body container (as most real
sources in sources.yaml do); without it the source has none and trafilatura finds the text.

Stages are the functions analyse_page calls by name in ``monitor.detect`` (wrapped with a timer in a
separate pass, so the total is measured unwrapped); a stage's time includes whatever it calls. The
``worker:`` rows are the analysis worker's whole call (``monitor.analysis_pool.analyse_in_worker``:
analyse_page plus the plan reading), the plan reading alone and the worker's share of the pickling.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import monitor.detect as detect  # noqa: E402
from monitor.normalize import NoiseRules  # noqa: E402
from monitor.sources import Source  # noqa: E402


class _TimedNoise(NoiseRules):
    def __init__(self, costs: dict[str, list[float]]) -> None:
        super().__init__()
        self._costs = costs

    def clean(self, text: str) -> str:
        start = time.process_time()
        try:
            return super().clean(text)
        finally:
            self._costs["noise.clean"].append((time.process_time() - start) * 1000)


def _timed(name: str, function: Callable[..., Any], costs: dict[str, list[float]]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            costs[name].append((time.process_time() - start) * 1000)
    return wrapper


def article_pages(site: Path) -> list[tuple[str, bytes]]:
    return [(f"http://127.0.0.1:8080/{path.relative_to(site).as_posix()}", path.read_bytes())
            for path in sorted(site.rglob("*.html")) if not path.name.startswith("index")]


def one_run(pages: list[tuple[str, bytes]], source: Source) -> dict[str, float]:
    """Median ms per page: the unwrapped total, then each stage (per page: the sum of its calls)."""
    noise = NoiseRules(source.ignore_text)
    totals = []
    for url, body in pages:
        start = time.process_time()
        detect.analyse_page(body, "text/html", url, source, noise)
        totals.append((time.process_time() - start) * 1000)
    per_page: dict[str, list[float]] = defaultdict(list)
    names = [n for n in detect.analyse_page.__code__.co_names
             if callable(getattr(detect, n, None)) and not isinstance(getattr(detect, n), type)]
    originals = {n: getattr(detect, n) for n in names}
    try:
        for url, body in pages:
            costs: dict[str, list[float]] = defaultdict(list)
            for name, function in originals.items():
                setattr(detect, name, _timed(name, function, costs))
            detect.analyse_page(body, "text/html", url, source, _TimedNoise(costs))
            for name, values in costs.items():
                per_page[name].append(sum(values))
    finally:
        for name, function in originals.items():
            setattr(detect, name, function)
    result = {"analyse_page": statistics.median(totals)}
    result.update({name: statistics.median(values) for name, values in per_page.items()})
    result.update(worker_costs(pages, source))
    return result


def worker_costs(pages: list[tuple[str, bytes]], source: Source) -> dict[str, float]:
    """What the analysis worker spends per page beyond analyse_page: the plan reading, and its side of the
    IPC (unpickling the page it is sent, pickling the analysis it sends back); ``worker`` is the whole
    ``analyse_in_worker`` call, timed unwrapped."""
    from monitor.analysis_pool import _plan_records, analyse_in_worker

    costs: dict[str, list[float]] = defaultdict(list)
    for url, body in pages:
        _forget_plan_titles()
        start = time.process_time()
        result = analyse_in_worker(body, "text/html", url, source, {})
        costs["worker: analyse_in_worker"].append((time.process_time() - start) * 1000)
        _forget_plan_titles()
        start = time.process_time()
        _plan_records(result, url, source, {})
        costs["worker: _plan_records"].append((time.process_time() - start) * 1000)
        sent = pickle.dumps((analyse_in_worker, (body, "text/html", url, source, {})))
        start = time.process_time()
        pickle.loads(sent)
        pickle.dumps(result)
        costs["worker: IPC pickling"].append((time.process_time() - start) * 1000)
    return {name: statistics.median(values) for name, values in costs.items()}


def _forget_plan_titles() -> None:
    """Each page is timed as if the plan titles it names were new to the worker (the worst case: a real
    crawl's worker has met some of them on earlier pages), not as remembered from the previous pass."""
    import monitor.plans.grouping as grouping

    for name in ("plan_type", "_title_concepts"):
        cache_clear = getattr(getattr(grouping, name, None), "cache_clear", None)
        if cache_clear is not None:
            cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a directory made by bench/site_gen.py")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the medians here")
    parser.add_argument("--content-css", help="the source's content_css (the generated site's body is #zoom)")
    parser.add_argument("--code", default="", help="which code was measured, for the JSON (e.g. a commit)")
    args = parser.parse_args(argv)
    pages = article_pages(args.site)
    source = Source(name="bench", start_urls=["http://127.0.0.1:8080/"], allow=["x"],
                    content_css=args.content_css)
    detect.analyse_page(pages[0][1], "text/html", pages[0][0], source)  # imports and caches, not timed
    load_before = os.getloadavg()[0]  # other work on the machine inflates CPU time too: say how much
    runs = [one_run(pages, source) for _ in range(args.runs)]
    load_after = os.getloadavg()[0]
    medians = {key: round(statistics.median(run[key] for run in runs), 3) for key in runs[0]}
    print(f"median CPU ms per page over {len(pages)} article pages, median of {args.runs} runs "
          f"(load average {load_before:.1f} before, {load_after:.1f} after):")
    for key, value in medians.items():
        print(f"  {key:<28} {value:7.2f} ms")
    if args.json:
        report = {"command": " ".join(sys.argv), "code": args.code, "content_css": args.content_css,
                  "pages": len(pages), "runs": args.runs,
                  "load_average": [load_before, load_after], "median_ms_per_page": medians}
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
