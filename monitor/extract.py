"""Main text, title, date and language of a decoded HTML page.

trafilatura does the work; this module decides what it is given (text, never bytes; the tree with a
source's ``ignore_css`` noise removed) and what to do when it finds nothing, since it then returns
``None``. A source's ``content_css`` overrides the main-text region when trafilatura's guess is wrong
for a site.
"""
from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lxml import etree
from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

if TYPE_CHECKING:
    from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
    "article", "blockquote", "pre", "dd", "dt", "header", "footer", "hr",
}
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
# Measured with ../shared/tools/extract_eval.py (see bench/extract_variants.py and README).
FAVOR_PRECISION = True
# Main-text containers of widespread Chinese CMSs (TRS, Kaipu/UCAP, the gov.cn templates) and news sites.
# When one is present, trafilatura also reads just that region, and that reading wins unless it holds
# less than half of the whole-page text (then the container was a caption or a teaser). Measured with
# extract_variants:pipeline vs pipeline_no_cms: gne-testpages F1 0.794 → 0.953, chinese-wce 0.878 → 0.889,
# English/German corpora unchanged.
CMS_CONTENT_CSS = "#zoom, .TRS_Editor, #UCAP-CONTENT, .pages_content, #artibody, #endText, #js_content"


class ExtractionError(ValueError):
    """The page has no HTML we can parse."""


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str | None
    text: str
    published: str | None
    language: str | None


def parse_html(html: str) -> HtmlElement:
    # trafilatura is imported on first use (0.3-0.5 s): a crawl process that analyses pages in a
    # worker (monitor/analysis_pool.py) never needs it, and its start-up is what users wait for.
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise ExtractionError("not parseable as HTML")
    return tree


@lru_cache(maxsize=256)
def _selector(css: str) -> CSSSelector:
    """A compiled selector: ``tree.cssselect(css)`` translates the CSS to XPath again on every call."""
    return CSSSelector(css, translator="html")


def _remove(tree: HtmlElement, selectors: list[str] | tuple[str, ...]) -> None:
    for selector in selectors:
        for element in _selector(selector)(tree):
            parent = element.getparent()
            if parent is not None:
                element.drop_tree()


def element_text(element: HtmlElement) -> str:
    """Visible text of an element with one line per block, for ``content_css`` regions.

    Script, style, noscript and template contents are skipped (their tails kept) rather than dropped
    from the tree, so the tree stays whole for a reading that follows (trafilatura's, when the regions
    turn out empty).
    """
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag.lower() in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            if child.tag not in _INVISIBLE_TAGS:
                walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(element)
    # _SPACE holds no line break: one pass over the whole text spaces out each line as a pass per line would
    lines = (line.strip() for line in _SPACE.sub(" ", "".join(parts)).split("\n"))
    return "\n".join(line for line in lines if line)


def _fallback_title(tree: HtmlElement) -> str | None:
    for xpath in ("//h1", "//title"):
        found = tree.xpath(xpath)
        if found:
            text = _SPACE.sub(" ", found[0].text_content()).strip()
            if text:
                return text
    return None


def _visible_chars(text: str) -> int:
    return len("".join(text.split()))


class _ContainerFinder:
    """The elements ``CMS_CONTENT_CSS`` selects, in document order, at half the cost of its compiled selector.

    That selector is seven ``descendant-or-self::*[...]`` scans of the whole tree, and each scan costs about
    as much as reading every id and class attribute once: one XPath takes those attributes, and their
    values are matched here. The selector's own rules are kept: an id matches by equality, a class by one
    of its tokens split on XML white space only (``normalize-space``), an element selected twice counts once.
    """

    _ATTRIBUTES = etree.XPath("descendant-or-self::*/@id | descendant-or-self::*/@class")
    _XML_SPACE = re.compile("[ \t\r\n]+")

    def __init__(self, css: str) -> None:
        self.ids: set[str] = set()
        self.classes: set[str] = set()
        for part in (p.strip() for p in css.split(",")):
            kind, name = part[:1], part[1:]
            if kind not in "#." or not re.fullmatch(r"[\w-]+", name):
                raise ValueError(f"only #id and .class selectors are supported, got {part!r}")
            (self.ids if kind == "#" else self.classes).add(name)

    def __call__(self, tree: etree._Element) -> list[etree._Element]:
        found: list[etree._Element] = []
        for value in self._ATTRIBUTES(tree):
            if value.attrname == "id":
                if value not in self.ids:
                    continue
            elif self.classes.isdisjoint(self._XML_SPACE.split(value)):
                continue
            element = value.getparent()
            if not found or found[-1] is not element:  # an element's id and class come one after the other
                found.append(element)
        return found


_cms_containers = _ContainerFinder(CMS_CONTENT_CSS)


