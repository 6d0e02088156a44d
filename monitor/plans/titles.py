"""Plan titles in zh / en / de text.

- zh: 《…》 titles ending in a plan word (规划, 行动计划, 实施意见, 若干措施, 通知…), nested 《〈…〉》 and
  关于印发《…》的通知 wrappers unwrapped to the plan they publish; unbracketed 关于…的通知/意见 titles;
  an official page title (广东省人民政府办公厅关于印发…的通知) when it names a plan.
- en: quoted titles with a plan word, and Title-Case titles like "Action Plan for Five Future Industrial
  Clusters in Guangdong Province" or "Implementation Opinions on Promoting …" written without quotes.
- de: „…“ / "…" / »…« titles with a plan word (Plan, Richtlinie, Leitlinie, Programm, Aktionsplan,
  Umsetzungs…, Maßnahmen).

A bare short form (《行动计划》, the "Action Plan", „Implementierungsrichtlinie“) refers back to a title
named elsewhere and is not a title. Lower-case descriptions ("the action plan documents for Guangdong's
five major future industries") are returned with ``kind="description"``: not titles, but enough for
grouping a page that never spells the title out.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

ZH_PLAN_WORDS = (
    "规划", "计划", "方案", "意见", "措施", "办法", "通知", "指引", "纲要", "细则", "条例", "决定", "规定",
    "指南", "政策", "路线图", "清单", "要点",
)
EN_PLAN_WORDS = (
    "Plan", "Plans", "Opinions", "Measures", "Guidelines", "Guideline", "Guidance", "Outline", "Notice",
    "Programme", "Program", "Scheme", "Strategy", "Roadmap", "Policies", "Regulations", "Rules",
    "Action Plan", "Blueprint",
)
# German plan words end a (compound) noun: Aktionsplan, Umsetzungsrichtlinie, Leitlinien — not "geplant".
DE_PLAN_WORD = re.compile(
    r"(?:plan|pläne|richtlinie|richtlinien|leitlinie|leitlinien|programm|programme|maßnahmen|stellungnahme|"
    r"leitfaden|strategie|mitteilung|bekanntmachung|verordnung|meinungen|ansichten|konzept|bestimmungen|"
    r"vorschriften)\b|\b(?:umsetzungs|durchführungs|implementierungs)\w+",
    re.I,
)
_SHORT_FORMS_ZH = re.compile(r"^(?:《)?(?:[\u4e00-\u9fff]{0,2})(?:" + "|".join(ZH_PLAN_WORDS) + r")(?:》)?$")
_YEAR_BRACKET = re.compile(r"[（(]\s*(?:19|20)\d{2}\s*(?:[-—–~至到]+\s*(?:19|20)?\d{2,4})?\s*年?\s*[)）]\s*$")
_STATUS_BRACKET = re.compile(r"[（(](?:征求意见稿|草案|试行|暂行|修订稿|送审稿|公开征求意见稿)[)）]\s*$")
_WRAPPER = re.compile(r"^(?P<issuer>.*?)关于(?:印发|发布|转发|公布)(?P<inner>.+?)(?:等\S{0,6}文件)?的通知$")
_INNER_SPLIT = re.compile(r"[《〈](.+?)[》〉]")
_ZH_UNBRACKETED = re.compile(r"关于[^，。；：！？《》“”\"\s、]{4,60}?的"
                             r"(?:通知|实施意见|指导意见|若干意见|意见|若干措施)")
_PAGE_TITLE_START = re.compile(r"^(?:关于|[\u4e00-\u9fff]{2,12}"
                               r"(?:省|市|自治区|部|厅|委|局|政府|办公厅|国务院|等\S{1,4}部门))")
_NEWS_VERBS = re.compile(r"发布|出台|印发了|解读|公布|推出|亮相|聚焦|答记者问|图解|一图读懂")


@dataclass(frozen=True, slots=True)
class PlanTitle:
    text: str
    language: str  # zh | en | de
    kind: str  # bracketed | wrapper | page-title | unbracketed | quoted | phrase | description
    start: int

    @property
    def is_title(self) -> bool:
        return self.kind != "description"


def _strip_repeatedly(title: str, *patterns: re.Pattern[str]) -> str:
    """Remove every pattern until none matches ("(2022—2025年)(征求意见稿)" needs two rounds)."""
    previous = None
    while previous != title:
        previous = title
        for pattern in patterns:
            title = pattern.sub("", title).strip()
    return title


def _strip_zh_suffixes(title: str) -> str:
    return _strip_repeatedly(title, _YEAR_BRACKET, _STATUS_BRACKET)


def is_zh_plan_title(title: str) -> bool:
    """Ends (before year/status brackets) in a plan word and is more than that word."""
    core = _strip_zh_suffixes(title)
    return core.endswith(ZH_PLAN_WORDS) and not _SHORT_FORMS_ZH.match(core) and len(core) >= 6


def unwrap_zh(title: str) -> list[str]:
    """关于印发《X》的通知 → [X]; 关于印发X和Y的通知 → [X, Y] only when bracketed; else [title]."""
    title = title.strip()
    m = _WRAPPER.match(title)
    if not m:
        return [title]
    inner = m.group("inner")
    bracketed = _INNER_SPLIT.findall(inner)
    if bracketed:
        return [b for b in bracketed if is_zh_plan_title(b)] or [title]
    inner = inner.strip("《》〈〉 ")
    return [inner] if is_zh_plan_title(inner) else [title]


_BRACKET_EVENTS = re.compile("[《》\n。]")


def _top_level_brackets(text: str) -> list[tuple[int, str]]:
    """The contents of outermost 《…》, allowing nested 《》 inside.

    Only the four characters that change the state are visited (a regex finds them in C): the pages
    are long and brackets few."""
    out: list[tuple[int, str]] = []
    depth, start = 0, 0
    for match in _BRACKET_EVENTS.finditer(text):
        ch, i = match.group(), match.start()
        if ch == "《":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                out.append((start - 1, text[start:i]))
        elif ch in "\n。" and depth:  # an unclosed bracket does not swallow the page
            depth = 0
    return out


def zh_descriptions(text: str) -> list[PlanTitle]:
    """广东五大未来产业集群行动计划 written without 《》: a region, a few words, a plan type."""
    from monitor.plans.regions import gazetteer

    masked = _BRACKETED.sub(lambda m: "＿" * len(m.group(0)), text) if "《" in text else text
    if not any(kind in masked for kind in _DESCRIPTION_KINDS):
        return []  # every description ends in one of them: none to find (the pattern is slow to say so)
    pattern = _zh_description_pattern(gazetteer().zh_alternation)
    return [PlanTitle(m.group(0), "zh", "description", m.start()) for m in pattern.finditer(masked)]


_BRACKETED = re.compile(r"《[^《》\n]{0,200}》")
_DESCRIPTION_CACHE: dict[str, re.Pattern[str]] = {}
_DESCRIPTION_KINDS = ("行动计划", "行动方案", "实施意见", "指导意见", "实施方案", "发展规划")
# A description names a plan ("广东五大未来产业集群行动计划"), it does not tell a story about one.
_DESCRIPTION_VERBS = "是|出台|发布|印发|编制|召开|举行|制定|首个|首部|提出|明确|围绕|按照|根据|的"


def _zh_description_pattern(regions: str) -> re.Pattern[str]:
    if regions not in _DESCRIPTION_CACHE:
        _DESCRIPTION_CACHE[regions] = re.compile(
            rf"(?:{regions})(?:(?!{_DESCRIPTION_VERBS})[^，。；：！？《》“”\s、＿]){{2,24}}?"
            rf"(?:{'|'.join(_DESCRIPTION_KINDS)})")
    return _DESCRIPTION_CACHE[regions]


def zh_titles(text: str, page_title: str | None = None) -> list[PlanTitle]:
    found: list[PlanTitle] = []
    if page_title:
        line = page_title.strip()
        if (not _NEWS_VERBS.search(_WRAPPER.sub(r"\g<inner>", line)) or _WRAPPER.match(line)) \
                and _PAGE_TITLE_START.match(line) and "《" not in line and not re.search(r"[，。！？：:|]", line):
            for title in unwrap_zh(line):
                if is_zh_plan_title(title):
                    found.append(PlanTitle(title, "zh", "page-title", -1))
    brackets = [(-1, inner) for _, inner in _top_level_brackets(page_title or "")] + _top_level_brackets(text)
    for start, inner in brackets:
        inner = inner.strip()
        if "《" in inner or "〈" in inner or _WRAPPER.match(inner):
            for title in unwrap_zh(inner.replace("《", "〈").replace("》", "〉")):
                if is_zh_plan_title(title):
                    found.append(PlanTitle(title.replace("〈", "《").replace("〉", "》"), "zh", "wrapper", start))
        elif is_zh_plan_title(inner):
            found.append(PlanTitle(inner, "zh", "bracketed", start))
    covered = [(p.start, p.start + len(p.text) + 2) for p in found if p.start >= 0]
    for m in _ZH_UNBRACKETED.finditer(text):
        if any(s <= m.start() < e for s, e in covered):
            continue
        if text[max(0, m.start() - 1):m.start()] == "《":
            continue
        for title in unwrap_zh(m.group(0)):
            if is_zh_plan_title(title):
                found.append(PlanTitle(title, "zh", "unbracketed", m.start()))
    return found


_EN_PLAN = "|".join(sorted((re.escape(w) for w in EN_PLAN_WORDS), key=len, reverse=True))
_CAP = r"(?:[A-Z0-9][\w’'\-]*|\d{4}[-–—]\d{2,4}|\(\d{4}[-–—]\d{2,4}\))"
_SMALL = r"(?:of|and|for|the|in|on|to|a|an|with|by|at|&)"
_EN_TITLE = re.compile(
    rf"(?:(?:{_CAP})\s+(?:(?:and|of|for|the|&)\s+(?={_CAP}))?)*(?:{_EN_PLAN})\s+(?:for|on|to)\s+(?:(?:{_CAP}|{_SMALL})\s+)*{_CAP}"
    rf"|(?:[\"“]\d+(?:st|nd|rd|th) Five-Year(?: Plan)?[\"”]\s+)?"
    rf"(?:(?:{_CAP})\s+(?:{_SMALL}\s+)?){{2,}}(?:{_EN_PLAN})\b(?!\s+[A-Z])(?:\s+\(\d{{4}}[-–—]\d{{2,4}}\))?"
)
# Where an _EN_TITLE match can start: a capitalised word, a digit, "(" of a bracketed period, or the quote
# of "“14th Five-Year Plan”" (every branch opens with _CAP, a plan word, all capitalised, or that quote).
_EN_TITLE_START = re.compile(r"[A-Z\d(\"“]")


def _en_title_matches(text: str) -> Iterator[re.Match[str]]:
    """``_EN_TITLE.finditer(text)``, tried only where a match can start.

    The pattern opens with a repeated group, so re's search tries it at every position of the page, and
    English pages are long; here it is tried (``match`` at a position is search's attempt there: it has
    no look-behind) only at the positions _EN_TITLE_START finds, from the end of the previous match, as
    finditer does (no match is empty)."""
    position = 0
    while (start := _EN_TITLE_START.search(text, position)) is not None:
        match = _EN_TITLE.match(text, start.start())
        if match is None:
            position = start.start() + 1
        else:
            position = match.end()
            yield match


_EN_DESCRIPTION = re.compile(
    r"\b(?:action plans?|implementation opinions|implementation plan|guiding opinions|development plan)"
    r"(?:\s+documents?)?\s+(?:for|on)\s+(?:(?!\s(?:after|before|was|were|is|are|has|have|had|which|that|by)\b)"
    r"[^.;:()\"“”]){5,90}"
)
_EN_LEAD = re.compile(r"^(?:The|A|An|This|These|Its|Their|Our|In|On|By|At|Under|From|And)\s+")
_EN_TRAIL = re.compile(rf"(?:\s+{_SMALL})+$|\s+(?:in|on|of|since)\s+(?:(?:early|late|mid-?)\s*)?"
                       r"(?:January|February|March|"
                       r"April|May|June|July|August|September|October|November|December)?\s*(?:\d{1,2},?\s+)?"
                       r"(?:19|20)\d{2}$|\s+(?:in|on)\s+(?:January|February|March|April|May|June|July|August|"
                       r"September|October|November|December)$")
_PERIOD_ONLY = re.compile(r"^(?:the\s+)?\d+(?:st|nd|rd|th)\s+Five[- ]Year\s+Plan$", re.I)
_QUOTES = re.compile(r"“([^”\n]{3,200})”|\"([^\"\n]{3,200})\"|„([^“”\n]{3,200})[“”]|»([^«\n]{3,200})«"
                     r"|«([^»\n]{3,200})»")
_EN_INNER_LEAD = re.compile(r"^(?:Press Conference on|Interpretation of|Explanation of|Notice on (?:Issuing|Printing"
                            r" and Distributing))\s+(?:the\s+)?", re.I)


def _clean_en(title: str) -> str:
    title = title.strip(" ,.;:")
    if title.startswith(("\"", "“")) and title.count("\"") + title.count("“") + title.count("”") == 1:
        title = title[1:]
    return _strip_repeatedly(title, _EN_LEAD, _EN_TRAIL)


def _en_word_count(title: str) -> int:
    return len(title.split())


# A quoted sentence ("We're excited to …", „Die betroffene Person ist …“) is speech, not a title.
_SPEECH = re.compile(r"\b(?:I|we|we['’]re|you|our|my|wir|ich|Sie|ihr|ihre|unser\w*)\b")
MAX_TITLE_WORDS = 30


def _looks_like_speech(text: str) -> bool:
    return len(text.split()) > MAX_TITLE_WORDS or bool(_SPEECH.search(text)) or text.rstrip().endswith((".", "!", "?"))


def en_titles(text: str, page_title: str | None = None) -> list[PlanTitle]:
    found: list[PlanTitle] = []
    spans: list[tuple[int, int]] = []
    for m in _QUOTES.finditer(text):
        inner = next(g for g in m.groups() if g)
        inner = _EN_INNER_LEAD.sub("", inner.strip())
        if not re.search(rf"\b(?:{_EN_PLAN})\b", inner) or _PERIOD_ONLY.match(inner):
            continue
        if _en_word_count(inner) < 3 or _looks_like_speech(inner):
            continue  # "Action Plan", "Opinions": a short form of a title named elsewhere; or a quotation
        found.append(PlanTitle(_clean_en(inner), "en", "quoted", m.start()))
        spans.append((m.start(), m.end()))
    for source, offset in (((page_title or ""), -1), (text, 0)):
        for m in _en_title_matches(source):
            if offset == 0 and any(s <= m.start() < e for s, e in spans):
                continue
            title = _clean_en(m.group(0))
            if _en_word_count(title) < 4 or _PERIOD_ONLY.match(title):
                continue
            found.append(PlanTitle(title, "en", "phrase", m.start() if offset == 0 else -1))
    for m in _EN_DESCRIPTION.finditer(text):
        found.append(PlanTitle(m.group(0).strip(), "en", "description", m.start()))
    return found


def de_titles(text: str, page_title: str | None = None) -> list[PlanTitle]:
    found: list[PlanTitle] = []
    for source, offset in (((page_title or ""), -1), (text, 0)):
        for m in _QUOTES.finditer(source):
            raw = next(g for g in m.groups() if g)
            inner = raw.strip(" ,.")
            if not DE_PLAN_WORD.search(inner) or len(inner.split()) < 3 or _looks_like_speech(raw):
                continue
            found.append(PlanTitle(inner, "de", "quoted", m.start() if offset == 0 else -1))
    return found


def plan_titles(text: str, page_title: str | None = None, language: str | None = None) -> list[PlanTitle]:
    """Every plan title on a page, de-duplicated by normalised form, in order of first appearance."""
    text = unicodedata.normalize("NFC", text)
    if language is None:
        language = guess_language(text)
    found = zh_titles(text, page_title) + (zh_descriptions(text) if language == "zh" else [])
    if language == "de":
        found += de_titles(text, page_title)
    elif language == "en":
        found += en_titles(text, page_title)
    from monitor.plans.grouping import normalise_title

    seen: dict[str, PlanTitle] = {}
    for title in sorted(found, key=lambda t: (t.start, not t.is_title)):
        key = normalise_title(title.text)
        if key and (key not in seen or (title.is_title and not seen[key].is_title)):
            seen[key] = title
    return sorted(seen.values(), key=lambda t: t.start)


def guess_language(text: str) -> str:
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    if han > len(text) * 0.15:
        return "zh"
    german = len(re.findall(r"\b(?:und|der|die|das|für|mit|von|zu|ist|wird|werden|sich|nicht)\b", text))
    english = len(re.findall(r"\b(?:and|the|of|for|with|to|is|will|be|that|which)\b", text))
    return "de" if german > english else "en"
