"""Turn a fetched body into text before extraction.

trafilatura given raw bytes ignores ``<meta charset>`` and mis-decodes many GB2312/GBK pages, so we
decode ourselves: BOM, then the HTTP charset, then ``<meta charset>``, then a guess. Each declared
charset must decode the body strictly; a declaration that does not fit (a lying header) is skipped.
"""
from __future__ import annotations

import codecs
import re

# GB2312 and GBK are subsets of GB18030; servers that say one often send characters of the others.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "euc-cn": "gb18030", "ascii": "utf-8", "us-ascii": "utf-8", "iso-8859-1": "cp1252",
              "latin-1": "cp1252", "latin1": "cp1252"}
# A charset that decodes any byte string says nothing when it succeeds: try it only as a last resort.
_PERMISSIVE = {"cp1252", "windows-1252", "iso8859-1", "latin_1"}
_CJK_CODECS = {"gb18030", "big5", "big5hkscs", "euc_jp", "shift_jis", "cp932", "euc_kr", "cp949", "iso2022_jp"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    if label in ("gb2312", "gbk"):
        label = "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Charsets the response claims, most authoritative first."""
    found: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            found.append(name)
    if content_type and (m := _HEADER.search(content_type)):
        found.append(m.group(1))
    if m := _META.search(body[:4096]):
        found.append(m.group(1).decode("ascii", "replace"))
    codecs_ = [c for c in map(_codec, found) if c]
    return list(dict.fromkeys(codecs_))


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for an HTML body; never raises on bad bytes."""
    candidates = declared_charsets(body, content_type)
    strict = [c for c in candidates if c not in _PERMISSIVE]
    # Text in GBK or Latin-1 is practically never valid UTF-8, so a strict UTF-8 success beats a
    # declaration; this is what rescues pages whose header or meta tag lies.
    order = [c for c in strict if c.startswith("utf-16")] + ["utf-8"] + strict
    for encoding in dict.fromkeys(order):
        try:
            return body.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    permissive = [c for c in candidates if c in _PERMISSIVE]
    from charset_normalizer import from_bytes  # ~6 ms to import; most pages never get here (crawl start-up)

    guess = from_bytes(body[:200_000]).best()
    guessed = _codec(guess.encoding) if guess is not None and guess.encoding else None
    # A Latin-1 label is what many servers send by default; believe a CJK guess over it.
    if guessed and (not permissive or guessed in _CJK_CODECS):
        return body.decode(guessed, errors="replace"), guessed
    if permissive:
        return body.decode(permissive[0], errors="replace"), permissive[0]
    fallback = candidates[0] if candidates else "utf-8"
    return body.decode(fallback, errors="replace"), fallback
