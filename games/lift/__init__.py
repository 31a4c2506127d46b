"""Lift: elbow flexion. Registered in the ``rehab.games`` entry-point group as ``lift``."""

from __future__ import annotations

from rehab.engine.game import GameInfo


def _factory(hold_s: float = 1.0):  # type: ignore[no-untyped-def]
    from games.lift.rules import LiftGame

    return LiftGame(hold_s=hold_s)


def _renderer(surface, snapshot):  # type: ignore[no-untyped-def]
    from games.lift.draw import draw_lift

    draw_lift(surface, snapshot)


def _simulate(side: str, seed: int):  # type: ignore[no-untyped-def]
    """Eight elbow curls: strong at first, tiring, one falling short of the goal."""
    from rehab.engine.scripted_motion import MotionScript, simulate_angles

    peaks = (128.0, 131.0, 125.0, 122.0, 110.0, 126.0, 121.0, 118.0)
    return simulate_angles([MotionScript(f"elbow_flexion_{side}", 10.0, peaks)], seed=seed)


GAME = GameInfo(
    name="lift",
    title="Lift",
    movements=("elbow_flexion",),
    inputs=("webcam", "replay", "sim", "imu (two IMUs)"),
    description="Raise a weight on a pulley by bending the elbow; hold it at the shelf.",
    factory=_factory,
    renderer=_renderer,
    angle="elbow_flexion",
    rest_deg=10.0,
    target_deg=120.0,
    simulate=_simulate,
)
