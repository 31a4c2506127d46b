"""A small TOML writer for plan-shaped data: the plan editor's form becomes the same TOML text a
physio would write by hand, so ``rehab plan validate``'s own parser and validator judge it.

It writes what plans hold: text, whole numbers, numbers, true/false, arrays of those, tables and
arrays of tables (``[[exercise]]`` with an ``[exercise.progression]`` inside). ``None`` is left
out (TOML has no null; a plan leaves an optional field out instead). Anything else is a
programming error and raises TypeError rather than writing a file that reads back differently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def dumps(data: Mapping[str, Any]) -> str:
    """``data`` as TOML text that ``tomllib.loads`` reads back equal (None values left out)."""
    return "\n".join(_table(data, ())).strip("\n") + "\n"


def _key(key: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"a TOML key must be text, not {key!r}")
    return key if _BARE_KEY.match(key) else _string(key)


def _header(path: Sequence[str]) -> str:
    return ".".join(_key(part) for part in path)


def _string(text: str) -> str:
    """A basic string: quotes, backslashes and every control character escaped (TOML forbids them raw)."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(value)  # the shortest text that reads back as the same float
    return text if any(c in text for c in ".en") else text + ".0"


def _value(value: Any) -> str:
    """An inline value: text, a bool, a whole number, a number or an array of them."""
    if isinstance(value, bool):  # before int: True is an int in Python
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"a plan holds no value like {value!r}")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(item, Mapping) for item in value)


def _table(data: Mapping[str, Any], path: tuple[str, ...]) -> Iterator[str]:
    """The table's own keys first, then its sub-tables, then its arrays of tables: after a header
    every key belongs to that header's table, so the order is what keeps the nesting right."""
    tables = []
    arrays = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            tables.append((key, value))
        elif _is_table_array(value):
            arrays.append((key, value))
        else:
            yield f"{_key(key)} = {_value(value)}"
    for key, value in tables:
        yield ""
        yield f"[{_header((*path, key))}]"
        yield from _table(value, (*path, key))
    for key, items in arrays:
        for item in items:
            yield ""
            yield f"[[{_header((*path, key))}]]"
            yield from _table(item, (*path, key))
