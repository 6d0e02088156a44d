"""Measure change detection on the labelled corpus in ``tests/corpus/changes/``.

Each pair of page versions goes through exactly what a crawl does (``monitor.detect.analyse_page`` on
both versions with a default source, ``monitor.detect.compare_versions`` for the verdict and the diff,
``monitor.diff.render_html`` for what a feed shows). Printed: precision and recall of the "changed"
verdict, the false alarms and misses by name, error-page recognition, and every expected phrase that the
rendered diff does not show. Run from the repository root:

    python bench/detect_eval.py            # add -v to list every pair
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from monitor.detect import analyse_page, compare_versions  # noqa: E402
from monitor.diff import diff_sentences, render_html  # noqa: E402
from monitor.normalize import normalize_text  # noqa: E402
from monitor.sources import Source  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "changes"
URL = "http://127.0.0.1/corpus/page.html"
_DEL = re.compile(r"<del>.*?</del>", re.S)
_INS = re.compile(r"<ins>.*?</ins>", re.S)
_TAG = re.compile(r"<[^>]+>")


def default_source(**options: object) -> Source:
    """A source with default settings, plus a pair's own ``source`` options (``ignore_css``, ``ignore_text``)."""
    return Source(name="corpus", start_urls=["http://127.0.0.1/"], allow=[r"/corpus/"], **options)  # type: ignore[arg-type]


def visible(rendered: str, side: str) -> str:
    """The text a reader sees on one side of a rendered diff: new (without <del>) or old (without <ins>)."""
    text = _DEL.sub("", rendered) if side == "new" else _INS.sub("", rendered)
    return normalize_text(html.unescape(_TAG.sub("", text)))


@dataclass
class PairResult:
    name: str
    label: dict
    predicted: str  # "changed" | "unchanged" | "fetch-problem"
    summary: str | None = None
    rendered: str = ""
    kinds: tuple[str, ...] = ()
    problem: str | None = None
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def expected(self) -> str:
        return self.label["verdict"]


def evaluate_pair(folder: Path) -> PairResult:
    label = json.loads((folder / "label.json").read_text(encoding="utf-8"))
    source = default_source(**label.get("source", {}))
    started = time.perf_counter()
    before = analyse_page((folder / "before.html").read_bytes(), "text/html", URL, source)
    after = analyse_page((folder / "after.html").read_bytes(), "text/html", URL, source)
    if before.error_page:
        raise AssertionError(f"{folder.name}: the 'before' page is taken for an error page: {before.error_page}")
    result = PairResult(folder.name, label, "unchanged")
    if after.error_page:
        result.predicted, result.problem = "fetch-problem", after.error_page
    else:
        comparison = compare_versions(before.title, before.text, before.content_hash, after)
        if comparison.diff is not None:
            result.predicted = "changed"
            result.summary = comparison.diff.summary()
            result.rendered = render_html(comparison.diff)
            result.kinds = tuple(sorted({c.kind for c in comparison.diff.changes}))
    result.seconds = time.perf_counter() - started
    result.missing = missing_expectations(result)
    return result


def missing_expectations(result: PairResult) -> list[str]:
    """Expected phrases, kinds and number changes that the verdict or the rendered diff lacks."""
    label = result.label
    if result.expected != "changed" or result.predicted != "changed":
        return []
    missing = []
    new_side, old_side = visible(result.rendered, "new"), visible(result.rendered, "old")
    missing += [f"new text {p!r}" for p in label.get("expect_new", []) if normalize_text(p) not in new_side]
    missing += [f"old text {p!r}" for p in label.get("expect_old", []) if normalize_text(p) not in old_side]
    missing += [f"kind {k!r}" for k in label.get("expect_kinds", []) if k not in result.kinds]
    missing += [f"number {a}→{b}" for a, b in label.get("numbers", []) if f"{a}→{b}" not in (result.summary or "")]
    return missing


def corpus_pairs() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if (p / "label.json").exists())


def rewrite_cost(sentences: int, runs: int = 5) -> float:
    """Median seconds to diff a page whose every sentence was rewritten in the same vocabulary."""
    import random
    import statistics

    rng = random.Random(sentences)
    vocab = "发展未来产业集群推动创新平台建设人形机器人脑机接口量子科技合成生物能源材料空间健康制造信息"
    old, new = ("\n".join("".join(rng.choice(vocab) for _ in range(80)) + "。" for _ in range(sentences))
                for _ in "ab")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        diff_sentences(old, new)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every pair")
    args = parser.parse_args()
    results = [evaluate_pair(p) for p in corpus_pairs()]
    edits = [r for r in results if r.expected == "changed"]
    noise = [r for r in results if r.expected == "unchanged"]
    problems = [r for r in results if r.expected == "fetch-problem"]
    said_changed = [r for r in results if r.predicted == "changed"]
    true_pos = [r for r in edits if r.predicted == "changed"]
    false_alarms = [r for r in said_changed if r.expected != "changed"]
    misses = [r for r in edits if r.predicted != "changed"]
    precision = len(true_pos) / len(said_changed) if said_changed else 1.0
    recall = len(true_pos) / len(edits) if edits else 1.0
    shown = sum(len(r.label.get(k, [])) for r in true_pos for k in ("expect_new", "expect_old", "expect_kinds",
                                                                        "numbers"))
    missing = [(r.name, m) for r in results for m in r.missing]
    print(f"pairs: {len(results)} ({len(edits)} real edits, {len(noise)} noise-only, {len(problems)} error pages)")
    print(f"changed verdict: precision {precision:.3f}  recall {recall:.3f}")
    print(f"false alarms ({len(false_alarms)}): {', '.join(r.name for r in false_alarms) or '-'}")
    print(f"misses ({len(misses)}): {', '.join(r.name for r in misses) or '-'}")
    recognised = [r for r in problems if r.predicted == "fetch-problem"]
    wrong_errors = [r for r in results if r.predicted == "fetch-problem" and r.expected != "fetch-problem"]
    print(f"error pages recognised: {len(recognised)}/{len(problems)}; articles taken for error pages: "
          f"{', '.join(r.name for r in wrong_errors) or '0'}")
    print(f"expectations shown in the diff: {shown - len(missing)}/{shown}")
    for name, what in missing:
        print(f"  not shown: {name}: {what}")
    seconds = sorted(r.seconds for r in results)
    print(f"median time per pair (two analyses + diff): {seconds[len(seconds) // 2] * 1000:.1f} ms")
    costs = ", ".join(f"{n} sentences {rewrite_cost(n) * 1000:.0f} ms" for n in (100, 1000, 5000))
    print(f"diff of a fully rewritten Chinese page (median of 5): {costs}")
    if args.verbose:
        for r in results:
            flag = "ok " if r.predicted == r.expected and not r.missing else "BAD"
            print(f"{flag} {r.name:40} expected {r.expected:13} got {r.predicted:13} {r.summary or r.problem or ''}")
    return 0 if not (false_alarms or misses or missing or wrong_errors or len(recognised) < len(problems)) else 1


if __name__ == "__main__":
    sys.exit(main())
