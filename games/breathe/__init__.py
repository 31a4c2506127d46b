"""Breathe: paced breathing with biofeedback. Registered in ``rehab.games`` as ``breathe``."""

from __future__ import annotations

from games.breathe.reader import CHANNEL, BreathReader
from rehab.core.i18n import N_
from rehab.engine.api import GameSpec, JointAngles, drawn_by, made_by

#: the rules' defaults (as in BreatheGame), for the simulated patient; a plan may change the pace
#: (4.5-6.5 a minute is resonance breathing)
PACE_BPM = 6.0
DURATION_S = 180.0
#: the stress questions before and after breathing wait up to 30 s each (BreatheGame's prompts)
QUESTIONS_S = 60.0


def simulate(side: str, seed: int) -> list[JointAngles]:
    """A tense patient: rates stress 7, breathes fast at first and settles towards the pacer with
    uneven breaths, a little tracker noise, then rates stress 3."""
    import math
    import random

    from games.breathe.rules import BreatheGame
    from rehab.engine.api import closed_loop

    rng = random.Random(seed)
    state = {"phase": 0.0, "last": 0.0, "cycle_rate": 9.0, "depth": 0.9}

    def patient(t: float, snap):  # type: ignore[no-untyped-def]
        if snap.phase == "done":
            return None
        if snap.phase in ("rate_before", "rate_after"):
            stress = 7.0 if snap.phase == "rate_before" else 3.0
            return {CHANNEL: 10.0 * stress + rng.gauss(0.0, 0.8)}
        dt, state["last"] = t - state["last"], t
        # from 9 a minute down to the 6 of the pacer over the first minute and a half
        settle = min(1.0, snap.t / 90.0)
        state["phase"] += dt * state["cycle_rate"] / 60.0
        if state["phase"] >= 1.0:  # a new breath: its own length and depth
            state["phase"] -= 1.0
            state["cycle_rate"] = (9.0 - 3.0 * settle) * rng.uniform(0.9, 1.1)
            state["depth"] = rng.uniform(0.75, 1.0)
        shape = 0.5 - 0.5 * math.cos(2 * math.pi * state["phase"])
        return {CHANNEL: 5.0 + 90.0 * state["depth"] * shape + rng.gauss(0.0, 1.5)}

    game = BreatheGame(pace_bpm=PACE_BPM, duration_s=DURATION_S)
    return closed_loop(game, [(CHANNEL, 0.0, 100.0), ("hand", 0.0, 100.0)], patient, seconds=DURATION_S + 90.0)


GAME = GameSpec(
    name="breathe",
    title=N_("Breathe"),
    movements=("breath",),
    inputs=("imu (chest strap, ?segment=trunk)", "webcam", "headset imu", "keyboard", "replay", "sim"),
    description=N_("Breathe with the circle: in as it grows, out as it shrinks. Six slow breaths a minute."),
    # the plan's breathing part may set the pace and length; hold_s means nothing to breathing
    factory=made_by("games.breathe.rules:BreatheGame", only=("pace_bpm", "duration_s")),
    renderer=drawn_by("games.breathe.draw:draw_breathe"),
    angle=CHANNEL,
    rest_deg=0.0,
    target_deg=100.0,
    axes=(("hand", 0.0, 100.0),),
    kind="mental",
    play_s=DURATION_S + QUESTIONS_S,
    simulate=simulate,
    reader_factory=BreathReader,
)
