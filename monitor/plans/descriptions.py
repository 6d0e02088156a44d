"""Plans a page describes without naming them: "Guangdong officials walk through five future industry cluster
plans".

A report often never writes a plan's title, quoted or not; it names a region, says "plans" and tells what
they are about. Such a sentence is a :class:`Clue`: the regions it names (or the page's region), the plan
types it says (``""`` for a bare "plan"/"Pläne"/方案) and the concepts it names (the words that make up
plan aliases: plan_terms.yaml concepts and modifiers, and sector keywords).

A clue never creates a plan; it can only point at one the archive already knows. :func:`resolve_clues`
compares clues with the alias keys (``region|type|concepts``) of known plans: a plan fits a clue when the
clue names its region, every concept of its alias, and its type (or a bare plan word), with at least two
pieces of evidence beyond the region. Of the plans that fit, the most specific wins; two plans neither of
which contains the other (Guangdong's future electronic-information and future materials cluster plans)
leave the clue undecided. A page links to a plan of a region only when all its clues about that region
point at that one plan.

Pure and picklable: clues are found in the analysis worker, resolved where the known plans are.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from monitor.keywords import KeywordMatcher, NameFinder
from monitor.plans.data import load_yaml
from monitor.plans.regions import gazetteer
from monitor.plans.sectors import taxonomy

GENERIC = ""  # the type of a bare plan word
# Bare plan words (no type of their own) and plural / inflected type words the type lists lack.
_GENERIC_WORDS = {"zh": ["方案", "计划", "规划"], "latin": ["plan", "plans", "pläne", "plänen"]}
_EXTRA_TYPE_WORDS = {"action-plan": ["action plans", "aktionspläne", "aktionsplänen", "aktionsplans"],
                     "development-plan": ["development plans", "entwicklungspläne"],
                     "implementation-plan": ["implementation plans", "umsetzungspläne"]}
_SKIPPED_TYPES = {"notice"}  # "notice" is an ordinary English word far more often than a plan type
MAX_CLUES = 40  # sentences with a plan word looked at per page
MAX_SENTENCE = 400
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?:\s|$)")
MIN_EVIDENCE = 2  # alias concepts + a matching specific type word


@dataclass(frozen=True, slots=True)
class Clue:
    """One sentence that speaks of plans: what it says about them."""

    regions: tuple[str, ...]
    types: tuple[str, ...]  # plan type ids said; GENERIC for a bare plan word
    concepts: tuple[str, ...]
    start: int  # in the page title + "\n" + text
    text: str


class _Words:
    def __init__(self) -> None:
        data = load_yaml("plan_terms.yaml")
        self.type_of: dict[str, str] = {}
        zh: list[str] = list(_GENERIC_WORDS["zh"])
        latin: list[str] = list(_GENERIC_WORDS["latin"])
        for type_id, by_language in data.get("types", {}).items():
            if type_id in _SKIPPED_TYPES:
                continue
            for language, words in by_language.items():
                words = list(words) + (_EXTRA_TYPE_WORDS.get(type_id, []) if language == "en" else [])
                for word in words:
                    self.type_of[word.casefold()] = type_id
                    (zh if language == "zh" else latin).append(word)
        for word in _GENERIC_WORDS["zh"] + _GENERIC_WORDS["latin"]:
            self.type_of.setdefault(word.casefold(), GENERIC)
        self.zh_finder = NameFinder(zh)
        self.latin_finder = NameFinder(latin, ignore_case=True, boundary="word")
        keywords: dict[str, list[str]] = {}
        for section in ("concepts", "modifiers"):
            for cid, by_language in (data.get(section) or {}).items():
                keywords[cid] = [w for words in by_language.values() for w in words]
        for sid, sector in taxonomy().sectors.items():
            keywords.setdefault(sid, []).extend(sector.keywords)
        self.concepts = KeywordMatcher(keywords)

    def plan_words(self, text: str) -> list[tuple[int, int]]:
        return sorted(self.zh_finder.spans(text) + self.latin_finder.spans(text))


@lru_cache(maxsize=1)
def _words() -> _Words:
    return _Words()


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``, at most MAX_SENTENCE characters on either side."""
    window = max(0, start - MAX_SENTENCE)
    left = window
    for m in _SENTENCE_END.finditer(text, window, start):
        left = m.start() + 1
    m = _SENTENCE_END.search(text, end, min(len(text), end + MAX_SENTENCE))
    return left, (m.start() + 1 if m else min(len(text), end + MAX_SENTENCE))


