"""Tilt: trunk lateral flexion. Registered in the ``rehab.games`` group as ``tilt``.

Angle convention for trunk_lateral_flexion: degrees, positive = bending to the patient's RIGHT,
negative = to the LEFT; the game's level is signed the same way (-1 full bend left, +1 right).
"""

from __future__ import annotations

from rehab.core.i18n import N_
from rehab.core.types import JointAngles
from rehab.engine.api import GameSpec, drawn_by, made_by


def simulate(side: str, seed: int) -> list[JointAngles]:
    """A patient bending left, then right, ten times: 12-22 degrees, a short hold at each end.

    ``side`` is ignored: trunk lateral flexion has no side, the game alternates both ways.
    """
    import random

    from rehab.engine.api import MotionScript, simulate_angles

    rng = random.Random(seed)
    peaks = [rng.uniform(12.0, 22.0) * (-1 if i % 2 == 0 else 1) for i in range(10)]
    script = MotionScript(
        "trunk_lateral_flexion", 0.0, peaks, rise_s=1.4, hold_s=1.6, lower_s=1.4, rest_s=0.6, noise_deg=1.0
    )
    return simulate_angles([script], seed=seed)


GAME = GameSpec(
    name="tilt",
    title=N_("Tilt"),
    movements=("trunk_lateral_flexion",),
    # one IMU on the chest gives the side bend; on a forearm it gives only forearm roll, which tilt does not read
    inputs=("webcam", "replay", "sim", "keyboard", "imu on the chest (?segment=trunk)"),
    description=N_("Bend sideways to tilt a board and roll a marble into the cup, left and right in turn."),
    factory=made_by("games.tilt.rules:TiltGame"),
    renderer=drawn_by("games.tilt.draw:draw_tilt"),
    angle="trunk_lateral_flexion",
    rest_deg=0.0,
    target_deg=20.0,
    simulate=simulate,
)
