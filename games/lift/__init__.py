"""Lift: elbow flexion. Registered in the ``rehab.games`` entry-point group as ``lift``."""

from __future__ import annotations

from rehab.engine import GameInfo


def _factory(hold_s: float = 1.0):  # type: ignore[no-untyped-def]
    from .rules import LiftGame

    return LiftGame(hold_s=hold_s)


def _renderer(surface, snapshot):  # type: ignore[no-untyped-def]
    from .draw import draw_lift

    draw_lift(surface, snapshot)


GAME = GameInfo(
    name="lift",
    title="Lift",
    movements=("elbow_flexion",),
    inputs=("webcam", "replay", "sim", "imu (two IMUs)"),
    description="Raise a weight on a pulley by bending the elbow; hold it at the shelf.",
    factory=_factory,
    renderer=_renderer,
)
