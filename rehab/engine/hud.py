"""The heads-up display every game shares: reps, timer, and a live gauge of the angle.

Drawing only: it takes a HudState and a pygame surface. Games draw their scene first, then this.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from rehab.core.i18n import _
from rehab.engine.palette import PALETTE


@dataclass(frozen=True)
class HudState:
    reps_done: int
    reps_planned: int
    elapsed_s: float
    angle_label: str
    angle_deg: float
    target_deg: float
    rest_deg: float
    best_deg: float  # the highest angle reached so far this session (for two-sided: either way)
    message: str = ""
    #: a two-sided movement (head turn, side bend): the gauge shows how far, and the label which way
    signed: bool = False
    #: reps and the angle gauge are for physical games; mental games show only the time
    gauge: bool = True
    #: the therapist's safety limit, drawn on the gauge (infinite: none)
    ceiling_deg: float = math.inf
    #: the goal is drawn on the gauge (not while the comfortable range is measured: there is none yet)
    goal: bool = True
    #: which keys do what, for a player on the keys ("Up/Down move, P pause, Esc stop"); "" otherwise
    keys_hint: str = ""


_fonts: dict[int, pygame.font.Font] = {}
#: text size multiplier for players who need larger print (``--font-scale``); display-wide, like
#: the operating system's own text-size setting, so every game and scene honours it
_font_scale = [1.0]


def set_font_scale(scale: float) -> None:
    if not 0.5 <= scale <= 2.5:
        raise ValueError(f"font scale must be between 0.5 and 2.5, got {scale}")
    _font_scale[0] = scale


def font(size: int) -> pygame.font.Font:
    """The default pygame font at ``size`` pixels times the font scale, cached (it ships inside
    pygame: no system fonts needed)."""
    pixels = max(8, int(size * _font_scale[0]))
    if pixels not in _fonts:
        if not pygame.font.get_init():
            pygame.font.init()
        _fonts[pixels] = pygame.font.Font(None, pixels)
    return _fonts[pixels]


def text(
    surface: pygame.Surface,
    words: str,
    size: int,
    color: tuple[int, int, int],
    pos: tuple[int, int],
    anchor: str = "topleft",
) -> pygame.Rect:
    image = font(size).render(words, True, color)
    rect = image.get_rect(**{anchor: pos})
    surface.blit(image, rect)
    return rect


def wrap_to_width(words: str, size: int, width: int) -> list[str]:
    """``words`` broken at spaces into lines no wider than ``width`` pixels at ``size`` (and the
    font scale): what fits on screen, whatever the scale. A word too long for a line is kept whole
    on its own line."""
    rows: list[str] = []
    face = font(size)
    for word in words.split():
        if rows and face.size(f"{rows[-1]} {word}")[0] <= width:
            rows[-1] += f" {word}"
        else:
            rows.append(word)
    return rows


def draw_hud(surface: pygame.Surface, hud: HudState) -> None:
    width, height = surface.get_size()
    bar = pygame.Rect(0, 0, width, 56)
    pygame.draw.rect(surface, PALETTE.panel, bar)
    minutes, seconds = divmod(int(hud.elapsed_s), 60)
    clock = text(surface, f"{minutes}:{seconds:02d}", 44, PALETTE.text, (width // 2, 12), "midtop")
    if hud.message:
        _message(surface, hud.message)
    if hud.keys_hint:
        _keys_hint(surface, hud.keys_hint, clock)
    if not hud.gauge:
        return
    reps = _("Reps  {done} / {planned}").format(done=hud.reps_done, planned=hud.reps_planned)
    text(surface, reps, 44, PALETTE.text, (20, 12))
    _gauge(surface, hud)


#: the message's size, and the width it may take (clear of the gauge on the right)
MESSAGE_SIZE, MESSAGE_WIDTH = 40, 840


def message_rows(size: tuple[int, int], message: str) -> list[tuple[str, pygame.Rect]]:
    """The message's lines and where they go: centred left of the gauge, the last one at the
    bottom, the others above it (a long one, or any at a large text size or in a wordier
    language, wraps instead of running off the screen)."""
    width, height = size
    rows = wrap_to_width(message, MESSAGE_SIZE, min(MESSAGE_WIDTH, width - 120))
    line = font(MESSAGE_SIZE).get_linesize()
    placed = []
    for n, words in enumerate(rows):
        box = pygame.Rect((0, 0), font(MESSAGE_SIZE).size(words))
        box.midbottom = (width // 2 - 40, height - 24 - (len(rows) - 1 - n) * line)
        placed.append((words, box))
    return placed


def message_top(size: tuple[int, int], lines: int = 1) -> int:
    """Where a message of ``lines`` lines starts, at the current text size: a game keeps its own
    words above it."""
    line = font(MESSAGE_SIZE).get_linesize()
    return size[1] - 24 - font(MESSAGE_SIZE).size("Ag")[1] - (lines - 1) * line


#: how opaque the band behind a game's message is: the scene shows through, the words read over it
MESSAGE_BAND_ALPHA = 170


def message_band(rows: list[tuple[str, pygame.Rect]]) -> pygame.Rect:
    """The band behind a message's lines (as ``message_rows`` gives them), a little wider and taller."""
    return rows[0][1].unionall([box for _, box in rows[1:]]).inflate(28, 8)


