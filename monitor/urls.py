"""One article, one URL: canonical form of a URL before anything is requested or stored.

Government sites link the same article with share-tracking parameters (``?from=timeline``,
``spm=…``, ``utm_source=…``), with fragments and with query arguments in any order; stored as is,
one plan would become several pages and each would be "new".
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that say how a reader arrived, never which document they get.
TRACKING_PARAMETERS = frozenset({
    "from", "spm", "fbclid", "gclid", "yclid", "msclkid", "mc_cid", "mc_eid", "igshid", "isappinstalled",
    "share_token", "sharefrom", "share_from", "wfr", "scene", "srcid", "tt_from", "_hsenc", "_hsmi",
})


def is_tracking_parameter(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith("utm_")


@lru_cache(maxsize=4096)
def canonical_url(url: str, *, strip_tracking: bool = True, encoding: str | None = None) -> str:
    """Drop the fragment and tracking parameters, sort the query, normalise case and escaping.

    ``strip_tracking=False`` keeps every parameter (list pages and APIs may use ``from`` as an offset).
    ``encoding`` escapes unescaped characters of the query, as a browser does with the encoding of the
    page that links the URL (the path is always escaped as UTF-8); UTF-8 by default.
    Remembered for the last few thousand URLs: a crawl asks for each article's URL when a list links it
    and again when its answer arrives.
    """
    parts = urlsplit(url.strip())
    # Filter the raw "k=v" pairs: decoding and re-encoding values would corrupt GBK-escaped queries.
    pairs = [pair for pair in parts.query.split("&") if pair and not (
        strip_tracking and is_tracking_parameter(unquote_plus(pair.split("=", 1)[0])))]
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "&".join(pairs), ""))
    return canonicalize_url(cleaned, keep_fragments=False, encoding=encoding)


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on the same host (a canonical link to another site is not honoured)."""
    return (urlsplit(url).hostname or "").lower() == (urlsplit(other).hostname or "").lower()
