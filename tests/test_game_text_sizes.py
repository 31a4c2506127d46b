"""Every word a game draws in its own round is big enough to read and on the screen (issue 16, item 5):
a short round of each game (the simulator's movements, SDL's dummy drivers) from the instruction card
to the summary, at the default text size and at the largest the patient may choose. Each string given
to the engine's fonts is recorded with the box it was drawn in on the screen; each must be 24 px high
or more at the default size (the rendered line's height, as the card and home screen tests measure
it) and inside the screen at both sizes, and no two strings' letters may touch where both are still
seen when the frame is finished (a word under a panel drawn over it is hidden, not overlapped).
Every third of a second, each string seen is measured against what is behind it on the finished
frame: 4.5:1 or more (WCAG 2), in the normal palette, at the largest size and in high contrast.

``REHAB_INGAME_SHOTS=folder`` saves a frame of play and the last frame of each round as PNGs.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pygame
import pytest

from rehab.app.home_screen.settings import LARGEST_SCALE
from rehab.engine.display import SIZE, HeadlessDisplay
from rehab.engine.hud import set_font_scale
from tests.drawn_words import DrawnWords

#: the smallest text allowed on a patient's screen, in pixels, at the default text size
SMALLEST = 24
#: seconds of play: 6, and long enough for breathe to show its rate ("8.9 a minute (aim 6)" ran off
#: the screen at the largest size, unseen while the round was too short to have a rate)
PLAY_S = {"breathe": 25.0}
#: WCAG 2's contrast for text, measured on every 10th finished frame (a third of a second)
LEAST_CONTRAST, CONTRAST_EVERY = 4.5, 10
#: a score's "+1" rises from a popped balloon or a landed cup and fades into the sky: a celebration
#: drawn at full contrast first, whose number the HUD shows too; only these may fade
FADING = re.compile(r"\+\d+")
#: a string drawn on the screen: its words, its image and where the image's top left went
Drawn = tuple[str, pygame.Surface, tuple[int, int]]


@dataclass
class DrawnBoxes:
    """Each string rendered, and where on the screen it was put: ``DrawnWords`` notes the strings;
    the screen is a ``pygame.Surface`` whose ``blit`` notes the box of every rendered string it is
    given."""

    drawn: DrawnWords = field(default_factory=DrawnWords)
    boxes: list[tuple[str, pygame.Rect]] = field(default_factory=list)
    #: the strings of the frame being drawn: each with its image and where it went
    this_frame: list[Drawn] = field(default_factory=list)
    #: pairs of strings whose letters crossed on a finished frame, both still to be seen
    crossed: set[tuple[str, str]] = field(default_factory=set)
    #: each string seen on a measured frame, and the lowest contrast it had with what was behind it
    contrast: dict[str, float] = field(default_factory=dict)
    #: see-through layers (a veil that dims the game under a countdown or a pause) put on the frame:
    #: each with how many strings were drawn before it, and where it went
    veils: list[tuple[int, pygame.Rect]] = field(default_factory=list)
    frame: int = 0

    def screen(self) -> pygame.Surface:
        recorder = self

        class WatchedScreen(pygame.Surface):
            def blit(self, source: pygame.Surface, dest: Any, *args: Any, **kwargs: Any) -> pygame.Rect:
                words = recorder.words_of(source)
                if words is not None:
                    box = pygame.Rect(dest if len(dest) == 4 else (*dest, 0, 0))
                    recorder.boxes.append((words, pygame.Rect(box.topleft, source.get_size())))
                    recorder.this_frame.append((words, source, box.topleft))
                elif source.get_flags() & pygame.SRCALPHA or source.get_alpha() is not None:
                    at = pygame.Rect(dest if len(dest) == 4 else (*dest, 0, 0)).topleft
                    recorder.veils.append((len(recorder.this_frame), pygame.Rect(at, source.get_size())))
                return super().blit(source, dest, *args, **kwargs)

        return WatchedScreen(SIZE)

    def end_frame(self, screen: pygame.Surface) -> None:
        self.crossed |= crossing_words(self.this_frame, screen)
        if self.frame % CONTRAST_EVERY == 0:
            # a string under a veil drawn after it is dimmed on purpose (the game behind a countdown)
            veiled = {
                n
                for n, (_w, image, topleft) in enumerate(self.this_frame)
                if any(after > n and veil.colliderect(topleft, image.get_size()) for after, veil in self.veils)
            }
            for words, ratio in contrasts(self.this_frame, screen, veiled).items():
                self.contrast[words] = min(ratio, self.contrast.get(words, ratio))
        self.this_frame, self.veils = [], []
        self.frame += 1

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
    rules = PlayRules(lambda rep: None, PLAY_S.get(game, 6.0), None, False, None, notes="Hold a stable chair.")
    # seed 0: where reach's balloons appear is the same every run, so is what is drawn where
    times = SceneTimes(1.0, 1.0, 1.0)
    return Round.start_round(source, info, Exercise.for_game(info, "left"), times, rules, {"seed": 0})


def _games() -> list[str]:
    from rehab.engine.game import available_games

    return sorted(available_games())


class _CountingDisplay(HeadlessDisplay):
    """Tells the recorder when a frame is done; with a folder, saves every 60th frame (2 s of the
    simulated clock) as a PNG, to look at."""

    def __init__(self, watched: DrawnBoxes, folder: Path | None, name: str) -> None:
        super().__init__()
        self.watched, self.folder, self.name = watched, folder, name
        self.surface = watched.screen()

    def present(self) -> None:
        self.watched.end_frame(self.surface)
        if self.folder and self.watched.frame % 60 == 0:
            self.folder.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.surface, str(self.folder / f"{self.name}_{self.watched.frame:05d}.png"))


def _play(game: str, scale: float) -> tuple[DrawnBoxes, pygame.Surface]:
    from rehab.core.clock import SimulatedClock
    from rehab.engine.director import run_scenes
    from rehab.engine.scenes import first_scene

    pygame.font.init()
    set_font_scale(scale)
    folder = os.environ.get("REHAB_INGAME_SHOTS")
    watched = DrawnBoxes()
    display = _CountingDisplay(watched, Path(folder) if folder else None, f"{game}_{scale:g}")
    with watched.drawn:
        run_scenes(SimulatedClock(30), display, first_scene(_round(game)))
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pygame.image.save(display.surface, str(Path(folder) / f"{game}_{scale:g}_end.png"))
    return watched, display.surface


def _luminance(pixels: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB pixels (the last axis holds red, green and blue)."""
    c = pixels / 255.0
    linear = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrasts(drawn: list[Drawn], screen: pygame.Surface, veiled: Collection[int] = ()) -> dict[str, float]:
    """Each string seen on a finished frame, and its contrast with what is behind it: the colour of
    its letters against the screen's pixels in its box away from any letters, the tenth percentile
    (a thin line of the scene crossing behind a word does not fail it; a word over a light sky does).
    The strings numbered in ``veiled`` are left out."""
    found: dict[str, float] = {}
    for n, (words, image, topleft) in enumerate(drawn):
        box = pygame.Rect(topleft, image.get_size()).clip(screen.get_rect())
        letters = _letters(image)
        if n in veiled or not words.strip() or not box.width or not box.height or not letters.any():
            continue
        seen = _seen(n, drawn, box, screen)
        if seen.sum() < 0.2 * letters.sum():
            continue  # under a panel
        colour = np.median(pygame.surfarray.array3d(image)[letters], axis=0)
        any_letters = np.zeros(box.size, bool)
        for other in drawn:
            any_letters |= _paint(box, other, _letters(other[1]))
        near_letters = any_letters.copy()
        for dx in range(-2, 3):
            for dy in range(-2, 3):
                near_letters |= np.roll(np.roll(any_letters, dx, 0), dy, 1)
        behind = pygame.surfarray.array3d(screen)[box.left : box.right, box.top : box.bottom][~near_letters]
        if len(behind) < 20:
            continue  # a word in a box of its own size: nothing to measure it against
        text_l, behind_l = _luminance(colour), _luminance(behind.astype(float))
        ratios = (np.maximum(text_l, behind_l) + 0.05) / (np.minimum(text_l, behind_l) + 0.05)
        found[words] = min(float(np.percentile(ratios, 10)), found.get(words, math.inf))
    return found


