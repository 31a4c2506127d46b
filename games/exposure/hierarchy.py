"""An exposure hierarchy as data: levels from least to most feared, and the therapist's settings.

Shipped hierarchies live next to this module (``heights.toml``); a therapist's own file (TOML or
JSON, same fields) replaces them, so a new phobia needs a file and at most a new scene to draw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

from rehab.core.errors import DataError
from rehab.core.i18n import _, language

SHIPPED = Path(__file__).with_name("heights.toml")


class HierarchyError(DataError, ValueError):
    """The file cannot be used; the message says which field is wrong."""


@dataclass(frozen=True)
class Level:
    name: str
    scene: str  # which picture draws it: tower, glass (a renderer falls back to a plain card)
    height_m: float
    description: str
    #: this level's own "fallen enough" SUDS, where a therapist set one per step (else the hierarchy's)
    suds_move_on: float | None = None


@dataclass(frozen=True)
class Hierarchy:
    phobia: str
    title: str
    levels: tuple[Level, ...]
    suds_threshold: float = 30.0
    rate_every_s: float = 45.0
    min_level_s: float = 45.0
    #: a SUDS rating at or above this ends the exposure calmly (None: only the patient's stop does)
    suds_stop: float | None = None


def hierarchy_from_steps(
    steps: list[tuple[str, float]], suds_stop: float | None, title: str = "Exposure", min_level_s: float = 45.0
) -> Hierarchy:
    """A hierarchy from a plan's steps (description, SUDS to move on at), easiest first. The steps
    are the therapist's words, so each is shown as a card rather than a drawn scene."""
    levels = tuple(
        Level(_("Step {number}").format(number=i), "card", 0.0, text, move_on)
        for i, (text, move_on) in enumerate(steps, 1)
    )
    if not levels:
        raise HierarchyError("an exposure hierarchy needs at least one level")
    return Hierarchy(phobia="", title=title, levels=levels, min_level_s=min_level_s, suds_stop=suds_stop)


def parse_hierarchy(data: dict[str, Any]) -> Hierarchy:
    settings = data.get("settings", {})
    try:
        levels = tuple(
            Level(
                str(row["name"]),
                str(row.get("scene", "card")),
                float(row.get("height_m", 0.0)),
                str(row.get("description", "")),
            )
            for row in data["levels"]
        )
        hierarchy = Hierarchy(
            phobia=str(data.get("phobia", "")),
            title=str(data.get("title", data.get("phobia", "Exposure"))),
            levels=levels,
            suds_threshold=float(settings.get("suds_threshold", 30.0)),
            rate_every_s=float(settings.get("rate_every_s", 45.0)),
            min_level_s=float(settings.get("min_level_s", 45.0)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise HierarchyError(f"bad exposure hierarchy: {error!r}") from None
    if not levels:
        raise HierarchyError("an exposure hierarchy needs at least one level")
    if not 0 <= hierarchy.suds_threshold <= 100:
        raise HierarchyError(f"suds_threshold {hierarchy.suds_threshold} is outside 0-100")
    if hierarchy.rate_every_s <= 0 or hierarchy.min_level_s < 0:
        raise HierarchyError("rate_every_s must be more than 0 and min_level_s 0 or more")
    return hierarchy


def load_hierarchy(path: Path | None = None) -> Hierarchy:
    """The therapist's file at ``path`` (.toml or .json), or the shipped heights hierarchy in the
    patient's language (``heights.fr.toml`` beside ``heights.toml``: its names and descriptions are
    words on screen, kept with the levels they describe rather than in the catalog)."""
    if path is None:
        translated = SHIPPED.with_suffix(f".{language()}.toml")
        path = translated if translated.exists() else SHIPPED
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise HierarchyError(f"cannot read {path}: {error}") from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw.decode())
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise HierarchyError(f"{path} is not valid {path.suffix[1:].upper() or 'TOML'}: {error}") from None
    return parse_hierarchy(data)
