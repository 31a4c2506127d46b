"""What a screen shows, before it is placed in pixels: a title, lines of text (with an optional
bar), at most one text field, and buttons. Screens build this; ``layout`` places it; ``draw``
paints it. Plain frozen values, so a test can read what a screen says without a window."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """A progress bar under a line: ``share`` of the way to the goal (1.0 at the goal)."""

    share: float
    reached: bool


@dataclass(frozen=True)
class Line:
    words: str
    #: text, muted, warning or good (palette roles, read when drawn so high contrast applies)
    tone: str = "text"
    bar: Bar | None = None


@dataclass(frozen=True)
class Field:
    """A text box the patient types into; ``error`` is one plain sentence shown under it."""

    label: str
    value: str
    error: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Button:
    key: str  # what pressing it does, for the screen
    label: str
    detail: str = ""
    primary: bool = False
    #: across the whole width, never in a column (the main button, news)
    wide: bool = False

    @property
    def spans(self) -> bool:
        return self.primary or self.wide


@dataclass(frozen=True)
class Content:
    title: str
    lines: tuple[Line, ...] = ()
    buttons: tuple[Button, ...] = ()
    field: Field | None = None
    #: the button Enter presses while typing in the field
    submit: str = ""