# What a "plain" container holds: text, its inline formatting, paragraphs and headings. Trafilatura prunes
# links, lists, tables, forms, media, comments and scripts, and none of these is in one, so its reading of
# such a container is the container's text. Over the extraction corpora, the test pages and the generated
# benchmark site (414 pages with a plain container), both readings are the same on all but one page, where
# trafilatura ran a WeChat article's paragraphs into one line (bench/analysis_equivalence.py).
_PLAIN_TAGS = frozenset({
    "p", "div", "span", "br", "strong", "b", "em", "i", "u", "font", "h1", "h2", "h3", "h4", "h5", "h6",
    "center", "sub", "sup", "section", "article", "img", "strike", "s", "small", "big", "hr",
})


def _plain_container(region: HtmlElement) -> bool:
    """Whether a container holds only plain text blocks (comments aside) and no text follows it."""
    if region.tail and region.tail.strip():
        return False  # trafilatura reads a container's tail too; its own reading decides then
    for element in region.iterdescendants():
        tag = element.tag
        if isinstance(tag, str) and tag.lower() not in _PLAIN_TAGS:
            return False
    return True


def _cms_region_text(tree: HtmlElement, url: str | None) -> str:
    """The reading of the known CMS content containers alone ("" when the page has none).

    A plain container (``_plain_container``) is its text, read as a source's ``content_css`` regions
    are; trafilatura's reading of it came out the same at about a third of a page's analysis time.
    Any other container is read by trafilatura.
    """
    regions = outermost(_cms_containers(tree))
    if not regions:
        return ""
    if all(_plain_container(region) for region in regions):
        return regions_text(regions)
    return trafilatura_region_text(regions, url)


def trafilatura_region_text(regions: list[HtmlElement], url: str | None) -> str:
    """trafilatura's reading of some regions of a page alone."""
    # The regions (with their tails, as serialising them did) are copied into a new document rather than
    # written out and parsed again: the same tree, read the same on every page of the extraction corpora.
    document = lxml_html.Element("html")
    article = etree.SubElement(etree.SubElement(document, "body"), "article")
    article.extend(copy.deepcopy(region) for region in regions)
    import trafilatura

    scoped = trafilatura.extract(document, url=url, include_tables=True, include_comments=False,
                                 deduplicate=False, favor_precision=False)
    return (scoped or "").strip()


def title_and_date(tree: HtmlElement, url: str | None, *, with_date: bool = True) -> tuple[str | None, str | None]:
    """trafilatura's reading of the title and the publication date, without the rest of its metadata pass.

    ``bare_extraction(with_metadata=True)`` also reads author, site name, categories, tags and licence,
    a fifth of a page's analysis time, and we keep none of them. This replays the steps of
    ``trafilatura.metadata.extract_metadata`` that decide the title and the date, in its order and with
    its date options, so both come out as before (checked over the extraction corpora with
    bench/analysis_equivalence.py, and in tests against trafilatura's own pass). ``tree`` is not changed.
    """
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url
    from trafilatura.settings import DEFAULT_CONFIG, set_date_params

    metadata = examine_meta(tree)
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as exc:  # noqa: BLE001 - trafilatura's own pass shrugs off broken JSON-LD the same way
        logger.debug("JSON-LD metadata of %s unreadable: %s", url, exc)
    title = metadata.title or extract_title(tree)
    published = None
    if with_date:
        params = set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))
        published = find_date(tree, **params, url=metadata.url or extract_url(tree, url))
    return _trimmed(title), _trimmed(published)


def _trimmed(value: str | None) -> str | None:
    """What trafilatura's ``Document.clean_and_trim`` makes of a metadata string."""
    from html import unescape

    from trafilatura.utils import line_processing

    if not isinstance(value, str):
        return value
    if len(value) > 10000:
        value = value[:9999] + "…"
    return line_processing(unescape(value))  # type: ignore[no-any-return]


def _title_and_date_of(document: object, tree: HtmlElement, url: str | None,
                       with_date: bool) -> tuple[str | None, str | None]:
    """None and None when trafilatura found no document: it then read no metadata either (as before)."""
    if document is None:
        return None, None
    return _page_title_and_date(tree, url, with_date)


def _page_title_and_date(tree: HtmlElement, url: str | None, with_date: bool) -> tuple[str | None, str | None]:
    try:
        return title_and_date(tree, url, with_date=with_date)
    except (TypeError, ValueError) as exc:  # what bare_extraction's own metadata pass swallowed
        logger.debug("no title or date from %s: %s", url, exc)
        return None, None


def _container_outweighs_page(tree: HtmlElement, scoped: str) -> bool:
    """Whether the CMS container's reading wins against any whole-page reading, so that reading (half of
    a page's extraction time) can be skipped with the same result.

    The container wins unless it holds less than half of trafilatura's whole-page text (see
    ``CMS_CONTENT_CSS``), and that text is never longer than the body's visible text plus the separators
    trafilatura writes between table cells and list items (at most two characters each; checked on every
    page of the extraction corpora and a generated site by bench/analysis_equivalence.py).
    """
    body = tree.find("body")
    if body is None:
        return False
    separators = 2 * len(_CELLS_AND_ITEMS(body))
    return _container_wins(scoped, visible_chars_of(body) + separators)


def _container_wins(scoped: str, whole_page_chars: int) -> bool:
    """The rule of ``CMS_CONTENT_CSS``: the container's reading stands unless it holds less than half of a
    whole-page reading of ``whole_page_chars`` visible characters."""
    return _visible_chars(scoped) * 2 >= whole_page_chars


