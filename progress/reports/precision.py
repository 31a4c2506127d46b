"""How many decimals each measure is written with in CSV and FHIR: what is measured, no more.

A camera angle is good to about a degree, so 0.1 deg keeps every real difference; times are kept to
the hundredth of a second, rates to 0.1 per minute. Scores are written as the instrument gives them
(rounded to 2 decimals only to drop binary noise such as 33.300000000000004).
"""

from __future__ import annotations

#: measure kind -> decimals
DECIMALS: dict[str, int] = {
    "deg": 1,  # angles
    "deg/s": 1,  # angular velocity
    "s": 2,  # seconds
    "min": 1,  # minutes
    "/min": 1,  # breaths per minute
    "sparc": 2,  # smoothness, dimensionless
    "score": 2,  # pain, SUDS, stress, questionnaire totals
    "%": 1,
}

#: rep column -> its measure kind (columns not named are counts, flags or text)
REP_KINDS: dict[str, str] = {
    "t_start": "s",
    "t_end": "s",
    "start_deg": "deg",
    "peak_deg": "deg",
    "rom_deg": "deg",
    "hold_s": "s",
    "duration_s": "s",
    "peak_velocity_dps": "deg/s",
    "target_deg": "deg",
    "smoothness_sparc": "sparc",
}


def rounded(value: float | None, kind: str) -> float | None:
    """``value`` to its kind's decimals; None stays None, and -0.0 becomes 0.0."""
    if value is None:
        return None
    return round(float(value), DECIMALS[kind]) + 0.0
