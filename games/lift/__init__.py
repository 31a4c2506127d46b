"""Lift: elbow flexion. Registered in the ``rehab.games`` entry-point group as ``lift``."""

from __future__ import annotations

from rehab.core.i18n import N_
from rehab.engine.api import GameSpec, JointAngles, drawn_by, made_by


def simulate(side: str, seed: int) -> list[JointAngles]:
    """Eight elbow curls: strong at first, tiring, one falling short of the goal."""
    from rehab.engine.api import MotionScript, simulate_angles

    peaks = (128.0, 131.0, 125.0, 122.0, 110.0, 126.0, 121.0, 118.0)
    return simulate_angles([MotionScript(f"elbow_flexion_{side}", 10.0, peaks)], seed=seed)


GAME = GameSpec(
    name="lift",
    title=N_("Lift"),
    movements=("elbow_flexion",),
    inputs=("webcam", "replay", "sim", "imu (two IMUs)"),
    description=N_("Raise a weight on a pulley by bending the elbow; hold it at the shelf."),
    factory=made_by("games.lift.rules:LiftGame"),
    renderer=drawn_by("games.lift.draw:draw_lift"),
    angle="elbow_flexion",
    rest_deg=10.0,
    target_deg=120.0,
    simulate=simulate,
)
