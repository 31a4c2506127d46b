"""The clinician's PDF: the report's blocks (``pages.report_blocks``) laid out with reportlab.

Flowing A4 pages, repeating table headers, plots from the ``figures*`` modules embedded as PNG.
reportlab's built-in Helvetica is used, so nothing is downloaded when a report is made; it covers
Latin-1 and a few more (°, –, ×, ·), so the words given to it keep to those.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from progress.reports import figures
from progress.reports.blocks import Block, Chart, Facts, Heading, PageBreak, Signature, Table, Text, Warning
from progress.reports.data import ReportData
from progress.reports.dates import human_period
from progress.reports.output import write_atomically
from progress.reports.pages import report_blocks

INK = "#1f2933"
MARKED = "#fff3e0"  # a stopped session's row
WARNING = "#c62828"
#: a table up to this many rows moves to the next page whole rather than being split
SHORT_TABLE = 15
#: charts are rasterised at this resolution: sharp on paper, and a year's report stays small and fast
DPI = 150


def render_pdf(data: ReportData, compress: bool = True) -> bytes:
    from reportlab.platypus import CondPageBreak, KeepTogether

    styles = _styles()
    story: list[Any] = []
    headings: list[Any] = []
    for block in report_blocks(data):
        flows = _flow(block, styles)
        if isinstance(block, Heading) and block.level > 1:
            headings += flows  # a heading never ends a page: it goes over with what it heads
            continue
        if isinstance(block, Table) and len(block.rows) > SHORT_TABLE:
            story += [CondPageBreak(120), *headings, *flows] if headings else flows
        else:
            story.append(KeepTogether(headings + flows))  # never nested: reportlab cannot measure that
        headings = []
    return _build(data, story + headings, compress)


@dataclass(frozen=True)
class _Styles:
    h1: Any
    h2: Any
    h3: Any
    caption: Any  # a long table's caption: an h3 that does not pull the whole table to the next page
    body: Any
    note: Any
    cell: Any
    head: Any
    width: float  # of the text column, in points
    mm: float  # points per millimetre


def _styles() -> _Styles:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm

    base = getSampleStyleSheet()
    ink = colors.HexColor(INK)
    body = ParagraphStyle("body", parent=base["BodyText"], fontSize=8.5, leading=11, textColor=ink)
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9)
    return _Styles(
        h1=ParagraphStyle("h1", parent=base["Heading1"], fontSize=16, spaceAfter=4, textColor=ink),
        h2=ParagraphStyle(
            "h2", parent=base["Heading2"], fontSize=12, spaceBefore=8, spaceAfter=3, textColor=ink, keepWithNext=1
        ),
        h3=ParagraphStyle(
            "h3", parent=base["Heading3"], fontSize=9.5, spaceBefore=6, spaceAfter=2, textColor=ink, keepWithNext=1
        ),
        caption=ParagraphStyle(
            "caption", parent=base["Heading3"], fontSize=9.5, spaceBefore=6, spaceAfter=2, textColor=ink
        ),
        body=body,
        note=ParagraphStyle("note", parent=body, fontSize=7, leading=9, textColor=colors.HexColor("#616161")),
        cell=cell,
        head=ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold", textColor=colors.white),
        width=A4[0] - 36 * mm,
        mm=mm,
    )


def _flow(block: Block, styles: _Styles) -> list[Any]:
    from reportlab.platypus import Paragraph
    from reportlab.platypus.flowables import PageBreakIfNotEmpty

    if isinstance(block, Heading):
        style = {1: styles.h1, 2: styles.h2}.get(block.level, styles.h3)
        return [Paragraph(_escape(block.text), style)]
    if isinstance(block, Text):
        return [Paragraph(_escape(block.text), styles.note if block.note else styles.body)]
    if isinstance(block, Facts):
        return [_facts(block, styles)]
    if isinstance(block, Table):
        return _table(block, styles)
    if isinstance(block, Chart):
        return _chart(block, styles)
    if isinstance(block, Warning):
        return [_warning(block, styles)]
    if isinstance(block, Signature):
        return [_signature(block, styles)]
    if isinstance(block, PageBreak):
        return [PageBreakIfNotEmpty()]  # a page the glance filled exactly is not followed by a blank one
    raise TypeError(f"no PDF layout for {type(block).__name__}")


def _facts(block: Facts, styles: _Styles) -> Any:
    from reportlab.platypus import Paragraph, TableStyle
    from reportlab.platypus import Table as Grid

    rows = [[Paragraph(f"<b>{_escape(k)}</b>", styles.body), Paragraph(_escape(v), styles.body)] for k, v in block.rows]
    grid = Grid(rows, colWidths=[42 * styles.mm, styles.width - 42 * styles.mm], hAlign="LEFT")
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_padding(1)]))
    return grid


def _table(block: Table, styles: _Styles) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import CondPageBreak, Paragraph, TableStyle
    from reportlab.platypus import Table as Grid

    right = ParagraphStyle("right", parent=styles.cell, alignment=TA_RIGHT)
    right_head = ParagraphStyle("right_head", parent=styles.head, alignment=TA_RIGHT)

    def row(cells: tuple[str, ...], head: bool) -> list[Any]:
        return [
            Paragraph(
                _escape(c),
                (right_head if head else right) if i >= block.first_numeric else (styles.head if head else styles.cell),
            )
            for i, c in enumerate(cells)
        ]

    grid = Grid(
        [row(block.header, True), *(row(r, False) for r in block.rows)],
        colWidths=[f * styles.width for f in block.widths],
        repeatRows=1,
        hAlign="LEFT",
    )
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#37474f")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f5f7")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *_padding(1.5),
    ]
    commands += [("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor(MARKED)) for i in sorted(block.marked)]
    grid.setStyle(TableStyle(commands))
    note = [Paragraph(_escape(block.note), styles.note)] if block.note else []
    if len(block.rows) <= SHORT_TABLE:
        return [Paragraph(_escape(block.caption), styles.h3), grid, *note]
    # a long table starts where it is, split across pages, but not with under ~5 rows of room left
    caption = Paragraph(_escape(block.caption), styles.caption)
    return [CondPageBreak(80), caption, grid, *note]


def _chart(block: Chart, styles: _Styles) -> list[Any]:
    """A chart as an image with its caption and note: never wider than the text, never blown up past
    the size it was drawn for (so its text stays one size)."""
    from reportlab.platypus import Image, Paragraph

    w_in, h_in = block.figure.get_size_inches()
    shown = min(styles.width, w_in * 72)
    image = Image(io.BytesIO(figures.png(block.figure, DPI)), width=shown, height=shown * h_in / w_in, hAlign="LEFT")
    parts = [Paragraph(_escape(block.title), styles.h3), image]
    if block.note:
        parts.append(Paragraph(_escape(block.note), styles.note))
    return parts


def _warning(block: Warning, styles: _Styles) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, TableStyle
    from reportlab.platypus import Table as Grid

    text = f"<b>{_escape(block.title)}</b><br/>{_escape(block.text)}"
    box = Grid([[Paragraph(text, styles.body)]], colWidths=[styles.width], hAlign="LEFT", spaceAfter=3 * styles.mm)
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor(WARNING)),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#ffebee")),
                *_padding(5),
            ]
        )
    )
    return box


def _signature(block: Signature, styles: _Styles) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, TableStyle
    from reportlab.platypus import Table as Grid

    cells, widths = [], []
    for name in block.fields:
        cells += [Paragraph(f"{_escape(name)}:", styles.body), ""]
        widths += [20 * styles.mm, styles.width / len(block.fields) - 20 * styles.mm]
    grid = Grid([cells], colWidths=widths, hAlign="LEFT", spaceBefore=14 * styles.mm)
    lines = [("LINEBELOW", (i, 0), (i, 0), 0.6, colors.HexColor(INK)) for i in range(1, len(cells), 2)]
    grid.setStyle(TableStyle([*lines, ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), *_padding(2)]))
    return grid


def _padding(points: float) -> list[tuple[Any, ...]]:
    return [("TOPPADDING", (0, 0), (-1, -1), points), ("BOTTOMPADDING", (0, 0), (-1, -1), points)]


def _build(data: ReportData, story: list[Any], compress: bool) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    period = human_period(data.start, data.end)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#757575"))
        canvas.drawString(18 * mm, 10 * mm, f"{data.patient} · {period}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    # invariant=1: no creation time or random id in the file, so the same data gives the same PDF
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=f"Rehabilitation progress report: {data.patient}",
        author="rehab",
        subject="",
        creator="rehab",
        invariant=1,
        pageCompression=1 if compress else 0,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_pdf(data: ReportData, out: Path) -> None:
    write_atomically(out, render_pdf(data))
