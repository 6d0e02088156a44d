"""How right are the publication dates analyse_page stores? Score them against the corpora's reference dates.

chinese-wce has hand-made dates (``gt/date``), trafilatura's evaluation subset has the ``date`` of each
page, and the GNE test pages have GNE's own ``publish_time`` (silver). Only references stating a full day
are scored. Every page of every corpus is read (with its real address, which holds dates), so a run on the
old code and one on the new also show each page whose date changed, with or without a reference:

    git archive HEAD | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base python bench/date_eval.py run /tmp/old.json --corpus ../shared/corpus
    PYTHONPATH=. python bench/date_eval.py run /tmp/new.json --corpus ../shared/corpus
    python bench/date_eval.py compare /tmp/old.json /tmp/new.json

A page without a reference whose date went away is listed: a date that was a guess from a bare year
should go, a date the page states should not.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_FULL_DATE = re.compile(r"((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})")


def _day(text: str | None) -> str | None:
    match = _FULL_DATE.search(text or "")
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else None


def _references(corpus: Path, dataset: str, entry: dict[str, Any]) -> str | None:
    if dataset == "chinese-wce" and entry.get("date_file"):
        return _day((corpus / dataset / entry["date_file"]).read_text(encoding="utf-8", errors="replace"))
    if dataset == "trafilatura-eval-subset":
        return _day(_json(corpus / dataset / "evaldata-subset.json").get(entry["gt_key"], {}).get("date"))
    if dataset == "gne-testpages" and entry.get("silver"):
        return _day(_json(corpus / dataset / entry["gt_file"]).get(entry["gt_key"], {}).get("publish_time"))
    return None


_LOADED: dict[Path, Any] = {}


def _json(path: Path) -> Any:
    if path not in _LOADED:
        _LOADED[path] = json.loads(path.read_text(encoding="utf-8"))
    return _LOADED[path]


def run(out: Path, corpus: Path) -> int:
    from monitor.detect import analyse_page
    from monitor.extract import ExtractionError
    from monitor.sources import Source

    source = Source(name="dates", start_urls=["http://127.0.0.1/"], allow=["x"])
    readings: dict[str, Any] = {}
    for manifest in sorted(corpus.glob("*/manifest.jsonl")):
        dataset = manifest.parent.name
        for line in manifest.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            url = entry.get("url") or f"http://127.0.0.1/{entry['id']}.html"
            body = gzip.decompress((manifest.parent / entry["html"]).read_bytes())
            try:
                published = analyse_page(body, "text/html", url, source).published
            except ExtractionError as exc:
                published = f"error: {type(exc).__name__}"
            readings[f"{dataset}/{entry['id']}"] = {"published": published,
                                                    "reference": _references(corpus, dataset, entry)}
    out.write_text(json.dumps(readings, ensure_ascii=False, indent=0))
    print(f"{len(readings)} pages read into {out}")
    _score(readings)
    return 0


def _score(readings: dict[str, Any]) -> None:
    counts: Counter[str] = Counter()
    for page, reading in readings.items():
        dataset = page.split("/")[0]
        counts[f"{dataset} dated"] += reading["published"] is not None
        if reference := reading["reference"]:
            verdict = ("right" if reading["published"] == reference else
                       "none" if reading["published"] is None else "wrong")
            counts[f"{dataset} {verdict}"] += 1
    for dataset in sorted({page.split("/")[0] for page in readings}):
        total = sum(1 for page in readings if page.startswith(dataset + "/"))
        scored = sum(counts[f"{dataset} {v}"] for v in ("right", "none", "wrong"))
        line = f"{dataset}: {counts[dataset + ' dated']}/{total} pages dated"
        if scored:
            line += (f"; of {scored} with a reference day: {counts[dataset + ' right']} right, "
                     f"{counts[dataset + ' wrong']} wrong, {counts[dataset + ' none']} undated")
        print(line)


def compare(old_path: Path, new_path: Path) -> int:
    old, new = json.loads(old_path.read_text()), json.loads(new_path.read_text())
    changed = [page for page in sorted(old.keys() & new.keys()) if old[page]["published"] != new[page]["published"]]
    print(f"{len(changed)} of {len(old.keys() & new.keys())} pages changed date")
    for page in changed:
        print(f"  {page}: {old[page]['published']} -> {new[page]['published']} (reference {new[page]['reference']})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    running = commands.add_parser("run")
    running.add_argument("out", type=Path)
    running.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    comparing = commands.add_parser("compare")
    comparing.add_argument("old", type=Path)
    comparing.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.out, args.corpus)
    return compare(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
