"""Colours. Calm, and readable by colour-blind players: states differ in lightness as well as hue
(the blue/orange pair of the Okabe-Ito palette), never by red against green alone."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import cast

Color = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    background_top: Color = (24, 40, 64)
    background_bottom: Color = (48, 78, 110)
    panel: Color = (16, 26, 42)
    text: Color = (245, 245, 240)
    muted: Color = (170, 185, 200)
    accent: Color = (86, 180, 233)  # sky blue
    good: Color = (230, 159, 0)  # orange: clearly lighter and warmer than the accent
    target: Color = (240, 228, 66)  # yellow
    gauge_back: Color = (60, 72, 90)
    metal: Color = (150, 160, 172)
    weight: Color = (0, 114, 178)  # blue
    shelf: Color = (204, 121, 167)  # reddish purple
    # reach (added for games/reach): Okabe-Ito hues for balloons, soft clouds and hills behind them
    balloon_1: Color = (230, 159, 0)
    balloon_2: Color = (86, 180, 233)
    balloon_3: Color = (0, 158, 115)
    balloon_4: Color = (240, 228, 66)
    balloon_5: Color = (213, 94, 0)
    balloon_6: Color = (204, 121, 167)
    sky_cloud: Color = (62, 92, 124)  # dark enough that high contrast drops the clouds
    sky_hill: Color = (36, 62, 86)
    hand: Color = (250, 236, 214)
    # tilt (added for games/tilt): a warm wooden board, a dark cup, a glassy blue marble
    board: Color = (181, 137, 94)
    board_edge: Color = (128, 92, 62)  # light enough to survive high contrast (rims)
    cup: Color = (30, 40, 56)
    marble: Color = (86, 180, 233)
    # added for the squat and neck games (outdoor scenes at dusk): muted, darker than the text
    grass: Color = (62, 112, 88)  # the ground's top edge
    soil: Color = (30, 46, 44)  # the ground below it: dark, so the HUD message reads on it
    hill_far: Color = (44, 70, 96)
    hill_near: Color = (38, 62, 72)
    wood: Color = (176, 132, 92)  # crates to jump over
    wood_dark: Color = (120, 86, 60)
    cloud: Color = (120, 146, 176)
    # the safety limit on the angle gauge: a light vermilion, darker than the goal's yellow
    limit: Color = (245, 130, 110)


def high_contrast(base: Palette) -> Palette:
    """Black backgrounds, white text, every other colour pushed lighter: dark colours (backgrounds,
    panels) go to near-black and light ones brighten, so foreground and background differ in
    lightness by far more than in hue, which is what colour-blind players and low vision need."""

    def adjust(color: Color) -> Color:
        luminance = 0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]
        if luminance < 90:
            return (0, 0, 0)
        return tuple(min(255, int(c * 1.3 + 40)) for c in color)  # type: ignore[return-value]

    changes = {name: adjust(value) for name, value in asdict(base).items()}
    # the empty part of a scale or a ring: grey, or it vanished into the black panel it is drawn on
    changes.update(text=(255, 255, 255), muted=(235, 235, 235), panel=(0, 0, 0), gauge_back=(100, 100, 100))
    return replace(base, **changes)


def blend(a: Color, b: Color, share: float) -> Color:
    """The colour ``share`` of the way from ``a`` to ``b`` (0 gives ``a``, 1 gives ``b``; shares
    outside 0..1 are clamped, so a fade that overshoots never makes an invalid colour)."""
    share = min(max(share, 0.0), 1.0)
    return (int(a[0] + (b[0] - a[0]) * share), int(a[1] + (b[1] - a[1]) * share), int(a[2] + (b[2] - a[2]) * share))


class _ActivePalette:
    """The palette in use. Games read ``PALETTE.x`` at draw time, so switching to high contrast
    before a game starts changes every game and scene without each one taking a setting."""

    def __init__(self, palette: Palette) -> None:
        self.palette = palette

    def __getattr__(self, name: str) -> Color:
        return getattr(self.palette, name)  # type: ignore[no-any-return]


_active = _ActivePalette(Palette())
PALETTE: Palette = cast(Palette, _active)


def use_high_contrast(enabled: bool = True) -> None:
    _active.palette = high_contrast(Palette()) if enabled else Palette()


def contrast(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio of two sRGB colours: 1 (the same) to 21 (black on white)."""

    def luminance(color: Color) -> float:
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in color)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(background: Color) -> Color:
    """The palette's text colour or its panel colour, whichever stands out more on ``background``
    (words on a coloured shape whose colour changes with the game's state or the palette)."""
    return max((PALETTE.text, PALETTE.panel), key=lambda color: contrast(color, background))
