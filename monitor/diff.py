"""Paragraph-level diff, refined to words (characters for Chinese/Japanese) inside changed paragraphs.

Paragraphs are compared by their normalised form, so a full-width digit or a doubled space is not
a change, but what is shown is the text as published. The word-level pass is bounded: a paragraph
pair too large to align cheaply is shown as replaced whole rather than stalling a crawl.
"""
from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from monitor.normalize import normalize_text

# CJK ideographs and kana are compared one by one; other words as runs of letters and digits.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:[.,][0-9]+)*|\s+|.", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MAX_WORD_DIFF_CELLS = 4_000_000  # len(old tokens) * len(new tokens) above which we do not refine
PAIRING_RATIO = 0.45


@dataclass(frozen=True, slots=True)
class Segment:
    op: str  # "equal" | "insert" | "delete"
    text: str


@dataclass(frozen=True, slots=True)
class ParagraphChange:
    kind: str  # "added" | "removed" | "modified"
    old: str | None
    new: str | None
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class TextDiff:
    changes: tuple[ParagraphChange, ...]
    number_changes: tuple[tuple[str, str], ...]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def summary(self) -> str:
        """One line for a feed title area, e.g. '1 paragraph changed, 1 added; numbers changed: 5→6'."""
        parts = []
        for kind, word in (("modified", "changed"), ("added", "added"), ("removed", "removed")):
            n = self.count(kind)
            if n:
                parts.append(f"{n} {word}" if parts else f"{n} paragraph{'s' if n > 1 else ''} {word}")
        line = ", ".join(parts) or "no text change"
        if self.number_changes:
            shown = ", ".join(f"{a}→{b}" for a, b in self.number_changes[:5])
            line += f"; numbers changed: {shown}"
        return line


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def diff_words(old: str, new: str) -> tuple[tuple[Segment, ...], list[tuple[str, str]]]:
    """Word/character segments between two paragraphs, and the numbers that were replaced."""
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


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < PAIRING_RATIO or matcher.quick_ratio() < PAIRING_RATIO:
        return 0.0
    return matcher.ratio()


def diff_paragraphs(old_text: str, new_text: str) -> TextDiff:
    """Changes from ``old_text`` to ``new_text``, one paragraph per line."""
    old = [p for p in old_text.splitlines() if p.strip()]
    new = [p for p in new_text.splitlines() if p.strip()]
    old_keys, new_keys = [normalize_text(p) for p in old], [normalize_text(p) for p in new]
    changes: list[ParagraphChange] = []
    numbers: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        j = j1
        for i in range(i1, i2):
            # Pair an old paragraph with the next sufficiently similar new one: an edit, not a swap.
            match = next((k for k in range(j, j2) if _similarity(old_keys[i], new_keys[k]) >= PAIRING_RATIO),
                         None)
            if match is None:
                changes.append(ParagraphChange("removed", old[i], None, (Segment("delete", old[i]),)))
                continue
            for k in range(j, match):
                changes.append(ParagraphChange("added", None, new[k], (Segment("insert", new[k]),)))
            segments, found = diff_words(old[i], new[match])
            numbers.extend(found)
            changes.append(ParagraphChange("modified", old[i], new[match], segments))
            j = match + 1
        for k in range(j, j2):
            changes.append(ParagraphChange("added", None, new[k], (Segment("insert", new[k]),)))
    return TextDiff(tuple(changes), tuple(dict.fromkeys(numbers)))


def _shorten(text: str, keep: int, where: str) -> str:
    if len(text) <= 2 * keep:
        return text
    if where == "start":
        return "…" + text[-keep:]
    if where == "end":
        return text[:keep] + "…"
    return text[:keep] + " … " + text[-keep:]


def render_html(diff: TextDiff, *, context_chars: int = 120, max_changes: int = 50) -> str:
    """Only the changed paragraphs, as escaped HTML with ``<ins>``/``<del>``; safe for feeds."""
    out: list[str] = []
    for change in diff.changes[:max_changes]:
        parts: list[str] = []
        last = len(change.segments) - 1
        for n, seg in enumerate(change.segments):
            text = seg.text
            if seg.op == "equal":
                where = "start" if n == 0 else "end" if n == last else "middle"
                parts.append(html.escape(_shorten(text, context_chars, where)))
            else:
                tag = "ins" if seg.op == "insert" else "del"
                parts.append(f"<{tag}>{html.escape(text)}</{tag}>")
        out.append(f'<p class="{change.kind}">{"".join(parts)}</p>')
    if len(diff.changes) > max_changes:
        out.append(f"<p>… {len(diff.changes) - max_changes} more changed paragraphs</p>")
    return "\n".join(out)


_ANSI = {"insert": "\x1b[32m", "delete": "\x1b[31;9m", "reset": "\x1b[0m", "header": "\x1b[1m"}


def render_text(diff: TextDiff, *, color: bool = False) -> str:
    """Terminal form: coloured inline marks on a TTY, wdiff-style ``[-…-]{+…+}`` otherwise."""
    lines: list[str] = []
    for change in diff.changes:
        mark = {"added": "+", "removed": "-", "modified": "~"}[change.kind]
        parts: list[str] = []
        for seg in change.segments:
            if seg.op == "equal":
                parts.append(seg.text)
            elif color:
                parts.append(f"{_ANSI[seg.op]}{seg.text}{_ANSI['reset']}")
            else:
                parts.append(f"{{+{seg.text}+}}" if seg.op == "insert" else f"[-{seg.text}-]")
        lines.append(f"{mark} {''.join(parts)}")
    return "\n".join(lines)


def unified_text(old_text: str, new_text: str, *, old_label: str, new_label: str) -> str:
    """A plain unified diff of paragraphs, for pipes and patch-minded readers."""
    return "\n".join(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(),
                                          fromfile=old_label, tofile=new_label, n=1, lineterm=""))
