"""A single self-contained HTML page (inline SVG plots, no scripts, no external files): the PDF's
blocks for a browser or an e-mail attachment.

Accessible: one h1 and nested headings, tables with a caption and column headers (``scope=col``),
each chart an ``img`` role with a title and a description a screen reader says, the safety warning
a ``role=alert`` box, and stopped sessions saying why in words, not only with a tint.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from progress.reports import figures
from progress.reports.blocks import Block, Chart, Facts, Heading, PageBreak, Signature, Table, Text, Warning
from progress.reports.data import ReportData
from progress.reports.output import write_atomically
from progress.reports.pages import report_blocks

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #1f2933; max-width: 52rem; margin: 2rem auto;
  padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; } h3 { font-size: 1rem; margin: 1rem 0 0.3rem; }
table { border-collapse: collapse; font-size: 0.8rem; margin-bottom: 0.4rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th { background: #37474f; color: white; text-align: left; padding: 2px 6px; }
td { padding: 2px 6px; vertical-align: top; } tr:nth-child(even) td { background: #f3f5f7; }
td.num, th.num { text-align: right; }
tr.marked td { background: #fff3e0; font-weight: bold; }
dl { display: grid; grid-template-columns: 12rem 1fr; font-size: 0.9rem; margin: 0.3rem 0; } dt { font-weight: bold; }
dd { margin: 0; }
.note { font-size: 0.75rem; color: #616161; }
.warning { border: 2px solid #c62828; background: #ffebee; padding: 0.6rem 0.8rem; margin: 0.6rem 0; }
.signature { display: flex; gap: 2rem; margin-top: 3rem; }
.signature span { flex: 1; border-bottom: 1px solid #1f2933; padding-bottom: 1.2rem; }
figure { margin: 0.5rem 0; } figcaption { font-weight: bold; font-size: 0.9rem; }
svg { max-width: 100%; height: auto; }
hr { border: none; border-top: 1px solid #cfd8dc; margin: 1.5rem 0; }
"""


def render_html(data: ReportData) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Progress report: {escape(data.patient)}</title><style>{STYLE}</style></head><body><main>"
    ]
    charts = 0
    for block in report_blocks(data):
        if isinstance(block, Chart):
            charts += 1
            parts.append(_chart(block, charts))
        else:
            parts.append(_block(block))
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Text):
        return f"<p class='note'>{escape(block.text)}</p>" if block.note else f"<p>{escape(block.text)}</p>"
    if isinstance(block, Facts):
        return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in block.rows) + "</dl>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Warning):
        return f"<div class='warning' role='alert'><strong>{escape(block.title)}</strong><br>{escape(block.text)}</div>"
    if isinstance(block, Signature):
        cells = "".join(f"<span>{escape(name)}:</span>" for name in block.fields)
        return f"<div class='signature' aria-label='signature lines'>{cells}</div>"
    if isinstance(block, PageBreak):
        return "<hr>"
    raise TypeError(f"no HTML for {type(block).__name__}")


def _table(block: Table) -> str:
    def cls(i: int) -> str:
        return " class='num'" if i >= block.first_numeric else ""

    head = "".join(f"<th scope='col'{cls(i)}>{escape(h)}</th>" for i, h in enumerate(block.header))
    rows = []
    for n, row in enumerate(block.rows):
        marked = " class='marked'" if n in block.marked else ""
        rows.append(f"<tr{marked}>" + "".join(f"<td{cls(i)}>{escape(c)}</td>" for i, c in enumerate(row)) + "</tr>")
    caption = f"<caption>{escape(block.caption)}</caption>"
    note = f"<p class='note'>{escape(block.note)}</p>" if block.note else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"


def _chart(block: Chart, number: int) -> str:
    """An inline SVG named for screen readers by its title and described by its alt text."""
    # matplotlib's SVG starts with an XML prolog that is not allowed inside HTML
    svg = figures.svg(block.figure).split("?>", 1)[-1]
    svg = svg.split("<svg", 1)[-1]
    ids = f"chart{number}-title", f"chart{number}-desc"
    opening = (
        f"<svg role='img' aria-labelledby='{ids[0]} {ids[1]}'"
        + svg.split(">", 1)[0]
        + f"><title id='{ids[0]}'>{escape(block.title)}</title><desc id='{ids[1]}'>{escape(block.alt)}</desc>"
    )
    body = svg.split(">", 1)[1]
    note = f"<p class='note'>{escape(block.note)}</p>" if block.note else ""
    return f"<figure><figcaption>{escape(block.title)}</figcaption>{opening}{body}{note}</figure>"


def write_html(data: ReportData, out: Path) -> None:
    write_atomically(out, render_html(data).encode("utf-8"))
