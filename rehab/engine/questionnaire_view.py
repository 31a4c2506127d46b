"""Drawing a questionnaire screen (``rehab.engine.questionnaire_scene.QuestionView``): the intro, one
question with every answer as a big button, or the safety card.

Layout first, drawing second: ``layout`` places every line of text and every button, wrapping by
the font's real widths and shrinking the whole screen only when the patient's text scale
(``rehab.engine.hud.set_font_scale``) would push something off it, so no text is ever clipped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import pygame

from rehab.core.i18n import _
from rehab.engine.hud import font
from rehab.engine.palette import PALETTE, Color
from rehab.engine.questionnaire_scene import QuestionView

MARGIN = 40
GAP = 12
PAD = 10
#: the width of the key badge ("0", "1", ...) at the left of each answer button
BADGE = 64
#: nominal text sizes (times the font scale): the question stays >= 32 px at the default scale
QUESTION, CHOICE, SMALL, TITLE = 48, 42, 28, 56
#: the layout shrinks in these steps until it fits (at large font scales, or with a clinic's long
#: wording); fine steps, so the text is never much smaller than what fits
SHRINK_STEPS = tuple(1.0 - 0.01 * i for i in range(91))


@dataclass(frozen=True)
class TextBox:
    words: str
    size: int  # nominal size given to ``hud.font`` (times the font scale)
    rect: pygame.Rect
    color: Color


@dataclass(frozen=True)
class Layout:
    texts: tuple[TextBox, ...]
    buttons: tuple[pygame.Rect, ...]
    #: how much the layout had to shrink to fit (1.0: not at all)
    scale: float
    #: where the how-to line at the bottom begins: everything else is above it
    hint_top: int


def wrap_px(words: str, size: int, width: int) -> list[str]:
    """``words`` broken at spaces into lines no wider than ``width`` pixels at ``size``; a word too
    long for a line on its own is broken inside."""
    face = font(size)
    rows: list[str] = []
    for word in words.split():
        if rows and face.size(rows[-1] + " " + word)[0] <= width:
            rows[-1] += " " + word
            continue
        while face.size(word)[0] > width and len(word) > 1:
            cut = max([1, *(n for n in range(1, len(word)) if face.size(word[:n])[0] <= width)])
            rows.append(word[:cut])
            word = word[cut:]
        rows.append(word)
    return rows or [""]


class _Flow:
    """Places text top-down in a column, remembering every box."""

    def __init__(self, left: int, width: int, top: int) -> None:
        self.left, self.width, self.y = left, width, top
        self.texts: list[TextBox] = []

    def para(self, words: str, size: int, color: Color, centre: bool = False) -> None:
        line_h = font(size).get_linesize()
        for line in wrap_px(words, size, self.width):
            w, h = font(size).size(line)
            x = self.left + (self.width - w) // 2 if centre else self.left
            self.texts.append(TextBox(line, size, pygame.Rect(x, self.y, w, h), color))
            self.y += line_h

    def button(self, label: str, size: int, key: str | None) -> pygame.Rect:
        inner = self.width - (BADGE + PAD if key is not None else 0) - 2 * PAD
        lines = wrap_px(label, size, inner)
        line_h = font(size).get_linesize()
        rect = pygame.Rect(self.left, self.y, self.width, len(lines) * line_h + 2 * PAD)
        x = rect.left + PAD + (BADGE + PAD if key is not None else 0)
        if key is not None:
            w, h = font(size).size(key)
            badge = pygame.Rect(rect.left + PAD, rect.top + PAD, BADGE, line_h)
            self.texts.append(TextBox(key, size, pygame.Rect(badge.centerx - w // 2, badge.top, w, h), PALETTE.target))
        for row, line in enumerate(lines):
            w, h = font(size).size(line)
            left = x if key is not None else rect.centerx - w // 2
            self.texts.append(TextBox(line, size, pygame.Rect(left, rect.top + PAD + row * line_h, w, h), PALETTE.text))
        self.y = rect.bottom + GAP
        return rect


def layout(view: QuestionView, size: tuple[int, int]) -> Layout:
    """Where everything goes on a surface of ``size``: at full size if it fits, else shrunk just enough."""
    # the hand's progress changes every frame, the words do not: fit once per screen and font scale
    words_only = replace(view, hover=None, hover_share=0.0, cursor=None)
    # hud caches one font per pixel size: a 1000 px font is a different object for every font scale
    return _fitted(words_only, size, font(1000))


@functools.lru_cache(maxsize=64)
def _fitted(view: QuestionView, size: tuple[int, int], scaled: pygame.font.Font) -> Layout:
    full = _place(view, size, SHRINK_STEPS[0])
    if full is not None:
        return full
    # smaller text takes less room: bisect for the largest step that fits (each answer checked)
    best: Layout | None = None
    low, high = 1, len(SHRINK_STEPS) - 1
    while low <= high:
        middle = (low + high) // 2
        placed = _place(view, size, SHRINK_STEPS[middle])
        if placed is None:
            low = middle + 1
        else:
            best, high = placed, middle - 1
    return best or _place(view, size, SHRINK_STEPS[-1], force=True) or Layout((), (), SHRINK_STEPS[-1], size[1])


def _place(view: QuestionView, size: tuple[int, int], scale: float, force: bool = False) -> Layout | None:
    width, height = size
    flow = _Flow(MARGIN, width - 2 * MARGIN, 16)
    buttons: list[pygame.Rect] = []

    def s(nominal: int) -> int:
        return max(8, round(nominal * scale))

    if view.phase == "intro":
        flow.para(view.title, s(TITLE), PALETTE.text, centre=True)
        flow.y += GAP * 2
        flow.para(view.intro, s(QUESTION), PALETTE.text)
        flow.y += GAP * 2
        buttons.append(flow.button(_("Begin"), s(QUESTION), None))
    elif view.phase == "safety":
        flow.y += GAP * 2
        flow.para(_(view.safety_text), s(QUESTION), PALETTE.text)
        flow.y += GAP * 2
        buttons.append(flow.button(_("Continue"), s(QUESTION), None))
    else:
        flow.para(
            _("Question {number} of {count}").format(number=view.number, count=view.count), s(SMALL), PALETTE.muted
        )
        flow.y += GAP // 2
        flow.para(view.question, s(QUESTION), PALETTE.text)
        flow.y += GAP
        for index, (key, label) in enumerate(view.choices):
            # coming back to change an answer, the patient sees which one they gave
            shown = _("{answer}  (your answer)").format(answer=label) if index == view.given else label
            buttons.append(flow.button(shown, s(CHOICE), key))
    hint = _Flow(MARGIN, width - 2 * MARGIN, 0)
    hint.para(_hint(view), s(SMALL), PALETTE.muted, centre=True)
    hint_h = hint.y
    if flow.y - GAP > height - hint_h - 8 and not force:
        return None
    shift = height - 8 - hint_h
    # a screen with one button (the intro, the safety card) sits in the middle of the space: calmer
    down = max(0, (shift - flow.y) // 2) if view.phase in ("intro", "safety") else 0
    texts = [TextBox(t.words, t.size, t.rect.move(0, down), t.color) for t in flow.texts]
    texts += [TextBox(t.words, t.size, t.rect.move(0, shift), t.color) for t in hint.texts]
    return Layout(tuple(texts), tuple(b.move(0, down) for b in buttons), scale, shift)


def _hint(view: QuestionView) -> str:
    if view.phase == "intro":
        if view.hand:
            return _("Press Enter or click Begin, or raise a hand over it and hold it there. Esc stops.")
        return _("Press Enter or click Begin. Esc stops.")
    if view.phase == "safety":
        return _("Press any key to go on.")
    if view.hand_waiting:
        return _("Lower your hand, then point at your next answer.")
    # whole sentences, one per case, so that a language can word each as it reads best
    if view.hand and view.number > 1:
        return _(
            "Press the answer's number, or Up / Down, then Enter. Or hold a hand on it.  "
            "Backspace: the question before.  Esc stops."
        )
    if view.hand:
        return _("Press the answer's number, or Up / Down, then Enter. Or hold a hand on it.  Esc stops.")
    if view.number > 1:
        return _("Press the answer's number, or Up / Down, then Enter.  Backspace: the question before.  Esc stops.")
    return _("Press the answer's number, or Up / Down, then Enter.  Esc stops.")


def draw_questionnaire(surface: pygame.Surface, view: QuestionView) -> tuple[pygame.Rect, ...]:
    """Draw ``view``; returns the button rectangles (for clicks), top to bottom."""
    surface.fill(PALETTE.background_top)
    placed = layout(view, surface.get_size())
    for index, rect in enumerate(placed.buttons):
        _draw_button(surface, view, index, rect)
    if view.phase == "safety":
        top = max(4, placed.texts[0].rect.top - 2 * GAP)
        card = pygame.Rect(MARGIN // 2, top, surface.get_width() - MARGIN, placed.buttons[0].top - 12 - top)
        pygame.draw.rect(surface, PALETTE.accent, card, width=3, border_radius=16)
    for box in placed.texts:
        surface.blit(font(box.size).render(box.words, True, box.color), box.rect)
    return placed.buttons


def _draw_button(surface: pygame.Surface, view: QuestionView, index: int, rect: pygame.Rect) -> None:
    chosen_before = view.phase == "question" and view.given == index
    pygame.draw.rect(surface, PALETTE.weight if chosen_before else PALETTE.panel, rect, border_radius=14)
    if view.hover == index and view.hover_share > 0:
        fill = pygame.Rect(rect.left, rect.top, int(rect.width * view.hover_share), rect.height)
        pygame.draw.rect(surface, PALETTE.good, fill, border_radius=14)
    on = view.cursor == index and view.phase == "question"
    edge = PALETTE.target if on or view.hover == index else PALETTE.gauge_back
    pygame.draw.rect(surface, edge, rect, width=5 if on else 2, border_radius=14)