def _message(surface: pygame.Surface, message: str) -> None:
    draw_message_rows(surface, message_rows(surface.get_size(), message))


def draw_message_rows(surface: pygame.Surface, rows: list[tuple[str, pygame.Rect]]) -> None:
    """A message's lines on their translucent band (the game's message, or the physio's)."""
    if not rows:
        return
    # on a band of its own: at the largest text a two-line message ran over the tower, the lantern
    # and the patient's figure, its words mixed with the scene's shapes
    band = message_band(rows)
    veil = pygame.Surface(band.size, pygame.SRCALPHA)
    veil.fill((*PALETTE.panel, MESSAGE_BAND_ALPHA))
    surface.blit(veil, band.topleft)
    for words, box in rows:
        text(surface, words, MESSAGE_SIZE, PALETTE.text, box.midbottom, "midbottom")


#: the key hint's size: 36 is 24 px high at the default scale
KEYS_HINT_SIZE = 36


def keys_hint_rect(size: tuple[int, int], hint: str, clock: pygame.Rect) -> pygame.Rect:
    """Where the key hint goes: the top bar's right end, or under the bar when it would touch the
    clock (large text)."""
    width = size[0]
    box = pygame.Rect((0, 0), font(KEYS_HINT_SIZE).size(hint))
    box.midright = (width - 20, 28)
    if box.left < clock.right + 16:
        box.topleft = (20, 62)
    return box


def _keys_hint(surface: pygame.Surface, hint: str, clock: pygame.Rect) -> None:
    box = keys_hint_rect(surface.get_size(), hint, clock)
    if box.top > 56:  # under the bar: on a panel of its own, so it reads over any game's scene
        pygame.draw.rect(surface, PALETTE.panel, box.inflate(12, 6))
    text(surface, hint, KEYS_HINT_SIZE, PALETTE.text, box.topleft)


def _label(surface: pygame.Surface, words: str, color: tuple[int, int, int], midright: tuple[int, int]) -> None:
    """A gauge label on a dark panel of its own: it reads over any game's scene."""
    box = pygame.Rect((0, 0), font(LABEL_SIZE).size(words))
    box.midright = midright
    pygame.draw.rect(surface, PALETTE.panel, box.inflate(8, 2))
    text(surface, words, LABEL_SIZE, color, box.topleft)


#: the gauge's labels (goal, best, limit): 24 px high at the default scale
LABEL_SIZE = 36


#: the movement's name, over the gauge: under the top bar, right-aligned, wrapped to this width in
#: at most this many lines (the gauge starts under them, whatever the text size)
ANGLE_LABEL_TOP, ANGLE_LABEL_WIDTH, ANGLE_LABEL_LINES = 62, 330, 2


def gauge_rect(size: tuple[int, int]) -> pygame.Rect:
    """The gauge's track: on the right, under the top bar and the movement's name."""
    width, height = size
    top = ANGLE_LABEL_TOP + ANGLE_LABEL_LINES * font(LABEL_SIZE).get_linesize() + 12
    return pygame.Rect(width - 80, top, 36, height - 80 - top)


