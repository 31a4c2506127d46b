"""What the mental rehabilitation games (breathe, exposure, focus) add to a played session.

- ``closed_loop``: a simulated patient who answers what the game shows (a SUDS question, a pacer),
  for ``--input sim``. The game is stepped on the samples' own timeline, and the samples are what a
  real input would have sent, so replaying them through ``rehab.engine.play`` plays the same session.
- ``session_extras`` / ``store_rating``: the counts (``breaths``, ``ratings``, ``levels``) and
  metrics a game's ``summary()`` reports, for ``--stats``, and its ratings for the progress store.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rehab.core.types import Controls, JointAngles
from rehab.engine.game import ReportsSummary
from rehab.engine.ratings import Rating

#: (name, rest, target) of each channel: the primary first, then the game's axes
Channel = tuple[str, float, float]


def _level(value: float, rest: float, target: float) -> float:
    return (value - rest) / (target - rest) if target != rest else 0.0


def closed_loop(
    game: Any,
    channels: Sequence[Channel],
    policy: Callable[[float, Any], Mapping[str, float] | None],
    seconds: float,
    hz: float = 20.0,
) -> list[JointAngles]:
    """Samples from ``policy(t, game.snapshot())`` (channel values, or None to end), fed back into
    ``game`` as Controls the way the engine maps them (without its smoothing)."""
    primary, *axes = channels
    samples: list[JointAngles] = []
    dt = 1.0 / hz
    for i in range(int(seconds * hz)):
        t = i * dt
        values = policy(t, game.snapshot())
        if values is None:
            break
        samples.append(JointAngles(t=t, values=dict(values), confidence=dict.fromkeys(values, 0.95)))
        value = values.get(primary[0], math.nan)
        controls = Controls(
            t=t,
            level=_level(value, primary[1], primary[2]) if not math.isnan(value) else 0.0,
            angle_deg=value,
            tracking=not math.isnan(value),
            axes={
                name: _level(values[name], rest, target)
                for name, rest, target in axes
                if not math.isnan(values.get(name, math.nan))
            },
        )
        game.update(dt, controls)
    return samples


def session_extras(game: Any) -> dict[str, Any]:
    """The game's ``summary()`` (counts and metrics) for ``--stats``; empty for games without one."""
    return dict(game.summary()) if isinstance(game, ReportsSummary) else {}


def store_rating(store: Any, patient_id: str, session_id: int, at_iso: str, rating: Rating) -> None:
    """Write one answer (stress before/after breathing, SUDS during exposure) to the progress store,
    beside the pain ratings; called the moment the patient gives it (``play(on_rating=...)``)."""
    store.add_rating(
        patient_id,
        at_iso,
        rating.kind,
        float(rating.value),
        session_id=session_id,
        t=float(rating.t),
        moment=rating.moment,
    )
