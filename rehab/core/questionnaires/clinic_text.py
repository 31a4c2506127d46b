"""Item wording a clinic supplies for an instrument whose text rehab may not ship.

A clinic that holds a licence (for the OKS from Oxford University Innovation, for QuickDASH from the
Institute for Work & Health, ...) writes the wording into a TOML file; the format is in
docs/outcome_measures.md. The file may change the words, never the scoring: it must list every item
in order, with exactly the answer values rehab scores. Every problem is reported at once, each naming
the file, the line and the field, so the clinic fixes the file in one round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomllib

from rehab.core.errors import DataError
from rehab.core.questionnaires.model import Choice, Instrument, Item

_TOP_FIELDS = ("measure", "licence", "title", "intro", "item")
_ITEM_FIELDS = ("key", "text", "choices")
_CHOICE_FIELDS = ("value", "label")
_ITEM_HEADER = re.compile(r"^\s*\[\[\s*item\s*\]\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_CHOICE = re.compile(r"\{\s*(value|label)\s*=")


class ItemTextError(DataError):
    """A clinic item-text file that cannot be used. ``str()`` lists every problem, one a line."""

    def __init__(self, path: Path, problems: list[tuple[int | None, str, str]]) -> None:
        self.problems = sorted(problems, key=lambda p: p[0] or 0)
        lines = [f"{path}{f', line {line}' if line else ''}: {where}: {what}" for line, where, what in self.problems]
        super().__init__("\n".join(lines))


@dataclass
class _Lines:
    """The line of each top-level key and of each ``[[item]]`` and its keys (tomllib gives none)."""

    top: dict[str, int]
    items: list[dict[str, int]]

    @classmethod
    def of(cls, text: str) -> _Lines:
        top: dict[str, int] = {}
        items: list[dict[str, int]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if _ITEM_HEADER.match(line):
                items.append({"": number})
                continue
            if items and _CHOICE.search(line):
                # one inline { value = ..., label = ... } a line, as the documented format writes them
                items[-1][f"#{sum(k.startswith('#') for k in items[-1]) + 1}"] = number
            key = _KEY.match(line)
            if key:
                (items[-1] if items else top).setdefault(key.group(1), number)
        return cls(top, items)

    def line(self, index: int | None, key: str = "") -> int | None:
        if index is None:
            return self.top.get(key)
        if index < len(self.items):
            lines = self.items[index]
            # "#3" is the third answer; without a line of its own, the choices line holds it
            return lines.get(key) or lines.get("choices" if key.startswith("#") else key) or lines[""]
        return None


def with_item_text(instrument: Instrument, path: Path) -> Instrument:
    """``instrument`` with the item wording from the clinic's file at ``path``; ItemTextError if unusable."""
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"at line (\d+)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ItemTextError(path, [(int(match.group(1)) if match else None, "TOML syntax", message)]) from error
    check = _Check(_Lines.of(text))
    items = check.file(instrument, data)
    if check.problems:
        raise ItemTextError(path, check.problems)
    return replace(
        instrument,
        title=_optional_text(data, "title") or instrument.title,
        intro=_optional_text(data, "intro") or instrument.intro,
        items=items,
        text_shipped=True,
        licence=str(data["licence"]),
        text_source=str(path),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ItemTextError(path, [(None, "file", f"cannot be read ({error.strerror})")]) from error
    except UnicodeDecodeError as error:
        raise ItemTextError(path, [(None, "file", "is not UTF-8 text")]) from error


def _optional_text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


class _Check:
    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.problems: list[tuple[int | None, str, str]] = []

    def problem(self, index: int | None, key: str, where: str, what: str) -> None:
        self.problems.append((self.lines.line(index, key), where, what))

    def file(self, instrument: Instrument, data: dict[str, Any]) -> tuple[Item, ...]:
        for key in data:
            if key not in _TOP_FIELDS:
                self.problem(None, key, key, f"unknown field (allowed: {', '.join(_TOP_FIELDS)})")
        if data.get("measure") != instrument.id:
            self.problem(
                None, "measure", "measure", f"is {data.get('measure')!r}, this file must say {instrument.id!r}"
            )
        if not _optional_text(data, "licence"):
            self.problem(None, "licence", "licence", "missing: say which licence lets the clinic use this wording")
        for key in ("title", "intro"):
            if key in data and not _optional_text(data, key):
                self.problem(None, key, key, "must be non-empty text")
        raw = data.get("item")
        if not isinstance(raw, list) or len(raw) != len(instrument.items):
            count = len(raw) if isinstance(raw, list) else 0
            have = f"{instrument.short_title} has {len(instrument.items)}"
            self.problem(None, "item", "item", f"{count} [[item]] tables; {have}")
            return instrument.items
        return tuple(
            self.item(i, expected, entry) for i, (expected, entry) in enumerate(zip(instrument.items, raw, strict=True))
        )

    def item(self, index: int, expected: Item, entry: Any) -> Item:
        where = f"item[{index + 1}]"
        if not isinstance(entry, dict):
            self.problem(index, "", where, "must be a [[item]] table")
            return expected
        for key in entry:
            if key not in _ITEM_FIELDS:
                self.problem(index, key, f"{where}.{key}", f"unknown field (allowed: {', '.join(_ITEM_FIELDS)})")
        if entry.get("key", expected.key) != expected.key:
            self.problem(index, "key", f"{where}.key", f"is {entry['key']!r}, item {index + 1} is {expected.key!r}")
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip():
            self.problem(index, "text", f"{where}.text", "missing: the wording of the question")
            text = expected.text
        return replace(expected, text=text.strip(), choices=self.choices(index, expected, entry.get("choices")))

    def choices(self, index: int, expected: Item, raw: Any) -> tuple[Choice, ...]:
        where = f"item[{index + 1}].choices"
        allowed = ", ".join(str(v) for v in sorted(expected.values))
        if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
            self.problem(
                index, "choices", where, f'must be a list of {{ value = ..., label = "..." }}, values {allowed}'
            )
            return expected.choices
        choices = []
        for n, entry in enumerate(raw, start=1):
            value, label = entry.get("value"), entry.get("label")
            unknown = sorted(set(entry) - set(_CHOICE_FIELDS))
            if unknown or isinstance(value, bool) or not isinstance(value, int):
                self.problem(index, f"#{n}", f"{where}[{n}]", "needs an integer value and a label, nothing else")
            elif not isinstance(label, str) or not label.strip():
                self.problem(index, f"#{n}", f"{where}[{n}].label", "missing: the words of the answer")
            else:
                choices.append(Choice(value, label.strip()))
        values = [c.value for c in choices]
        if len(choices) == len(raw) and (sorted(values) != sorted(expected.values) or len(set(values)) != len(values)):
            given = ", ".join(str(v) for v in values)
            self.problem(index, "choices", where, f"values are {given}; the scoring needs each of {allowed} once")
        return tuple(choices) if choices else expected.choices
