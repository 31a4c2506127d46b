"""Colours. Calm, and readable by colour-blind players: states differ in lightness as well as hue
(the blue/orange pair of the Okabe-Ito palette), never by red against green alone."""

from __future__ import annotations

from dataclasses import dataclass

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


PALETTE = Palette()
