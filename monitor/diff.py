"""Sentence-level diff: added, removed, modified and moved sentences, with word/character marks inside.

A reader of a policy page wants to see "the 2030 target became 2035" or "this clause was deleted", not a
re-printed paragraph. So both versions are split into sentences (Chinese ends at 。！？；, English and
German at . ! ? before a capital, skipping abbreviations like "z. B." or "Mio."), the sentence sequences
are aligned on their normalised form (full-width digits or doubled spaces are not changes), similar
sentences are paired and refined to words (characters for Chinese), and a sentence that left one place
and reappears unchanged in another is reported as moved, not deleted and added. What is shown is the
text as published.

Cost is bounded: sentence pairing stops at ``MAX_PAIRINGS`` candidates per changed block and the
word-level pass at ``MAX_WORD_DIFF_CELLS``; a redesigned page is reported as sentences removed and added
rather than stalling a crawl on a character diff.
"""
from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from html.parser import HTMLParser

from monitor.normalize import normalize_text

# CJK ideographs and kana are compared one by one; other words as runs of letters and digits.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:[.,][0-9]+)*|\s+|.", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MAX_WORD_DIFF_CELLS = 4_000_000  # len(old tokens) * len(new tokens) above which we do not refine
MAX_PAIRINGS = 10_000  # old × new sentences in one changed block above which we do not look for edits
PAIRING_RATIO = 0.45

# Sentence ends. Chinese: 。！？； (and their half-width forms before a CJK character); English/German:
# . ! ? followed by space and a capital, digit or opening quote, unless the word before is an abbreviation.
_CLOSERS = "\"'”’」』）)】\\]"
_CJK_END = re.compile(rf"[。！？；]+[{_CLOSERS}]*|[!?;]+[{_CLOSERS}]*(?=[{_CJK}])")
_LATIN_END = re.compile(rf"[.!?]+[{_CLOSERS}]*\s+(?=[\"'“„‚(\[]?[A-ZÄÖÜ0-9{_CJK}])")
_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof st nr vs etc eg ie al fig approx dept gov inc ltd co corp jr sr jan feb mar apr jun
jul aug sep sept oct nov dec bzw ca mio mrd abs art ziff vgl ggf usw evtl inkl zzgl bzw tsd hr fr mt
""".split())


@dataclass(frozen=True, slots=True)
class Segment:
    op: str  # "equal" | "insert" | "delete"
    text: str


@dataclass(frozen=True, slots=True)
class Change:
    """One changed sentence (or a run of moved sentences), with the unchanged text just before it."""

    kind: str  # "added" | "removed" | "modified" | "moved"
    old: str | None
    new: str | None
    segments: tuple[Segment, ...]
    context: str = ""  # the unchanged sentence before it in the same paragraph, for orientation
    sentences: int = 1
    paragraph: bool = False  # a whole paragraph (for "moved": the run is exactly one or more paragraphs)

    @property
    def has_additions(self) -> bool:
        return self.kind != "moved" and any(s.op == "insert" for s in self.segments)


ParagraphChange = Change  # the name before diffs became sentence-level


@dataclass(frozen=True, slots=True)
class TextDiff:
    changes: tuple[Change, ...]
    number_changes: tuple[tuple[str, str], ...]

    def count(self, kind: str) -> int:
        return sum(c.sentences for c in self.changes if c.kind == kind)

    def summary(self) -> str:
        """One line for a feed title area, e.g. '2 sentences changed, 1 added; numbers changed: 10→12'."""
        parts: list[str] = []
        for kind, word in (("modified", "changed"), ("added", "added"), ("removed", "removed")):
            n = self.count(kind)
            if n:
                parts.append(f"{n} {word}" if parts else f"{n} sentence{'s' if n > 1 else ''} {word}")
        moved = [c for c in self.changes if c.kind == "moved"]
        if moved:
            if all(c.paragraph for c in moved):
                parts.append(f"{len(moved)} paragraph{'s' if len(moved) > 1 else ''} moved")
            else:
                n = sum(c.sentences for c in moved)
                parts.append(f"{n} sentence{'s' if n > 1 else ''} moved")
        line = ", ".join(parts) or "no text change"
        if self.number_changes:
            shown = ", ".join(f"{a}→{b}" for a, b in self.number_changes[:5])
            line += f"; numbers changed: {shown}"
        return line

    def additions_only(self) -> TextDiff:
        """Only what was added: added sentences, and inserted words in edited ones (deletions dropped)."""
        kept = tuple(replace(c, segments=tuple(s for s in c.segments if s.op != "delete"))
                     for c in self.changes if c.has_additions)
        numbers = self.number_changes if any(c.kind == "modified" for c in kept) else ()
        return TextDiff(kept, numbers)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, each with its closing punctuation; nothing is lost or reordered."""
    cuts: set[int] = {m.end() for m in _CJK_END.finditer(paragraph)}
    for match in _LATIN_END.finditer(paragraph):
        word = re.search(r"([^\W\d_]+|\d+)\W*$", paragraph[: match.start() + 1])
        before = word.group(1) if word else ""
        if paragraph[match.start()] == "." and (
            before.lower() in _ABBREVIATIONS or (len(before) == 1 and before.isalpha())
            or (before.isdigit() and len(before) <= 2)  # German ordinals and dates: "am 21. Oktober"
            or (before.lower() in ("no", "nos") and paragraph[match.end():match.end() + 1].isdigit())
        ):
            continue
        cuts.add(match.end())
    sentences, start = [], 0
    for cut in sorted(cuts):
        if paragraph[start:cut].strip():
            sentences.append(paragraph[start:cut].strip())
            start = cut
    if paragraph[start:].strip():
        sentences.append(paragraph[start:].strip())
    return sentences


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    key: str
    paragraph: int
    first: bool  # first sentence of its paragraph
    last: bool


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    paragraphs = [p for p in text.splitlines() if p.strip()]
    for n, paragraph in enumerate(paragraphs):
        sentences = split_sentences(paragraph)
        for i, sentence in enumerate(sentences):
            key = normalize_text(sentence)
            if key:
                units.append(_Unit(sentence, key, n, i == 0, i == len(sentences) - 1))
    return units


