"""What a report page is made of, independent of the format that draws it.

The page modules (``pages_*``) turn ``ReportData`` into a list of these blocks once; ``pdf`` and
``html`` only draw blocks. So the PDF and the HTML page cannot disagree on a number, a status or a
date, and a test of the blocks is a test of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1 for the report's title


@dataclass(frozen=True)
class Text:
    text: str
    note: bool = False  # small grey print under a chart or a table


@dataclass(frozen=True)
class Facts:
    """Label and value pairs (patient, period, clinic...): a definition list in HTML."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table with a header row. ``marked`` rows are stopped sessions or unmet goals: drawn tinted,
    and their text already says why (colour is never the only sign)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the text width, one per column
    marked: frozenset[int] = frozenset()
    first_numeric: int = 1  # columns from here on are right-aligned
    note: str = ""  # small print under the table, kept on its page


@dataclass(frozen=True)
class Chart:
    """A matplotlib Figure with the words a screen reader says instead (HTML alt text)."""

    title: str
    figure: Any  # matplotlib.figure.Figure (Any: frozen dataclasses compare fields, figures by identity)
    alt: str
    note: str = ""


@dataclass(frozen=True)
class Warning:
    """A box at the top of the first page (a PHQ-9 self-harm answer): never lost among the charts."""

    title: str
    text: str


@dataclass(frozen=True)
class Signature:
    """Lines for the clinician's name, signature and date, at the end."""

    fields: tuple[str, ...] = field(default=("Clinician", "Signature", "Date"))


@dataclass(frozen=True)
class PageBreak:
    """A new page in the PDF; a rule in HTML."""


Block = Heading | Text | Facts | Table | Chart | Warning | Signature | PageBreak


def without_empty_columns(table: Table, keep: int = 2) -> Table:
    """The table without the columns no row has a value in ("–" all the way down), the first ``keep``
    always kept: an exposure patient's table has no breathing columns, a mental one no angles. The
    widths left are stretched to the table's width."""
    if not table.rows:
        return table
    kept = [i for i in range(len(table.header)) if i < keep or any(row[i] != "–" for row in table.rows)]
    total, left = sum(table.widths), sum(table.widths[i] for i in kept)
    return Table(
        caption=table.caption,
        header=tuple(table.header[i] for i in kept),
        rows=tuple(tuple(row[i] for i in kept) for row in table.rows),
        widths=tuple(table.widths[i] * total / left for i in kept),
        marked=table.marked,
        first_numeric=sum(1 for i in kept if i < table.first_numeric),
        note=table.note,
    )
