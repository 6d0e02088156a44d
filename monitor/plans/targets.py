"""Numeric targets as rows (year, quantity, unit, subject): "到2030年，建成5个未来产业科技园" →
(2030, 5, 个, 未来产业科技园); "exceed 300 billion yuan" → (…, 3e11, yuan); "bis 2029 … 1.000 führende
Unternehmen" → (2029, 1000, …, führende Unternehmen).

Only sentences that state an aim count: they name a target year ("到2030年", "by 2030", "bis 2029") or a
planning cue (力争, 目标, will, geplant, sollen). The year of a quantity is the nearest target year before
it in its sentence, else the first one after it; quantities in a sentence with a cue but no year get
``year=None``. Money is normalised to yuan (``quantity``) with the written unit kept (``unit_text``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.plans.numbers import CN_NUMERAL_CHARS, parse_arabic, parse_chinese, parse_word, scale_of
from monitor.plans.refs import DE_MONTH_NAMES, EN_MONTH_NAMES


@dataclass(frozen=True, slots=True)
class Target:
    year: int | None
    quantity: float
    kind: str  # count | money | percent
    unit: str  # 个 / 家 / yuan / % / "" (English and German counts carry their noun in subject)
    unit_text: str  # the unit as written: 亿元, billion yuan, Milliarden Yuan
    subject: str
    qualifier: str  # more than / 以上 / about …
    text: str  # the words the target was read from
    start: int = -1  # where in the page text it was read (to tell which plan of a page it belongs to)

    def key(self) -> tuple[int | None, float, str]:
        return (self.year, round(self.quantity, 6), self.kind)


_ZH_SENTENCES = re.compile(r"[^。！？!?\n]+")
# A sentence ends at . ! ? (not after an abbreviation: "Nr.", "No.", "ca.", "e.g.", "U.S.") before a new
# sentence, or at a line end. The pattern is tried after each character of the lazy .+?, so it checks the
# punctuation first and then looks behind it for the abbreviation ("(?<!Nr)[.!?]" is "[.!?](?<!Nr.)": the
# character the look-behind now also covers is the punctuation just matched). The same sentences as
# ".+?(?:(?<![0-9A-Z][a-z])(?<!\b[A-Z])(?<!Nr)(?<!No)(?<!ca)[.!?](?=\s+[^a-z0-9]|\s*$)|\n|$)", 3-4 times
# quicker (tests/test_plans_targets.py compares them).
_LATIN_SENTENCES = re.compile(r".+?(?:[.!?](?<![0-9A-Z][a-z].)(?<!\b[A-Z].)(?<!Nr.)(?<!No.)(?<!ca.)"
                              r"(?=\s+[^a-z0-9]|\s*$)|\n|$)",
                              re.S)

# 到2030年 / 力争到2025年 / 2025年前: a year an aim is set for. Not 截至2002年底 (a count so far) nor
# 于2002年 (when something happened).
_ZH_YEAR = re.compile(r"(?<!截)(?:到|至|展望|力争|争取|预计|计划|目标)\s*((?:20|21)\d{2})\s*年"
                      r"|((?:20|21)\d{2})\s*年(?:前|底前|末前)")
_EN_YEAR = re.compile(r"\b(?:by|until|through|till|before|looking (?:forward|ahead) to|by the end of|towards?|"
                      r"to)\s+((?:20|21)\d{2})\b", re.I)
_DE_YEAR = re.compile(r"\b(?:bis|bis zum Jahr|bis Ende|bis zum Ende|ab)\s+((?:20|21)\d{2})\b", re.I)

_PER_ITEM = re.compile(r"\b(?:worth|each|apiece|jeweils|je)\s+(?:\w+\s+){0,2}$", re.I)
_SUBJECT_WINDOW = 120  # characters looked at around a number for its subject (keeps long pages linear)
_ANY_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_ZH_CUE = re.compile(r"力争|目标|预计|争取|计划到|计划在|拟")
_EN_CUE = re.compile(r"\b(?:will|aims?|aiming|targets?|goals?|planned|plans to|strive|strives|seeks?|expected|"
                     r"intends?)\b", re.I)
_DE_CUE = re.compile(r"\b(?:soll|sollen|geplant|Ziel|Zielen|plant|planen|anstreben|angestrebt|will)\b", re.I)

_ZH_NUM = rf"(?:\d+(?:\.\d+)?|[{CN_NUMERAL_CHARS}]{{1,6}})"
_ZH_UNITS = ("个|家|项|条|座|所|名|人|支|台|套|组|处|类|种|只|件|款|户|辆|艘|颗|架|吨|"
             "万千瓦|千瓦|吉瓦|GW|个百分点|%|％|倍|元")
_ZH_QUALIFIERS = ("超过", "超", "逾", "达到", "达", "突破", "不少于", "至少", "约", "近", "累计")
_ZH_QTY = re.compile(
    rf"(?P<qual>{'|'.join(_ZH_QUALIFIERS)})?(?P<num>{_ZH_NUM})\s*"
    rf"(?P<mult>万亿|千亿|百亿|十亿|亿|万|千)?(?P<unit>{_ZH_UNITS})?(?P<tail>以上|左右|余|多)?"
)
# The characters a match of _ZH_QTY can start with. A pattern that opens with an optional group is tried at
# every position of a text; _zh_quantities lets this one-character class find the next possible start
# instead, which finds the same matches three times quicker on Chinese sentences.
_ZH_QTY_START = re.compile(rf"[\d{CN_NUMERAL_CHARS}{''.join(sorted({q[0] for q in _ZH_QUALIFIERS}))}]")


def _zh_quantities(sentence: str) -> list[re.Match[str]]:
    """``list(_ZH_QTY.finditer(sentence))``: each match is the leftmost from where the previous one ended."""
    found = []
    search, match = _ZH_QTY_START.search, _ZH_QTY.match
    position = 0
    while (start := search(sentence, position)) is not None:
        m = match(sentence, start.start())
        if m is None:
            position = start.start() + 1
        else:
            found.append(m)
            position = m.end()  # never empty: a match holds a number
    return found


_ZH_STRUCTURE = re.compile(r"(?:以上|左右)?(?:阶段|方面|方向|领域|维度|路径|部分)")
_LATIN_STRUCTURE = re.compile(
    r"(?:aspects?|directions?|areas?|fields?|stages?|phases?|parts?|dimensions?|paths?|pathways?|ways?|"
    r"Richtungen|Bereiche[n]?|Aspekte[n]?|Phasen|Felder[n]?|Stufen)\b")
_REFERRING = re.compile(r"(?:\b(?:these|those|the|its|their|our|diese[nmrs]?|die|der|den|dessen|deren)|\w['’]s)\s*$",
                        re.I)
_ZH_BAD_BEFORE = re.compile(r"(?:第|〔|\[|[0-9A-Za-z.])$")
_ZH_SUBJECT_STOP = re.compile(r"[，。；;,：:（(）)]|以及|(?=\d)"
                              r"|(?=[一二三四五六七八九十两][个家项条座所名人支台套组处类种])")
_ZH_VERB_TRIM = re.compile(r"^(?:的|以上|左右|余|多)+")
_ZH_LEAD_TRIM = re.compile(r"(?:将|要|力争|争取|预计|累计)?"
                           r"(?:达到|超过|突破|达|超|逾|实现|增长到|增至)?(?:约|近)?$")

_EN_NUMBER_WORDS = ("two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
                    "fifty|a hundred|one hundred|a thousand|one thousand")
_EN_QTY = re.compile(
    rf"(?<![\w.,\-])(?P<qual>(?:more than|over|about|around|approximately|at least|nearly|up to|some|roughly|"
    rf"no fewer than|"
    rf"no less than|exceed(?:ing)?|reach(?:ing)?)\s+)?(?:(?P<cur>RMB|CNY|¥)\s*)?"
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{_EN_NUMBER_WORDS})(?![\w\-])"
    rf"(?:\s*(?P<scale>thousand|million|billion|trillion|bn|mn)\b)?"
    rf"(?:\s*(?P<money>yuan|RMB|CNY|renminbi)\b)?(?P<pct>\s*%|\s+percent\b)?",
    re.I,
)
_DE_NUMBER_WORDS = ("zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|fünfzehn|zwanzig|dreißig|fünfzig|"
                    "hundert|tausend")
_DE_QTY = re.compile(
    rf"(?<![\w.,\-])(?P<qual>(?:mehr als|über|rund|etwa|mindestens|bis zu|circa|ca\.|knapp|insgesamt)\s+)?"
    rf"(?P<num>\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|\d+(?:,\d+)?|{_DE_NUMBER_WORDS})(?![\w\-.]\w)"
    rf"(?:\s*(?P<scale>Millionen|Milliarden|Milliarde|Mrd\.?|Billionen|Mio\.?)(?!\w))?"
    rf"(?:\s*(?P<money>Yuan|RMB|Renminbi)\b)?(?P<pct>\s*%|\s+Prozent\b)?",
)
_LATIN_SUBJECT_STOP = re.compile(r"[,.;:()]|\s(?:by|bis|until|in order|to|and|und|sowie|as well as|zu|which|that)\s"
                                 r"|\s(?=\d)|\s(?=(?:more than|over|about|mehr als|über|rund|mindestens)\s)", re.I)


# A subject cut at the next item of a list keeps the word that joined them: "“链主”企业和", "先导区、", "and …".
_ZH_EDGE_JOINERS = re.compile(r"^(?:以及|和|及|与|、)+|(?:以及|并且|和|及|与|、|并|或)+$")
_LATIN_EDGE_JOINERS = re.compile(r"^(?:(?:and|und|or|oder|sowie|as well as|plus|&)\s+)+"
                                 r"|(?:\s+(?:and|und|or|oder|sowie|as well as|plus|&))+$", re.I)
_EDGE_PUNCTUATION = " \t,;:，；：、"
# "science and technology parks", "Wissenschafts- und Technologieparks": an "and" inside one subject.
_BOUND_PAIRS = re.compile(r"(?:\w+-|\b(?:science|research|life|green|Forschung|Wissenschaft|Lebens\w*))$", re.I)


# What a Latin subject window runs into after its noun: "… parks will be", "… clusters each worth".
_EN_TRAILING_VERBS = re.compile(r"(?:\s+(?:will|be|are|is|was|were|been|have|has|had|would|should|can|could|may|"
                                r"expected|meant|each|worth|apiece|there))+$", re.I)
# German noun phrases end in a capitalised noun; lower-case words after it are the verb at the end of the
# clause ("… Unternehmen gefördert werden", "… Zukunftsindustrien entstehen") or a dangling "mit jeweils".
_DE_TRAILING_LOWER = re.compile(r"(?<=\S)(?:\s+[a-zäöüß][\w-]*)+$")


def clean_subject(subject: str, language: str) -> str:
    """A subject without the conjunctions and list punctuation it was cut next to, nor the verb after it."""
    previous = None
    while previous != subject:
        previous = subject
        subject = subject.strip(_EDGE_PUNCTUATION)
        subject = (_ZH_EDGE_JOINERS if language == "zh" else _LATIN_EDGE_JOINERS).sub("", subject)
        if language == "de" and re.search(r"\b[A-ZÄÖÜ]", subject):
            subject = _DE_TRAILING_LOWER.sub("", subject)
        elif language == "en":
            subject = _EN_TRAILING_VERBS.sub("", subject)
    return subject


def _latin_head(rest: str) -> str:
    """The words after a count up to where its subject ends, read across an "and" that binds one subject."""
    end = 0
    for stop in _LATIN_SUBJECT_STOP.finditer(rest):
        joiner = stop.group(0).strip().casefold()
        if joiner in ("and", "und") and _BOUND_PAIRS.search(rest[:stop.start()]) \
                and not re.match(r"\s*(?:\d|more than|over|about|mehr als|über|rund|mindestens)", rest[stop.end():]):
            continue
        end = stop.start()
        break
    else:
        end = len(rest)
    return rest[:end]


def _sentences(text: str, language: str) -> list[tuple[int, str]]:
    pattern = _ZH_SENTENCES if language == "zh" else _LATIN_SENTENCES
    return [(m.start(), m.group(0)) for m in pattern.finditer(text) if m.group(0).strip()]


# What _mask blanks, in this order (each pattern runs on the text the previous ones left), each with a
# gate: a pattern that finds something in every text holding a match (a string or character all matches
# contain), so a text where the gate finds nothing is left as it is. Gates open with a literal or a
# character class, and re's search skips ahead to a position whose character can start a match only for
# such patterns; one that opens with a group, a repeat or \b is tried at every position of the page. So
# the blanking patterns with digits open with one \d: "\d{1,2}X|\d{1,2}Y" is written "\d(?:\d?X|\d?Y)",
# "(?:19|20)" "\d(?:(?<=1)9|(?<=2)0)", "\b\d" "\d(?<!\w\d)" (a digit is a word character, so \b before
# it means no word character before it). Each finds, at each position, what its plain form (in the
# comment) finds: tests/test_plans_targets.py compares them.
_MASKS: list[tuple[re.Pattern[str], re.Pattern[str] | None]] = [
    (re.compile(r"《[^》\n]{0,120}》|“[^”\n]{0,40}(?:规划|计划|方案|意见)”"), None),  # titles
    (re.compile(r"[〔\[［(（](?:19|20)\d{2}[〕\]］)）]\s*\d+\s*号"), None),  # document numbers
    # (?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*日
    (re.compile(r"\d(?:(?:(?<=1)9|(?<=2)0)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d?\s*月\s*\d{1,2}\s*日)"),
     re.compile("月")),
    (re.compile(r"(?:19|20)\d{2}\s*[-—–~至]+\s*(?:19|20)?\d{2,4}\s*年?"), None),  # 2021-2025年
    # \b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}\.\s*(?:Januar|…)\b
    (re.compile(rf"\d(?<!\w\d)(?:\d?(?:st|nd|rd|th)\b|\d?\.\s*(?:{DE_MONTH_NAMES})\b)"), re.compile(r"[.dht]")),
    # May 5 | 5 May
    (re.compile(rf"\b(?:{EN_MONTH_NAMES})\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:{EN_MONTH_NAMES})\b"),
     re.compile(EN_MONTH_NAMES)),
    # 十四五|十五五|\d+[A-Za-z]+\b|\d+-[A-Za-z]+ (6G, 5G, 4-Billionen-Club)
    (re.compile(r"[十\d](?:(?<=十)(?:四五|五五)|(?<=\d)\d*(?:[A-Za-z]+\b|-[A-Za-z]+))"), re.compile("[十A-Za-z]")),
]


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _mask(text: str) -> str:
    """Blank out what holds numbers that are not targets: titles, doc numbers, dates, ordinals, ranges."""
    for pattern, gate in _MASKS:
        if gate is None or gate.search(text):
            text = pattern.sub(_blank, text)
    return text


# A literal every match of the year patterns holds (年; 20 or 21 of the year): most sentences have none,
# and ``in`` tells that quicker than the pattern, which starts with a look-behind or \b and so is tried
# at every position.
_YEAR_NEEDS = {"zh": ("年",), "de": ("20", "21"), "en": ("20", "21")}
_ANY_YEAR_NEEDS = ("19", "20")


def _holds(sentence: str, literals: tuple[str, ...]) -> bool:
    for literal in literals:  # not any(…): a generator costs more than the scans of a sentence
        if literal in sentence:
            return True
    return False


def _years(sentence: str, language: str) -> list[tuple[int, int]]:
    if not _holds(sentence, _YEAR_NEEDS.get(language, _YEAR_NEEDS["en"])):
        return []
    pattern = _ZH_YEAR if language == "zh" else (_DE_YEAR if language == "de" else _EN_YEAR)
    out = []
    for m in pattern.finditer(sentence):
        value = next(g for g in m.groups() if g)
        out.append((m.start(), int(value)))
    return out


def _year_for(position: int, years: list[tuple[int, int]]) -> int | None:
    before = [y for p, y in years if p <= position]
    if before:
        return before[-1]
    return years[0][1] if years else None


# Patterns of the per-target checks, compiled once (re.match(str, …) looks each up in re's cache per call).
_YEAR_NUMBER = re.compile(r"(?:19|20|21)\d{2}")
_ZH_CLAUSE_BREAK = re.compile(r"[，。；;,：:]")
_ZH_CLAUSE_OPENING = re.compile(r"^(?:力争|争取|预计|计划)?\s*(?:到|至)?\s*(?:\d{4}年)?(?:底|末)?\s*[，,]?")
_ZH_LIST_INTRO = re.compile(r"[^，。；,;]{0,24}[：:]")
_SIZE_CLASS = re.compile(r"\s*(?:-level|level|-Niveau|Klasse)")
_LATIN_WORD_START = re.compile(r"[\"“„'‘]?[A-Za-zÀ-ÿ]")
_DE_NOT_COUNTED = re.compile(r"(?:Jahre|Jahren|Monate|Prozent|Uhr)\b")
_EN_NOT_COUNTED = re.compile(r"(?:years?|months?|times|percent|of)\b", re.I)


def _zh_subject_before(sentence: str, start: int) -> str:
    """"未来产业产值达到5000亿元": what is measured, written before the amount."""
    clause = _ZH_CLAUSE_BREAK.split(sentence[max(0, start - _SUBJECT_WINDOW):start])[-1]
    subject = _ZH_LEAD_TRIM.sub("", clause).strip()
    # "力争2025年全省…规模": the cue and the year open the clause, they are not what is measured
    return _ZH_CLAUSE_OPENING.sub("", subject).strip()


def _zh_targets(sentence: str, original: str, years: list[tuple[int, int]], offset: int) -> list[Target]:
    found = []
    for m in _zh_quantities(sentence):
        mult, unit = m.group("mult"), m.group("unit")
        if not unit and not mult:
            continue
        if _ZH_BAD_BEFORE.search(sentence[max(0, m.start("num") - 2):m.start("num")]):
            continue
        after = sentence[m.end():m.end() + 1]
        number = m.group("num")
        if _YEAR_NUMBER.fullmatch(number) and unit in (None, "年"):
            continue
        if number in ("一", "两", "二") and not m.group("qual"):
            continue  # 一个/一种/两个: an article or a slogan ("两个维护"), not a count
        value = parse_chinese(number + (mult or ""))
        if value is None or value == 0:
            continue
        kind = "money" if unit == "元" else ("percent" if unit in ("%", "％") else "count")
        if kind == "money" and after in ("级", "的"):
            continue  # 千亿元级 / 超千亿元的: a size class, not a target
        if kind == "count" and not unit:
            continue  # 5000亿 without a unit is ambiguous
        if kind == "count" and (_ZH_STRUCTURE.match(sentence, m.end())
                                or _ZH_LIST_INTRO.match(sentence[m.end():m.end() + 26])):
            continue  # 两个阶段, 六大方向: how a plan is organised, not what it aims for
        qualifier = (m.group("qual") or "") + (m.group("tail") or "")
        if kind == "money":
            subject = _zh_subject_before(sentence, m.start())
        else:
            rest = _ZH_VERB_TRIM.sub("", sentence[m.end():m.end() + _SUBJECT_WINDOW])
            subject = _ZH_SUBJECT_STOP.split(rest, maxsplit=1)[0].strip()[:30]
            if not subject:  # "…的数量达到20个。": the subject came first
                subject = _zh_subject_before(sentence, m.start())
        found.append(Target(_year_for(m.start(), years), value, kind,
                            "元" if kind == "money" else (unit or ""), (mult or "") + (unit or ""),
                            clean_subject(subject, "zh"), qualifier, original[m.start():m.end()].strip(),
                            offset + m.start()))
    return found


def _latin_targets(sentence: str, original: str, years: list[tuple[int, int]], language: str,
                   offset: int) -> list[Target]:
    pattern = _DE_QTY if language == "de" else _EN_QTY
    found = []
    year_spans = {p for p, _ in years}
    first_word = len(sentence) - len(sentence.lstrip())
    for m in pattern.finditer(sentence):
        raw = m.group("num")
        if _YEAR_NUMBER.fullmatch(raw) and not m.group("scale") and not m.group("money"):
            continue  # a year
        value = (parse_arabic(raw, language=language) if raw[0].isdigit()
                 else parse_word(raw, language=language))
        if value is None or value == 0:
            continue
        if any(abs(m.start() - p) < 3 for p in year_spans):
            continue
        scale = scale_of(m.group("scale"), language=language) if m.group("scale") else None
        if scale:
            value *= scale
        money = bool(m.group("money") or m.groupdict().get("cur"))
        kind = "money" if money else ("percent" if m.group("pct") else "count")
        rest = sentence[m.end():m.end() + _SUBJECT_WINDOW]
        before = sentence[max(0, m.start() - _SUBJECT_WINDOW):m.start()]
        if kind == "money" and _SIZE_CLASS.match(rest):
            continue
        if kind == "money" and _PER_ITEM.search(before):
            continue  # "clusters each worth 100 billion", "mit jeweils über 100 Milliarden": a size class
        if kind == "count":
            head = _latin_head(rest.strip())
            if rest.strip()[len(head):len(head) + 1] == ":":
                continue  # "five clusters: a, b, c…": the count of a list that follows, not a target
            words = head.split()[:8]
            subject = " ".join(words)
            if not subject or not _LATIN_WORD_START.match(subject):
                continue  # a number with nothing counted
            if _LATIN_STRUCTURE.match(subject) or _REFERRING.search(before):
                continue  # "five aspects", "these five clusters": structure or reference, not a target
            if raw[0].isupper() and m.start() > first_word:
                continue  # "Top Ten Trends": a number word inside a name
            if language == "de" and _DE_NOT_COUNTED.match(subject):
                continue
            if language != "de" and _EN_NOT_COUNTED.match(subject):
                continue
        else:
            clause = re.split(r"[,;:]", before)[-1]
            subject = re.sub(r"\b(?:will|to|of|reach|exceed|more than|over|about|is|be|mehr als|über|soll|"
                             r"erreichen|auf|von)\b", " ", clause)
            subject = " ".join(subject.split()[-8:])
        unit_text = " ".join(x for x in (m.group("scale"), m.group("money") or m.groupdict().get("cur")) if x)
        found.append(Target(_year_for(m.start(), years), value, kind,
                            "yuan" if kind == "money" else ("%" if kind == "percent" else ""),
                            unit_text or ("%" if kind == "percent" else ""), clean_subject(subject, language),
                            (m.group("qual") or "").strip(), original[m.start():m.end()].strip(), offset + m.start()))
    return found


def targets(text: str, language: str) -> list[Target]:
    """Target rows stated in ``text`` (zh, en or de), de-duplicated, in order of appearance."""
    masked = _mask(text)
    cue = _ZH_CUE if language == "zh" else (_DE_CUE if language == "de" else _EN_CUE)
    rows: dict[tuple, Target] = {}
    carried: int | None = None  # the last target year of the paragraph, for the sentences after it
    for start, sentence in _sentences(masked, language):
        if start and "\n" in masked[max(0, start - 2):start + 1]:
            carried = None
        years = _years(sentence, language)
        if years:
            carried = years[-1][1]
        elif _holds(sentence, _ANY_YEAR_NEEDS) and _ANY_YEAR.search(sentence):
            carried = None  # "In 2023 there were…": a sentence about another year ends the carried one
        elif carried is not None:
            years = [(0, carried)]
        if not years and not cue.search(sentence):
            continue
        original = text[start:start + len(sentence)]
        if language == "zh":
            found = _zh_targets(sentence, original, years, start)
        else:
            found = _latin_targets(sentence, original, years, language, start)
        for target in found:
            rows.setdefault(target.key() + (target.subject,), target)
    return list(rows.values())
