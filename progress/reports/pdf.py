"""The clinician's PDF: header, ROM trend, adherence calendar, pain, SUDS, and a session table.

Layout with reportlab (flowing pages, repeating table headers); plots from ``figures`` embedded as
150 dpi PNG. reportlab's built-in Helvetica is used, so nothing is downloaded when a report is made.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from progress.reports import figures
from progress.reports.data import ReportData, SessionSummary, adherence
from progress.reports.output import write_atomically

#: above this many sessions the table shows one row per week: a year of daily rows is 10 pages
#: nobody reads, and the CSV export has every session
MAX_SESSION_ROWS = 62


def _fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def summary_lines(data: ReportData) -> list[tuple[str, str]]:
    done, prescribed = adherence(data)
    total_done = sum(done.values())
    wanted = sum(prescribed.values())
    plan = data.plan_on(data.end)
    plan_text = (
        f"version {plan.version} from {plan.effective_from}, {plan.sessions_per_week} sessions a week"
        + (
            ", goals " + ", ".join(f"{k.replace('_', ' ')} {v:g}°" for k, v in sorted(plan.goals_deg.items()))
            if plan.goals_deg
            else ""
        )
        if plan
        else "no plan recorded (goals shown are each session's target)"
    )
    reps = sum(s.reps for s in data.sessions)
    successes = sum(s.successes for s in data.sessions)
    adherence_text = f"{total_done} session{'s' if total_done != 1 else ''} done" + (
        f" of {wanted:.0f} prescribed ({100 * total_done / wanted:.0f}%)" if wanted else ""
    )
    return [
        ("Patient", data.patient + (" (pseudonymised)" if data.pseudonymized else "")),
        ("Period", f"{data.start.isoformat()} to {data.end.isoformat()} ({_days(data.end - data.start)})"),
        ("Plan", plan_text),
        ("Adherence", adherence_text),
        ("Repetitions", f"{reps} ({successes} reached the target)"),
        ("Generated", data.generated_at),
    ]


def table_rows(data: ReportData) -> tuple[list[str], list[list[str]], str]:
    """Header, rows and a caption: one row per session, or per week when there are many sessions."""
    header = ["Date", "Movement", "Reps", "At target", "Best peak °", "Mean peak °", "Mean ROM °", "Pain before/after"]
    if len(data.sessions) <= MAX_SESSION_ROWS:
        rows = [
            [
                s.day.isoformat(),
                _movement(s),
                str(s.reps),
                str(s.successes),
                _fmt(s.best_peak_deg),
                _fmt(s.mean_peak_deg),
                _fmt(s.mean_rom_deg),
                f"{_fmt(s.pain_before)} / {_fmt(s.pain_after)}",
            ]
            for s in data.sessions
        ]
        return header, rows, "Sessions"
    weeks: dict[Any, list[SessionSummary]] = defaultdict(list)
    for s in data.sessions:
        weeks[(s.day - timedelta(days=s.day.weekday()), s.movement)].append(s)
    rows = []
    for (monday, _), group in sorted(weeks.items()):
        peaks = [s.best_peak_deg for s in group if s.best_peak_deg is not None]
        means = [s.mean_peak_deg for s in group if s.mean_peak_deg is not None]
        roms = [s.mean_rom_deg for s in group if s.mean_rom_deg is not None]
        pains = [s.pain_before for s in group if s.pain_before is not None]
        rows.append(
            [
                f"week of {monday.isoformat()}",
                f"{_movement(group[0])} ×{len(group)}",
                str(sum(s.reps for s in group)),
                str(sum(s.successes for s in group)),
                _fmt(max(peaks) if peaks else None),
                _fmt(sum(means) / len(means) if means else None),
                _fmt(sum(roms) / len(roms) if roms else None),
                _fmt(sum(pains) / len(pains) if pains else None, 1),
            ]
        )
    header = [*header[:-1], "Mean pain before"]
    caption = f"Sessions by week ({len(data.sessions)} sessions; every session is in the CSV export)"
    return header, rows, caption


def _movement(s: SessionSummary) -> str:
    if s.kind == "mental":
        return f"{s.game} (mental)"
    return s.movement.replace("_", " ")


def render_pdf(data: ReportData, compress: bool = True) -> bytes:
    from reportlab.platypus import Paragraph, Spacer

    styles = _styles()
    story: list[Any] = [Paragraph("Rehabilitation progress report", styles.h1), _summary(data, styles)]
    story += _figures(data, styles)
    header, rows, caption = table_rows(data)
    story += [Paragraph(caption, styles.h2), _table(header, rows, styles.width)]
    if data.pseudonymized:
        story += [
            Spacer(1, 4 * styles.mm),
            Paragraph(
                "Pseudonymised report: no name, id, device or time of day is shown; "
                "dates are kept because the trend needs them.",
                styles.note,
            ),
        ]
    return _build(data, story, compress)


@dataclass(frozen=True)
class _Styles:
    h1: Any
    h2: Any
    body: Any
    note: Any
    width: float  # of the text column, in points
    mm: float  # points per millimetre

    def figure(self, fig: Any) -> Any:
        """A chart as an image: never wider than the page, never blown up past the size it was drawn
        for (text stays one size)."""
        from reportlab.platypus import Image

        w_in, h_in = fig.get_size_inches()
        shown = min(self.width, w_in * 72)
        return Image(io.BytesIO(figures.png(fig)), width=shown, height=shown * h_in / w_in, hAlign="LEFT")


def _styles() -> _Styles:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm

    styles = getSampleStyleSheet()
    ink = colors.HexColor("#1f2933")
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=8.5, leading=11)
    return _Styles(
        h1=ParagraphStyle("h1", parent=styles["Heading1"], fontSize=16, spaceAfter=4, textColor=ink),
        h2=ParagraphStyle("h2", parent=styles["Heading2"], fontSize=11, spaceBefore=8, spaceAfter=3, textColor=ink),
        body=body,
        note=ParagraphStyle("note", parent=body, fontSize=7.5, textColor=colors.HexColor("#616161")),
        width=A4[0] - 36 * mm,
        mm=mm,
    )


def _summary(data: ReportData, styles: _Styles) -> Any:
    from reportlab.platypus import Paragraph, Table, TableStyle

    summary = Table(
        [[Paragraph(f"<b>{k}</b>", styles.body), Paragraph(_escape(v), styles.body)] for k, v in summary_lines(data)],
        colWidths=[28 * styles.mm, styles.width - 28 * styles.mm],
    )
    summary.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return summary


def _figures(data: ReportData, styles: _Styles) -> list[Any]:
    """Range of motion (when there are reps), adherence, pain and the mental sessions' curves."""
    from reportlab.platypus import KeepTogether, Paragraph

    flows: list[Any] = []
    rom = figures.rom_trend(data)
    if rom is not None:
        rom_note = (
            "Peak angle per session (dots: best rep, line: mean of reps). Dashed: AAOS normal active "
            "range; green: the goal from the plan, else the session's target."
        )
        flows.append(
            KeepTogether(
                [Paragraph("Range of motion", styles.h2), styles.figure(rom), Paragraph(rom_note, styles.note)]
            )
        )
    adherence_note = (
        "One square per day, Monday on top; darker means more of that day's prescribed sessions "
        "were done (with no plan, any session fills the day)."
    )
    calendar = styles.figure(figures.adherence_calendar(data))
    flows.append(KeepTogether([Paragraph("Adherence", styles.h2), calendar, Paragraph(adherence_note, styles.note)]))
    pain = figures.pain_trend(data)
    no_pain = Paragraph("No pain ratings were recorded in this period.", styles.body)
    flows.append(KeepTogether([Paragraph("Pain", styles.h2), styles.figure(pain) if pain is not None else no_pain]))
    suds = figures.suds_curves(data)
    if suds is not None:
        flows.append(KeepTogether([Paragraph("Mental sessions", styles.h2), styles.figure(suds)]))
    return flows


def _build(data: ReportData, story: list[Any], compress: bool) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#757575"))
        canvas.drawString(18 * mm, 10 * mm, f"{data.patient} · {data.start} to {data.end}")
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


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    fractions = [0.15, 0.22, 0.07, 0.09, 0.11, 0.11, 0.11, 0.14]
    table = Table([list(header), *rows], colWidths=[f * width for f in fractions], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 7.5),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#37474f")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f5f7")]),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.HexColor("#37474f")),
            ]
        )
    )
    return table


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_pdf(data: ReportData, out: Path) -> None:
    write_atomically(out, render_pdf(data))


def _days(span: timedelta) -> str:
    days = span.days + 1
    return f"{days} day" if days == 1 else f"{days} days"
