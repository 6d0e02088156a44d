"""The labelled change corpus (tests/corpus/changes/, measured by bench/detect_eval.py) as test cases.

Each pair runs through the real pipeline: no false "changed" on a noise-only pair, every real edit
caught, every error/login/challenge page recognised, and every expected phrase, change kind and number
change visible in what a feed would show.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from detect_eval import corpus_pairs, evaluate_pair  # noqa: E402

PAIRS = corpus_pairs()


def test_corpus_is_large_and_covers_three_languages_and_all_verdicts() -> None:
    labels = [json.loads((p / "label.json").read_text(encoding="utf-8")) for p in PAIRS]
    assert len(labels) >= 60
    assert {lab["language"] for lab in labels} == {"zh", "en", "de"}
    assert {lab["verdict"] for lab in labels} == {"unchanged", "changed", "fetch-problem"}
    for lab in labels:
        if lab["verdict"] == "changed":
            assert lab.get("expect_new") or lab.get("expect_old"), lab


@pytest.mark.parametrize("folder", PAIRS, ids=[p.name for p in PAIRS])
def test_pair(folder: Path) -> None:
    result = evaluate_pair(folder)
    assert result.predicted == result.expected, f"{folder.name}: {result.summary or result.problem}"
    assert result.missing == [], f"{folder.name}: not shown in the diff: {result.missing}\n{result.rendered}"

