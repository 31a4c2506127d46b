"""A message card: words the patient must see (a safety stop, the end of a session, a problem),
kept on screen until they close it, never flashed or left in a terminal.

The card is laid out in pixels, not characters, so it fits whatever the font scale: lines are
wrapped to the width they really take, and a card too long for one screen is split into pages, each
closed in turn. Keys pressed before the card appeared (a last Enter on the screen before) do not
close it: a key counts only once the card has been up for ``GUARD_S``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from rehab.core.clock import Clock
from rehab.core.i18n import N_, _
from rehab.engine.director import END, Keys, Scene, run_scenes
from rehab.engine.display import Display
from rehab.engine.hud import font, text, wrap_to_width
from rehab.engine.palette import PALETTE, Color

#: seconds a card shows before a key closes it
GUARD_S = 0.5
#: text sizes (pygame points; the default font's line is about two thirds of that in pixels, so the
#: smallest, 36, is 24 px high at the default scale)
TITLE_SIZE, WARNING_SIZE, LINE_SIZE, FOOTER_SIZE = 64, 40, 40, 36
MARGIN = 48
CLOSE_HINT = N_("Press Enter, or click, to close")
MORE_HINT = N_("Press Enter, or click, for more")


@dataclass(frozen=True)
class Card:
    """A title, an optional warning (safety words, drawn first and in the warning colour) and lines."""

    title: str
    lines: tuple[str, ...] = ()
    warning: str = ""


@dataclass(frozen=True)
class TextRow:
    """One line of text where it is drawn: its words, size, colour and box on the screen."""

    words: str
    size: int
    color: Color
    rect: tuple[int, int, int, int]  # left, top, width, height


def layout(card: Card, size: tuple[int, int]) -> list[list[TextRow]]:
    """The card's pages: rows of text placed centred on a ``size`` screen, each page ending with a
    hint line saying how to go on."""
    width, height = size
    usable = width - 2 * MARGIN
    body: list[tuple[str, int, Color, int]] = []  # words, size, colour, space above
    for row, words in enumerate(wrap_to_width(card.warning, WARNING_SIZE, usable)):
        body.append((words, WARNING_SIZE, PALETTE.target, 0 if row else 8))
    for line in card.lines:
        for row, words in enumerate(wrap_to_width(line, LINE_SIZE, usable)):
            body.append((words, LINE_SIZE, PALETTE.text, 0 if row else 10))
    title_rows = wrap_to_width(card.title, TITLE_SIZE, usable)
    footer_h = font(FOOTER_SIZE).get_linesize()
    pages: list[list[TextRow]] = []
    while True:
        y = 28
        page: list[TextRow] = []
        for words in title_rows:
            page.append(placed_row(words, TITLE_SIZE, PALETTE.text, width, y))
            y += font(TITLE_SIZE).get_linesize()
        y += 16
        bottom = height - 24 - footer_h - 12
        taken = 0
        for words, points, color, gap in body:
            line_h = font(points).get_linesize()
            if y + gap + line_h > bottom and taken:
                # a sentence is not cut between pages: its rows go on together to the next, unless
                # it began this page (then it is longer than a page and must be cut)
                start = taken
                while start > 0 and body[start][3] == 0:
                    start -= 1
                if start > 0:
                    del page[len(page) - (taken - start) :]
                    taken = start
                break
            page.append(placed_row(words, points, color, width, y + gap))
            y += gap + line_h
            taken += 1
        body = body[taken:]
        hint = _(MORE_HINT if body else CLOSE_HINT)
        page.append(placed_row(hint, FOOTER_SIZE, PALETTE.muted, width, height - 24 - footer_h))
        pages.append(page)
        if not body:
            return pages


def placed_row(words: str, size: int, color: Color, screen_width: int, top: int) -> TextRow:
    """``words`` centred across the screen, its top at ``top``."""
    w, h = font(size).size(words)
    return TextRow(words, size, color, ((screen_width - w) // 2, top, w, h))


def draw_page(surface: pygame.Surface, rows: list[TextRow]) -> None:
    surface.fill(PALETTE.background_top)
    for row in rows:
        left, top, _, _ = row.rect
        text(surface, row.words, row.size, row.color, (left, top), "topleft")


class CardScene:
    """Shows a card's pages until the patient closes them: any key, a click, the pause key or Esc
    (closing the window leaves at once). ``timeout_s`` ends it without a key: ``math.inf`` in a
    window, 0 on a headless display (the card is drawn once, so it is in the record)."""

    name = "card"

    def __init__(self, card: Card, size: tuple[int, int], timeout_s: float = math.inf) -> None:
        self.pages = layout(card, size)
        self.page = 0
        self.timeout_s = timeout_s
        self.shown_at: float | None = None
        self.closed_by = ""  # "key", "quit" or "timeout" once it ends

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        if self.shown_at is None:
            self.shown_at = now
        up_for = now - self.shown_at
        if up_for > self.timeout_s:
            self.closed_by = "timeout"
            return END
        if up_for >= GUARD_S and (keys.pressed or keys.pause):
            if self.page + 1 < len(self.pages):
                self.page, self.shown_at = self.page + 1, now
                return None
            self.closed_by = "key"
            return END
        return None

    def draw(self, surface: pygame.Surface) -> None:
        draw_page(surface, self.pages[self.page])

    def on_quit(self, presses: int) -> bool:
        self.closed_by = "quit"
        return True


def show_card(display: Display, clock: Clock, card: Card, timeout_s: float = math.inf) -> CardScene:
    """Show ``card`` until it is closed (see ``CardScene``). An Esc that stopped what came before is
    spent first, so the card is seen; a window already being closed (two presses) shows nothing."""
    scene = CardScene(card, display.surface.get_size(), timeout_s)
    if display.quit_presses >= 2:
        scene.closed_by = "quit"
        return scene
    display.forget_quit()
    run_scenes(clock, display, scene)
    return scene