def angle_label_rows(size: tuple[int, int], label: str) -> list[tuple[str, pygame.Rect]]:
    """Each line of the movement's name and its box: 24 px high at the default scale, right-aligned
    at the screen's edge, one under another from the top bar down."""
    line = font(LABEL_SIZE).get_linesize()
    rows = []
    for row, words in enumerate(wrap_to_width(label, LABEL_SIZE, ANGLE_LABEL_WIDTH)):
        box = pygame.Rect((0, 0), font(LABEL_SIZE).size(words))
        box.topright = (size[0] - 12, ANGLE_LABEL_TOP + row * line)
        rows.append((words, box))
    return rows


def gauge_y(hud: HudState, gauge: pygame.Rect, deg: float) -> int:
    """The height of ``deg`` on the gauge: rest at the bottom, a bit beyond the goal, the best so far
    and the safety limit at the top."""
    highest = [hud.target_deg, hud.best_deg if math.isfinite(hud.best_deg) else hud.target_deg]
    if math.isfinite(hud.ceiling_deg):
        highest.append(hud.ceiling_deg)
    span = max(highest) * 1.1 - hud.rest_deg
    share = (deg - hud.rest_deg) / span if span else 0.0
    return int(gauge.bottom - min(max(share, 0.0), 1.0) * gauge.height)


def _gauge(surface: pygame.Surface, hud: HudState) -> None:
    """A vertical gauge on the right: rest at the bottom, the goal, and the safety limit when set."""
    gauge = gauge_rect(surface.get_size())

    def y_of(deg: float) -> int:
        return gauge_y(hud, gauge, deg)

    pygame.draw.rect(surface, PALETTE.gauge_back, gauge, border_radius=8)
    # an outline keeps the gauge's extent visible when its track blends into the background
    # (the high-contrast palette turns the track black)
    pygame.draw.rect(surface, PALETTE.muted, gauge.inflate(4, 4), 2, border_radius=10)
    if math.isfinite(hud.angle_deg):
        amount = abs(hud.angle_deg) if hud.signed else hud.angle_deg
        fill = pygame.Rect(gauge.left, y_of(amount), gauge.width, gauge.bottom - y_of(amount))
        color = PALETTE.good if hud.goal and amount >= hud.target_deg else PALETTE.accent
        pygame.draw.rect(surface, color, fill, border_radius=8)
        # the sign convention for two-sided movements: positive is towards the patient's right
        angle = f"{amount:.0f}"
        if hud.signed and round(amount) != 0:
            shown = _("{angle}° R").format(angle=angle) if hud.angle_deg > 0 else _("{angle}° L").format(angle=angle)
        else:
            shown = f"{angle}°"
        text(surface, shown, 36, PALETTE.text, (gauge.centerx, gauge.bottom + 8), "midtop")
    else:
        text(surface, "--", 36, PALETTE.muted, (gauge.centerx, gauge.bottom + 8), "midtop")
    gap = font(LABEL_SIZE).get_height() + 2  # labels closer than this would overlap: the later is left out
    labelled: list[int] = []
    if hud.goal:
        target_y = y_of(hud.target_deg)
        pygame.draw.line(surface, PALETTE.target, (gauge.left - 10, target_y), (gauge.right + 10, target_y), 4)
        _label(surface, _("goal"), PALETTE.target, (gauge.left - 14, target_y))
        labelled.append(target_y)
    if math.isfinite(hud.ceiling_deg):
        # the therapist's safety limit: a rep past it is never counted, so the patient sees where it is
        limit_y = y_of(hud.ceiling_deg)
        pygame.draw.line(surface, PALETTE.limit, (gauge.left - 10, limit_y), (gauge.right + 10, limit_y), 4)
        if all(abs(limit_y - y) >= gap for y in labelled):
            _label(surface, _("limit"), PALETTE.limit, (gauge.left - 14, limit_y))
            labelled.append(limit_y)
    if math.isfinite(hud.best_deg):
        best_y = y_of(hud.best_deg)
        pygame.draw.line(surface, PALETTE.muted, (gauge.left, best_y), (gauge.right, best_y), 2)
        if all(abs(best_y - y) >= gap for y in labelled):  # never print one label over another
            _label(surface, _("best"), PALETTE.muted, (gauge.left - 14, best_y))
    for words, box in angle_label_rows(surface.get_size(), hud.angle_label):
        # on a panel of its own, like the gauge's labels: it reads over any game's scene
        pygame.draw.rect(surface, PALETTE.panel, box.inflate(8, 2))
        text(surface, words, LABEL_SIZE, PALETTE.muted, box.topleft)
