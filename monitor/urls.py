"""One article, one URL: canonical form of a URL before anything is requested or stored.

Government sites link the same article with share-tracking parameters (``?from=timeline``,
``spm=…``, ``utm_source=…``), with fragments and with query arguments in any order; stored as is,
one plan would become several pages and each would be "new".
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that say how a reader arrived, never which document they get.
TRACKING_PARAMETERS = frozenset({
    "from", "spm", "fbclid", "gclid", "yclid", "msclkid", "mc_cid", "mc_eid", "igshid", "isappinstalled",
    "share_token", "sharefrom", "share_from", "wfr", "scene", "srcid", "tt_from", "_hsenc", "_hsmi",
})


def is_tracking_parameter(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith("utm_")


def canonical_url(url: str) -> str:
    """Drop the fragment and tracking parameters, sort the query, normalise case and escaping."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_parameter(k)]
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on the same host (a canonical link to another site is not honoured)."""
    return (urlsplit(url).hostname or "").lower() == (urlsplit(other).hostname or "").lower()
