"""Exposure: graded exposure to heights (levels as data). Registered in ``rehab.games`` as ``exposure``."""

from __future__ import annotations

from pathlib import Path

from rehab.core.i18n import N_
from rehab.core.types import JointAngles, PoseFrame
from rehab.engine.api import Game, GameSpec, drawn_by, hand_level

#: the pointer channel: Up/Down keys (``keyboard:``) or the higher hand seen by the camera
CHANNEL = "hand"


def _factory(
    hold_s: float = 0.0,
    hierarchy: Path | None = None,
    steps: list[tuple[str, float]] | None = None,
    suds_stop: float | None = None,
    minutes_per_step: float | None = None,
) -> Game:
    """``hierarchy``: a therapist's TOML/JSON file; or ``steps`` (description, SUDS to move on at)
    from an exercise plan, with its ``suds_stop``; the shipped heights tower otherwise."""
    from games.exposure.hierarchy import hierarchy_from_steps, load_hierarchy
    from games.exposure.rules import ExposureGame

    if steps:
        min_level_s = 60.0 * minutes_per_step if minutes_per_step else 45.0
        return ExposureGame(hierarchy_from_steps(steps, suds_stop, min_level_s=min_level_s))
    return ExposureGame(load_hierarchy(hierarchy))


def read_sample(sample: object) -> JointAngles | None:
    """A pose becomes the raised-hand pointer (0 hand at the hip .. 100 high; over the head stops)."""
    if isinstance(sample, PoseFrame):
        return JointAngles(t=sample.t, values={CHANNEL: 100.0 * hand_level(sample)}, confidence={CHANNEL: 0.9})
    return None


def simulate(side: str, seed: int) -> list[JointAngles]:
    """A patient afraid of heights who answers every question: fear peaks higher on each level and
    settles while they stay; they climb whenever offered, and stop on the glass floor."""
    import math
    import random

    from games.exposure.hierarchy import load_hierarchy
    from games.exposure.rules import GO_UP, ExposureGame
    from rehab.engine.api import SUDS, closed_loop, level_for

    rng = random.Random(seed)
    peaks = (25.0, 40.0, 55.0, 65.0, 75.0, 90.0)
    state = {"pointer": 0.15, "last": 0.0}

    def suds_now(snap) -> float:  # type: ignore[no-untyped-def]
        peak = peaks[min(snap.level_index, len(peaks) - 1)]
        return peak * (0.3 + 0.7 * math.exp(-snap.level_seconds / 50.0))

    def patient(t: float, snap):  # type: ignore[no-untyped-def]
        if snap.phase == "calm" and snap.calm_s > 30.0:
            return None
        goal = 0.15  # the hand resting low while looking at the scene
        prompt = snap.prompt
        if prompt is not None and prompt.scale is not None:
            glass = snap.level.scene == "glass" and snap.phase == "rate_during"
            goal = 1.15 if glass and prompt.allow_stop else level_for(SUDS, 5 * round(suds_now(snap) / 5))
        elif prompt is not None:
            goal = 0.8 if GO_UP in prompt.choices else 0.2
        # the hand glides to where it is going, with a little tremor
        dt, state["last"] = t - state["last"], t
        step = 1.2 * dt
        state["pointer"] += max(-step, min(step, goal - state["pointer"]))
        return {CHANNEL: 100.0 * state["pointer"] + rng.gauss(0.0, 0.4)}

    game = ExposureGame(load_hierarchy())
    return closed_loop(game, [(CHANNEL, 0.0, 100.0)], patient, seconds=900.0)


GAME = GameSpec(
    name="exposure",
    title=N_("Exposure: heights"),
    movements=("hand",),
    inputs=("keyboard", "webcam (raise a hand)", "replay", "sim"),
    description=N_("Climb the tower one level at a time, only when you are ready. Rate your fear as you go."),
    factory=_factory,
    renderer=drawn_by("games.exposure.draw:draw_exposure"),
    angle=CHANNEL,
    rest_deg=0.0,
    target_deg=100.0,
    kind="mental",
    # a climb of the tower at the patient's pace: six levels of a few minutes each
    play_s=20 * 60.0,
    simulate=simulate,
    read_sample=read_sample,
)
