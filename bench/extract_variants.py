"""Extraction variants for ``../shared/tools/extract_eval.py`` (function: HTML bytes, URL -> text).

Run from the repository root, e.g.:
    PYTHONPATH=.:bench python ../shared/tools/extract_eval.py --extractor extract_variants:pipeline
    PYTHONPATH=.:bench python ../shared/tools/extract_eval.py --extractor extract_variants:pipeline_recall

``pipeline`` is exactly what a crawl stores: our decoding, trafilatura as configured, default noise rules.
"""
from __future__ import annotations

from monitor.decode import decode_html
from monitor.extract import extract_page
from monitor.normalize import NoiseRules

_NOISE = NoiseRules()


def _run(html: bytes, url: str, favor_precision: bool, cms_containers: bool = True) -> str:
    text, _ = decode_html(html)
    page = extract_page(text, url, favor_precision=favor_precision, cms_containers=cms_containers)
    return _NOISE.clean(page.text)


def pipeline(html: bytes, url: str) -> str:
    return _run(html, url, favor_precision=True)


def pipeline_recall(html: bytes, url: str) -> str:
    """The same pipeline with trafilatura's default balance (favor_precision off)."""
    return _run(html, url, favor_precision=False)



def pipeline_no_cms(html: bytes, url: str) -> str:
    """The pipeline without the CMS content-container step (monitor.extract.CMS_CONTENT_CSS)."""
    return _run(html, url, favor_precision=True, cms_containers=False)


def pipeline_cms_plain(html: bytes, url: str) -> str:
    """The pipeline with every CMS container's text taken as it stands (as a source's ``content_css`` is),
    not only plain ones (``monitor.extract._plain_container``): the same F1 on every corpus, but news
    containers with related-article lists inside then read those lists, which change from visit to visit."""
    import monitor.extract as extract

    original = extract._plain_container
    extract._plain_container = lambda region: True
    try:
        return pipeline(html, url)
    finally:
        extract._plain_container = original
