"""Asking a 0-10 rating (pain) on screen, for a patient in front of the game window rather than a
terminal. Up and Down move the marker one step, Enter chooses, Esc leaves it unanswered."""

from __future__ import annotations

import math
from typing import Any

from rehab.core.clock import Clock
from rehab.engine.ratings import Prompt, Scale, level_for

PAIN = Scale("pain", 0, 10, 1, "no pain", "worst imaginable")
#: unanswered after this long, the question is skipped (never forced)
TIMEOUT_S = 180.0


def ask_on_screen(display: Any, clock: Clock, question: str, scale: Scale = PAIN) -> float | None:
    """The chosen value, or None when the patient skips it (Esc) or does not answer in time."""
    from rehab.engine.hud import text
    from rehab.engine.palette import PALETTE
    from rehab.engine.rating_view import draw_prompt

    # only Enter chooses: with keys, the marker rests between presses, so resting must not choose
    prompt = Prompt(question, scale=scale, allow_stop=False, dwell_s=math.inf, timeout_s=TIMEOUT_S)
    step = scale.step / (scale.high - scale.low)
    pointer = level_for(scale, scale.low)
    previous = clock.now()
    while True:
        now = clock.now()
        for key in display.keys_pressed():
            if key == "up":
                pointer = min(1.0, pointer + step)
            elif key == "down":
                pointer = max(0.0, pointer - step)
            elif key == "enter":
                return float(prompt.value_of(pointer))
        if display.quit_requested():
            return None
        answer = prompt.update(now - previous, pointer)
        previous = now
        if answer is not None:
            return answer.value if answer.kind == "value" else None
        surface = display.surface
        surface.fill(PALETTE.background_top)
        draw_prompt(surface, prompt.view(), hint="Up / Down, then Enter")
        width, height = surface.get_size()
        text(surface, "Esc skips the question", 30, PALETTE.muted, (width // 2, height - 40), "midbottom")
        display.present()
