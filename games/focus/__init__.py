"""Focus: EEG relaxation neurofeedback (ThinkGear). Registered in ``rehab.games`` as ``focus``."""

from __future__ import annotations

from rehab.core.i18n import N_
from rehab.core.types import EegSample, JointAngles
from rehab.engine.api import GameSpec, drawn_by, made_by


def read_sample(sample: object) -> JointAngles | None:
    """An eSense reading (about once a second) as channels; raw EEG samples (512 a second) carry
    none and are left out. A missing value is 0, as the headset itself sends with no contact."""
    if not isinstance(sample, EegSample):
        return None
    if sample.meditation is None and sample.attention is None and sample.poor_signal is None:
        return None
    values = {
        "meditation": float(sample.meditation or 0),
        "attention": float(sample.attention or 0),
        "poor_signal": float(sample.poor_signal or 0),
    }
    return JointAngles(t=sample.t, values=values, confidence=dict.fromkeys(values, 1.0))


def simulate(side: str, seed: int) -> list[EegSample]:
    """Five minutes of a MindWave once a second: meditation settling from the 30s into the 60s with
    slow waves and noise, attention easing, and 15 s of a slipped headset (poor signal 200)."""
    import math
    import random

    rng = random.Random(seed)
    samples = []
    for t in range(300):
        if 100 <= t < 115:
            samples.append(EegSample(float(t), device="sim:thinkgear", poor_signal=200, attention=0, meditation=0))
            continue
        settle = min(1.0, t / 150)
        meditation = 35 + 30 * settle + 10 * math.sin(2 * math.pi * t / 45) + rng.gauss(0, 6)
        attention = 60 - 15 * settle + 8 * math.sin(2 * math.pi * t / 70) + rng.gauss(0, 7)
        samples.append(
            EegSample(
                float(t),
                device="sim:thinkgear",
                poor_signal=0 if rng.random() > 0.05 else 26,
                attention=round(min(100, max(1, attention))),
                meditation=round(min(100, max(1, meditation))),
            )
        )
    return samples


GAME = GameSpec(
    name="focus",
    title=N_("Focus: lantern"),
    movements=("meditation",),
    inputs=("thinkgear (MindWave EEG headset)", "replay", "sim"),
    description=N_("Sit comfortably and let your mind settle: the calmer you are, the higher the lantern rises."),
    factory=made_by("games.focus.rules:FocusGame"),
    renderer=drawn_by("games.focus.draw:draw_focus"),
    angle="meditation",
    rest_deg=0.0,
    target_deg=100.0,
    axes=(("attention", 0.0, 100.0), ("poor_signal", 0.0, 200.0)),
    kind="mental",
    play_s=5 * 60.0,
    simulate=simulate,
    read_sample=read_sample,
)