@pytest.mark.parametrize("look", ["normal", "largest", "high contrast"])
@pytest.mark.parametrize("game", _games())
def test_every_word_of_a_round_is_big_on_the_screen_clear_of_the_others_and_at_4_5_to_1(game, look):
    from rehab.engine.palette import use_high_contrast

    use_high_contrast(look == "high contrast")  # the conftest puts the normal palette back
    scale = LARGEST_SCALE if look == "largest" else 1.0
    watched, screen = _play(game, scale)
    assert watched.boxes, "the round drew words on the screen"
    small = sorted({(w, h) for w, _width, h in watched.drawn.sizes if w.strip() and h < SMALLEST})
    assert small == [], f"under {SMALLEST} px: {small}"
    outside = sorted({(w, tuple(b)) for w, b in watched.boxes if w.strip() and not screen.get_rect().contains(b)})
    assert outside == [], f"off the screen: {outside}"
    assert watched.frame > 100, "the round ran"
    assert sorted(watched.crossed) == [], "words over words"
    low = sorted(
        (w, round(r, 2)) for w, r in watched.contrast.items() if r < LEAST_CONTRAST and not FADING.fullmatch(w)
    )
    assert len(watched.contrast) > 5 and low == [], f"under {LEAST_CONTRAST}:1 against what is behind them"


