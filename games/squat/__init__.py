"""Squat: knee and hip flexion, with both knees compared. Registered in ``rehab.games`` as ``squat``."""

from __future__ import annotations

from rehab.core.i18n import N_
from rehab.core.types import JointAngles
from rehab.engine.api import GameSpec, drawn_by, made_by


def simulate(side: str = "left", seed: int = 0) -> list[JointAngles]:
    """Seven calm mini-squats of 55-75 degrees; the other knee bends a little less (mild asymmetry),
    and hip flexion follows the knees as it does in a real squat."""
    from rehab.engine.api import MotionScript, simulate_angles

    other = "right" if side == "left" else "left"
    peaks = (62.0, 68.0, 72.0, 58.0, 66.0, 75.0, 64.0)
    timing = {"rise_s": 1.6, "hold_s": 0.8, "lower_s": 1.6, "rest_s": 1.4}
    motions = [
        MotionScript(f"knee_flexion_{side}", 5.0, peaks, noise_deg=1.5, **timing),
        MotionScript(f"knee_flexion_{other}", 5.0, [p * 0.88 for p in peaks], noise_deg=1.5, **timing),
        MotionScript(f"hip_flexion_{side}", 4.0, [p * 0.9 for p in peaks], noise_deg=2.0, **timing),
        MotionScript(f"hip_flexion_{other}", 4.0, [p * 0.85 for p in peaks], noise_deg=2.0, **timing),
    ]
    return simulate_angles(motions, seed=seed)


GAME = GameSpec(
    name="squat",
    title=N_("Squat"),
    movements=("knee_flexion", "hip_flexion"),
    inputs=("webcam", "replay", "sim", "keyboard"),
    description=N_("Mini-squat to charge a jump, stand up tall to leap over the obstacles."),
    factory=made_by("games.squat.rules:SquatGame", only=("hold_s",)),
    renderer=drawn_by("games.squat.draw:draw_squat"),
    angle="knee_flexion",
    rest_deg=5.0,
    target_deg=70.0,
    axes=(("hip_flexion", 5.0, 70.0),),
    standing_only=True,
    simulate=simulate,
)
