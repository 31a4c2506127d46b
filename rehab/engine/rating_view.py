"""Drawing a rating or choice prompt (``rehab.engine.ratings.PromptView``): a tall scale the pointer
moves along, the value that holding still would choose, and a ring that fills while it is held.

Drawn inside the play area: below the HUD bar, left of the HUD gauge, above the message line.
"""

from __future__ import annotations

import math

import pygame

from rehab.core.i18n import _
from rehab.engine.hud import font, text, wrap_to_width
from rehab.engine.palette import PALETTE
from rehab.engine.ratings import STOP_LEVEL, PromptView

#: the scale shows the pointer up to this level, so the stop zone has room above the scale
TOP_LEVEL = 1.25
PANEL = pygame.Rect(40, 72, 760, 400)
#: the scale's numbers and words, the choices and the hint: 24 px high at the default scale
LABEL_SIZE = 36


#: the scale's bar: a level of 0 at its foot, 1 at ``1 / TOP_LEVEL`` of its height
SCALE_BAR = pygame.Rect(PANEL.left + 100, PANEL.top + 30, 56, PANEL.height - 60)


def level_at(position: tuple[int, int]) -> float | None:
    """The scale's level (0 to 1) a click or a tap at ``position`` points at: on the bar, its
    numbers left of it or its words right of it (a finger is wider than the bar); None elsewhere."""
    x, y = position
    zone = pygame.Rect(PANEL.left, SCALE_BAR.top, SCALE_BAR.right + 200 - PANEL.left, SCALE_BAR.height)
    if not zone.collidepoint(x, y):
        return None
    level = (SCALE_BAR.bottom - y) / SCALE_BAR.height * TOP_LEVEL
    return min(max(level, 0.0), 1.0)


#: where the question starts, right of the scale, and its sizes: the largest that keeps it to two
#: lines, down to 36 (24 px high at the default scale), wrapped to the panel's width however long
QUESTION_LEFT = PANEL.left + 262  # clear of "Stop" beside the scale at the largest text
QUESTION_WIDTH = PANEL.right - 16 - QUESTION_LEFT
QUESTION_SIZES = (46, 40, 36)


def question_lines(question: str) -> tuple[list[str], int]:
    """The question's lines and their size: the largest size that fits it on two lines, else the
    smallest on as many lines as it needs (a wordy language at the largest text size)."""
    for size in QUESTION_SIZES:
        lines = wrap_to_width(question, size, QUESTION_WIDTH)
        if len(lines) <= 2:
            return lines, size
    return lines, size


def _draw_question(surface: pygame.Surface, question: str) -> int:
    """The question right of the scale; returns the bottom of its last line."""
    lines, size = question_lines(question)
    line_height = font(size).get_linesize() + 4
    for row, line in enumerate(lines):
        text(surface, line, size, PALETTE.text, (QUESTION_LEFT, PANEL.top + 18 + line_height * row), "topleft")
    return PANEL.top + 18 + line_height * len(lines)