def find_clues(text: str, page_region: str | None) -> list[Clue]:
    """The sentences of ``text`` that say "plan" and name at least one concept, as clues."""
    words = _words()
    places = gazetteer()
    clues: list[Clue] = []
    done_until = -1
    for start, end in words.plan_words(text):
        if start < done_until:
            continue  # a second plan word in a sentence already read
        left, right = _sentence(text, start, end)
        done_until = right
        sentence = text[left:right]
        concepts = tuple(sorted(words.concepts.ids(sentence)))
        if not concepts:
            continue
        types = tuple(sorted({words.type_of.get(sentence[s:e].casefold(), GENERIC)
                              for s, e in words.plan_words(sentence)}))
        regions = tuple(dict.fromkeys(m.region for m in places.mentions(sentence)))
        regions = regions or ((page_region,) if page_region else ())
        if regions:
            clues.append(Clue(regions, types, concepts, left, sentence.strip()[:MAX_SENTENCE]))
        if len(clues) >= MAX_CLUES:
            break
    return clues


@lru_cache(maxsize=8192)  # a crawl checks the same plans' aliases against every waiting description
def _alias_parts(alias: str) -> tuple[str, str, frozenset[str]] | None:
    parts = alias.split("|")
    if len(parts) != 3:
        return None
    region, kind, concepts = parts
    return region, kind, frozenset(c for c in concepts.split("+") if c)


def fits(clue: Clue, alias: str) -> bool:
    """Whether a plan with this alias key (``region|type|concepts``) is one the clue may describe."""
    parts = _alias_parts(alias)
    if parts is None:
        return False
    region, kind, concepts = parts
    if region not in clue.regions or not concepts or not concepts <= set(clue.concepts):
        return False
    if kind not in clue.types and GENERIC not in clue.types:
        return False
    return len(concepts) + (kind in clue.types) >= MIN_EVIDENCE


@dataclass(frozen=True, slots=True)
class DescribedLink:
    plan_id: str
    alias: str
    region: str
    clue: Clue


def resolve_clues(clues: Iterable[Clue], aliases_of: Callable[[str], Iterable[tuple[str, str]]],
                  exclude: Iterable[str] = ()) -> list[DescribedLink]:
    """The known plans the clues describe, at most one per region (see the module doc).

    ``aliases_of(region)`` gives (alias key without ``alias:``, plan id) of the known plans of a region;
    ``exclude``: plans the page already names by title (a clue about them adds nothing)."""
    excluded = set(exclude)
    cache: dict[str, list[tuple[str, str]]] = {}
    chosen: dict[str, dict[str, tuple[str, Clue]]] = {}  # region → plan id → (alias, first clue)
    for clue in clues:
        candidates: list[tuple[frozenset[str], str, str, str]] = []  # (concepts, plan id, alias, region)
        for region in clue.regions:
            if region not in cache:
                cache[region] = list(aliases_of(region))
            for alias, plan_id in cache[region]:
                parts = _alias_parts(alias)
                if parts and fits(clue, alias):
                    candidates.append((parts[2], plan_id, alias, region))
        # the most specific plans: those whose concepts no other candidate's concepts strictly contain
        best = [c for c in candidates if not any(c[0] < other[0] for other in candidates)]
        for _concepts, plan_id, alias, region in best:
            chosen.setdefault(region, {}).setdefault(plan_id, (alias, clue))
    links = []
    for region, plans in chosen.items():
        if len(plans) != 1:
            continue  # two plans of the region fit as well as each other: not ours to choose
        ((plan_id, (alias, clue)),) = plans.items()
        if plan_id not in excluded:
            links.append(DescribedLink(plan_id, alias, region, clue))
    return links


def clues_to_json(clues: Iterable[Clue]) -> str:
    return json.dumps([[list(c.regions), list(c.types), list(c.concepts), c.start, c.text] for c in clues],
                      ensure_ascii=False)


def clues_from_json(text: str) -> list[Clue]:
    return [Clue(tuple(regions), tuple(types), tuple(concepts), int(start), str(sentence))
            for regions, types, concepts, start, sentence in json.loads(text or "[]")]
