"""Kite: the smallest complete rehab game. Bend the elbow and the kite rises.

This module is what the ``rehab.games`` entry point names: one ``GameSpec`` saying what the game is
called, which movement drives it, how to build its rules, how to draw it and how to simulate a
patient playing it. The engine does the rest: camera or IMU input, smoothing, the patient's own
range, counting reps, the HUD, the session record.
"""

from __future__ import annotations

from rehab.engine.api import GameSpec, JointAngles, MotionScript, drawn_by, made_by, simulate_angles


def simulate(side: str, seed: int) -> list[JointAngles]:
    """Five elbow bends to 100-125 degrees, for ``--input sim``, the tests and demos."""
    script = MotionScript(f"elbow_flexion_{side}", rest_deg=10.0, peaks_deg=(110.0, 120.0, 100.0, 125.0, 115.0))
    return simulate_angles([script], seed=seed)


GAME = GameSpec(
    name="kite",
    title="Kite",
    movements=("elbow_flexion",),
    inputs=("webcam", "replay", "sim"),
    description="Bend your elbow to fly the kite up into the sky.",
    # imported when a game starts, so listing games stays fast and loads no pygame
    factory=made_by("rehab_minimal_game.rules:KiteGame"),
    renderer=drawn_by("rehab_minimal_game.draw:draw_kite"),
    simulate=simulate,
    angle="elbow_flexion",  # a motion from rehab.core.motions: sided, so the player's side is added
    rest_deg=10.0,
    target_deg=110.0,
)
