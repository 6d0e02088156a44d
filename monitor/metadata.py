"""Document facts from a policy page: publication date, issuing body, document number, index number…

Chinese government pages carry them in an "info table" above the text (索引号, 发文机关, 成文日期,
发布日期, 发文字号, 主题分类) and often in meta tags (``PubDate``, ``ContentSource``,
``firstpublishedtime``). Analysts filter and cite by them, so they are kept with each version.
Pure: HTML text in, a value out.

A publication date is only ever one the page or its address states to the day, in this order: labels,
meta tags, a date in the URL (``t20260415_…``, ``/art/2026/4/15/``), htmldate's reading when the page
states that day, a full date near the top of the page. htmldate falls back to a bare year
("关于开展2026年度…的通知" became 2026-01-01) or a year and month, which would file a notice under a day
nobody wrote (``stated``).
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from lxml import html as lxml_html

from monitor.extract import text_of

logger = logging.getLogger(__name__)

# Field → labels as printed on pages (longest first where one label starts another).
LABELS: dict[str, tuple[str, ...]] = {
    "index_number": ("索引号",),
    "issuer": ("发文机关", "发布机构", "发文单位", "发布单位", "公开主体", "信息来源"),
    "written_date": ("成文日期", "成文时间"),
    "published": ("发布日期", "发布时间", "公开日期", "发文日期"),
    "document_number": ("发文字号", "文号"),
    "subject": ("主题分类", "主题词"),
}
META_NAMES: dict[str, tuple[str, ...]] = {
    "published": ("firstpublishedtime", "pubdate", "publishdate", "article:published_time", "dc.date"),
    "modified": ("lastmodifiedtime", "article:modified_time"),
    "issuer": ("contentsource", "source", "dc.publisher"),
}
_ALL_LABELS = sorted((label for labels in LABELS.values() for label in labels), key=len, reverse=True)
# Labels are often spaced out to align a table ("索  引  号"): allow blanks between their characters.
_SPACED_LABELS = "|".join(r"\s*".join(map(re.escape, label)) for label in _ALL_LABELS)
_LABEL_RE = re.compile("(" + _SPACED_LABELS + r")\s*[:：]\s*")
# Some label, colon or not: an element's text that this does not match cannot be (or hold) a label, since a
# label in the text with its white space removed (which _from_labels looks for) is one spaced out here.
_ANY_LABEL = re.compile(_SPACED_LABELS)
# The same labels with their colon in a text whose white space is all removed: _LABEL_RE can only match
# an element's text when this matches its compacted form, and it is much quicker to try.
_COMPACT_LABEL = re.compile("(?:" + "|".join(map(re.escape, _ALL_LABELS)) + ")[:：]")
_WHITE = re.compile(r"\s")
# A document number standing alone, e.g. 发改办高技〔2024〕88号 or 国办发[2023]5号.
_DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,12}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*第?\d{1,4}\s*号")
# The year in brackets that every _DOCUMENT_NUMBER holds: a text without one cannot hold a number, and this
# skips to the brackets where _DOCUMENT_NUMBER tries its run of Chinese characters at every character.
_BRACKETED_YEAR = re.compile(r"[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]")
_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
# A full date standing in a page's text (not inside a longer number): the top-of-page fallback.
_TEXT_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
                        r"|([-/.])\s*(\d{1,2})\s*\4\s*(\d{1,2}))(?!\d)")
# How far into the page's text a date still counts as the page's own (the heading and info line are there).
TOP_TEXT_CHARS = 3000
# Dates in the addresses of the CMSs Chinese government sites run on: TRS ``/202604/t20260415_123.html``,
# Hanweb ``/art/2026/4/15/art_1_2.html``, and plain ``/2026/04/15/`` or ``/2026-04-15/``.
_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})/"),
)
MAX_VALUE_CHARS = 120
_VALUE_END = re.compile(r"\n|\s{2,}|\u3000")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    published: str | None = None  # YYYY-MM-DD
    modified: str | None = None
    written_date: str | None = None
    issuer: str | None = None
    document_number: str | None = None
    index_number: str | None = None
    subject: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def normalise_date(text: str | None) -> str | None:
    """``2024年3月5日``, ``2024-03-05 10:00``, ``2024/3/5`` → ``2024-03-05`` (None when not a date)."""
    match = _DATE.search(text or "")
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1949 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def url_date(url: str | None) -> str | None:
    """The day an address states (the CMS writes the publication day into it), None when it states none."""
    for pattern in _URL_DATES:
        match = pattern.search(url or "")
        if match and (date := normalise_date("-".join(match.groups()))):
            return date
    return None


def text_date(text: str) -> str | None:
    """The first full date (year, month and day) up to today in ``text``; a year or a year and month is no date."""
    today = datetime.now(timezone.utc).date().isoformat()
    for match in _TEXT_DATE.finditer(text):
        year, month, day = match.group(1), match.group(2) or match.group(5), match.group(3) or match.group(6)
        if (date := normalise_date(f"{year}-{month}-{day}")) and date <= today:
            return date
    return None


def stated(guess: str | None, html: str, url: str | None = None) -> str | None:
    """``guess`` (a guesser's YYYY-MM-DD) when it can be a day the page states, else None.

    htmldate fills what it did not find with 1: a bare year becomes YYYY-01-01, a year and month
    YYYY-MM-01. So a guess on another day was read as a full date; one on the first of a month stands
    only when the page or its address writes that full date (in its text, a meta tag or an attribute).
    """
    if not guess or not guess.endswith("-01"):
        return guess
    if _first_of_month(guess).search(f"{url or ''} {html}"):
        return guess
    logger.debug("date guess %s on %s has no full date behind it", guess, url)
    return None


# Month names as English and German pages write them (htmldate reads both), for ``_first_of_month``.
_MONTH_NAMES = ("jan(?:uary|uar)?", "feb(?:ruary|ruar)?", "m(?:ar(?:ch)?|ärz|aerz)", "apr(?:il)?", "ma[iy]",
                "jun[ei]?", "jul[iy]?", "aug(?:ust)?", "sep(?:t(?:ember)?)?", "o[ck]t(?:ober)?", "nov(?:ember)?",
                "de[cz](?:ember)?")


def _first_of_month(date: str) -> re.Pattern[str]:
    """The ways a page writes ``date`` (the first of a month): 2022-02-01, 2022年2月1日, 20220201, 01.02.2022,
    02/01/2022, 1. Februar 2022, February 1st, 2022."""
    year, month = date[:4], int(date[5:7])
    mm, name = f"0?{month}", _MONTH_NAMES[month - 1]
    forms = [rf"{year}\s*[-年/.]\s*{mm}\s*[-月/.]\s*0?1", rf"{year}{month:02d}01",
             rf"(?<!\d)0?1\s*[./]\s*{mm}\s*[./]\s*{year}", rf"(?<!\d){mm}/0?1/{year}",
             rf"(?<!\d)0?1(?:st)?\.?\s+{name}\.?\s+{year}", rf"\b{name}\.?\s+0?1(?:st)?,?\s+{year}"]
    return re.compile("(?:" + "|".join(forms) + r")(?!\d)", re.IGNORECASE)


def page_date(html: str, url: str | None, tree: lxml_html.HtmlElement, guess: str | None) -> str | None:
    """After the labels, meta tags and address: a guesser's date if the page states it, else the first full
    date near the top of the page (not one after today: a deadline or a target, not a publication).

    ``tree`` is the page as ``extract_metadata`` left it (scripts and styles gone).
    """
    return stated(guess, html, url) or text_date(_top_text(tree))


def _clean(value: str | None) -> str | None:
    value = re.sub(r"\s+", " ", value or "").strip(" ：:;；|")
    return value[:MAX_VALUE_CHARS] or None


def _from_meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = _clean(meta.get("content"))
        if not content:
            continue
        for field, names in META_NAMES.items():
            if name in names and field not in found:
                found[field] = content
    return found


def _from_labels(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """Label cells followed by value cells, or ``label：value`` runs inside one element.

    Elements are read innermost first, so a table cell wins over the block that contains the table.
    """
    found: dict[str, str] = {}
    field_of = {label: field for field, labels in LABELS.items() for label in labels}
    elements = list(tree.iter("td", "th", "span", "div", "li", "p", "b", "strong", "label", "dt", "dd", "em"))
    for element in reversed(elements):
        raw = text_of(element)
        if len(raw) > 600 or not _ANY_LABEL.search(raw):  # most elements: one quick scan instead of the steps below
            continue
        compact = _WHITE.sub("", raw)
        label = compact.rstrip("：:")
        if label in field_of:
            sibling = element.getnext()
            value = _clean(text_of(sibling)) if sibling is not None else None
            if value and value.rstrip("：: ") not in field_of:
                found.setdefault(field_of[label], value)
            continue
        if not _COMPACT_LABEL.search(compact):
            continue
        matches = list(_LABEL_RE.finditer(raw))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(raw)
            value = _clean(_VALUE_END.split(raw[match.end():end].strip(), maxsplit=1)[0])
            if value:
                found.setdefault(field_of[re.sub(r"\s", "", match.group(1))], value)
    return found


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Without comments, as parse_html reads a page: a comment between a label cell and its value cell would
# otherwise be the label's "next" and hide the value.
_PARSER = lxml_html.HTMLParser(remove_comments=True)


def extract_metadata(html: str, url: str | None = None, *, htmldate_fallback: bool = True,
                     tree: lxml_html.HtmlElement | None = None) -> PageMetadata:
    """The document facts a page states; labelled facts win over meta tags, htmldate is the last resort.

    ``tree`` is ``html`` already parsed by ``monitor.extract.parse_html``, which this changes (scripts go):
    the page analysis parses a page once for both readings, a parse being a twentieth of its cost.
    """
    if tree is None:
        try:
            # control characters parse but cannot be set as element text: dropping a <script> with one in
            # its tail would raise, so they go first (they are never part of a fact)
            tree = lxml_html.fromstring(_CONTROL_CHARS.sub("", html), parser=_PARSER)
        except (ValueError, lxml_html.etree.ParserError):
            return PageMetadata()
    for junk in tree.xpath("//script|//style"):
        junk.drop_tree()
    labelled, tagged = _from_labels(tree), _from_meta_tags(tree)
    published = (normalise_date(labelled.get("published")) or normalise_date(tagged.get("published"))
                 or url_date(url))
    if published is None and htmldate_fallback:
        published = page_date(html, url, tree, _htmldate(html, url))
    return PageMetadata(
        published=published,
        modified=normalise_date(tagged.get("modified")),
        written_date=normalise_date(labelled.get("written_date")),
        issuer=labelled.get("issuer") or tagged.get("issuer"),
        document_number=labelled.get("document_number") or _document_number(_top_text(tree)),
        index_number=labelled.get("index_number"),
        subject=labelled.get("subject"),
    )


def _top_text(tree: lxml_html.HtmlElement) -> str:
    body = tree.find("body")
    return (body if body is not None else tree).text_content()[:TOP_TEXT_CHARS]  # type: ignore[no-any-return]


def _document_number(text: str) -> str | None:
    """A document number written on its own near the top of the page (no label before it)."""
    match = _DOCUMENT_NUMBER.search(text) if _BRACKETED_YEAR.search(text) else None
    return re.sub(r"\s", "", match.group(0)) if match else None


def _htmldate(html: str, url: str | None) -> str | None:
    from htmldate import find_date

    try:
        return find_date(html, url=url, original_date=True, outputformat="%Y-%m-%d")  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001 - a date guesser must never fail a page
        logger.debug("htmldate failed on %s: %s", url, exc)
        return None
