"""The whole report as blocks, in reading order: at a glance, the physical charts, the mental page,
the outcome measures, the session list, and the signature lines."""

from __future__ import annotations

from progress.reports import figures, figures_adherence, pages_mental, pages_outcomes
from progress.reports.blocks import Block, Chart, Heading, PageBreak, Signature, Text
from progress.reports.data import ReportData
from progress.reports.dates import human_date, number, plural
from progress.reports.pages_glance import glance_blocks
from progress.reports.pages_sessions import session_blocks

ROM_NOTE = (
    "Peak active angle per session (dots: best rep, line: mean of reps). Dashed: AAOS normal active range; "
    "green: the goal from the plan, else the session's target. The axis fits the measured values; a goal or "
    "normal far from them is written at the top right instead."
)
PSEUDONYM_NOTE = (
    "Pseudonymised report: no name, id, device or time of day is shown, and every date is moved by the same "
    "secret number of weeks, so intervals and weekdays are kept."
)


def report_blocks(data: ReportData) -> list[Block]:
    blocks = glance_blocks(data)
    blocks.append(PageBreak())
    blocks += physical_blocks(data)
    blocks += pages_mental.mental_blocks(data)
    blocks += pages_outcomes.outcome_blocks(data)
    blocks += session_blocks(data)
    if data.pseudonymized:
        blocks.append(Text(PSEUDONYM_NOTE, note=True))
    blocks.append(Signature())
    return blocks


def physical_blocks(data: ReportData) -> list[Block]:
    """Range of motion (physical movements only), the adherence calendar and pain."""
    blocks: list[Block] = []
    rom = figures.rom_trend(data)
    if rom is not None:
        blocks.append(Heading("Range of motion"))
        blocks.append(Chart("Range of motion per session", rom, _rom_alt(data), ROM_NOTE))
    blocks.append(Heading("Adherence and pain"))
    calendar = figures_adherence.adherence_calendar(data)
    blocks.append(Chart("Adherence calendar", calendar, _calendar_alt(data)))
    pain = figures.pain_trend(data)
    if pain is None:
        blocks.append(Text("No pain ratings were recorded in this period."))
    else:
        blocks.append(Chart("Pain", pain, "Pain from 0 to 10 before and after sessions over the period."))
    return blocks


def _rom_alt(data: ReportData) -> str:
    parts = [
        f"{m.title}: from {number(m.baseline_deg, unit=' degrees')} to {number(m.latest_deg, unit=' degrees')}"
        + (f", goal {number(m.goal_deg, unit=' degrees')}" if m.goal_deg is not None else "")
        for m in data.glance.movements
    ]
    return "Peak angle per session. " + "; ".join(parts) + "."


def _calendar_alt(data: ReportData) -> str:
    states = figures_adherence.day_states(data)
    counts = {key: sum(1 for state, _ in states.values() if state == key) for key in figures_adherence.STATES}
    stopped = sum(1 for _, was in states.values() if was)
    return (
        f"Calendar from {human_date(data.start)} to {human_date(data.end)}: "
        f"{plural(counts['completed'], 'day')} with a completed guided session, "
        f"{plural(stopped, 'day')} with a session stopped or not started, "
        f"{plural(counts['free_play'], 'day')} with free play only, {plural(counts['none'], 'day')} without a session."
    )
