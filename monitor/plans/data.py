"""The shipped data files (gazetteer, issuers, sector taxonomy) as read-only Python values.

Each file lives in ``monitor/data/`` as YAML so users can extend it; :func:`load_yaml` reads a user's
copy instead when given a path. Loading happens once per path (cached), never during analysis.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (its wheels are); monitor.sources reads sources files with it
# too. The four shipped files took ~120 ms to parse in pure Python, in every process that analyses pages,
# against ~15 ms (same values); the shipped sources file ~30 ms against ~2 ms.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PlanDataError(ValueError):
    """A data file is missing or malformed; the message names the file and the entry."""


@lru_cache(maxsize=16)
def load_yaml(name: str, path: str | None = None) -> Any:
    """The parsed data file ``name`` (e.g. ``regions.yaml``), from ``path`` when given."""
    try:
        if path is not None:
            text = Path(path).read_text(encoding="utf-8")
        else:
            text = resources.files("monitor").joinpath("data", name).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanDataError(f"{path or name}: cannot read ({exc})") from exc
    try:
        return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise PlanDataError(f"{path or name}: not valid YAML ({exc})") from exc


def require(entry: dict[str, Any], key: str, file: str) -> Any:
    if key not in entry:
        raise PlanDataError(f"{file}: entry {entry!r} lacks {key!r}")
    return entry[key]
