"""Exposure metrics and the rule for moving up: pure functions over SUDS ratings (0-100)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class LevelVisit:
    """One stay on one level: when it began, how long, and the SUDS asked during it."""

    index: int
    name: str
    t_start: float
    seconds: float = 0.0
    suds: list[tuple[float, float]] = field(default_factory=list)  # (t, SUDS)

    @property
    def peak(self) -> float:
        return max((v for _, v in self.suds), default=0.0)


def may_advance(suds: Sequence[float], threshold: float) -> bool:
    """Moving up is offered once the last SUDS has fallen to half of the level's peak, or to the
    therapist's threshold. One rating is not a fall: a calm start needs the threshold to advance."""
    if not suds:
        return False
    last, peak = suds[-1], max(suds)
    return last <= threshold or (len(suds) > 1 and peak > 0 and last <= peak / 2)


def highest_level(visits: Sequence[LevelVisit]) -> int:
    """1-based number of the highest level reached, 0 before any."""
    return max((v.index + 1 for v in visits), default=0)


def time_per_level(visits: Sequence[LevelVisit]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v in visits:
        out[v.name] = round(out.get(v.name, 0.0) + v.seconds, 2)
    return out


def curves(visits: Sequence[LevelVisit]) -> list[dict[str, object]]:
    """The SUDS curve of every visit, for the stats and the clinician's plot."""
    return [
        {
            "level": v.index + 1,
            "name": v.name,
            "seconds": round(v.seconds, 2),
            "peak": v.peak,
            "last": v.suds[-1][1] if v.suds else None,
            "suds": [[round(t, 2), s] for t, s in v.suds],
        }
        for v in visits
    ]
