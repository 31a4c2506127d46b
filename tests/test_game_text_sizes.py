"""Every word a game draws in its own round is big enough to read and on the screen (issue 16, item 5):
a short round of each game (the simulator's movements, SDL's dummy drivers) from the instruction card
to the summary, at the default text size and at the largest the patient may choose. Each string given
to the engine's fonts is recorded with the box it was drawn in on the screen; each must be 24 px high
or more at the default size (the rendered line's height, as the card and home screen tests measure
it) and inside the screen at both sizes.

``REHAB_INGAME_SHOTS=folder`` saves a frame of play and the last frame of each round as PNGs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygame
import pytest

from rehab.app.home_screen.settings import LARGEST_SCALE
from rehab.engine.display import SIZE, HeadlessDisplay
from rehab.engine.hud import set_font_scale
from tests.drawn_words import DrawnWords

#: the smallest text allowed on a patient's screen, in pixels, at the default text size
SMALLEST = 24


@dataclass
class DrawnBoxes:
    """Each string rendered, and where on the screen it was put: ``DrawnWords`` notes the strings;
    the screen is a ``pygame.Surface`` whose ``blit`` notes the box of every rendered string it is
    given."""

    drawn: DrawnWords = field(default_factory=DrawnWords)
    boxes: list[tuple[str, pygame.Rect]] = field(default_factory=list)

    def screen(self) -> pygame.Surface:
        recorder = self

        class WatchedScreen(pygame.Surface):
            def blit(self, source: pygame.Surface, dest: Any, *args: Any, **kwargs: Any) -> pygame.Rect:
                words = recorder.words_of(source)
                if words is not None:
                    box = pygame.Rect(dest if len(dest) == 4 else (*dest, 0, 0))
                    recorder.boxes.append((words, pygame.Rect(box.topleft, source.get_size())))
                return super().blit(source, dest, *args, **kwargs)

        return WatchedScreen(SIZE)

    def words_of(self, image: pygame.Surface) -> str | None:
        # the rendered images are kept alive in ``drawn.images``, so an id is never reused
        return self.drawn.images.get(id(image))


def _round(game: str):
    from devices.replay import ReplaySource
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import SceneTimes
    from rehab.engine.scenes import PlayRules, Round

    info = available_games()[game]
    source = ReplaySource(info.simulate("left", 0), f"sim:{game}")
    rules = PlayRules(lambda rep: None, 6.0, None, False, None, notes="Hold a stable chair.")
    return Round.start_round(source, info, Exercise.for_game(info, "left"), SceneTimes(1.0, 1.0, 1.0), rules, {})


def _games() -> list[str]:
    from rehab.engine.game import available_games

    return sorted(available_games())


class _ShootingDisplay(HeadlessDisplay):
    """Saves every 60th frame (2 s of the simulated clock) as a PNG, to look at."""

    def __init__(self, folder: Path, name: str) -> None:
        super().__init__()
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.name, self.frames = folder, name, 0

    def present(self) -> None:
        self.frames += 1
        if self.frames % 60 == 0:
            pygame.image.save(self.surface, str(self.folder / f"{self.name}_{self.frames:05d}.png"))


def _play(game: str, scale: float) -> tuple[DrawnBoxes, pygame.Surface]:
    from rehab.core.clock import SimulatedClock
    from rehab.engine.director import run_scenes
    from rehab.engine.scenes import first_scene

    pygame.font.init()
    set_font_scale(scale)
    folder = os.environ.get("REHAB_INGAME_SHOTS")
    display = _ShootingDisplay(Path(folder), f"{game}_{scale:g}") if folder else HeadlessDisplay()
    watched = DrawnBoxes()
    display.surface = watched.screen()
    with watched.drawn:
        run_scenes(SimulatedClock(30), display, first_scene(_round(game)))
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pygame.image.save(display.surface, str(Path(folder) / f"{game}_{scale:g}_end.png"))
    return watched, display.surface


@pytest.mark.parametrize("scale", [1.0, LARGEST_SCALE], ids=["normal", "largest"])
@pytest.mark.parametrize("game", _games())
def test_every_word_of_a_round_is_24_px_or_more_and_on_the_screen(game, scale):
    watched, screen = _play(game, scale)
    assert watched.boxes, "the round drew words on the screen"
    small = sorted({(w, h) for w, _width, h in watched.drawn.sizes if w.strip() and h < SMALLEST})
    assert small == [], f"under {SMALLEST} px: {small}"
    outside = sorted({(w, tuple(b)) for w, b in watched.boxes if w.strip() and not screen.get_rect().contains(b)})
    assert outside == [], f"off the screen: {outside}"


def test_the_check_finds_small_text_and_text_off_the_screen():
    """The recorder sees a small word and a word half off the screen, where a game would draw them."""
    from rehab.engine.hud import text

    pygame.font.init()
    watched = DrawnBoxes()
    screen = watched.screen()
    with watched.drawn:
        text(screen, "tiny", 24, (255, 255, 255), (10, 10))
        text(screen, "edge", 40, (255, 255, 255), (SIZE[0] - 5, 10))
    assert [h < SMALLEST for w, _width, h in watched.drawn.sizes] == [True, False]
    assert [screen.get_rect().contains(b) for _w, b in watched.boxes] == [True, False]
