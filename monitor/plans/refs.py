"""Document numbers (发文字号) and dates (成文日期, 发布日期, effective/expiry, "on 21 October",
"am 21. Oktober") found in a text.

Document numbers are normalised to the official form ``<organ>〔<year>〕<n>号`` whatever brackets the
page used ([2024], (2024), （2024）, 【2024】), so the same number written two ways is one plan.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

_OPEN = "〔\\[［(（【"
_CLOSE = "〕\\]］)）】"
_ZH_DOC = re.compile(
    rf"(?P<org>[\u4e00-\u9fff]{{1,14}})\s*[{_OPEN}]\s*(?P<year>(?:19|20)\d{{2}})\s*[{_CLOSE}]\s*"
    rf"第?\s*(?P<num>\d{{1,4}})\s*号"
)
# What follows a document number's organ: every _ZH_DOC match ends with one of these, and they never overlap
# (none holds an opening bracket after its first character).
_ZH_DOC_TAIL = re.compile(rf"[{_OPEN}]\s*(?:19|20)\d{{2}}\s*[{_CLOSE}]\s*第?\s*\d{{1,4}}\s*号")
_ZH_ORGAN_CHARS = 14  # the most organ characters _ZH_DOC takes
_LATIN_DOC = re.compile(
    rf"(?P<org>(?:[A-Z][A-Za-z]*\s+){{1,6}})[{_OPEN}]\s*(?P<year>(?:19|20)\d{{2}})\s*[{_CLOSE}]\s*"
    r"(?:No\.|Nr\.|Number)\s*(?P<num>\d{1,4})\b"
)
# Every _LATIN_DOC match holds one of these (case-sensitive); the pattern opens with a repeat, so re tries
# it at every position of a page, while this opens with a literal: a page without one is not searched.
_LATIN_DOC_GATE = re.compile(r"No\.|Nr\.|Number")
# Words that end before an organ prefix in running text: "…印发粤府办〔2024〕1号", "文号：工信部联科…".
_ORG_LEAD = re.compile(r"^.*(?:印发|发文字号|文号|字号|的|了|和|及|与|据|按照|依照|根据|日|见|即|为|是)")
# Organ prefixes are abbreviations of issuers; these are words, not organs.
_NOT_ORG = ("年", "月", "第", "通知", "意见")


def normalise_doc_number(org: str, year: str | int, num: str | int) -> str:
    organ = re.sub(r"\s+", " ", str(org)).strip()
    return f"{organ}〔{int(year)}〕{int(num)}号"


def _zh_doc_matches(text: str) -> Iterator[re.Match[str]]:
    """``_ZH_DOC.finditer(text)``, trying the pattern only just before each bracketed year and number.

    Tried at every position, the organ part (up to 14 Chinese characters, then backtracking) made this
    the costliest step of a page's plan reading. A match is an organ, white space, then a tail; so for
    each tail, in order, the leftmost match is looked for among the starts its organ allows, from where
    the previous match ended: the same matches as ``finditer``.
    """
    resume = 0
    for tail in _ZH_DOC_TAIL.finditer(text):
        organ_end = tail.start()
        while organ_end > resume and text[organ_end - 1].isspace():  # str.isspace is re's \s
            organ_end -= 1
        match = _ZH_DOC.search(text, max(resume, organ_end - _ZH_ORGAN_CHARS), tail.end())
        if match is not None:
            resume = match.end()
            yield match


def doc_numbers(text: str) -> list[str]:
    """Distinct document numbers in order of appearance, normalised."""
    found: list[str] = []
    for m in _zh_doc_matches(text):
        org = _ORG_LEAD.sub("", m.group("org"))
        if not org or org.endswith(_NOT_ORG) or len(org) > 12:
            continue
        found.append(normalise_doc_number(org, m.group("year"), m.group("num")))
    for m in (_LATIN_DOC.finditer(text) if _LATIN_DOC_GATE.search(text) else ()):
        org = re.sub(r"^(?:The|Document|Doc|No)\s+", "", m.group("org").strip())
        found.append(normalise_doc_number(org, m.group("year"), m.group("num")))
    return list(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class PlanDate:
    kind: str  # written | published | effective | expires | abolished | mentioned
    date: str  # ISO YYYY-MM-DD
    text: str


_EN_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], 1)}
_DE_MONTHS = {m: i for i, m in enumerate(
    ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
     "november", "dezember"], 1)}
# The month names as written in running text, each language's as one alternation (also used by targets.py).
EN_MONTH_NAMES = "|".join(m.capitalize() for m in _EN_MONTHS)
DE_MONTH_NAMES = "|".join(m.capitalize() for m in _DE_MONTHS)

# "Not after a digit (or a dot)" is checked after the first digit (``\d(?<![\d.]\d)`` rather than
# ``(?<![\d.])\d``): a pattern that opens with a look-behind is tried at every position of the text, one
# that opens with a digit only where there is one (three times quicker on a long page; the same matches,
# see tests/test_plans_extraction.py).
# Each form with a gate: a pattern that finds something (the month a match names) in every text holding a
# match, so a page where it finds nothing has no date of that form. A gate opens with a literal, so re
# skips to where one can start and tells that quicker than the form's pattern (the patterns are
# case-sensitive, so a month name is as written here).
_DATE_FORMS = [
    ("zh", re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"), re.compile("月")),
    ("iso", re.compile(r"(?P<y>(?:19|20)(?<!\d19|\d20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"), None),
    ("en", re.compile(rf"(?P<d>\d(?<![\d.]\d)\d?)(?:st|nd|rd|th)?\s+(?P<mn>{EN_MONTH_NAMES})"
                      rf"(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?"), re.compile(EN_MONTH_NAMES)),
    ("en", re.compile(rf"(?P<mn>{EN_MONTH_NAMES})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*(?P<y>(?:19|20)\d{{2}}))?"),
     re.compile(EN_MONTH_NAMES)),
    ("de", re.compile(rf"(?P<d>\d(?<![\d.]\d)\d?)\.\s*(?P<mn>{DE_MONTH_NAMES})(?:\s+(?P<y>(?:19|20)\d{{2}}))?"),
     re.compile(DE_MONTH_NAMES)),
]
_KIND_CUES = [
    ("written", re.compile(r"(?:成文日期|成文时间|发文日期|Date of (?:writing|issuance)|Ausfertigungsdatum)"
                           r"\s*[:：]?\s*$", re.I)),
    ("published", re.compile(r"(?:发布日期|发布时间|公开日期|印发日期|Published(?: on)?|Release date|"
                             r"Veröffentlicht(?: am)?|"
                             r"Veröffentlichungsdatum)\s*[:：]?\s*$", re.I)),
    ("effective", re.compile(r"(?:施行日期|生效日期|实施日期|自|Effective(?: from| date)?|in Kraft (?:ab|seit)|"
                             r"gültig ab)\s*[:：]?\s*$",
                             re.I)),
    ("expires", re.compile(r"(?:有效期至|有效期截至|失效日期|Expir(?:es|y date)(?: on)?|valid until|gültig bis|"
                           r"läuft (?:am )?)\s*[:：]?\s*$", re.I)),
    ("abolished", re.compile(r"(?:废止日期|Abolished(?: on)?|aufgehoben am)\s*[:：]?\s*$", re.I)),
]
_AFTER_EFFECTIVE = re.compile(r"^\s*(?:起施行|起实施|起生效|起执行)")
_AFTER_EXPIRES = re.compile(r"^\s*(?:前有效|止|失效)")


def _month(name: str, form: str) -> int:
    return (_DE_MONTHS if form == "de" else _EN_MONTHS)[name.lower()]


def dates(text: str, *, default_year: int | None = None) -> list[PlanDate]:
    """Dates in ``text`` with what they are, judged by the words just before/after them.

    Dates written without a year ("on 21 October", "am 21. Oktober") take ``default_year`` (the
    page's publication year) and are dropped when it is unknown.
    """
    found: dict[tuple[int, str], PlanDate] = {}
    spans: list[tuple[int, int]] = []
    for form, pattern, gate in _DATE_FORMS:
        if gate is not None and not gate.search(text):
            continue
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in spans):
                continue
            year = int(m.group("y")) if m.group("y") else default_year
            if year is None:
                continue
            month = int(m.group("m")) if "m" in m.groupdict() else _month(m.group("mn"), form)
            try:
                day = date(year, month, int(m.group("d")))
            except ValueError:
                continue
            spans.append((m.start(), m.end()))
            before = text[max(0, m.start() - 30):m.start()]
            after = text[m.end():m.end() + 8]
            kind = next((k for k, cue in _KIND_CUES if cue.search(before)), "mentioned")
            if kind == "effective" and before.rstrip().endswith("自") and not _AFTER_EFFECTIVE.match(after):
                kind = "mentioned"
            if kind == "mentioned" and _AFTER_EFFECTIVE.match(after):
                kind = "effective"
            if kind == "mentioned" and _AFTER_EXPIRES.match(after):
                kind = "expires"
            found[(m.start(), kind)] = PlanDate(kind, day.isoformat(), m.group(0))
    return [found[k] for k in sorted(found)]