def diff_words(old: str, new: str) -> tuple[tuple[Segment, ...], list[tuple[str, str]]]:
    """Word/character segments between two sentences, and the numbers that were replaced."""
    a, b = tokenize(old), tokenize(new)
    if len(a) * len(b) > MAX_WORD_DIFF_CELLS:
        return (Segment("delete", old), Segment("insert", new)), []
    matcher = difflib.SequenceMatcher(None, [normalize_text(t) or " " for t in a],
                                      [normalize_text(t) or " " for t in b], autojunk=False)
    segments: list[Segment] = []
    numbers: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            segments.append(Segment("equal", new_part))
            continue
        if old_part:
            segments.append(Segment("delete", old_part))
        if new_part:
            segments.append(Segment("insert", new_part))
        old_numbers, new_numbers = _NUMBER.findall(old_part), _NUMBER.findall(new_part)
        if op == "replace" and old_numbers and new_numbers:
            numbers.extend(zip(old_numbers, new_numbers, strict=False))
    return tuple(_merge(segments)), numbers


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in segments:
        if merged and merged[-1].op == seg.op:
            merged[-1] = Segment(seg.op, merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return merged


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[k:k + 2] for k in range(max(len(text) - 1, 1)))


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of character bigrams: cheap (set operations), and an edited sentence keeps most
    of its bigrams while an unrelated sentence on the same topic shares few."""
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def _context(units: list[_Unit], index: int, unchanged: set[int]) -> str:
    """The sentence before ``index`` in the same paragraph, if it is unchanged."""
    if index > 0 and not units[index].first and index - 1 in unchanged:
        return units[index - 1].text
    return ""


def _join(sentences: list[str]) -> str:
    """Sentences back into running text: a space after Latin punctuation, none after Chinese."""
    out = sentences[0]
    for sentence in sentences[1:]:
        out += sentence if re.search(rf"[{_CJK}。！？；：，]$", out) else f" {sentence}"
    return out


def _runs(indexes: list[int], units: list[_Unit], linked: Callable[[int, int], bool] = lambda a, b: True,
          ) -> list[list[int]]:
    """Indexes grouped into runs of neighbouring sentences of one paragraph (shown as one block)."""
    runs: list[list[int]] = []
    for k in sorted(indexes):
        prev = runs[-1][-1] if runs else None
        if prev == k - 1 and units[k].paragraph == units[k - 1].paragraph and linked(k - 1, k):
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _block(kind: str, run: list[int], units: list[_Unit], context: str) -> Change:
    """Added or removed sentences that stand together, as one change."""
    text = _join([units[k].text for k in run])
    op = "insert" if kind == "added" else "delete"
    return Change(kind, text if kind == "removed" else None, text if kind == "added" else None,
                  (Segment(op, text),), context=context, sentences=len(run),
                  paragraph=units[run[0]].first and units[run[-1]].last)


def diff_sentences(old_text: str, new_text: str) -> TextDiff:
    """Changes from ``old_text`` to ``new_text`` (one paragraph per line), sentence by sentence."""
    old, new = _units(old_text), _units(new_text)
    matcher = difflib.SequenceMatcher(None, [u.key for u in old], [u.key for u in new], autojunk=False)
    opcodes = matcher.get_opcodes()
    unchanged_old = {i1 + k for op, i1, i2, _, _ in opcodes if op == "equal" for k in range(i2 - i1)}
    unchanged_new = {j1 + k for op, _, _, j1, j2 in opcodes if op == "equal" for k in range(j2 - j1)}
    gone = [i for i in range(len(old)) if i not in unchanged_old]
    came = [j for j in range(len(new)) if j not in unchanged_new]
    # Moves: a sentence that disappeared in one place and reappears word for word in another.
    by_key: dict[str, list[int]] = {}
    for i in gone:
        by_key.setdefault(old[i].key, []).append(i)
    moves: dict[int, int] = {}
    for j in came:
        if by_key.get(new[j].key):
            moves[j] = by_key[new[j].key].pop(0)
    moved_old = set(moves.values())

    changes: list[tuple[float, Change]] = []  # (position in the new text, change)
    numbers: list[tuple[str, str]] = []
    for run in _runs(list(moves), new, lambda a, b: moves[a] == moves[b] - 1):
        text = _join([new[j].text for j in run])
        whole = new[run[0]].first and new[run[-1]].last
        changes.append((run[0], Change("moved", text, text, (Segment("equal", text),), sentences=len(run),
                                       paragraph=whole)))
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            continue
        olds = [i for i in range(i1, i2) if i not in moved_old]
        news = [j for j in range(j1, j2) if j not in moves]
        pairs: dict[int, int] = {}
        if olds and news and len(olds) * len(news) <= MAX_PAIRINGS:
            start = 0
            grams = {j: _bigrams(new[j].key) for j in news}
            for i in olds:  # pair an old sentence with the next similar new one: an edit, not a swap
                mine = _bigrams(old[i].key)
                match = next((k for k in range(start, len(news))
                              if _similarity(mine, grams[news[k]]) >= PAIRING_RATIO), None)
                if match is not None:
                    pairs[i] = news[match]
                    start = match + 1
        paired_new = set(pairs.values())
        for i in olds:
            if i in pairs:
                j = pairs[i]
                segments, found = diff_words(old[i].text, new[j].text)
                numbers.extend(found)
                changes.append((j, Change("modified", old[i].text, new[j].text, segments,
                                          context=_context(new, j, unchanged_new))))
        for run in _runs([i for i in olds if i not in pairs], old):
            changes.append((j1 - 0.5, _block("removed", run, old, _context(old, run[0], unchanged_old))))
        for run in _runs([j for j in news if j not in paired_new], new):
            changes.append((run[0], _block("added", run, new, _context(new, run[0], unchanged_new))))
    ordered = tuple(c for _, c in sorted(changes, key=lambda pc: pc[0]))
    return TextDiff(ordered, tuple(dict.fromkeys(numbers)))


diff_paragraphs = diff_sentences  # the name before diffs became sentence-level


def _shorten(text: str, keep: int, where: str) -> str:
    if len(text) <= 2 * keep:
        return text
    if where == "start":
        return "…" + text[-keep:]
    if where == "end":
        return text[:keep] + "…"
    return text[:keep] + " … " + text[-keep:]


_LABELS = {"added": "Added", "removed": "Deleted", "modified": "Changed", "moved": "Moved"}


def render_html(diff: TextDiff, *, context_chars: int = 120, max_changes: int = 50) -> str:
    """Only the changed sentences, as escaped HTML with ``<ins>``/``<del>``; safe for feeds."""
    out: list[str] = []
    for change in diff.changes[:max_changes]:
        parts: list[str] = []
        if change.context:
            parts.append(f'<span class="context">{html.escape(_shorten(change.context, context_chars // 2, "start"))}'
                         "</span> ")
        if change.kind == "moved":
            what = "paragraph" if change.paragraph else f"sentence{'s' if change.sentences > 1 else ''}"
            parts.append(f"<em>Moved {what}:</em> {html.escape(_shorten(change.new or '', context_chars, 'end'))}")
        last = len(change.segments) - 1
        for n, seg in enumerate(change.segments if change.kind != "moved" else ()):
            if seg.op == "equal":
                where = "start" if n == 0 else "end" if n == last else "middle"
                parts.append(html.escape(_shorten(seg.text, context_chars, where)))
            else:
                tag = "ins" if seg.op == "insert" else "del"
                parts.append(f"<{tag}>{html.escape(seg.text)}</{tag}>")
        out.append(f'<p class="{change.kind}" title="{_LABELS[change.kind]}">{"".join(parts)}</p>')
    if len(diff.changes) > max_changes:
        out.append(f"<p>… {len(diff.changes) - max_changes} more changes</p>")
    return "\n".join(out)


_ANSI = {"insert": "\x1b[32m", "delete": "\x1b[31;9m", "moved": "\x1b[36m", "reset": "\x1b[0m"}


def render_text(diff: TextDiff, *, color: bool = False) -> str:
    """Terminal form: coloured inline marks on a TTY, wdiff-style ``[-…-]{+…+}`` otherwise."""
    lines: list[str] = []
    for change in diff.changes:
        mark = {"added": "+", "removed": "-", "modified": "~", "moved": ">"}[change.kind]
        if change.kind == "moved":
            what = "paragraph" if change.paragraph else "sentences" if change.sentences > 1 else "sentence"
            body = f"(moved {what}) {change.new}"
            lines.append(f"{mark} {_ANSI['moved']}{body}{_ANSI['reset']}" if color else f"{mark} {body}")
            continue
        parts: list[str] = [f"{change.context} "] if change.context else []
        for seg in change.segments:
            if seg.op == "equal":
                parts.append(seg.text)
            elif color:
                parts.append(f"{_ANSI[seg.op]}{seg.text}{_ANSI['reset']}")
            else:
                parts.append(f"{{+{seg.text}+}}" if seg.op == "insert" else f"[-{seg.text}-]")
        lines.append(f"{mark} {''.join(parts)}")
    return "\n".join(lines)


_MARKS = {"added": "+", "removed": "-", "modified": "~", "moved": ">"}


class _StoredDiff(HTMLParser):
    """Reads back what ``render_html`` wrote, one line per ``<p>``, with ``render_text``'s marks."""

    def __init__(self, color: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.color = color
        self.lines: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            kind = dict(attrs).get("class") or ""
            self.parts = [f"{_MARKS[kind]} "] if kind in _MARKS else []
        elif tag in ("ins", "del"):
            op = "insert" if tag == "ins" else "delete"
            self.parts.append(_ANSI[op] if self.color else "{+" if op == "insert" else "[-")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.lines.append("".join(self.parts))
            self.parts = []
        elif tag in ("ins", "del"):
            self.parts.append(_ANSI["reset"] if self.color else "+}" if tag == "ins" else "-]")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def render_stored_html(diff_html: str, *, color: bool = False) -> str:
    """The terminal form (as ``render_text``) of a diff kept only as ``render_html``'s HTML.

    An attachment's change event keeps its diff so, not the attachment's old text: reading it back shows
    exactly what the feed showed, where diffing again would need a text the archive no longer has.
    """
    parser = _StoredDiff(color)
    parser.feed(diff_html)
    parser.close()
    return "\n".join(parser.lines)


def unified_text(old_text: str, new_text: str, *, old_label: str, new_label: str) -> str:
    """A plain unified diff of paragraphs, for pipes and patch-minded readers."""
    return "\n".join(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(),
                                          fromfile=old_label, tofile=new_label, n=1, lineterm=""))
