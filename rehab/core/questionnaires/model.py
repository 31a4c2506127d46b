"""The value types of an outcome measure: its items, answer scale, bands, scoring rule and a score.

Every type is a frozen dataclass so an instrument can be shared between the app, the store and the
reports without anyone changing a published scoring rule by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rehab.core.errors import DataError

#: the flag a PHQ-9 with any thoughts of self-harm carries, whatever its total: the app shows a
#: crisis card and the report highlights it
SELF_HARM_FLAG = "self_harm_thoughts"


class AnswerError(DataError):
    """An answer that is not one the instrument allows (unknown item, value off the scale)."""


@dataclass(frozen=True)
class Choice:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    choices: tuple[Choice, ...]
    #: False for an item asked but not counted in the total (the PHQ-9 difficulty question)
    scored: bool = True

    @property
    def values(self) -> frozenset[int]:
        return frozenset(c.value for c in self.choices)


@dataclass(frozen=True)
class Band:
    """An inclusive range of the total with its published label (e.g. PHQ-9 10-14 "moderate")."""

    low: float
    high: float
    label: str


@dataclass(frozen=True)
class Flag:
    """Raise ``flag`` when ``item`` is answered above ``above``, whatever the total."""

    item: str
    above: int
    flag: str


@dataclass(frozen=True)
class Rule:
    """How the authors turn answers into a total.

    ``kind``:
    - ``"sum"``: the sum of the scored items; each missing item (at most ``max_missing``) counts as
      the mean of the answered ones, which is the published rule where imputation is allowed at all
    - ``"quickdash"``: ``(sum / answered - 1) * 25``
    - ``"table"``: the raw sum looked up in ``table`` (a Rasch conversion); no item may be missing
    """

    kind: Literal["sum", "quickdash", "table"]
    max_missing: int = 0
    #: item keys scored in reverse (answer v counts as max + min - v)
    reverse: frozenset[str] = frozenset()
    table: tuple[float, ...] = ()
    #: the total that is 100 % when the measure is also reported as a percentage (NDI: 50)
    percent_of: float | None = None
    flags: tuple[Flag, ...] = ()
    #: where the rule is published, for the docs and the report
    source: str = ""


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    short_title: str
    #: shown before item 1 ("Over the last 2 weeks, how often have you been bothered by ...")
    intro: str
    items: tuple[Item, ...]
    #: True when ``items`` carry the instrument's real wording: shipped with rehab because its terms
    #: allow it, or supplied by a clinic under its own licence (see ``text_source``)
    text_shipped: bool
    licence: str
    score_min: float
    score_max: float
    higher_is_better: bool
    #: what the total is in ("points")
    unit: str
    loinc_panel: str | None
    loinc_total: str | None
    bands: tuple[Band, ...]
    rule: Rule = field(default_factory=lambda: Rule("sum"))
    #: the clinic file the item text came from ("" for text shipped with rehab or placeholders)
    text_source: str = ""

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored)

    def item(self, key: str) -> Item:
        for candidate in self.items:
            if candidate.key == key:
                return candidate
        raise KeyError(key)


@dataclass(frozen=True)
class Score:
    measure: str
    #: None when more answers are missing than the instrument's published rule allows
    total: float | None
    band: str | None
    #: scored items answered (unscored ones, such as the PHQ-9 difficulty question, do not count)
    answered: int
    flags: tuple[str, ...]
    #: the total as a percentage, for measures reported that way too (NDI); else None
    percent: float | None = None
