"""The first page, "At a glance": what a clinician reads before anything else.

Safety warnings first (a PHQ-9 self-harm answer), then who and what (clinic, diagnosis, surgery),
then each movement's baseline against its latest value and goal, adherence, pain, safety stops,
the plan's progression with reasons, movement quality, mental measures and outcome measures.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from progress.reports import figures_adherence, pages_mental, pages_outcomes
from progress.reports.blocks import Block, Chart, Facts, Heading, Table, Warning
from progress.reports.data import STATUS_TEXT, ReportData
from progress.reports.dates import human_date, human_datetime, human_period, number, plural, signed
from rehab.core.questionnaires import SELF_HARM_FLAG

#: plan versions listed on the first page at most (the first, then the latest ones)
MOST_PLAN_ROWS = 8
_SIDES = {"left": "Left", "right": "Right", "both": "Both sides"}


def glance_blocks(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading("Rehabilitation progress report", level=1)]
    blocks += warnings(data)
    blocks.append(Facts(tuple(header_facts(data))))
    blocks.append(Heading("At a glance"))
    blocks += movement_blocks(data)
    blocks += adherence_blocks(data)
    blocks += pages_outcomes.glance_blocks(data)
    blocks += pages_mental.glance_blocks(data)
    blocks += plan_blocks(data)
    return blocks


def warnings(data: ReportData) -> list[Block]:
    """One box per flagged questionnaire; the self-harm flag says what the answer means."""
    boxes: list[Block] = []
    for score in data.glance.outcome_flags:
        if SELF_HARM_FLAG in score.flags:
            text = (
                f"{score.short_title} on {human_date(score.day)}: the answer to the question on thoughts of "
                "self-harm was not 'not at all'. Check on the patient's safety before anything else in this report."
            )
            boxes.append(Warning("Safety: thoughts of self-harm reported", text))
        else:
            flags = ", ".join(flag.replace("_", " ") for flag in score.flags)
            boxes.append(Warning(f"{score.short_title} flagged", f"{human_date(score.day)}: {flags}."))
    return boxes


def header_facts(data: ReportData) -> list[tuple[str, str]]:
    """Patient, the optional fields the clinician gave (left out when not given), the period."""
    header = data.header
    facts = [("Patient", data.patient + (" (pseudonymised)" if data.pseudonymized else ""))]
    if header.clinic:
        facts.append(("Clinic", header.clinic))
    if header.clinician:
        facts.append(("Clinician", header.clinician))
    if header.diagnosis:
        facts.append(("Diagnosis", header.diagnosis))
    if header.operated_side:
        facts.append(("Operated side", _SIDES.get(header.operated_side, header.operated_side)))
    if header.surgery_date:
        facts.append(("Surgery", _surgery(header.surgery_date, data.end)))
    facts.append(("Period", human_period(data.start, data.end)))
    facts.append(("Plan", _plan_line(data)))
    facts.append(("Generated", human_datetime(data.generated_at)))
    return facts


def _surgery(day: date, end: date) -> str:
    after = (end - day).days
    if after < 0:
        return f"{human_date(day)} (after this period)"
    return f"{human_date(day)} ({plural(after, 'day')} before the period's last day)"


def _plan_line(data: ReportData) -> str:
    plan = data.plan_on(data.end)
    if plan is None:
        return "no plan recorded (goals shown are each session's target)"
    title = f"{plan.title}, " if plan.title else ""
    return (
        f"{title}version {plan.version} from {human_date(plan.effective_from)}, "
        f"{plural(plan.sessions_per_week, 'session')} a week"
    )


def movement_blocks(data: ReportData) -> list[Block]:
    """Baseline against latest per physical movement, with the goal and whether it was met."""
    moves = data.glance.movements
    if not moves:
        return []
    rows = tuple(
        (
            m.title,
            number(m.baseline_deg, unit="°"),
            number(m.latest_deg, unit="°"),
            signed(m.change_deg, unit="°"),
            number(m.goal_deg, unit="°"),
            "–" if m.goal_met is None else ("yes" if m.goal_met else "not yet"),
            number(m.normal_deg, unit="°"),
            str(m.sessions),
        )
        for m in moves
    )
    header = ("Movement", "Baseline", "Latest", "Change", "Goal", "Goal met", "AAOS normal", "Sessions")
    note = (
        "Peak active angle. Baseline and latest: the median best peak of the first and of the last three "
        "sessions; goal: the plan in force on the period's last day."
    )
    marked = frozenset(i for i, m in enumerate(moves) if m.goal_met is False)
    widths = (0.26, 0.1, 0.1, 0.1, 0.1, 0.1, 0.13, 0.11)
    return [Table("Range of motion", header, rows, widths, marked=marked, note=note), *quality_blocks(data)]


def quality_blocks(data: ReportData) -> list[Block]:
    """Hold, smoothness, compensations and reps past the safety ceiling, per movement."""
    rows = []
    for m in data.glance.movements:
        seen = Counter(m.compensations).most_common(3)
        compensations = ", ".join(f"{name.replace('_', ' ')} {plural(n, 'rep')}" for name, n in seen) or "none"
        rows.append(
            (
                m.title,
                compensations,
                number(m.best_hold_s, 1, " s"),
                number(m.mean_hold_s, 1, " s"),
                number(m.mean_sparc, 2),
                str(m.over_ceiling),
            )
        )
    header = ("Movement", "Compensations", "Best hold", "Mean hold", "Smoothness", "Past ceiling")
    note = "Smoothness: SPARC, closer to 0 is smoother. Past ceiling: reps beyond the plan's safety ceiling."
    widths = (0.26, 0.3, 0.1, 0.1, 0.12, 0.12)
    return [Table("Movement quality", header, tuple(rows), widths, first_numeric=2, note=note)]


def adherence_blocks(data: ReportData) -> list[Block]:
    adherence = data.adherence
    if adherence.prescribed:
        done = (
            f"{adherence.done} of {plural(adherence.prescribed, 'prescribed session')} done ({adherence.percent:.0f}%)"
        )
        done += ": more than prescribed" if adherence.more_than_prescribed else ""
    else:
        done = f"{plural(adherence.done, 'guided session')} done; none prescribed in this period"
    stops = Counter(v.status for v in data.visits if data.start <= v.day <= data.end)
    safety = ", ".join(
        f"{STATUS_TEXT[k].lower()} {stops[k]}" for k in ("stopped_for_pain", "pain_too_high", "device_lost") if stops[k]
    )
    free = adherence.free_play_sessions
    facts = [
        ("Adherence", done),
        (
            "Stopped for safety",
            f"{adherence.stopped_for_safety} ({safety})" if adherence.stopped_for_safety else "none",
        ),
        ("Stopped by the patient", str(stops["stopped_by_patient"]) if stops["stopped_by_patient"] else "none"),
        ("Free play", f"{plural(free, 'session')}, not counted as prescribed" if free else "none"),
        ("Pain", _pain(data)),
    ]
    blocks: list[Block] = [Heading("Adherence and pain", level=3), Facts(tuple(facts))]
    strip = figures_adherence.weekly_strip(data)
    if strip is not None:
        alt = "; ".join(
            f"week of {human_date(w.week_start)}: {w.done} of {w.prescribed}" for w in adherence.weeks if w.prescribed
        )
        blocks.append(Chart("Prescribed sessions done per week", strip, f"Sessions done per week: {alt}."))
    return blocks


def _pain(data: ReportData) -> str:
    glance = data.glance
    if glance.pain_first is None:
        return "no pain ratings before sessions in this period"
    return (
        f"mean before sessions {number(glance.pain_first, 1)}/10 in the first week with ratings, "
        f"{number(glance.pain_last, 1)}/10 in the last: {glance.pain_trend}"
    )


def plan_blocks(data: ReportData) -> list[Block]:
    """The plan versions in force during the period, each with why it was made."""
    glance = data.glance
    blocks: list[Block] = []
    if glance.plan_events:
        events = list(glance.plan_events)
        rows = [(str(e.version), human_date(e.effective_from), e.reason or "not recorded", "; ".join(e.changes) or "–")
                for e in events]  # fmt: skip
        if len(rows) > MOST_PLAN_ROWS:  # the first and the latest: a year of progressions is pages long
            hidden = len(rows) - MOST_PLAN_ROWS
            rows = [rows[0], ("…", "", f"{plural(hidden, 'version')} in between ('rehab plan show' lists each)", ""),
                    *rows[-MOST_PLAN_ROWS + 1 :]]  # fmt: skip
        header = ("Version", "From", "Reason", "Changes")
        blocks.append(
            Table("Plan versions in this period", header, tuple(rows), (0.1, 0.16, 0.34, 0.4), first_numeric=9)
        )
    return blocks
