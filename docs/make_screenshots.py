"""Renders the README's screenshots and every game's own screens, to look at.

``docs/screenshots/``: every game on its simulated patient, at a moment that shows the game in
action, saved at half size (480 x 270) to keep the repository small.

``docs/ingame/``: a short round of every game through the real scenes (the instruction card, the
countdown, play, a mental game's question, the summary) on its simulated patient with seed 0, at
the three looks a patient may choose: the normal palette, high contrast and the largest text.
Saved as ``<game>_<screen>_<look>.png`` at the game's own size (960 x 540) in 256 colours, as
make_web_screenshots.py saves the web pages: about 14 kB a picture instead of 30; see docs/games.md.
The guided session's own screens (the pain question, its closing cards) are saved there too, as
``session_<screen>_<look>.png``.

Run with ``make screenshots``; look at every picture before committing it. No network, no camera:
the input is each game's simulator.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

OUT = Path(__file__).resolve().parent / "screenshots"
INGAME = Path(__file__).resolve().parent / "ingame"
#: seconds into play at which each game is pictured
MOMENTS = {
    "lift": 8.3,
    "reach": 6.0,
    "tilt": 10.0,
    "squat": 10.0,
    "neck": 7.5,
    "breathe": 30.0,
    "exposure": 30.0,
    "focus": 30.0,
}
#: the looks of docs/ingame: name, high contrast, font scale (None: the largest a patient may choose)
LOOKS: tuple[tuple[str, bool, float | None], ...] = (
    ("normal", False, 1.0),
    ("high_contrast", True, 1.0),
    ("largest", False, None),
)
#: seconds of the instruction card, the countdown and the summary in docs/ingame's rounds
INGAME_TIMES = (3.0, 1.0, 2.0)
#: seconds into the instruction card at which it is pictured
CARD_AT = 1.0
#: notes of a plan, shown on the card as a real plan's are
NOTES = "Hold a stable chair."


def main() -> int:
    import pygame

    from devices.replay import ReplaySource
    from rehab.core.clock import SimulatedClock
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import play

    OUT.mkdir(exist_ok=True)
    for name, info in sorted(available_games().items()):
        moment = MOMENTS.get(name, 8.0)
        with tempfile.TemporaryDirectory() as folder:
            full = Path(folder) / "full.png"
            play(
                ReplaySource(info.simulate("left", 0), f"sim:{name}"),
                info,
                Exercise.for_game(info, "left"),
                SimulatedClock(),
                HeadlessDisplay(),
                on_rep=lambda rep: None,
                max_seconds=moment + 0.1,
                screenshot=full,
                screenshot_at=moment,
                seed=0,
            )
            small = pygame.transform.smoothscale(pygame.image.load(str(full)), (480, 270))
            pygame.image.save(small, str(OUT / f"{name}.png"))
        print(OUT / f"{name}.png")
    for old in INGAME.glob("*.png"):
        old.unlink()  # a screen a game no longer shows must not stay in the docs
    for name in sorted(available_games()):
        for path in ingame_round(name):
            print(path)
    for path in session_screens():
        print(path)
    return 0


def ingame_round(name: str) -> list[Path]:
    """One round of the game ``name`` at each look; the screens pictured, saved in INGAME."""
    from rehab.app.home_screen.settings import LARGEST_SCALE
    from rehab.engine.hud import set_font_scale
    from rehab.engine.palette import use_high_contrast

    saved: list[Path] = []
    for look, high_contrast, scale in LOOKS:
        use_high_contrast(high_contrast)
        set_font_scale(LARGEST_SCALE if scale is None else scale)
        try:
            shots = _shots_of_a_round(name)
        finally:
            use_high_contrast(False)
            set_font_scale(1.0)
        saved += _save(name, look, shots)
    return saved


def session_screens() -> list[Path]:
    """The guided session's own screens at each look, saved in INGAME as ``session_<screen>_<look>.png``:
    the pain question, and the closing cards of a session complete, stopped for pain and not started
    (pain too high), with the words a session of tests/test_session_cards.py's plan puts on them."""
    from rehab.app.home_screen.settings import LARGEST_SCALE
    from rehab.engine.hud import set_font_scale
    from rehab.engine.palette import use_high_contrast

    saved: list[Path] = []
    for look, high_contrast, scale in LOOKS:
        use_high_contrast(high_contrast)
        set_font_scale(LARGEST_SCALE if scale is None else scale)
        try:
            shots = _session_shots()
        finally:
            use_high_contrast(False)
            set_font_scale(1.0)
        saved += _save("session", look, shots)
    return saved


