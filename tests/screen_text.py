"""Reading rendered frames in tests: whether a frame shows given words, pixel for pixel, and a real
SDL window (the dummy video driver, set by ``conftest.py``) whose patient presses keys through
pygame's own event queue.

Words are checked by rendering them the way the engine does (``rehab.engine.hud.text``: the same
font, size, colour and anti-aliasing) onto the background they sit on, and comparing that picture
with the frame's pixels where they should be: no OCR, and a word changed by one letter fails.
"""

from __future__ import annotations

import numpy as np
import pygame

from rehab.engine.display import WindowDisplay
from rehab.engine.hud import font
from rehab.engine.palette import contrast

Color = tuple[int, int, int]
#: WCAG 2's contrast ratio, as the games use it to pick their text colours
contrast_ratio = contrast


def words_picture(words: str, size: int, color: Color, background: Color) -> np.ndarray:
    """The pixels ``words`` take when drawn at ``size`` in ``color`` on ``background``."""
    image = font(size).render(words, True, color)
    tile = pygame.Surface(image.get_size())
    tile.fill(background)
    tile.blit(image, (0, 0))
    return pygame.surfarray.array3d(tile)


def shows_at(frame: pygame.Surface, words: str, size: int, color: Color, background: Color, topleft) -> bool:
    """Whether ``frame`` shows ``words`` drawn with their top-left corner at ``topleft``."""
    picture = words_picture(words, size, color, background)
    left, top = topleft
    w, h = picture.shape[:2]
    if left < 0 or top < 0 or left + w > frame.get_width() or top + h > frame.get_height():
        return False
    region = pygame.surfarray.array3d(frame)[left : left + w, top : top + h]
    return bool(np.array_equal(region, picture))


def centred_row_top(frame: pygame.Surface, words: str, size: int, color: Color, background: Color) -> int | None:
    """The top of the line that shows ``words`` centred across ``frame``, or None when none does."""
    picture = words_picture(words, size, color, background)
    w, h = picture.shape[:2]
    left = (frame.get_width() - w) // 2
    pixels = pygame.surfarray.array3d(frame)
    for top in range(0, frame.get_height() - h + 1):
        if np.array_equal(pixels[left : left + w, top : top + h], picture):
            return top
    return None


class PatientAtWindow(WindowDisplay):
    """A real window (SDL's dummy driver) whose patient presses keys: from frame ``press_from`` on,
    an Enter key-down (or ``event``) is posted to pygame's event queue before every frame is
    presented, so the program reads it as it would a real key. ``watch(frame_number)`` is called
    at every frame; the last frame drawn is kept in ``last``."""

    def __init__(self, press_from: int | None = None, event: pygame.event.Event | None = None, watch=None) -> None:
        super().__init__()
        self.press_from = press_from
        self.event = event or pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN)
        self.watch = watch
        self.frames = 0
        self.last: pygame.Surface | None = None

    def present(self) -> None:
        self.frames += 1
        if self.press_from is not None and self.frames >= self.press_from:
            pygame.event.post(self.event)
        self.last = self.surface.copy()
        if self.watch is not None:
            self.watch(self.frames)
        super().present()
