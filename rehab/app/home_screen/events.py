"""pygame events as the home screen's inputs: named keys, typed text, and points (a click or a
tap). A tap also makes SDL send a mouse click; that copy is dropped so a tap presses once."""

from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class Input:
    kind: str  # key, text, point, quit
    key: str = ""
    text: str = ""
    point: tuple[float, float] = (0.0, 0.0)


_KEYS = {
    pygame.K_TAB: "tab",
    pygame.K_UP: "up",
    pygame.K_DOWN: "down",
    pygame.K_LEFT: "left",
    pygame.K_RIGHT: "right",
    pygame.K_RETURN: "enter",
    pygame.K_KP_ENTER: "enter",
    pygame.K_SPACE: "space",
    pygame.K_ESCAPE: "escape",
    pygame.K_BACKSPACE: "backspace",
}


def translate(events: list[pygame.event.Event], size: tuple[int, int]) -> list[Input]:
    inputs = []
    for event in events:
        # events posted by a test or an older SDL may lack an attribute: read them from the dict
        extra = event.dict
        if event.type == pygame.QUIT:
            inputs.append(Input("quit"))
        elif event.type == pygame.KEYDOWN and event.key in _KEYS:
            name = _KEYS[event.key]
            if name == "tab" and extra.get("mod", 0) & pygame.KMOD_SHIFT:
                name = "shift+tab"
            inputs.append(Input("key", key=name))
        elif event.type == pygame.KEYDOWN and str(extra.get("unicode") or ""):
            inputs.append(Input("text", text=str(event.unicode)))
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and not extra.get("touch", False):
            inputs.append(Input("point", point=(float(event.pos[0]), float(event.pos[1]))))
        elif event.type == pygame.FINGERDOWN:
            # a finger's place comes as a share of the window: the same share of the drawn screen
            inputs.append(Input("point", point=(event.x * size[0], event.y * size[1])))
    return inputs
