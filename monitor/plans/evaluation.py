"""Scoring plan extraction against labelled pages: precision and recall per field, and grouping.

Used by bench/plans_eval.py and the tests over tests/corpus/plans. A labelled page is a ``.txt``
file (``key: value`` header lines, ``---``, then the extracted text) with a ``.json`` label next to it:
plans (title or null for a page that only describes the plan, and a plan name shared by every page
about the same plan), issuers, regions, doc_numbers, targets as [year, quantity, kind, subject],
status and role.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from monitor.plans.analyse import PageAnalysis, analyse_page
from monitor.plans.descriptions import resolve_clues
from monitor.plans.grouping import PlanIndex, normalise_title

FIELDS = ("title", "issuer", "region", "doc_number", "target", "described")


class CorpusError(ValueError):
    """A corpus page or label is malformed; the message names the file."""


@dataclass(frozen=True, slots=True)
class LabelledPage:
    name: str
    title: str
    text: str
    language: str | None
    region: str | None
    meta: dict[str, Any]
    label: dict[str, Any]


def read_page(path: Path, label: dict[str, Any] | None = None) -> LabelledPage:
    """One ``.txt`` corpus page with its ``.json`` label (or the label given)."""
    raw = path.read_text(encoding="utf-8")
    if "\n---\n" not in raw:
        raise CorpusError(f"{path}: no '---' line between header and text")
    head, text = raw.split("\n---\n", 1)
    header: dict[str, str] = {}
    for number, line in enumerate(head.splitlines(), 1):
        if not line.strip():
            continue
        if ":" not in line:
            raise CorpusError(f"{path}:{number}: header line without 'key: value'")
        key, value = line.split(":", 1)
        header[key.strip()] = value.strip()
    if label is None:
        label_path = path.with_suffix(".json")
        try:
            label = json.loads(label_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorpusError(f"{label_path}: cannot read label ({exc})") from exc
    try:
        meta = json.loads(header.get("meta") or "{}")
    except ValueError as exc:
        raise CorpusError(f"{path}: meta is not JSON ({exc})") from exc
    return LabelledPage(path.stem, header.get("title", ""), text, header.get("language") or None,
                        header.get("region") or None, meta, label)


def read_corpus(directory: Path) -> list[LabelledPage]:
    pages = [read_page(p) for p in sorted(directory.glob("*.txt"))]
    if not pages:
        raise CorpusError(f"{directory}: no .txt pages")
    return pages


def analyse_labelled(page: LabelledPage) -> PageAnalysis:
    return analyse_page(page.text, page.title, page.meta, language=page.language, region=page.region)


@dataclass
class FieldScore:
    true_positives: int = 0
    predicted: int = 0
    expected: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    def add(self, name: str, predicted: Iterable[Any], expected: Iterable[Any]) -> None:
        got, want = Counter(predicted), Counter(expected)
        hit = sum((got & want).values())
        self.true_positives += hit
        self.predicted += sum(got.values())
        self.expected += sum(want.values())
        for extra in (got - want):
            self.errors.append(f"{name}: unexpected {extra!r}")
        for missing in (want - got):
            self.errors.append(f"{name}: missed {missing!r}")


@dataclass
class Report:
    fields: dict[str, FieldScore]
    status_correct: int
    role_correct: int
    pages: int
    grouping_pairs: dict[str, int]
    plan_ids: dict[str, set[str]]  # gold plan name → the plan ids its mentions got

    def as_dict(self) -> dict[str, Any]:
        pairs = self.grouping_pairs
        merged = pairs["same_plan_same_id"] + pairs["other_plan_same_id"]
        should = pairs["same_plan_same_id"] + pairs["same_plan_other_id"]
        return {
            "pages": self.pages,
            "fields": {name: {"precision": round(s.precision, 3), "recall": round(s.recall, 3),
                              "true_positives": s.true_positives, "predicted": s.predicted, "expected": s.expected}
                       for name, s in self.fields.items()},
            "status_accuracy": round(self.status_correct / self.pages, 3) if self.pages else 1.0,
            "role_accuracy": round(self.role_correct / self.pages, 3) if self.pages else 1.0,
            "grouping": {"pair_precision": round(pairs["same_plan_same_id"] / merged, 3) if merged else 1.0,
                         "pair_recall": round(pairs["same_plan_same_id"] / should, 3) if should else 1.0, **pairs},
        }


def _target_key(row: list[Any] | tuple[Any, ...]) -> tuple[int | None, float, str]:
    year, quantity, kind = row[0], row[1], row[2]
    return (int(year) if year is not None else None, round(float(quantity), 6), str(kind))


def _aliases(index: PlanIndex, region: str) -> list[tuple[str, str]]:
    prefix = f"alias:{region}|"
    return [(key[len("alias:"):], plan_id) for key, plan_id in index.by_key.items() if key.startswith(prefix)]


def score(pages: list[LabelledPage]) -> Report:
    fields = {name: FieldScore() for name in FIELDS}
    status_ok = role_ok = 0
    mentions: list[tuple[str, str]] = []  # (gold plan name, predicted plan id)
    index = PlanIndex()  # ids as the archive assigns them: page after page
    gold_of: dict[str, str] = {}  # plan id → the gold plan name its first labelled mention has
    for page in pages:
        label = page.label
        result = analyse_labelled(page)
        gold_titles = {normalise_title(p["title"]): p["plan"] for p in label.get("plans", []) if p.get("title")}
        fields["title"].add(page.name, [normalise_title(t) for t in result.titles], list(gold_titles))
        fields["issuer"].add(page.name, set(result.issuers), set(label.get("issuers", [])))
        fields["region"].add(page.name, set(result.regions), set(label.get("regions", [])))
        fields["doc_number"].add(page.name, set(result.doc_numbers), set(label.get("doc_numbers", [])))
        fields["target"].add(page.name, [t.key() for t in result.targets],
                             [_target_key(row) for row in label.get("targets", [])])
        status_ok += result.status == label.get("status", "final")
        role_ok += result.role == label.get("role")
        if result.status != label.get("status", "final"):
            fields["title"].errors.append(f"{page.name}: status {result.status!r}, expected {label.get('status')!r}")
        if result.role != label.get("role"):
            fields["title"].errors.append(f"{page.name}: role {result.role!r}, expected {label.get('role')!r}")
        described = [p["plan"] for p in label.get("plans", []) if not p.get("title")]
        named = []
        for mention in result.plans:
            plan_id = index.resolve(mention.keys)
            named.append(plan_id)
            gold = gold_titles.get(normalise_title(mention.title)) if mention.is_title else (
                described[0] if len(described) == 1 else None)
            if gold is not None:
                mentions.append((gold, plan_id))
                gold_of.setdefault(plan_id, gold)
        # plans the page only describes, found among the plans of the pages read before it
        links = resolve_clues(result.clues, lambda region: _aliases(index, region), exclude=named)
        fields["described"].add(page.name, [gold_of.get(link.plan_id, link.plan_id) for link in links],
                                label.get("described", []))
    pairs = Counter({"same_plan_same_id": 0, "same_plan_other_id": 0, "other_plan_same_id": 0})
    for (gold_a, id_a), (gold_b, id_b) in combinations(mentions, 2):
        if gold_a == gold_b:
            pairs["same_plan_same_id" if id_a == id_b else "same_plan_other_id"] += 1
        elif id_a == id_b:
            pairs["other_plan_same_id"] += 1
    plan_ids: dict[str, set[str]] = {}
    for gold, plan_id in mentions:
        plan_ids.setdefault(gold, set()).add(plan_id)
    return Report(fields, status_ok, role_ok, len(pages), dict(pairs), plan_ids)
