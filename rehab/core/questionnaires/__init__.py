"""Validated outcome measures (PROMs) as typed data, scored by their authors' published rules.

``INSTRUMENTS`` holds every measure by id (oks, koos_ps, quickdash, ndi, phq9, gad7, pss10);
``score`` turns answers into a total, a band and any safety flags; ``with_item_text`` adds the
wording a clinic has licensed for a measure whose text rehab may not ship. See
docs/outcome_measures.md for each rule, licence and code, with sources.
"""

from __future__ import annotations

from rehab.core.questionnaires.clinic_text import ItemTextError, with_item_text
from rehab.core.questionnaires.instruments import INSTRUMENTS, KOOS_PS_TABLE, PLACEHOLDER_INTRO, instrument
from rehab.core.questionnaires.model import (
    SELF_HARM_FLAG,
    AnswerError,
    Band,
    Choice,
    Flag,
    Instrument,
    Item,
    Rule,
    Score,
)
from rehab.core.questionnaires.scoring import band_of, score

#: the code system a report uses for a measure with no verified LOINC code
LOCAL_CODE_SYSTEM = "urn:rehab:codesystem:outcome-measure"

__all__ = [
    "INSTRUMENTS",
    "KOOS_PS_TABLE",
    "LOCAL_CODE_SYSTEM",
    "PLACEHOLDER_INTRO",
    "SELF_HARM_FLAG",
    "AnswerError",
    "Band",
    "Choice",
    "Flag",
    "Instrument",
    "Item",
    "ItemTextError",
    "Rule",
    "Score",
    "band_of",
    "instrument",
    "score",
    "with_item_text",
]
