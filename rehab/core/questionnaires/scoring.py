"""Scoring answers by each instrument's published rule: checks, missing answers, reversal, bands, flags."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from rehab.core.questionnaires.model import AnswerError, Band, Instrument, Item, Rule, Score


def score(instrument: Instrument, answers: Mapping[str, int | None]) -> Score:
    """Score ``answers`` (by item key; None or absent = not answered) by the instrument's rule.

    Raises AnswerError for an unknown item or an answer off the item's scale: a wrong answer must
    never be scored silently. Too many missing answers is not an error: the total is None.
    """
    checked = _checked(instrument, answers)
    rule = instrument.rule
    flags = tuple(f.flag for f in rule.flags if (checked.get(f.item) or 0) > f.above)
    scored = [(item, checked.get(item.key)) for item in instrument.scored_items]
    given = [_value(item, value, rule) for item, value in scored if value is not None]
    missing = len(scored) - len(given)
    total = None if missing > rule.max_missing else _total(rule, given, len(scored))
    percent = None
    if total is not None and rule.percent_of:
        percent = round(total / rule.percent_of * 100, 2)
    band = None if total is None else band_of(instrument.bands, total)
    return Score(instrument.id, total, band, len(given), flags, percent)


def band_of(bands: tuple[Band, ...], total: float) -> str | None:
    """The label of the band holding ``total``.

    Bands are published for whole-number totals (0-4, 5-9, ...); an imputed total such as 4.4
    belongs to the band it has reached, so each band runs from its low up to the next band's low.
    """
    label = None
    for band in sorted(bands, key=lambda b: b.low):
        if total >= band.low:
            label = band.label
    return label


def _checked(instrument: Instrument, answers: Mapping[str, int | None]) -> dict[str, int | None]:
    keys = [item.key for item in instrument.items]
    for key, value in answers.items():
        if key not in keys:
            near = difflib.get_close_matches(str(key), keys, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else f"; items are {keys[0]} to {keys[-1]}"
            raise AnswerError(f"{instrument.short_title}: no item {key!r}{hint}")
        if value is None:
            continue
        item = instrument.item(key)
        if isinstance(value, bool) or not isinstance(value, int) or value not in item.values:
            allowed = ", ".join(str(v) for v in sorted(item.values))
            raise AnswerError(f"{instrument.short_title} {key}: {value!r} is not an answer (allowed: {allowed})")
    return dict(answers)


def _value(item: Item, value: int, rule: Rule) -> int:
    if item.key in rule.reverse:
        return max(item.values) + min(item.values) - value
    return value


def _total(rule: Rule, given: list[int], n_items: int) -> float:
    raw = sum(given)
    if rule.kind == "table":
        return rule.table[raw]
    mean = raw / len(given) if given else 0.0
    if rule.kind == "quickdash":
        return round((mean - 1) * 25, 2)
    # each missing item counts as the mean of the answered ones
    return round(raw + mean * (n_items - len(given)), 2)
