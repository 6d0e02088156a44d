"""Numbers as written in zh/en/de policy text (五, 一千, 3000亿元, 1,000, 1.000, fünf, 300 billion) → floats.

Why a module of its own: targets are compared across languages and versions ("10 → 12 platforms"),
so "十", "10" and "zehn" must become the same number, and "3000亿元", "300 billion yuan" and
"300 Milliarden Yuan" the same amount of yuan.
"""
from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4,
             "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)

EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
            "fifty": 50, "hundred": 100, "a hundred": 100, "one hundred": 100, "a thousand": 1000,
            "one thousand": 1000, "dozen": 12, "a dozen": 12}
DE_WORDS = {"eins": 1, "ein": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
            "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "fünfzehn": 15,
            "zwanzig": 20, "dreißig": 30, "fünfzig": 50, "hundert": 100, "einhundert": 100, "tausend": 1000,
            "eintausend": 1000}
# Scale words after a number: "300 billion", "3 Billionen" (German Billion = 10^12), "5.000 Mrd.".
SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12,
          "tausend": 1e3, "millionen": 1e6, "million_de": 1e6, "mio": 1e6, "milliarden": 1e9, "milliarde": 1e9,
          "mrd": 1e9, "billionen": 1e12, "billion_de": 1e12}

_ARABIC = re.compile(r"\d+(?:\.\d+)?")


def parse_chinese(text: str) -> float | None:
    """三千 → 3000, 一百二十 → 120, 十 → 10, 两万 → 20000, 1.5万 → 15000, 3000亿 → 3e11, 万亿 → 1e12."""
    text = text.strip()
    if not text:
        return None
    total = 0.0
    section = 0.0  # the part below the last 万/亿
    number: float | None = None
    i = 0
    while i < len(text):
        arabic = _ARABIC.match(text, i)  # no look-behind or anchor: as matching text[i:]
        if arabic:
            number = float(arabic.group(0))
            i += len(arabic.group(0))
            continue
        ch = text[i]
        if ch in CN_DIGITS:
            number = float(CN_DIGITS[ch])
        elif ch in CN_SMALL_UNITS:
            section += (1 if number is None else number) * CN_SMALL_UNITS[ch]
            number = None
        elif ch == "万":
            total += ((section + (number or 0)) or 1) * 10_000
            section, number = 0.0, None
        elif ch == "亿":  # everything so far is counted in 亿 (万亿 = 10^12)
            total = ((total + section + (number or 0)) or 1) * 100_000_000
            section, number = 0.0, None
        else:
            return None
        i += 1
    return total + section + (number or 0)


def parse_arabic(text: str, *, language: str = "en") -> float | None:
    """"1,000" → 1000; German "1.000" → 1000 and "2,5" → 2.5; "3.5" (en) → 3.5."""
    text = text.strip().replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    if language == "de":
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
            text = text.replace(".", "")
        text = text.replace(",", ".")
    else:
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
            text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def parse_word(text: str, *, language: str) -> float | None:
    """Number words: "five" → 5, "zehn" → 10."""
    table = DE_WORDS if language == "de" else EN_WORDS
    return table.get(text.strip().lower())


def scale_of(word: str, *, language: str) -> float | None:
    """The multiplier of a scale word after a number ("billion", "Milliarden"); None if not one."""
    key = word.strip().lower().rstrip(".")
    if language == "de" and key == "billion":
        key = "billion_de"
    if language == "de" and key == "million":
        key = "million_de"
    return SCALES.get(key)
