"""What changed between two versions of a plan's targets, as lines a feed entry can show:
"target for 2030 changed: 10 → 12 个 未来产业科技园".

Targets are matched by year, kind and subject (whitespace and punctuation ignored), so a quantity that
changes under the same subject is a change, not a removal plus an addition.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.plans.targets import Target

_NOISE = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class TargetChange:
    kind: str  # changed | added | removed
    old: Target | None
    new: Target | None

    def describe(self) -> str:
        target = self.new or self.old
        assert target is not None
        year = f"for {target.year}" if target.year is not None else "without a year"
        if self.kind == "changed" and self.old and self.new:
            return (f"target {year} changed: {amount_text(self.old)} → {amount_text(self.new)} "
                    f"{self.new.subject}".rstrip())
        return f"target {year} {self.kind}: {amount_text(target)} {target.subject}".rstrip()


def amount_text(target: Target) -> str:
    """A target's quantity with its unit: "12个", "300,000,000,000 yuan", "40%"."""
    number = f"{target.quantity:,.0f}" if float(target.quantity).is_integer() else f"{target.quantity:,.2f}"
    if target.kind == "money":
        return f"{number} yuan"
    return f"{number}{target.unit}" if target.kind == "count" else f"{number}%"


def _slot(target: Target) -> tuple[int | None, str, str]:
    return (target.year, target.kind, _NOISE.sub("", target.subject.casefold()))


def target_changes(old: list[Target], new: list[Target]) -> list[TargetChange]:
    """Changed, added and removed targets between two versions of one plan's text, in the new order."""
    before = {_slot(t): t for t in old}
    after = {_slot(t): t for t in new}
    changes = []
    for slot, target in after.items():
        previous = before.get(slot)
        if previous is None:
            changes.append(TargetChange("added", None, target))
        elif round(previous.quantity, 6) != round(target.quantity, 6):
            changes.append(TargetChange("changed", previous, target))
    changes += [TargetChange("removed", target, None) for slot, target in before.items() if slot not in after]
    return changes