_CELLS_AND_ITEMS = etree.XPath(".//td | .//th | .//li")
_INVISIBLE = etree.XPath(" | ".join(f".//{tag}" for tag in sorted(_INVISIBLE_TAGS)))


def text_of(element: etree._Element) -> str:
    """``element.text_content()``, read by the serializer: the same text (both join the element's text nodes,
    and leave out comments and its tail) for a third less, as the XPath call behind text_content costs more."""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)  # type: ignore[no-any-return]


def visible_chars_of(element: HtmlElement) -> int:
    """``_visible_chars(element_text(element))`` at a third of the cost: libxml2 writes all the text at
    once, and the text of script, style, noscript and template elements (outermost ones only, so none is
    counted twice) is taken off again; tails stay, as in ``element_text``."""
    hidden = "".join(text_of(e) for e in _INVISIBLE(element)
                     if not any(a.tag in _INVISIBLE_TAGS for a in e.iterancestors()))
    return _visible_chars(text_of(element)) - _visible_chars(hidden)


def outermost(regions: list[HtmlElement]) -> list[HtmlElement]:
    """The regions (in document order) that are not inside another one.

    A CMS nests its containers (``#zoom`` around ``.TRS_Editor``), and a ``content_css`` may name both:
    reading each region found would give the article twice.
    """
    if len(regions) < 2:
        return regions
    kept: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    for region in regions:
        if not any(ancestor in seen for ancestor in region.iterancestors()):
            kept.append(region)
        seen.add(region)
    return kept


def regions_text(regions: list[HtmlElement]) -> str:
    """The text of some regions of a page, one after the other: a ``content_css`` or plain CMS region's reading."""
    return "\n".join(element_text(region) for region in regions).strip()


def content_css_text(tree: HtmlElement, content_css: str) -> tuple[str, str | None]:
    """The text of a source's ``content_css`` regions, and when it is empty why: "nothing" (no region
    matched) or "only empty elements". ``sources check`` reports the same reasons."""
    regions = outermost(_selector(content_css)(tree))
    text = regions_text(regions)
    return text, None if text else ("only empty elements" if regions else "nothing")


def extract_page(html: str | HtmlElement, url: str | None = None, *, content_css: str | None = None,
                 ignore_css: list[str] | tuple[str, ...] = (), language: str | None = None,
                 favor_precision: bool = FAVOR_PRECISION, cms_containers: bool = True,
                 with_date: bool = True) -> Extracted:
    """Extract one page. ``text`` is empty when no main text was found.

    When the source's ``content_css`` regions hold text, they are the text and trafilatura's body
    extraction (two thirds of a page's analysis) is skipped; its title and date reading still runs.
    ``with_date=False`` skips the date guess (htmldate) for a caller that has the date from elsewhere.
    ``html`` may be the page already parsed by ``parse_html``; that tree is changed (``ignore_css`` goes).
    """
    tree = parse_html(html) if isinstance(html, str) else html
    lang_attr = (tree.get("lang") or tree.get("xml:lang") or "").split("-")[0].lower() or None
    _remove(tree, ignore_css)
    fallback_title = _fallback_title(tree)
    chosen, missing = content_css_text(tree, content_css) if content_css else ("", None)
    if missing:  # a layout change must not blank the page: trafilatura's guess stands in
        logger.warning("content_css %r matched %s on %s; using automatic extraction", content_css, missing, url)
    scoped = _cms_region_text(tree, url) if cms_containers and not content_css else ""
    if scoped and _container_outweighs_page(tree, scoped):
        chosen = scoped
    if chosen:
        # trafilatura would have found a document on all but near-empty pages, and then read this title
        # and date; on those pages it read none, and the fallback title and no date came out instead.
        meta_title, published = _page_title_and_date(tree, url, with_date)
        return Extracted(title=meta_title or fallback_title, text=chosen, published=published,
                         language=language or lang_attr)
    import trafilatura

    def whole_page(fast: bool) -> tuple[Any, str]:
        # bare_extraction works on its own copy of a tree it is given, so ``tree`` stays whole for the rest
        document = trafilatura.bare_extraction(
            tree, url=url, with_metadata=False, include_comments=False, include_tables=True, deduplicate=False,
            favor_precision=favor_precision, fast=fast,
        )
        return document, (getattr(document, "text", None) or "") if document is not None else ""

    # With a CMS container read, the whole-page reading is first only a yardstick for it, and the quick
    # one (no readability/justext comparison) serves; the full one runs when the container's reading
    # loses against it (see CMS_CONTENT_CSS), and decides then.
    document, text = whole_page(fast=bool(scoped))
    if scoped and (document is None or not _container_wins(scoped, _visible_chars(text))):
        document, text = whole_page(fast=False)
    meta_title, published = _title_and_date_of(document, tree, url, with_date)
    if scoped and _container_wins(scoped, _visible_chars(text)):
        text = scoped
    return Extracted(
        title=meta_title or fallback_title,
        text=text.strip(),
        published=published,
        language=language or lang_attr,
    )