def draw_prompt(surface: pygame.Surface, view: PromptView, hint: str | None = None) -> pygame.Rect:
    """``hint`` replaces the default how-to line (hold still, raise a hand) under the value. Returns
    the panel's box (taller than ``PANEL`` when the how-to line wraps), to draw under it."""
    bar = SCALE_BAR
    hint_rows = _hint_rows(view, hint, bar)
    # opaque: the game's own words behind it showed through as a ghost under the question; taller
    # when the how-to line wraps (the largest text size)
    panel = PANEL.copy()
    panel.height = max(PANEL.height, hint_rows[-1][1].bottom + 8 - PANEL.top) if hint_rows else PANEL.height
    pygame.draw.rect(surface, PALETTE.panel, panel)
    question_bottom = _draw_question(surface, view.question)

    def y_of(level: float) -> int:
        return int(bar.bottom - min(max(level, 0.0), TOP_LEVEL) / TOP_LEVEL * bar.height)

    scale_top = y_of(1.0)
    pygame.draw.rect(
        surface, PALETTE.gauge_back, (bar.left, scale_top, bar.width, bar.bottom - scale_top), border_radius=10
    )
    if view.scale is not None:
        s = view.scale
        for value in range(s.low, s.high + 1, max(1, (s.high - s.low) // 10)):
            y = y_of((value - s.low) / (s.high - s.low))
            pygame.draw.line(surface, PALETTE.muted, (bar.left - 8, y), (bar.left, y), 2)
            if (value - s.low) % (max(1, (s.high - s.low) // 5)) == 0:
                # left of the pointer's arrow, which would cover the number it points at
                text(surface, str(value), LABEL_SIZE, PALETTE.muted, (bar.left - 34, y), "midright")
        # under the top of the scale and above its foot: clear of the question's second line
        # and under the question's last line when a long question (or large text) reaches down to it
        high_top = max(scale_top + 2, question_bottom + 4)
        # wrapped clear of the ring ("worst imaginable" ran into it at the largest text)
        room = RING_CENTRE[0] - RING_RADIUS - 2 - (bar.right + 12)
        for words in wrap_to_width(_(s.high_label), LABEL_SIZE, room):
            high_top = text(surface, words, LABEL_SIZE, PALETTE.muted, (bar.right + 12, high_top), "topleft").bottom
        text(surface, _(s.low_label), LABEL_SIZE, PALETTE.muted, (bar.right + 12, bar.bottom), "bottomleft")
    else:
        n = len(view.choices)
        for i, choice in enumerate(view.choices):
            low_y, high_y = y_of(i / n), y_of((i + 1) / n)
            if i:
                pygame.draw.line(surface, PALETTE.muted, (bar.left, low_y), (bar.right, low_y), 2)
            text(surface, _(choice), LABEL_SIZE, PALETTE.text, (bar.right + 12, (low_y + high_y) // 2), "midleft")
    if view.allow_stop:
        stop_y = y_of(STOP_LEVEL)
        zone = pygame.Rect(bar.left, bar.top, bar.width, stop_y - bar.top)
        pygame.draw.rect(surface, PALETTE.shelf, zone, border_radius=10)
        text(surface, _("Stop"), LABEL_SIZE, PALETTE.text, (bar.right + 12, zone.centery), "midleft")

    if not math.isnan(view.pointer):
        y = y_of(view.pointer)
        tip = bar.left - 4
        pygame.draw.polygon(surface, PALETTE.target, [(tip, y), (tip - 26, y - 14), (tip - 26, y + 14)])
        pygame.draw.line(surface, PALETTE.target, (bar.left, y), (bar.right, y), 5)
    _draw_choice(surface, view)
    for words, box in hint_rows:
        text(surface, words, LABEL_SIZE, PALETTE.muted, box.topleft)
    return panel


#: the ring that fills while a choice is held, and what it would choose
RING_CENTRE = (PANEL.left + 470, PANEL.top + 245)
RING_RADIUS = 95


def _hint_rows(view: PromptView, hint: str | None, bar: pygame.Rect) -> list[tuple[str, pygame.Rect]]:
    """How to choose, under the ring: centred on it, but clear of the words at the scale's foot
    (its low end's word, or the first choice) and inside the panel, wrapped when it does not fit
    there on one line (large text)."""
    if hint is None and view.by_keys:
        hint = _("Up / Down, then Enter")
    elif hint is None:
        hint = _("Hold still to choose") if view.candidate else _("Raise a hand, or use Up/Down")
    foot = _(view.scale.low_label) if view.scale is not None else _(view.choices[0]) if view.choices else ""
    beside_foot = bar.right + 12 + (font(LABEL_SIZE).size(foot)[0] + 16 if foot else 0)
    right = PANEL.right - 12
    rows = []
    top = RING_CENTRE[1] + RING_RADIUS + 10
    remaining = hint.split()
    while remaining:
        # a row below the scale's foot has the panel's whole width (a long how-to line at the
        # largest text took four rows beside the foot word and ran off the panel)
        left = beside_foot if top < bar.bottom + 4 else PANEL.left + 12
        words = wrap_to_width(" ".join(remaining), LABEL_SIZE, right - left)[0]
        remaining = remaining[len(words.split()) :]
        box = pygame.Rect((0, top), font(LABEL_SIZE).size(words))
        box.centerx = min(max(RING_CENTRE[0], left + box.width // 2), right - box.width // 2)
        rows.append((words, box))
        top = box.bottom
    return rows


def _draw_choice(surface: pygame.Surface, view: PromptView) -> None:
    """What holding still chooses, in a ring that fills while it is held."""
    ring = pygame.Rect(0, 0, 2 * RING_RADIUS, 2 * RING_RADIUS)
    ring.center = RING_CENTRE
    pygame.draw.circle(surface, PALETTE.gauge_back, RING_CENTRE, RING_RADIUS, 10)
    if view.dwell > 0:
        pygame.draw.arc(surface, PALETTE.good, ring, math.pi / 2, math.pi / 2 + 2 * math.pi * view.dwell, 10)
    # a choice is kept in English (the game compares it); only its words on screen are translated
    shown = _("Stop") if view.candidate == "stop" else _(view.candidate) if view.candidate else "--"
    size = 110 if len(shown) <= 3 else 54
    text(surface, shown, size, PALETTE.text, RING_CENTRE, "center")
