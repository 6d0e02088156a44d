"""What one archived page version contributes to the plans table: :func:`plans_for_version`.

Pure like the rest of monitor.plans: the version's text, title and metadata in, one :class:`PlanRecord`
per plan the page names out, each with the page's role for it and the targets stated about it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor.plans.analyse import PageAnalysis, PlanMention, analyse_page
from monitor.plans.descriptions import Clue
from monitor.plans.grouping import title_concepts
from monitor.plans.refs import PlanDate
from monitor.plans.sectors import taxonomy
from monitor.plans.targets import Target


@dataclass(frozen=True, slots=True)
class PlanRecord:
    mention: PlanMention
    role: str  # official | interpretation | news | translation
    status: str  # draft | final | expired | abolished
    sectors: list[str]
    targets: list[Target] = field(default_factory=list)
    dates: list[PlanDate] = field(default_factory=list)  # dated facts of the page (written, published…)


@dataclass(frozen=True, slots=True)
class DescriptionRecord:
    """Sentences of a report that describe plans without naming them (monitor/plans/descriptions.py).

    Not a plan of its own: when the version is linked, the clues may point at one known plan per region,
    which the page then covers as a news report or translation."""

    clues: list[Clue]
    role: str  # news | translation
    status: str
    language: str

    def linked_record(self, mention: PlanMention) -> PlanRecord:
        """The record of the plan the clues turned out to describe (no targets: they are not its own)."""
        return PlanRecord(mention, self.role, self.status, [])


def _owner(target: Target, mentions: list[PlanMention]) -> PlanMention | None:
    """The plan a target belongs to: the last one named before it (the page title counts as first)."""
    before = [m for m in mentions if m.start <= target.start]
    return max(before, key=lambda m: m.start) if before else None


def records_from_analysis(analysis: PageAnalysis) -> list[PlanRecord | DescriptionRecord]:
    """One record per plan the page names, then the page's descriptions of plans (if any)."""
    described: list[PlanRecord | DescriptionRecord] = []
    if analysis.clues:
        role = "translation" if analysis.role == "translation" else "news"
        described.append(DescriptionRecord(analysis.clues, role, analysis.status, analysis.language))
    return _named_records(analysis) + described


def _named_records(analysis: PageAnalysis) -> list[PlanRecord | DescriptionRecord]:
    mentions = analysis.plans
    if not mentions:
        return []
    single = len({m.plan_id for m in mentions}) == 1
    owned: dict[str, list[Target]] = {m.plan_id: [] for m in mentions}
    # The official text of a plan states its own targets; the other plans it cites ("this plan follows
    # 《…实施意见》") are context and own none of them.
    own = next((m for m in mentions if m.start < 0), None) if analysis.role == "official" else None
    for target in analysis.targets:
        owner = mentions[0] if single else own or _owner(target, mentions)
        if owner is not None:
            owned[owner.plan_id].append(target)
    sector_ids = set(taxonomy().sectors)
    records: list[PlanRecord | DescriptionRecord] = []
    seen: set[str] = set()
    for mention in mentions:
        if mention.plan_id in seen:
            continue
        seen.add(mention.plan_id)
        own_sectors = [c for c in title_concepts(mention.title) if c in sector_ids]
        # a page about one plan (or the official text of one) speaks for that plan's sectors; on a page
        # about many, only the title does
        sectors = list(dict.fromkeys(own_sectors + (analysis.sectors if single or mention is own else [])))
        role = analysis.role if single or analysis.role != "official" else (
            "official" if mention.start < 0 else "news")
        dates = [d for d in analysis.dates if d.kind != "mentioned"]
        records.append(PlanRecord(mention, role, analysis.status, sectors, owned[mention.plan_id], dates))
    return records


def plans_for_version(text: str, title: str | None = None, meta: Mapping[str, Any] | None = None, *,
                      language: str | None = None, region: str | None = None,
                      published: str | None = None) -> list[PlanRecord | DescriptionRecord]:
    """The plans a page version names, with its role for each and the targets it states about each;
    last, a :class:`DescriptionRecord` when the page also describes plans without naming them."""
    analysis = analyse_page(text, title, meta, language=language, region=region, published=published)
    return records_from_analysis(analysis)
