"""Asking a 0-10 rating (pain) on screen, for a patient in front of the game window rather than a
terminal. Up and Down move the marker one step, Enter chooses, a click or a tap on the scale chooses
the value there, and with a camera a hand raised to a number and held there for ``HOVER_S`` chooses
it, as in the games' questions. Esc leaves it unanswered."""

from __future__ import annotations

import math
from collections.abc import Callable

import pygame

from rehab.core.clock import Clock
from rehab.core.i18n import N_, _
from rehab.engine.director import END, Keys, Scene, run_scenes
from rehab.engine.display import Display
from rehab.engine.ratings import HOVER_S, Prompt, Scale, hand_share, level_for

PAIN = Scale("pain", 0, 10, 1, N_("no pain"), N_("worst imaginable"))
#: unanswered after this long, the question is skipped (never forced)
TIMEOUT_S = 180.0

#: a hand level (``rehab.engine.ratings.hand_level``) at ``now``; NaN when no hand is seen
HandPointer = Callable[[float], float]


class RatingScene:
    """One question on a scale; ``answer`` holds the result when it ends. ``hand``: the camera's hand
    pointer, when the patient may answer by raising a hand (None: keys, clicks and taps only)."""

    name = "rating"

    def __init__(self, question: str, scale: Scale = PAIN, hand: HandPointer | None = None) -> None:
        # with keys the marker rests between presses, so resting must not choose: only a raised hand's
        # hold does (a hand resting by the side points at nothing)
        dwell = HOVER_S if hand is not None else math.inf
        self.prompt = Prompt(question, scale=scale, allow_stop=False, dwell_s=dwell, timeout_s=TIMEOUT_S)
        self.hand = hand
        self.step = scale.step / (scale.high - scale.low)
        self.pointer = level_for(scale, scale.low)
        #: a hand still up from the last answer must come down (or out of view) before it points here,
        #: so it cannot answer this question too without the patient meaning it
        self.hand_free = False
        self.now = 0.0
        #: the chosen value; None while unanswered, and when skipped
        self.answer: float | None = None

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        self.now = now
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
        pointing = self._hand_pointing(now)
        if not math.isnan(pointing):
            self.pointer = pointing  # the keys go on from where the hand was
        answer = self.prompt.update(dt, self.pointer, hold=not math.isnan(pointing))
        if answer is None:
            return None
        self.answer = answer.value if answer.kind == "value" else None
        return END

    def _hand_pointing(self, now: float) -> float:
        """The share of the scale a raised hand points at; NaN when it rests, is not seen, or has not
        yet come down since the question opened."""
        if self.hand is None:
            return math.nan
        share = hand_share(self.hand(now))
        if math.isnan(share):
            self.hand_free = True
        return share if self.hand_free else math.nan

    def draw(self, surface: pygame.Surface) -> None:
        from rehab.engine.hud import font, text
        from rehab.engine.palette import PALETTE
        from rehab.engine.rating_view import draw_prompt

        surface.fill(PALETTE.background_top)
        view = self.prompt.view()
        if self.hand is None:
            hint = _("Up / Down, then Enter, or tap the scale")
        elif view.dwell > 0:
            hint = _("Hold your hand still to choose")
        else:
            hint = _("Hold a hand up at your number, or Up / Down and Enter")
        panel = draw_prompt(surface, view, hint=hint)
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


def ask_on_screen(
    display: Display,
    clock: Clock,
    question: str,
    scale: Scale = PAIN,
    hand: HandPointer | None = None,
    around: Callable[[Scene], Scene] | None = None,
) -> float | None:
    """The chosen value, or None when the patient skips it (Esc) or does not answer in time.
    ``around``: runs the question under another scene (a live session's ``LiveBreak.around``)."""
    scene = RatingScene(question, scale, hand)
    run_scenes(clock, display, around(scene) if around is not None else scene)
    return scene.answer
