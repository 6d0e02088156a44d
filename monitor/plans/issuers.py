"""Government bodies named in a text, normalised to ids: national ones (``miit``, ``state-council``) and
regional ones as ``<region>:<body>`` (``guangdong:industry-it``, ``guangzhou:gov-office``).

A regional body needs its region: written with it (广东省人民政府办公厅, "Guangdong Provincial
Department of …", "Stadtregierung von Guangzhou") or implied by 省/市/Provincial/Municipal and taken
from the page's region. Without either ("the Department of Science and Technology") it is not reported,
because guessing the region would put a plan in the wrong province.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from monitor.keywords import Anchors, NameFinder
from monitor.plans.data import load_yaml, require
from monitor.plans.regions import Gazetteer, gazetteer


@dataclass(frozen=True, slots=True)
class IssuerMention:
    id: str
    region: str | None
    start: int
    end: int
    text: str


_ZH_LEVEL = "(?P<level>省|市|自治区)"
_EN_LEVEL = r"(?P<level>Provincial|Municipal|Province|City)"


_WINDOW = 80  # characters around a body's name where its region can be written
_ZH_WINDOW = 14  # 新疆维吾尔自治区 is the longest region name before a Chinese body


def _anchor(name: str) -> str:
    """The longest placeholder-free piece of a body's name, to find candidates fast (any case)."""
    pieces = [p.strip() for p in re.split(r"\{[RD]\}", name) if p.strip()]
    return max(pieces, key=len)


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


