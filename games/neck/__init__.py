"""Neck: cervical rotation steers a glider through gates. Registered in ``rehab.games`` as ``neck``.

Sign convention used here and in ``simulate``: ``cervical_rotation`` is positive when the head turns to
the patient's RIGHT and negative to their LEFT; ``cervical_lateral_flexion`` positive when the head
tilts to the right. The game itself only sees the signed level (-1 left .. +1 right).
"""

from __future__ import annotations

from rehab.core.i18n import N_
from rehab.core.types import JointAngles
from rehab.engine.api import GameSpec, drawn_by, made_by


def simulate(side: str = "left", seed: int = 0) -> list[JointAngles]:
    """Slow head turns, alternating left and right, 30-55 degrees, with a little head tilt that goes
    along with them. ``side`` is ignored: the neck turns both ways."""
    from rehab.engine.api import MotionScript, simulate_angles

    turns = (32.0, -36.0, 40.0, -33.0, 44.0, -38.0, 30.0, -42.0, 55.0)
    timing = {"rise_s": 1.5, "hold_s": 1.4, "lower_s": 1.4, "rest_s": 0.7}
    motions = [
        MotionScript("cervical_rotation", 0.0, turns, noise_deg=1.0, **timing),
        MotionScript("cervical_lateral_flexion", 0.0, [t * 0.15 for t in turns], noise_deg=0.8, **timing),
    ]
    return simulate_angles(motions, seed=seed)


GAME = GameSpec(
    name="neck",
    title=N_("Head turns"),
    movements=("cervical_rotation", "cervical_lateral_flexion"),
    inputs=("webcam (face)", "headset imu", "replay", "sim", "keyboard"),
    description=N_("Turn your head slowly left and right to steer a glider through the gates."),
    factory=made_by("games.neck.rules:NeckGame", only=("hold_s",)),
    renderer=drawn_by("games.neck.draw:draw_neck"),
    angle="cervical_rotation",
    rest_deg=0.0,
    target_deg=50.0,
    axes=(("cervical_lateral_flexion", 0.0, 30.0),),
    simulate=simulate,
)
