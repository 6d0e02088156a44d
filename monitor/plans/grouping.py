"""Which plan a title names: normalised titles, cross-language aliases and stable plan ids.

Same plan = same document number, or same normalised title (brackets, years in brackets,
印发/关于印发…的通知 wrappers, issuer prefixes and punctuation ignored), or the same alias: region +
plan type + the concepts of its title (plan_terms.yaml and the sector taxonomy), which is what an English
or German report of a Chinese plan still shares with the original. Titles that differ in a concept —
Guangdong's future electronic-information and future materials cluster plans — never share an alias.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from monitor.plans.data import load_yaml
from monitor.plans.sectors import KeywordTests, taxonomy

_ZH_ISSUER_PREFIX = re.compile(r"^[^关]{2,40}?(?=关于)")
_WRAP = re.compile(r"^关于(?:印发|发布|转发|公布)(.+?)(?:等\S{0,6}文件)?的通知$")
_BRACKETED_YEARS = re.compile(r"[（(\[［]\s*(?:19|20)\d{2}[^)）\]］]{0,12}[)）\]］]")
_STATUS = re.compile(r"[（(](?:征求意见稿|草案|试行|暂行|修订稿|送审稿|公开征求意见稿|draft[^)]*|entwurf[^)]*)[)）]",
                     re.I)
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_EN_FILLER = re.compile(r"\b(?:the|a|an|of|on|for|in|to|and|de|der|die|das|des|für|zur|zum|von|und)\b")


def normalise_title(title: str) -> str:
    """A comparison key for a title: same key = same plan title however a page wrote it."""
    text = unicodedata.normalize("NFKC", title).strip().casefold()
    text = text.replace("〈", "《").replace("〉", "》")
    text = _STATUS.sub("", text)
    text = _BRACKETED_YEARS.sub("", text)
    text = re.sub(r"[《》“”\"'‘’「」『』„«»]", "", text)
    text = _ZH_ISSUER_PREFIX.sub("", text) if re.search(r"[\u4e00-\u9fff]", text) else text
    m = _WRAP.match(text)
    if m:
        text = m.group(1)
    text = re.sub(r"^关于", "", text)
    if re.search(r"[\u4e00-\u9fff]", text):
        text = text.replace("的", "")
    else:
        text = _EN_FILLER.sub(" ", text)
    return _PUNCT.sub("", text)


@dataclass(frozen=True, slots=True)
class PlanTerms:
    types: list[tuple[str, str]]  # (type id, keyword), longest keyword first
    concepts: list[tuple[str, list[str]]]  # (id, keywords)
    modifiers: list[tuple[str, list[str]]]
    type_tests: KeywordTests  # one list per type keyword, in the order of types
    term_tests: KeywordTests  # the concepts' lists, then the modifiers'


@lru_cache(maxsize=4)
def plan_terms(path: str | None = None) -> PlanTerms:
    data = load_yaml("plan_terms.yaml", path)
    types = []
    for type_id, words in data.get("types", {}).items():
        for keyword in (w for lang in words.values() for w in lang):
            types.append((type_id, keyword))
    types.sort(key=lambda t: len(t[1]), reverse=True)
    concepts = [(cid, [w for lang in words.values() for w in lang]) for cid, words in data.get("concepts", {}).items()]
    concepts += [(sid, sector.keywords) for sid, sector in taxonomy().sectors.items()]
    modifiers = [(mid, [w for lang in words.values() for w in lang])
                 for mid, words in (data.get("modifiers") or {}).items()]
    return PlanTerms(types, concepts, modifiers, KeywordTests([[keyword] for _, keyword in types]),
                     KeywordTests([keywords for _, keywords in concepts + modifiers]))


# A page names the same plans many times (and a site's pages name the same few plans), and a title's type
# and concepts take a look for each of ~350 keywords: they are remembered per title (the data is fixed
# for the process: plan_terms() is itself cached).
_TITLE_CACHE = 4096


@lru_cache(maxsize=_TITLE_CACHE)
def plan_type(title: str) -> str | None:
    """The kind of plan a title names (action-plan, implementation-opinions…), by its longest type word."""
    terms = plan_terms()
    found = terms.type_tests.found(title)
    return terms.types[min(found)][0] if found else None


def title_concepts(title: str, *, modifiers: bool = True) -> list[str]:
    concepts, modifier_ids = _title_concepts(title)
    return sorted(concepts | modifier_ids) if modifiers else sorted(concepts)


@lru_cache(maxsize=_TITLE_CACHE)
def _title_concepts(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """The concepts and the modifiers a title names (found once for both of alias_key's questions)."""
    text = unicodedata.normalize("NFKC", title)
    terms = plan_terms()
    found = terms.term_tests.found(text)
    ids = [term for term, _ in terms.concepts + terms.modifiers]
    concepts = len(terms.concepts)
    return (frozenset(ids[n] for n in found if n < concepts), frozenset(ids[n] for n in found if n >= concepts))


def alias_key(title: str, region: str | None) -> str | None:
    """region|type|concepts+modifiers, or None when the title lacks a region, type or concept."""
    title = _STATUS.sub("", title)  # a draft and the final text are one plan
    kind = plan_type(title)
    if not region or not kind or not title_concepts(title, modifiers=False):
        return None
    return f"{region}|{kind}|{'+'.join(title_concepts(title))}"


def plan_id_for(key: str) -> str:
    """A short stable id for a grouping key (the same key always gives the same id)."""
    return "p-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class PlanKeys:
    """Every key a plan mention can be matched by, strongest first; ``primary`` gives the plan id."""

    alias: str | None
    title: str | None
    doc_number: str | None
    language: str | None = None  # the language of the title (a title key is only compared within one)

    @property
    def all(self) -> list[str]:
        keys = []
        if self.doc_number:
            keys.append("doc:" + self.doc_number)
        if self.alias:
            keys.append("alias:" + self.alias)
        if self.title:
            keys.append("title:" + self.title)
        return keys

    @property
    def primary(self) -> str:
        # The alias is language-independent, so it gives the same id to the Chinese original and
        # its translations; a title is next; a bare document number last.
        for key in (("alias:" + self.alias) if self.alias else None,
                    ("title:" + self.title) if self.title else None,
                    ("doc:" + self.doc_number) if self.doc_number else None):
            if key:
                return key
        raise ValueError("a plan mention needs a title, alias or document number")


ORIGINAL_LANGUAGES = ("zh",)  # languages whose titles are the official names of the plans we track


class PlanIndex:
    """Groups plan mentions seen one after another (pages of an archive) into plans.

    A mention joins the first known plan sharing any of its keys, except when both carry different
    document numbers (two documents are two plans, whatever their titles say), and except when it
    matches only by alias while the plan already has a different Chinese title: an alias bridges
    languages, it never merges two differently titled Chinese plans. (English and German titles are
    translations that vary by outlet, so two of them may differ and still name one plan.)
    """

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}
        self.doc_of: dict[str, str] = {}
        self.plans: set[str] = set()
        self.titles: dict[str, dict[str, set[str]]] = {}  # plan → language → title keys

    def add_title(self, plan: str, language: str | None, title_key: str | None) -> None:
        if language and title_key:
            self.titles.setdefault(plan, {}).setdefault(language, set()).add(title_key)

    def _conflicts(self, candidate: str, key: str, keys: PlanKeys) -> bool:
        known_doc = self.doc_of.get(candidate)
        if keys.doc_number and known_doc and known_doc != keys.doc_number:
            return True
        if key.startswith("alias:") and keys.title and keys.language in ORIGINAL_LANGUAGES:
            same_language = self.titles.get(candidate, {}).get(keys.language) or set()
            return bool(same_language) and keys.title not in same_language
        return False

    def resolve_new(self, keys: PlanKeys) -> tuple[str, bool]:
        """The plan id for a mention, and whether this index had not seen that plan before."""
        count = len(self.plans)
        plan = self.resolve(keys)
        return plan, len(self.plans) > count

    def resolve(self, keys: PlanKeys) -> str:
        plan = None
        for key in keys.all:
            candidate = self.by_key.get(key)
            if candidate is not None and not self._conflicts(candidate, key, keys):
                plan = candidate
                break
        if plan is None:
            plan = plan_id_for(keys.primary)
            if plan in self.plans:  # its id is taken by a plan it must not join: derive another
                distinct = "|".join(k for k in (keys.title, keys.doc_number) if k)
                plan = plan_id_for(keys.primary + "|" + distinct)
        self.plans.add(plan)
        self.add_title(plan, keys.language, keys.title)
        for key in keys.all:
            self.by_key.setdefault(key, plan)
        if keys.doc_number:
            self.doc_of.setdefault(plan, keys.doc_number)
        return plan
