"""A single self-contained HTML page (inline SVG plots, no scripts, no external files): the PDF's content
for a browser or an e-mail attachment."""

from __future__ import annotations

from html import escape
from pathlib import Path

from progress.reports import figures
from progress.reports.data import ReportData
from progress.reports.output import write_atomically
from progress.reports.pdf import summary_lines, table_rows

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #1f2933; max-width: 52rem; margin: 2rem auto; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; font-size: 0.8rem; }
th { background: #37474f; color: white; text-align: left; padding: 2px 6px; }
td { padding: 2px 6px; } tr:nth-child(even) td { background: #f3f5f7; }
dl { display: grid; grid-template-columns: 8rem 1fr; font-size: 0.9rem; } dt { font-weight: bold; }
svg { max-width: 100%; height: auto; }
"""


def render_html(data: ReportData) -> str:
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Progress report: "
        f"{escape(data.patient)}</title><style>{STYLE}</style></head><body>",
        "<h1>Rehabilitation progress report</h1><dl>",
    ]
    parts += [f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in summary_lines(data)]
    parts.append("</dl>")
    sections = [
        ("Range of motion", figures.rom_trend(data)),
        ("Adherence", figures.adherence_calendar(data)),
        ("Pain", figures.pain_trend(data)),
        ("Mental sessions", figures.suds_curves(data)),
    ]
    for title, fig in sections:
        if fig is not None:
            # matplotlib's SVG starts with an XML prolog that is not allowed inside HTML
            parts.append(f"<h2>{title}</h2>" + figures.svg(fig).split("?>", 1)[-1])
    header, rows, caption = table_rows(data)
    parts.append(f"<h2>{escape(caption)}</h2><table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>")
    parts += ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows]
    parts.append("</table></body></html>\n")
    return "".join(parts)


def write_html(data: ReportData, out: Path) -> None:
    write_atomically(out, render_html(data).encode("utf-8"))