class IssuerFinder:
    def __init__(self, data: dict, places: Gazetteer, file: str = "issuers.yaml") -> None:
        self.places = places
        self.display: dict[str, str] = {}
        self.national_names: dict[str, str] = {}
        acronyms: dict[str, str] = {}
        for entry in data.get("national", []):
            nid = require(entry, "id", file)
            self.display[nid] = entry.get("display", nid)
            for name in entry.get("zh", []) + entry.get("en", []) + entry.get("de", []):
                if name.isupper() and name.isascii():
                    acronyms[name] = nid
                else:
                    self.national_names[name.casefold()] = nid
        self.acronyms = acronyms
        zh_names = [n for n in self.national_names if not n.isascii()]
        latin = [n for n in self.national_names if n.isascii()]
        # as re.I alternations of zh_names and of \b-bounded latin names, and case-sensitive \b-bounded acronyms
        self.national_zh = NameFinder(zh_names, ignore_case=True)
        self.national_latin = NameFinder(latin, ignore_case=True, boundary="word")
        self.national_acronyms = NameFinder(acronyms, boundary="word")

        region_zh = places.zh_alternation
        region_latin = places.latin_alternation
        # (body, full pattern, anchor): the anchor is a plain name found quickly; the full pattern, with
        # its region alternation, only runs in a window around each anchor hit (long pages stay fast).
        self.regional: list[tuple[str, re.Pattern[str], tuple[str, ...], int]] = []
        for entry in data.get("regional", []):
            body = require(entry, "body", file)
            self.display[body] = entry.get("display", body)
            zh = _alternation(entry.get("zh", []))
            if zh:
                self.regional.append((body, re.compile(
                    rf"(?<![上各级县区])(?P<region>{region_zh})?{_ZH_LEVEL}?(?:{zh})"), tuple(entry["zh"]), _ZH_WINDOW))
            r_part = rf"(?:(?P<region>{region_latin})\s+)?(?:{_EN_LEVEL}\s+)?"
            for name in entry.get("en", []):
                text = re.escape(name if "{R}" in name else "{R}" + name).replace(re.escape("{R}"), r_part)
                self.regional.append((body, re.compile(text, re.I), (_anchor(name),), _WINDOW))
            d_part = (rf"(?:\s+(?:von|in|der\s+Stadt|der\s+Provinz|der\s+Provinzregierung\s+von)\s+"
                      rf"(?P<region>{region_latin}))?")
            for name in entry.get("de", []):
                text = re.escape(name).replace(re.escape("{D}"), d_part)
                level = "(?P<level>)" if name.startswith(("Stadt", "Provinz")) else ""
                self.regional.append((body, re.compile(level + text), (_anchor(name),), _WINDOW))

        self.anchor_of = [number for number, entry in enumerate(self.regional) for _ in entry[2]]
        self.anchors = Anchors([anchor for entry in self.regional for anchor in entry[2]])

    def _regional_region(self, match: re.Match[str], page_region: str | None) -> str | None:
        region = self.places.lookup(match.group("region")) if match.group("region") else None
        if region:
            return region
        level = match.groupdict().get("level")
        if level is None:
            return None
        word = level or match.group(0)
        if not page_region:
            return None
        page = self.places.regions.get(page_region)
        if page is None:
            return None
        if word.startswith(("省", "自治区", "Provinc", "provinc", "Provinz")):
            return self.places.province_of(page_region)
        # 市 / Municipal / Stadt: only a city (or a municipality like 北京市) can say which city
        return page_region if page.level == "city" or page.names[0].endswith("市") else None

    def find(self, text: str, page_region: str | None = None) -> list[IssuerMention]:
        """Every body named in ``text``, in order; longer names win over names inside them."""
        found: list[IssuerMention] = []
        taken = [False] * (len(text) + 1)

        def free(start: int, end: int) -> bool:
            return not any(taken[start:end])

        def take(mention: IssuerMention) -> None:
            found.append(mention)
            for i in range(mention.start, mention.end):
                taken[i] = True

        candidates: dict[tuple[int, int, str], re.Match[str]] = {}
        hits: dict[int, list[tuple[int, int]]] = {}
        for anchor, spans in self.anchors.occurrences(text).items():
            hits.setdefault(self.anchor_of[anchor], []).extend(spans)
        for number in sorted(hits):  # the bodies named, in the order of self.regional (the first match wins)
            body, pattern, _anchors, reach = self.regional[number]
            for hit_start, hit_end in sorted(hits[number]):
                window = (max(0, hit_start - reach), min(len(text), hit_end + reach))
                for m in pattern.finditer(text, *window):
                    if m.start() <= hit_start and m.end() >= hit_end:
                        candidates.setdefault((m.start(), m.end(), body), m)
        ordered = sorted(candidates.items(), key=lambda c: (c[0][0] - c[0][1], c[0][0]))
        for (_start, _end, body), m in ordered:
            if not free(m.start(), m.end()):
                continue
            if m.group("region") is None and m.groupdict().get("level") is None:
                continue
            if m.group("region") is None and text[m.end():m.end() + 2].startswith(("各", "直属")):  # addressees
                continue
            region = self._regional_region(m, page_region)
            if region is None:  # a provincial body of an unknown province: not the national one either
                for i in range(m.start(), m.end()):
                    taken[i] = True
                continue
            take(IssuerMention(f"{region}:{body}", region, m.start(), m.end(), m.group(0)))
        national: list[tuple[NameFinder, dict[str, str], bool]] = [
            (self.national_zh, self.national_names, True), (self.national_latin, self.national_names, True),
            (self.national_acronyms, self.acronyms, False)]
        for names, table, fold in national:
            for start, end in names.spans(text):
                if free(start, end):
                    written = text[start:end]
                    take(IssuerMention(table[written.casefold() if fold else written], "cn", start, end, written))
        return sorted(found, key=lambda f: f.start)

    def display_name(self, issuer_id: str) -> str:
        """"广东省 工业和信息化厅（局） / Department of …" style label for an issuer id."""
        if ":" in issuer_id:
            region, body = issuer_id.split(":", 1)
            place = self.places.regions.get(region)
            return f"{place.display if place else region} {self.display.get(body, body)}"
        return self.display.get(issuer_id, issuer_id)


@lru_cache(maxsize=4)
def issuer_finder(path: str | None = None, regions_path: str | None = None) -> IssuerFinder:
    return IssuerFinder(load_yaml("issuers.yaml", path), gazetteer(regions_path), path or "issuers.yaml")
