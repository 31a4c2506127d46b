"""The one rule for patient ids, used by every command and by the store before it inserts one.

An id is a pseudonym (``P-0042``), never a name: 1-40 ASCII letters, digits, ``-``, ``_`` or ``.``,
starting with a letter or a digit. So an id can never hold a space, a newline or a terminal escape
(which made look-alike patients and broke the FHIR and PDF exports), never be empty, and never read
as an option (``-x``) or a folder (``..``) where it is shown or used.
"""

from __future__ import annotations

import re

from rehab.core.errors import UsageError

MAX_LENGTH = 40
RULE = f"1-{MAX_LENGTH} letters, digits, '-', '_' or '.', starting with a letter or digit (a pseudonym, not a name)"

_PATIENT_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.-]{{0,{MAX_LENGTH - 1}}}")


class PatientIdError(UsageError):
    """A patient id that breaks the rule; the message shows it escaped, on one line."""


def is_patient_id(value: object) -> bool:
    return isinstance(value, str) and _PATIENT_ID.fullmatch(value) is not None


def check_patient_id(value: object) -> str:
    """``value`` if it is a valid patient id, else a ``PatientIdError`` saying why in one line."""
    if is_patient_id(value):
        return str(value)
    return _refuse(value)


def shown(value: object, limit: int = 60) -> str:
    """``value`` as a one-line, escaped, bounded quotation: safe to print whatever it holds."""
    text = ascii(value) if isinstance(value, str) else ascii(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _refuse(value: object) -> str:
    raise PatientIdError(f"patient id {shown(value)} is not allowed: use {RULE}")
