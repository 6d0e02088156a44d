"""One page in, everything it says about plans out: :func:`analyse_page`.

Pure: text, title and the list-page metadata of one version go in, a :class:`PageAnalysis` comes out.
No I/O beyond reading the shipped data files once.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor.plans.descriptions import Clue, find_clues
from monitor.plans.grouping import PlanKeys, alias_key, normalise_title, plan_id_for, plan_type
from monitor.plans.issuers import IssuerMention, issuer_finder
from monitor.plans.lifecycle import lifecycle_status, page_role
from monitor.plans.refs import PlanDate, dates, doc_numbers
from monitor.plans.regions import gazetteer, most_named
from monitor.plans.sectors import sectors
from monitor.plans.targets import Target, targets
from monitor.plans.titles import PlanTitle, guess_language, plan_titles

logger = logging.getLogger(__name__)
# Plans, their targets and issuers are stated near the top; a page longer than this is cut, so hostile
# or huge pages cost bounded time.
MAX_TEXT = 100_000
_SENTENCE_START = re.compile(r"[。！？!?\n]|\.\s")
_NATIONAL_TITLE = re.compile(r"^(?:国家|全国)|\bNational\b|\bnationale[nrs]?\b|\bbundesweit")


@dataclass(frozen=True, slots=True)
class PlanMention:
    """A plan named on a page: its title as written there and what identifies it."""

    plan_id: str
    title: str
    language: str
    is_title: bool  # False for a description ("the action plan for Guangdong's five …")
    type: str | None
    region: str | None
    issuer: str | None
    doc_number: str | None
    keys: PlanKeys
    start: int = -1  # where the page text names it (-1: in the page title)


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    language: str
    plans: list[PlanMention]
    issuers: list[str]
    regions: list[str]  # regions of the plans named
    regions_mentioned: list[str]
    doc_numbers: list[str]
    dates: list[PlanDate]
    targets: list[Target]
    sectors: list[str]
    status: str
    role: str
    meta: dict[str, Any] = field(default_factory=dict)
    # sentences that describe plans without naming them; they can only link to plans already known
    clues: list[Clue] = field(default_factory=list)

    @property
    def titles(self) -> list[str]:
        return [p.title for p in self.plans if p.is_title]


def _year(value: Any) -> int | None:
    m = re.search(r"(?:19|20)\d{2}", str(value or ""))
    return int(m.group(0)) if m else None


def _sentence_before(text: str, position: int) -> tuple[int, str]:
    start = position
    while start > 0 and not _SENTENCE_START.match(text, start - 1) and position - start < 200:
        start -= 1
    return start, text[start:position]


def analyse_page(text: str, title: str | None = None, meta: Mapping[str, Any] | None = None, *,
                 language: str | None = None, region: str | None = None,
                 published: str | None = None) -> PageAnalysis:
    """Everything one page version says about plans.

    ``region`` is the source's region (sources.yaml); ``meta`` the list-page facts of the version
    (document number, publisher, is_abolished…). Both help when the text leaves things implicit
    (省工业和信息化厅 on a Guangdong site).
    """
    meta = dict(meta or {})
    if text and len(text) > MAX_TEXT:
        logger.info("analysing the first %d of %d characters", MAX_TEXT, len(text))
        text = text[:MAX_TEXT]
    text = unicodedata.normalize("NFC", text or "")
    title = unicodedata.normalize("NFC", title or "")
    language = language or guess_language(title + "\n" + text)
    places = gazetteer()
    finder = issuer_finder()
    full = title + "\n" + text
    source_region = places.lookup(meta.get("region")) or places.lookup(region)
    full_mentions = places.mentions(full)
    page_region = source_region or most_named(full_mentions)

    issuer_mentions = finder.find(text, page_region)
    title_issuers = finder.find(title, page_region)
    issuers = list(dict.fromkeys(m.id for m in title_issuers + issuer_mentions))
    meta_issuer = finder.find(str(meta.get("publisher") or meta.get("issuer") or ""), page_region)
    for m in meta_issuer:
        if m.id not in issuers:
            issuers.append(m.id)
    numbers = doc_numbers(title + "\n" + text)
    if meta.get("doc_number"):
        meta_numbers = doc_numbers(str(meta["doc_number"]))
        numbers = list(dict.fromkeys(meta_numbers + numbers))
    found_titles = plan_titles(text, title, language)
    real_titles = [t for t in found_titles if t.is_title]

    plans: list[PlanMention] = []
    for found in found_titles:
        mention = _mention(found, text, page_region, issuer_mentions, title_issuers + meta_issuer, numbers,
                           single=len(real_titles) == 1, source_region=source_region)
        if mention is None or any(p.plan_id == mention.plan_id and (not mention.is_title or p.title == mention.title)
                                  for p in plans):
            continue
        plans.append(mention)

    plan_languages = {p.language for p in plans if p.is_title}
    status = lifecycle_status(text, title, meta)
    role = page_role(text, title, plan_titles=[p.title for p in plans if p.is_title], language=language,
                     plan_language="zh" if "zh" in plan_languages or any(p.region for p in plans) else None,
                     meta=meta)
    return PageAnalysis(
        language=language,
        plans=plans,
        issuers=issuers,
        regions=list(dict.fromkeys(p.region for p in plans if p.region)),
        regions_mentioned=list(dict.fromkeys(m.region for m in full_mentions)),
        doc_numbers=numbers,
        dates=dates(text, default_year=_year(published or meta.get("published"))),
        targets=targets(text, language),
        sectors=sectors(full),
        status=status,
        role=role,
        meta=meta,
        clues=find_clues(full, page_region) if role != "official" else [],
    )


def _mention(found: PlanTitle, text: str, page_region: str | None, issuer_mentions: list[IssuerMention],
             page_issuers: list[IssuerMention], numbers: list[str], *, single: bool,
             source_region: str | None) -> PlanMention | None:
    places = gazetteer()
    in_title_region = places.mentions(found.text)
    in_title_issuer = issuer_finder().find(found.text, page_region)
    if not found.is_title and not in_title_region:
        return None  # a description names its region ("Guangdong's five …") or it names nothing
    issuer: IssuerMention | None = in_title_issuer[0] if in_title_issuer else None
    nearby_region = None
    if issuer is None and found.start >= 0:
        sentence_start, _ = _sentence_before(text, found.start)
        before = [m for m in issuer_mentions if sentence_start <= m.start < found.start]
        issuer = before[-1] if before else None
        # "浙江发布了《…》": a region named between the issuer (if any) and the title
        after = issuer.end if issuer else sentence_start
        regions_before = [m for m in places.mentions(text[after:found.start])]
        nearby_region = regions_before[-1].region if regions_before else None
    if issuer is None and found.start < 0 and page_issuers:
        issuer = page_issuers[0]
    region: str | None
    if in_title_region:
        region = in_title_region[0].region
    elif _NATIONAL_TITLE.search(found.text):
        region = "cn"
    elif nearby_region is not None:
        region = nearby_region
    elif issuer is not None:
        region = issuer.region
    elif page_issuers:  # the body named in the page title / list metadata
        region = page_issuers[0].region
    elif source_region is not None:
        region = source_region
    elif issuer_mentions and all(m.region == "cn" for m in issuer_mentions):
        region = "cn"  # only national bodies on the page: a national plan
    else:
        region = page_region
    if issuer is None and single and found.is_title:
        # one plan on the page: a body of its region named anywhere (often the signature of an official
        # text, written after the title) is its issuer
        same_region = [m for m in issuer_mentions if m.region == region]
        issuer = same_region[0] if same_region else None
    doc = None
    if found.start >= 0:
        near = doc_numbers(text[found.start + len(found.text): found.start + len(found.text) + 40])
        doc = near[0] if near else None
    if doc is None and single and found.is_title and len(numbers) == 1:
        doc = numbers[0]
    alias = alias_key(found.text, region)
    if not found.is_title and alias is None:
        return None
    normalised = normalise_title(found.text)
    keys = PlanKeys(alias=alias, title=f"{region or '?'}|{normalised}" if found.is_title and normalised else None,
                    doc_number=doc, language=found.language)
    try:
        plan_id = plan_id_for(keys.primary)
    except ValueError:
        return None
    return PlanMention(plan_id, found.text, found.language, found.is_title, plan_type(found.text), region,
                       issuer.id if issuer else None, doc, keys, found.start)
