"""One article, one URL: canonical form of a URL before anything is requested or stored.

Government sites link the same article with share-tracking parameters (``?from=timeline``,
``spm=…``, ``utm_source=…``), with fragments, with query arguments in any order, with the scheme's
default port written out (``:80``) and with a Java servlet session id in the path (``;jsessionid=…``);
stored as is, one plan would become several pages and each would be "new".
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that say how a reader arrived, never which document they get.
TRACKING_PARAMETERS = frozenset({
    "from", "spm", "fbclid", "gclid", "yclid", "msclkid", "mc_cid", "mc_eid", "igshid", "isappinstalled",
    "share_token", "sharefrom", "share_from", "wfr", "scene", "srcid", "tt_from", "_hsenc", "_hsmi",
})
DEFAULT_PORTS = {"http": 80, "https": 443}
# A servlet container's session id, written into links when the browser sent no cookie (Tomcat, TRS, Hanweb).
_SESSION_ID = re.compile(r";jsessionid=[^/;?#]*", re.IGNORECASE)


def is_tracking_parameter(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith("utm_")


@lru_cache(maxsize=8192)
def canonical_url(url: str, *, strip_tracking: bool = True, encoding: str | None = None) -> str:
    """Drop the fragment, a default port, ``;jsessionid=…`` and tracking parameters, sort the query,
    normalise case and escaping.

    ``strip_tracking=False`` keeps every parameter (list pages and APIs may use ``from`` as an offset).
    The stripped form is derived from the other one, so asking for both costs one canonicalisation.
    ``encoding`` escapes unescaped characters of the query, as a browser does with the encoding of the
    page that links the URL (the path is always escaped as UTF-8); UTF-8 by default.
    Remembered for the last few thousand URLs (both forms): a crawl asks for each link's form when a list
    links it and again when the request is made or its answer arrives.
    """
    if strip_tracking:
        return _without_tracking(canonical_url(url, strip_tracking=False, encoding=encoding))
    # w3lib neither drops a default port nor session ids (nor does courlan, which also escapes the ";").
    parts = urlsplit(url.strip())
    path = _SESSION_ID.sub("", parts.path) if ";" in parts.path else parts.path
    cleaned = urlunsplit((parts.scheme, _without_default_port(parts.scheme, parts.netloc), path or "/",
                          parts.query, ""))
    return canonicalize_url(cleaned, keep_fragments=False, encoding=encoding)


def _without_default_port(scheme: str, netloc: str) -> str:
    """``www.gov.cn:80`` → ``www.gov.cn`` for http (443 for https); an empty port (``host:``) goes too."""
    host, colon, port = netloc.rpartition(":")
    if colon and host and (not port or (port.isdigit() and int(port) == DEFAULT_PORTS.get(scheme))):
        return host
    return netloc


def _without_tracking(url: str) -> str:
    """A canonical URL without its tracking parameters. Its raw ``k=v`` pairs are filtered: decoding and
    re-encoding values would corrupt GBK-escaped queries (the query is already sorted and escaped)."""
    base, question, query = url.partition("?")
    if not question:
        return url
    pairs = [pair for pair in query.split("&") if not is_tracking_parameter(unquote_plus(pair.split("=", 1)[0]))]
    if len(pairs) == query.count("&") + 1:
        return url
    return f"{base}?{'&'.join(pairs)}" if pairs else base


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on the same host (a canonical link to another site is not honoured)."""
    return (urlsplit(url).hostname or "").lower() == (urlsplit(other).hostname or "").lower()
