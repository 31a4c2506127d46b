"""Reach: shoulder flexion and abduction. Registered in the ``rehab.games`` entry-point group as ``reach``."""

from __future__ import annotations

from rehab.core.i18n import N_
from rehab.core.types import JointAngles
from rehab.engine.api import GameSpec, drawn_by, made_by


def simulate(side: str, seed: int) -> list[JointAngles]:
    """A patient reaching 7 times: varied heights, some forward and some out to the side.

    Abduction rises with flexion in the same movement (one reach, two planes), with its own peak per
    reach, so the hand sweeps across the workspace from forward reaches to side reaches.
    """
    import random

    from rehab.engine.api import MotionScript, simulate_angles

    rng = random.Random(seed)
    flexion = [
        rng.uniform(lo, hi)
        for lo, hi in ((70, 95), (105, 125), (120, 145), (85, 110), (125, 150), (95, 120), (110, 140))
    ]
    abduction = [
        rng.uniform(lo, hi) for lo, hi in ((15, 35), (60, 85), (30, 50), (70, 90), (40, 60), (20, 40), (55, 80))
    ]
    timing = {"rise_s": 1.5, "hold_s": 0.8, "lower_s": 1.5, "rest_s": 0.8}
    motions = [
        MotionScript(f"shoulder_flexion_{side}", 10.0, flexion, noise_deg=1.5, **timing),
        MotionScript(f"shoulder_abduction_{side}", 10.0, abduction, noise_deg=1.5, **timing),
    ]
    return simulate_angles(motions, seed=seed)


GAME = GameSpec(
    name="reach",
    title=N_("Reach"),
    movements=("shoulder_flexion", "shoulder_abduction"),
    inputs=("webcam", "replay", "sim", "keyboard"),
    description=N_("Pop balloons drifting inside your reach: reach forward and up, or out to the side."),
    factory=made_by("games.reach.rules:ReachGame"),
    renderer=drawn_by("games.reach.draw:draw_reach"),
    angle="shoulder_flexion",
    rest_deg=10.0,
    target_deg=150.0,
    axes=(("shoulder_abduction", 10.0, 90.0),),
    simulate=simulate,
)
