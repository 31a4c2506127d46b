"""Keyboard focus among a screen's buttons: Tab and the arrows move it, Enter or Space presses the
button that has it. Only a key press ever presses: focus resting on a button does nothing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Focus:
    """The index of the focused button among ``count``; -1 before the keyboard is used (no ring
    is drawn until then, so a mouse user sees none)."""

    index: int = -1

    def moved(self, step: int, count: int) -> Focus:
        if count == 0:
            return Focus()
        if self.index < 0:
            return Focus(0 if step > 0 else count - 1)
        return Focus((self.index + step) % count)

    def clamped(self, count: int) -> Focus:
        return self if self.index < count else Focus(count - 1 if count else -1)


#: key names (as ``events`` names them) and the focus step they make
STEPS = {"tab": 1, "shift+tab": -1, "down": 1, "right": 1, "up": -1, "left": -1}