def _letters(image: pygame.Surface) -> np.ndarray:
    """Where the image's letters are: its solid pixels (a string rendered on a box of its own colour:
    the pixels unlike the box's corner)."""
    if image.get_flags() & pygame.SRCALPHA:
        return pygame.surfarray.pixels_alpha(image) > 200
    pixels = pygame.surfarray.array3d(image)
    return np.any(pixels != pixels[0, 0], axis=2)


def _paint(area: pygame.Rect, words: Drawn, mask: np.ndarray) -> np.ndarray:
    """An ``area``-sized mask with the string's own ``mask`` (its image's size) put where it was drawn."""
    _text, image, topleft = words
    placed = np.zeros(area.size, bool)
    box = pygame.Rect(topleft, image.get_size()).clip(area)
    if box.width and box.height:
        placed[box.left - area.left : box.right - area.left, box.top - area.top : box.bottom - area.top] = mask[
            box.left - topleft[0] : box.right - topleft[0], box.top - topleft[1] : box.bottom - topleft[1]
        ]
    return placed


def _seen(n: int, drawn: list[Drawn], area: pygame.Rect, screen: pygame.Surface) -> np.ndarray:
    """Which of string ``n``'s letter pixels inside ``area`` the finished frame still shows in the
    string's colour, leaving out the pixels any later string put its own letters on (they may be
    the same colour: a word hidden under a panel must not look seen through another's letters)."""
    _text, image, topleft = drawn[n]
    colour_ok = np.zeros(image.get_size(), bool)
    box = pygame.Rect(topleft, image.get_size()).clip(screen.get_rect())
    inside = (slice(box.x - topleft[0], box.right - topleft[0]), slice(box.y - topleft[1], box.bottom - topleft[1]))
    shown = pygame.surfarray.array3d(screen)[box.left : box.right, box.top : box.bottom].astype(int)
    # SDL's blending may put a solid pixel 1 off its colour
    colour_ok[inside] = np.all(abs(shown - pygame.surfarray.array3d(image)[inside]) <= 3, axis=2)
    seen = _paint(area, drawn[n], _letters(image) & colour_ok)
    for later in drawn[n + 1 :]:
        seen &= ~_paint(area, later, _letters(later[1]))
    return seen


