"""What a screen really draws, and whether all of it is in the patient's language.

``DrawnWords`` is the hook: while it is active, every string rendered through the engine's fonts
(``rehab.engine.hud.font``, which every screen, card, prompt and game draws its text with) is
recorded. It swaps ``pygame.font.Font`` for a subclass whose ``render`` notes its text, and empties
the font cache so the fonts made meanwhile are that subclass; both are put back on exit. Nothing in
the engine knows it is watched.

``Catalog`` says whether a drawn string is French: a piece of a msgstr of the French catalog (a
long line is wrapped at spaces into several drawn rows, and a placeholder may hold anything), a
number, or one of the names the test itself put on screen (a patient's code, an exercise's name
from the plan, an address).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import pygame
from babel.messages.pofile import read_po

from rehab.core.i18n import catalog_path
from rehab.engine import hud

PLACEHOLDER = re.compile(r"\{\w*\}")
#: a number, a clock, a score, an angle or a mark ("1:27", "65", "38°", "3 / 6", "--", the text cursor
#: "_"), or a table's row of them with units ("1     129°     121°    1.7s")
NUMBERISH = re.compile(r"(?:[\s\d:.,°%/+\-−–()×_|<>]|(?<=\d)(?:s|kg))*")
#: a value drawn just before a translated piece, on the same line ("--  (but 6)", "12  respirations")
LEADING_VALUE = re.compile(r"^(?:--|[\d.,:°%]+)\s+")


class DrawnWords:
    def __init__(self) -> None:
        self.words: list[str] = []
        #: each string with the width and height it took, in pixels
        self.sizes: list[tuple[str, int, int]] = []
        #: each rendered image's id, and its string (the images are kept, so an id is never reused)
        self.images: dict[int, str] = {}
        self._kept: list[pygame.Surface] = []

    def __enter__(self) -> DrawnWords:
        recorder = self
        original = pygame.font.Font

        class RecordingFont(original):  # type: ignore[misc, valid-type]
            def render(self, text: Any, *args: Any, **kwargs: Any) -> pygame.Surface:
                image = super().render(text, *args, **kwargs)
                recorder.words.append(str(text))
                recorder.sizes.append((str(text), *image.get_size()))
                recorder.images[id(image)] = str(text)
                recorder._kept.append(image)
                return image

        self._original = original
        self._cached = dict(hud._fonts)
        hud._fonts.clear()
        pygame.font.Font = RecordingFont  # type: ignore[misc]
        return self

    def __exit__(self, *exc: object) -> None:
        pygame.font.Font = self._original  # type: ignore[misc]
        hud._fonts.clear()
        hud._fonts.update(self._cached)

    def rows(self) -> list[str]:
        """Each distinct non-blank string drawn, in the order first drawn."""
        return list(dict.fromkeys(w.strip() for w in self.words if w.strip()))


def _fragments(msgstr: str) -> Iterator[str]:
    """Every run of whole words of ``msgstr`` that holds a letter of its own (not only a value)."""
    tokens = msgstr.split()
    for i in range(len(tokens)):
        for j in range(i + 1, len(tokens) + 1):
            piece = " ".join(tokens[i:j])
            if re.search(r"[^\W\d_]", PLACEHOLDER.sub("", piece)):
                yield piece


@cache
def _pattern(piece: str) -> re.Pattern[str]:
    literal = [re.escape(part) for part in PLACEHOLDER.split(piece)]
    return re.compile(r"\s+".join(".+?".join(literal).split(r"\ ")))


class Catalog:
    """The French catalog's msgstrs, as pieces a drawn row can be."""

    def __init__(self, code: str = "fr") -> None:
        with catalog_path(code).open("rb") as po:
            catalog = read_po(po, locale=code)
        self.msgstrs: list[str] = []
        for message in catalog:
            if not message.id:
                continue
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            self.msgstrs += [str(f) for f in forms if f]
        self._pieces = [(_pattern(p), p) for m in self.msgstrs for p in dict.fromkeys(_fragments(m))]

    def says(self, row: str) -> bool:
        """Whether ``row`` is a piece of some translation, its placeholders filled in."""
        return any(pattern.fullmatch(row) for pattern, _ in self._pieces)

    def untranslated(self, rows: Iterable[str], names: Iterable[str] = ()) -> list[str]:
        """The rows that are neither French, a number, nor (part of) one of ``names``."""
        names = [n for n in names if n]

        def named(row: str) -> bool:  # a name, maybe with the field's cursor or a full stop after it
            bare = row.rstrip("_.,;:!? ")
            return bool(bare) and any(bare in n for n in names)

        def french(row: str) -> bool:
            bare = LEADING_VALUE.sub("", row).rstrip(" :;,")  # a value before it, a colon after it
            if self.says(row) or self.says(bare):
                return True
            # a table's row: columns apart by two spaces or more, each a translation or a number
            columns = [c for c in re.split(r"\s{2,}", row.strip()) if c]
            return len(columns) > 1 and all(NUMBERISH.fullmatch(c) or self.says(c) for c in columns)

        return [row for row in rows if not NUMBERISH.fullmatch(row) and not named(row) and not french(row)]
