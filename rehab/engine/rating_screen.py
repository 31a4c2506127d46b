"""Asking a 0-10 rating (pain) on screen, for a patient in front of the game window rather than a
terminal. Up and Down move the marker one step, Enter chooses, a click or a tap on the scale chooses
the value there, Esc leaves it unanswered."""

from __future__ import annotations

import math

import pygame

from rehab.core.clock import Clock
from rehab.core.i18n import N_, _
from rehab.engine.director import END, Keys, Scene, run_scenes
from rehab.engine.display import Display
from rehab.engine.ratings import Prompt, Scale, level_for

PAIN = Scale("pain", 0, 10, 1, N_("no pain"), N_("worst imaginable"))
#: unanswered after this long, the question is skipped (never forced)
TIMEOUT_S = 180.0


class RatingScene:
    """One question on a scale, answered with the keys; ``answer`` holds the result when it ends."""

    name = "rating"

    def __init__(self, question: str, scale: Scale = PAIN) -> None:
        # only Enter chooses: with keys, the marker rests between presses, so resting must not choose
        self.prompt = Prompt(question, scale=scale, allow_stop=False, dwell_s=math.inf, timeout_s=TIMEOUT_S)
        self.step = scale.step / (scale.high - scale.low)
        self.pointer = level_for(scale, scale.low)
        #: the chosen value; None while unanswered, and when skipped
        self.answer: float | None = None

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        for key in keys.pressed:
            if key == "up":
                self.pointer = min(1.0, self.pointer + self.step)
            elif key == "down":
                self.pointer = max(0.0, self.pointer - self.step)
            elif key == "enter":
                self.answer = float(self.prompt.value_of(self.pointer))
                return END
            elif key.startswith("click:"):
                tapped = _tapped_level(key)
                if tapped is not None:  # a tap is as explicit a choice as Enter
                    self.answer = float(self.prompt.value_of(tapped))
                    return END
        answer = self.prompt.update(dt, self.pointer)
        if answer is None:
            return None
        self.answer = answer.value if answer.kind == "value" else None
        return END

    def draw(self, surface: pygame.Surface) -> None:
        from rehab.engine.hud import font, text
        from rehab.engine.palette import PALETTE
        from rehab.engine.rating_view import draw_prompt

        surface.fill(PALETTE.background_top)
        panel = draw_prompt(surface, self.prompt.view(), hint=_("Up / Down, then Enter, or tap the scale"))
        width, height = surface.get_size()
        # under the panel, which grows when its how-to line wraps (the largest text)
        tall = font(30).size(_("Esc skips the question"))[1]
        top = min(max(panel.bottom + 4, height - 40 - tall), height - tall)
        text(surface, _("Esc skips the question"), 30, PALETTE.muted, (width // 2, top), "midtop")

    def on_quit(self, presses: int) -> bool:
        self.answer = None  # Esc skips the question
        return True


def _tapped_level(click: str) -> float | None:
    from rehab.engine.rating_view import level_at

    x, y = (int(v) for v in click.removeprefix("click:").split(","))
    return level_at((x, y))


def ask_on_screen(display: Display, clock: Clock, question: str, scale: Scale = PAIN) -> float | None:
    """The chosen value, or None when the patient skips it (Esc) or does not answer in time."""
    scene = RatingScene(question, scale)
    run_scenes(clock, display, scene)
    return scene.answer
