"""Does a faster analyse_page read pages exactly as before? Dump every field, then compare two dumps.

A speed-up of ``monitor.detect.analyse_page`` must not change what a crawl stores (title, text, dates,
facts, language, relevance, error-page verdict, content hash): a changed reading announces every archived
page as changed on the next crawl. So run the dump on the old code and on the new, over the extraction
benchmark corpus, the test pages and a generated site, and compare:

    git archive HEAD | tar -x -C /tmp/ec-base          # the old code, outside the worktree
    PYTHONPATH=/tmp/ec-base python bench/analysis_equivalence.py dump /tmp/old.json ../shared/corpus tests /tmp/ec-site
    PYTHONPATH=. python bench/analysis_equivalence.py dump /tmp/new.json ../shared/corpus tests /tmp/ec-site
    python bench/analysis_equivalence.py compare /tmp/old.json /tmp/new.json

The plans the analysis worker reads from each page (``monitor.analysis_pool._plan_records``) are compared
too, as field ``plans``. Any ``*.html``/``*.htm``/``*.html.gz`` file under the given directories is read,
with a source that has no special rules (``allow=['x']``), or only a ``content_css`` with
``--content-css CSS`` (the generated site's body container is ``#zoom``). Pages whose analysis raises
are recorded with the error's class.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

FIELDS = ("title", "text", "published", "language", "encoding", "content_hash", "relevant", "error_page", "facts")


def _pages(roots: list[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        found.extend(p for p in root.rglob("*") if p.is_file() and p.name.endswith((".html", ".htm", ".html.gz")))
    return sorted(found)


def dump(out: Path, roots: list[Path], content_css: str | None = None) -> int:
    from monitor.analysis_pool import _plan_records
    from monitor.detect import analyse_page
    from monitor.extract import ExtractionError
    from monitor.sources import Source

    source = Source(name="equivalence", start_urls=["http://127.0.0.1/"], allow=["x"],
                    content_css=content_css)
    readings: dict[str, Any] = {}
    for path in _pages(roots):
        body = path.read_bytes()
        if path.name.endswith(".gz"):
            body = gzip.decompress(body)
        try:
            analysis = analyse_page(body, "text/html", f"http://127.0.0.1/{path.name}", source)
        except ExtractionError as exc:
            readings[str(path.resolve())] = {"error": type(exc).__name__}
            continue
        plans = _plan_records(analysis, f"http://127.0.0.1/{path.name}", source, None)
        readings[str(path.resolve())] = {f: getattr(analysis, f) for f in FIELDS if f != "facts"} | {
            "facts": analysis.facts.as_dict(), "plans": None if plans is None else [asdict(r) for r in plans]}
    out.write_text(json.dumps(readings, ensure_ascii=False, indent=0))
    print(f"{len(readings)} pages read into {out}")
    return 0


def compare(old_path: Path, new_path: Path, examples: int) -> int:
    old, new = json.loads(old_path.read_text()), json.loads(new_path.read_text())
    if old.keys() != new.keys():
        only_old, only_new = len(old.keys() - new.keys()), len(new.keys() - old.keys())
        print(f"different page sets: {only_old} only in old, {only_new} only in new")
    differing: dict[str, list[str]] = {}
    for page in sorted(old.keys() & new.keys()):
        for field in sorted(old[page].keys() | new[page].keys()):
            if old[page].get(field) != new[page].get(field):
                differing.setdefault(field, []).append(page)
    print(f"{len(old.keys() & new.keys())} pages compared")
    for field, pages in differing.items():
        print(f"  {field}: {len(pages)} pages differ")
        for page in pages[:examples]:
            print(f"    {page}")
            for label, reading in (("old", old), ("new", new)):
                print(f"      {label}: {str(reading[page].get(field))[:200]!r}")
    if not differing:
        print("  every field of every page is identical")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("roots", type=Path, nargs="+")
    dumping.add_argument("--content-css", help="read every page with a source that has this content_css")
    comparing = commands.add_parser("compare")
    comparing.add_argument("old", type=Path)
    comparing.add_argument("new", type=Path)
    comparing.add_argument("--examples", type=int, default=3)
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.out, args.roots, args.content_css)
    return compare(args.old, args.new, args.examples)


if __name__ == "__main__":
    sys.exit(main())
