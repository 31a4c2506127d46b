"""Argument types for every numeric option: a value is finite and in range, or refused at once.

``float("nan")`` compares false with everything, so an unchecked ``--ceiling nan`` turned the
safety ceiling off and ``--seconds nan`` never ran out; ``inf`` and impossible values (a goal of
400°, a font of size 0) went through the same way. Each option names its type here, with its range,
and argparse refuses anything else with the option's name and what is allowed (exit 2).
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

#: a session, a recording or a tracking run longer than a day is a typo
DAY_S = 86_400.0
#: seeds feed numpy's generators, which take 0 to 2**32 - 1
SEED_MAX = 2**32 - 1

#: plain decimal notation only: Python's own parsers also take ``1_0`` (ten), spaces and ``nan``
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WHOLE = re.compile(r"[+-]?\d{1,18}")  # int() refuses over 4,300 digits with a traceback


def finite_float(
    low: float, high: float, *, low_open: bool = False, zero_allowed: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number from ``low`` to ``high`` (above ``low`` with ``low_open``).

    ``zero_allowed`` also accepts exactly 0 where 0 means "the default" (``--rate 0``).
    """
    span = f"above {low:g} and up to {high:g}" if low_open else f"from {low:g} to {high:g}"
    allowed = f"a number {span}" + (" (or 0)" if zero_allowed else "")

    def parse(text: str) -> float:
        if not _DECIMAL.fullmatch(text):
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not allowed; give {allowed}")
        value = float(text)
        if zero_allowed and value == 0:
            return 0.0
        in_range = (low < value if low_open else low <= value) and value <= high
        if not math.isfinite(value) or not in_range:
            raise argparse.ArgumentTypeError(f"{text[:40]} is not allowed; give {allowed}")
        return value

    parse.__name__ = "number"  # argparse names the type in its messages
    return parse


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""
    allowed = f"a whole number from {low} to {high}"

    def parse(text: str) -> int:
        if not _WHOLE.fullmatch(text):
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not allowed; give {allowed}")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text[:40]} is not allowed; give {allowed}")
        return value

    parse.__name__ = "whole number"
    return parse


#: an angle a goal or a safety ceiling can be: no joint moves more than 180° from neutral
angle_deg = finite_float(0.0, 180.0, low_open=True)
#: seconds a session, a recording or a tracking run may last
duration_s = finite_float(0.0, DAY_S, low_open=True)
#: seconds into a run (a screenshot's moment)
moment_s = finite_float(0.0, DAY_S)
#: a random seed
seed = bounded_int(0, SEED_MAX)
