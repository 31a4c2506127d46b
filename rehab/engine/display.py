"""Where frames go: an off-screen surface (headless, tests, benchmarks) or a real window.

Only this module touches ``pygame.display``; games and the HUD draw on whatever surface they get.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import pygame

SIZE = (960, 540)


class Display(Protocol):
    """What the frame loop (``rehab.engine.director``) needs of a screen."""

    #: the frame being drawn; shown by ``present``
    surface: pygame.Surface

    @property
    def quit_presses(self) -> int:
        """Esc counts one, closing the window two: a game may ask one last question on the first Esc."""
        ...

    def present(self) -> None:
        """Show the frame, and collect the keys pressed since the last one."""
        ...

    def forget_quit(self) -> None:
        """An Esc that left one screen (a questionnaire) is spent: the session after it goes on."""
        ...

    def quit_requested(self) -> bool: ...

    def pause_pressed(self) -> bool:
        """Whether the pause key was pressed since the last call."""
        ...

    def keys_pressed(self) -> list[str]:
        """Named keys ("up", "down", "enter") pressed since the last call."""
        ...

    def close(self) -> None: ...


class HeadlessDisplay:
    """Draws into memory. Works with no screen at all (SDL's dummy video driver)."""

    def __init__(self, size: tuple[int, int] = SIZE) -> None:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.font.init()
        self.surface = pygame.Surface(size)

    def present(self) -> None:
        """Nothing to show; the frame stays in memory for a screenshot."""

    def quit_requested(self) -> bool:
        return False

    @property
    def quit_presses(self) -> int:
        """A headless run that is told to quit (a test) leaves at once, like a closed window."""
        return 2 if self.quit_requested() else 0

    def pause_pressed(self) -> bool:
        return False

    def forget_quit(self) -> None:
        pass

    def keys_pressed(self) -> list[str]:
        """Keys pressed since the last call: none without a window."""
        return []

    def close(self) -> None:
        pass


class WindowDisplay:
    """A real window (or the full screen); Esc or closing the window ends the run, P pauses."""

    def __init__(self, size: tuple[int, int] = SIZE, title: str = "rehab", fullscreen: bool = False) -> None:
        pygame.display.init()
        pygame.font.init()
        # SCALED keeps the game's 960x540 layout and lets SDL scale it to any screen
        flags = pygame.SCALED | (pygame.FULLSCREEN if fullscreen else 0)
        try:
            self.surface = pygame.display.set_mode(size, flags)
        except pygame.error:
            # SCALED needs an SDL renderer, which can fail (no GPU driver, little memory): a plain
            # window of the game's own size still lets the patient play
            self.surface = pygame.display.set_mode(size, flags & ~pygame.SCALED)
        pygame.display.set_caption(title)
        self._quit = False
        #: Esc counts one, closing the window two: a game may ask one last question on the first Esc
        self.quit_presses = 0
        self._pause = False
        self._keys: list[str] = []

    def present(self) -> None:
        pygame.display.flip()
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
                self._quit = True
                self.quit_presses += 2 if event.type == pygame.QUIT else 1
            elif event.type == pygame.KEYDOWN and event.key in (pygame.K_p, pygame.K_SPACE):
                self._pause = True
            elif event.type == pygame.KEYDOWN and event.key in _NAMED_KEYS:
                self._keys.append(_NAMED_KEYS[event.key])
            elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
                # a click (or a tap on a touch screen) where it landed; screens with buttons use it
                self._keys.append(f"click:{event.pos[0]},{event.pos[1]}")

    def quit_requested(self) -> bool:
        return self._quit

    def forget_quit(self) -> None:
        self._quit = False
        self.quit_presses = 0

    def keys_pressed(self) -> list[str]:
        """Keys pressed since the last call by name ("up", "down", "enter", "left", "backspace",
        "0"-"9"), and left clicks as "click:X,Y"."""
        keys, self._keys = self._keys, []
        return keys

    def pause_pressed(self) -> bool:
        pressed, self._pause = self._pause, False
        return pressed

    def close(self) -> None:
        pygame.display.quit()


_DIGITS = (
    pygame.K_0,
    pygame.K_1,
    pygame.K_2,
    pygame.K_3,
    pygame.K_4,
    pygame.K_5,
    pygame.K_6,
    pygame.K_7,
    pygame.K_8,
    pygame.K_9,
)
_KEYPAD_DIGITS = (
    pygame.K_KP0,
    pygame.K_KP1,
    pygame.K_KP2,
    pygame.K_KP3,
    pygame.K_KP4,
    pygame.K_KP5,
    pygame.K_KP6,
    pygame.K_KP7,
    pygame.K_KP8,
    pygame.K_KP9,
)
_NAMED_KEYS = {
    pygame.K_UP: "up",
    pygame.K_w: "up",
    pygame.K_DOWN: "down",
    pygame.K_s: "down",
    pygame.K_RETURN: "enter",
    pygame.K_KP_ENTER: "enter",
    pygame.K_LEFT: "left",
    pygame.K_RIGHT: "right",
    # L stops sharing a live session with the physio (rehab.engine.live)
    pygame.K_l: "l",
    pygame.K_BACKSPACE: "backspace",
    # digits choose an answer by its value (questionnaires); other screens ignore them
    **{key: str(n) for n, key in enumerate(_DIGITS)},
    **{key: str(n) for n, key in enumerate(_KEYPAD_DIGITS)},
}


def has_screen() -> bool:
    """Whether a window can be opened here (a display server is reachable)."""
    if os.environ.get("SDL_VIDEODRIVER") in ("dummy", "offscreen"):
        return False
    # Windows and macOS have no display variable: a desktop session there always has a screen
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or os.name == "nt" or _is_macos()


def _is_macos() -> bool:
    import sys

    return sys.platform == "darwin"


def save_screenshot(surface: pygame.Surface, path: Path) -> None:
    """Save the frame owner-only (a game shows the patient's movements and name for the session),
    whole or not at all: into a fresh temporary file, then renamed over ``path``."""
    from rehab.core.private_files import make_private_folder, private_temp, replace_private

    make_private_folder(path.parent)
    with private_temp(path) as temp:
        with open(temp, "wb") as handle:
            pygame.image.save(surface, handle, path.name)  # the name says the format (PNG, JPEG)
        replace_private(temp, path)
