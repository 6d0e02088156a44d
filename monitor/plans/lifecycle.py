"""Where a plan is in its life (draft for comment, final, expired, abolished) and what a page is for it
(official text, interpretation, news report, translation), as pure classifiers.

List-page facts win over words: gkmlpt-style metadata (``is_abolished``, ``is_expired``, a
``status``/``effectiveness`` field) is what the publisher says; the text is only read when they are absent.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

DRAFT = "draft"
FINAL = "final"
EXPIRED = "expired"
ABOLISHED = "abolished"

OFFICIAL = "official"
INTERPRETATION = "interpretation"
NEWS = "news"
TRANSLATION = "translation"

_TRUE = {"1", "true", "yes", "y", "是"}
_ABOLISHED_WORDS = re.compile(r"已废止|废止|\babolished\b|\brepealed\b|aufgehoben|außer Kraft gesetzt", re.I)
_EXPIRED_WORDS = re.compile(r"已失效|失效|\bexpired\b|\bno longer (?:valid|in force)\b|abgelaufen|"
                            r"nicht mehr gültig", re.I)
_DRAFT_WORDS = re.compile(r"征求意见稿|公开征求意见|草案|送审稿|draft for (?:public )?comments?|\bdraft\b|"
                          r"soliciting (?:public )?"
                          r"(?:comments|opinions)|Entwurf|zur Stellungnahme|Konsultationsfassung", re.I)
_INTERPRETATION_WORDS = re.compile(
    r"解读|答记者问|新闻发布会|吹风会|图解|一图读懂|政策问答|interpretation|press conference|explain(?:s|ed)?\b|"
    r"Q&A|Pressekonferenz|erläutert|erklären|Auslegung|Interpretation", re.I)
_DRAFT_IN_TEXT = re.compile(r"征求意见稿|draft for (?:public )?comment|Entwurf", re.I)
_NEWS_HEADLINE = re.compile(r"发布|出台|公布|推出|亮相|出炉|正式|重磅|速览|来了")
_OFFICIAL_OPENING = re.compile(r"^(?:各(?:地级以上)?市|各省|各县|各区|各有关单位|"
                               r"各[^，,]{0,12}(?:人民政府|部门|单位)[，,：:])", re.M)


def _flag(meta: Mapping[str, Any], *names: str) -> bool:
    for name in names:
        value = meta.get(name)
        if isinstance(value, bool):
            if value:
                return True
        elif value is not None and str(value).strip().lower() in _TRUE:
            return True
    return False


def lifecycle_status(text: str, title: str | None = None, meta: Mapping[str, Any] | None = None) -> str:
    """draft | final | expired | abolished."""
    meta = meta or {}
    if _flag(meta, "is_abolished", "abolished"):
        return ABOLISHED
    if _flag(meta, "is_expired", "expired"):
        return EXPIRED
    status = str(meta.get("status") or meta.get("effectiveness") or meta.get("validity") or "")
    if status:
        if _ABOLISHED_WORDS.search(status):
            return ABOLISHED
        if _EXPIRED_WORDS.search(status):
            return EXPIRED
    head = (title or "") + "\n" + text[:300]
    if _ABOLISHED_WORDS.search(title or "") or re.search(r"(?:本(?:文件|办法|方案|计划)|该文件)已(?:废止)", head):
        return ABOLISHED
    if _EXPIRED_WORDS.search(title or "") or re.search(r"(?:本(?:文件|办法|方案|计划)|该文件)已(?:失效)", head):
        return EXPIRED
    if _DRAFT_WORDS.search(title or "") or _DRAFT_IN_TEXT.search(text[:400]):
        return DRAFT
    return FINAL


def page_role(text: str, title: str | None, *, plan_titles: list[str], language: str,
              plan_language: str | None = None, meta: Mapping[str, Any] | None = None) -> str:
    """official | interpretation | news | translation — what this page is for the plans it names.

    The page is the official text when its title is (or publishes) a plan title and it addresses
    its recipients or carries a document number; an interpretation when it says so (解读, press
    conference, Pressekonferenz); a translation when it reproduces a foreign plan under the plan's
    translated title; a news report otherwise.
    """
    meta = meta or {}
    title = title or ""
    role = str(meta.get("role") or "")
    if role in (OFFICIAL, INTERPRETATION, NEWS, TRANSLATION):
        return role
    if _INTERPRETATION_WORDS.search(title):
        return INTERPRETATION
    from monitor.plans.grouping import normalise_title

    title_key = normalise_title(title)
    plan_keys = [normalise_title(p) for p in plan_titles] if title_key else []  # each normalised once
    names_plan = bool(title_key) and any(key and (key in title_key or title_key in key) for key in plan_keys)
    foreign = plan_language is not None and plan_language != language
    remainder = title
    for plan_title in plan_titles:
        remainder = remainder.replace(plan_title, "")
    if names_plan and language == "zh" and (_NEWS_HEADLINE.search(remainder)
                                            or ("印发" in remainder and "关于印发" not in remainder)):
        return NEWS  # "…规划发布": a report that the plan came out
    if names_plan and language == "zh" and (_OFFICIAL_OPENING.search(text[:600]) or meta.get("doc_number")
                                            or re.search(r"〔(?:19|20)\d{2}〕\d+号", text[:300])):
        return OFFICIAL
    if names_plan and language != "zh" and (foreign or re.search(r"\btranslat|Übersetzung", text[:400], re.I)):
        return TRANSLATION
    if names_plan and language == "zh":
        return OFFICIAL
    if _INTERPRETATION_WORDS.search(text[:500]):
        return INTERPRETATION
    return NEWS
