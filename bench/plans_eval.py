"""Precision and recall of plan extraction per field over tests/corpus/plans (and the seed articles).

Run from the repository root:

    python bench/plans_eval.py            # corpus, then ../shared/seeds when that folder exists
    python bench/plans_eval.py --errors   # also list every miss and every wrong extraction
    python bench/plans_eval.py --json
    python bench/plans_eval.py --speed    # median analysis time per corpus page (5 runs)

The seed articles are real pages (not in the repository); their labels live in bench/plans_seed_labels.json
and are scored separately from the corpus so the two numbers are never mixed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.plans.evaluation import FIELDS, LabelledPage, Report, read_corpus, read_page, score  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "plans"


def find_seeds() -> Path:
    """../shared/seeds from the repository root (or from a worktree one level deeper), or $POLICYWATCH_SEEDS."""
    if os.environ.get("POLICYWATCH_SEEDS"):
        return Path(os.environ["POLICYWATCH_SEEDS"])
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "seeds").is_dir():
            return base / "shared" / "seeds"
    return ROOT.parent / "shared" / "seeds"


SEEDS = find_seeds()
SEED_LABELS = ROOT / "bench" / "plans_seed_labels.json"


def seed_pages(seeds: Path = SEEDS, labels_file: Path = SEED_LABELS) -> list[LabelledPage]:
    """The seed files as labelled pages: first line is the title, the rest the text."""
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    pages = []
    for name, label in labels.items():
        path = seeds / name
        if not path.exists():
            continue
        raw = path.read_text(encoding="utf-8")
        title, _, text = raw.partition("\n")
        staged = f"title: {title.strip()}\nlanguage: {label.get('language', '')}\n---\n{text}"
        pages.append(_page_from_string(path, staged, label))
    return pages


def _page_from_string(path: Path, staged: str, label: dict) -> LabelledPage:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        staged_path = Path(tmp) / (path.stem + ".txt")
        staged_path.write_text(staged, encoding="utf-8")
        page = read_page(staged_path, label)
    return page


def print_report(name: str, report: Report, *, errors: bool) -> None:
    data = report.as_dict()
    print(f"## {name}: {data['pages']} pages")
    print(f"{'field':<12} {'precision':>9} {'recall':>7} {'tp':>5} {'pred':>5} {'gold':>5}")
    for field_name in FIELDS:
        s = data["fields"][field_name]
        print(f"{field_name:<12} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['true_positives']:>5} "
              f"{s['predicted']:>5} {s['expected']:>5}")
    g = data["grouping"]
    print(f"status accuracy {data['status_accuracy']:.3f}, role accuracy {data['role_accuracy']:.3f}")
    print(f"grouping: pair precision {g['pair_precision']:.3f}, pair recall {g['pair_recall']:.3f}")
    if errors:
        for field_name, field_score in report.fields.items():
            for line in field_score.errors:
                print(f"  [{field_name}] {line}")
    print()


def speed(pages: list[LabelledPage], runs: int = 5) -> int:
    import statistics
    import time

    from monitor.plans.evaluation import analyse_labelled

    analyse_labelled(pages[0])  # load the data files once, outside the timing
    totals = []
    for _ in range(runs):
        started = time.perf_counter()
        for page in pages:
            analyse_labelled(page)
        totals.append(time.perf_counter() - started)
    chars = sum(len(p.text) for p in pages)
    median = statistics.median(totals)
    print(f"{len(pages)} pages, {chars} characters: median {median * 1000:.1f} ms per corpus pass "
          f"({median / len(pages) * 1000:.2f} ms per page) over {runs} runs")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list every miss and false extraction")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--speed", action="store_true", help="time analyse_page over the corpus (median of 5 runs)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    args = parser.parse_args(argv)
    if args.speed:
        return speed(read_corpus(args.corpus))
    results = {"corpus": score(read_corpus(args.corpus))}
    if args.seeds.is_dir():
        pages = seed_pages(args.seeds)
        if pages:
            results["seeds"] = score(pages)
    if args.json:
        print(json.dumps({k: v.as_dict() for k, v in results.items()}, indent=1, ensure_ascii=False))
    else:
        for name, report in results.items():
            print_report(name, report, errors=args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