def _session_shots() -> dict[str, Any]:
    """Each screen drawn once on a 960 x 540 surface; a card of more than one page, every page (the
    second as ``<screen>_page2``)."""
    import pygame

    from rehab.app.session_cards import end_card
    from rehab.app.session_runner import ExerciseResult, SessionResult
    from rehab.engine.message_card import draw_page, layout
    from rehab.engine.rating_screen import RatingScene

    pygame.font.init()
    size = (960, 540)
    shots: dict[str, Any] = {}
    surface = pygame.Surface(size)
    RatingScene("How much pain do you have now?").draw(surface)
    shots["pain"] = surface
    squat = ExerciseResult("Mini-squat", "knee_flexion", 40.0, reps=3, successes=2)
    # the messages session_runner gives these endings, with this plan's numbers
    results = {
        "complete": SessionResult("completed", 1, 2.0, 3.0, [squat]),
        "stopped": SessionResult(
            "stopped_for_pain",
            1,
            3.0,
            exercises=[squat],
            message="Your pain went from 3 to 5 out of 10, so we stopped here to keep you safe. Everything you "
            "did is saved. Rest, and tell your physiotherapist if the pain does not settle.",
        ),
        "rest": SessionResult(
            "not_started",
            1,
            8.0,
            message="Your pain is 8 out of 10. Your plan says not to exercise when it is above 6: rest today, "
            "and tell your physiotherapist if it stays this high.",
        ),
    }
    for screen, result in results.items():
        for page, rows in enumerate(layout(end_card(result), size), start=1):
            surface = pygame.Surface(size)
            draw_page(surface, rows)
            shots[screen if page == 1 else f"{screen}_page{page}"] = surface
    return shots


def _shots_of_a_round(name: str) -> dict[str, Any]:
    """The card, play at the game's moment, the first and the last question (if it asks any) and
    the last frame (the summary), of a round run headless on a simulated clock at 30 frames a second."""
    import pygame

    from devices.replay import ReplaySource
    from rehab.core.clock import SimulatedClock
    from rehab.engine.director import run_scenes
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import SceneTimes
    from rehab.engine.scenes import PlayRules, Round, first_scene

    pygame.font.init()
    info = available_games()[name]
    moment = MOMENTS.get(name, 8.0)
    source = ReplaySource(info.simulate("left", 0), f"sim:{name}")
    rules = PlayRules(lambda rep: None, moment + 1.0, None, False, None, notes=NOTES)
    times = SceneTimes(*INGAME_TIMES)
    state = Round.start_round(source, info, Exercise.for_game(info, "left"), times, rules, {"seed": 0})
    shots: dict[str, Any] = {}
    asked: list[Any] = []
    asking: list[str | None] = [None]

    class Photographer(HeadlessDisplay):
        """Keeps a copy of the frames to picture; ``present`` is called once a frame."""

        def present(self) -> None:
            if state.start is None:
                return
            in_play = state.since_start >= state.lead_in and not state.result.ended
            if state.since_start < state.instructions_s and state.since_start >= CARD_AT:
                shots.setdefault("instructions", self.surface.copy())
            if in_play and state.played_s >= moment:
                shots.setdefault("play", self.surface.copy())
            # each question's first frame: a question is new when its words differ from the last frame's
            prompt = getattr(state.game.snapshot(), "prompt", None)
            question = getattr(prompt, "question", None) if in_play and prompt is not None else None
            if question is not None and question != asking[0]:
                asked.append(self.surface.copy())
            asking[0] = question

    display = Photographer()
    run_scenes(SimulatedClock(30), display, first_scene(state))
    if asked:
        shots["question"] = asked[0]
    if len(asked) > 1:
        shots["last_question"] = asked[-1]
    shots["summary"] = display.surface.copy()
    return shots


def _save(name: str, look: str, shots: dict[str, Any]) -> list[Path]:
    """Each shot as a PNG of 256 colours (median cut, no dithering: the flat colours and the text
    stay as drawn; a sky's gradient may show faint bands)."""
    import pygame
    from PIL import Image

    INGAME.mkdir(exist_ok=True)
    saved = []
    for screen, surface in shots.items():
        path = INGAME / f"{name}_{screen}_{look}.png"
        image = Image.frombytes("RGB", surface.get_size(), pygame.image.tobytes(surface, "RGB"))
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
        saved.append(path)
    return saved


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