def crossing_words(drawn: list[Drawn], screen: pygame.Surface) -> set[tuple[str, str]]:
    """Pairs of different strings of a finished frame whose seen letters come within 2 px of each
    other, each with a fifth of its letters or more still seen: a string hidden under a panel drawn
    later is not an overlap, nor a string drawn twice as its own shadow."""
    boxes = [pygame.Rect(topleft, image.get_size()) for _w, image, topleft in drawn]
    found: set[tuple[str, str]] = set()
    for n, (first, first_image, _topleft) in enumerate(drawn):
        for m in range(n + 1, len(drawn)):
            second, second_image, _at = drawn[m]
            if first == second or not first.strip() or not second.strip():
                continue
            if not boxes[n].inflate(4, 4).colliderect(boxes[m]):
                continue
            area = boxes[n].union(boxes[m]).inflate(4, 4)
            seen_first, seen_second = _seen(n, drawn, area, screen), _seen(m, drawn, area, screen)
            if seen_first.sum() < 0.2 * _letters(first_image).sum():
                continue
            if seen_second.sum() < 0.2 * _letters(second_image).sum():
                continue
            near = np.zeros_like(seen_first)
            for dx in range(-2, 3):
                for dy in range(-2, 3):
                    near |= np.roll(np.roll(seen_first, dx, 0), dy, 1)
            if (near & seen_second).any():
                found.add((first, second) if first < second else (second, first))
    return found


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


def test_the_check_finds_words_over_words_but_not_a_shadow():
    from rehab.engine.hud import text

    pygame.font.init()
    watched = DrawnBoxes()
    screen = watched.screen()
    with watched.drawn:
        text(screen, "Bend your knee", 40, (0, 0, 0), (102, 102))
        text(screen, "Bend your knee", 40, (255, 255, 255), (100, 100))  # its shadow
        text(screen, "far away", 40, (255, 255, 255), (100, 400))
        text(screen, "under the card", 40, (255, 255, 255), (100, 600))
        screen.fill((40, 40, 40), pygame.Rect(90, 590, 500, 60))  # a card over it
        text(screen, "on the card", 40, (255, 255, 255), (100, 600))
        assert crossing_words(watched.this_frame, screen) == set()
        text(screen, "Reps 3", 40, (255, 255, 255), (150, 110))
    assert crossing_words(watched.this_frame, screen) == {("Bend your knee", "Reps 3")}


@pytest.mark.parametrize("camera", [False, True], ids=["keys", "camera"])
@pytest.mark.parametrize("look", ["normal", "largest", "high contrast"])
def test_the_pain_question_is_clear_at_every_look(look, camera):
    """The session's pain question on the window (not a game's): at 1.5x its how-to line, longer
    since a tap answers too, wraps and ran under 'Esc skips the question' (checked here; that
    'worst imaginable' no longer runs into the ring, a drawing and not words, was checked by eye)."""
    from rehab.engine.palette import use_high_contrast
    from rehab.engine.rating_screen import RatingScene

    pygame.font.init()
    use_high_contrast(look == "high contrast")
    set_font_scale(LARGEST_SCALE if look == "largest" else 1.0)
    watched = DrawnBoxes()
    screen = watched.screen()
    with watched.drawn:
        # with a camera, its longest how-to line: a hand may answer, none is raised yet
        RatingScene("How much pain do you have now?", hand=(lambda now: math.nan) if camera else None).draw(screen)
    rows = watched.drawn.rows()
    assert "Esc skips the question" in rows and any(row.startswith("worst") for row in rows)
    assert any(row.startswith("Hold a hand up") for row in rows) == camera
    assert crossing_words(watched.this_frame, screen) == set()
    assert [w for w, b in watched.boxes if not screen.get_rect().contains(b)] == []
    low = {w: round(r, 2) for w, r in contrasts(watched.this_frame, screen).items() if r < LEAST_CONTRAST}
    assert low == {}
