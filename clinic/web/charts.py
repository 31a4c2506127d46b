"""The patient page's charts as plotly figure dicts, made from per-session facts (``session_facts``
rows): pure functions, no database and no clock, so a test compares a chart with the facts directly.

Every chart comes with a sentence that says what it shows (its text alternative), and every point's
hover names the date, the session's game and the value. Plain dicts rather than
``plotly.graph_objects``: the same JSON, without validating a year of points on every request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rehab.core.motions import motion_of, split_name

Fact = Mapping[str, Any]

# the stylesheet's colours (WCAG AA on white): ink, link blue, alert red, ok green, muted
INK, BLUE, RED, GREEN, MUTED, ORANGE = "#1b1f23", "#0b57a4", "#8a1c1c", "#1e5e2b", "#4a5560", "#9a4a00"


@dataclass(frozen=True)
class Chart:
    """One figure for ``Plotly.newPlot`` and the sentence that stands for it."""

    id: str  # the element id on the page (letters, digits and dashes)
    title: str
    figure: dict[str, Any]  # {"data": [...], "layout": {...}}
    summary: str


@dataclass(frozen=True)
class CalendarDay:
    day: date
    count: int
    future: bool  # after today: nothing could be done yet

    @property
    def label(self) -> str:
        """The cell's words (the colour only repeats them)."""
        if self.future:
            return ""
        return "none" if self.count == 0 else f"{self.count} session" + ("s" if self.count > 1 else "")

    @property
    def level(self) -> int:
        """0, 1 or 2 and more: the cell's shade."""
        return min(self.count, 2)


@dataclass(frozen=True)
class CalendarWeek:
    days: tuple[CalendarDay, ...]  # Monday to Sunday

    @property
    def total(self) -> int:
        return sum(d.count for d in self.days)


# -- helpers -------------------------------------------------------------------------------------


def plot_time(started_at: str) -> str:
    """An ISO time as plotly reads dates ('2026-01-05 09:12:00'): the home's wall clock, offset left off."""
    return started_at[:19].replace("T", " ")


def movement_label(angle: str) -> str:
    """'knee_flexion_right' -> 'Knee flexion, right' (an unknown channel keeps its own name)."""
    motion, side = split_name(angle)
    words = motion.replace("_", " ").capitalize()
    return f"{words}, {side}" if side else words


def normal_rom(angle: str) -> float | None:
    """The AAOS normal active range of the movement, degrees; None when AAOS gives none."""
    motion = motion_of(angle)
    return motion.normal_rom_deg if motion else None


def summary_of(fact: Fact) -> dict[str, Any]:
    """A mental session's measures (the ``summary`` JSON text); {} when there are none or it is damaged."""
    text = fact.get("summary")
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value else None


def _hover(what: str, unit: str) -> str:
    return "%{customdata[0]}<br>%{customdata[1]}<br>" + what + " %{y:.1f}" + unit + "<extra></extra>"


def _session_name(fact: Fact) -> str:
    status = fact.get("status") or "unknown"
    return f"{fact.get('game') or 'session'} ({status})"


def _points(facts: Iterable[Fact], value: Any, what: str, unit: str, **style: Any) -> dict[str, Any] | None:
    """A scatter trace of ``value(fact)`` over the sessions that have one; None when none has."""
    xs, ys, custom = [], [], []
    for fact in facts:
        y = _number(value(fact))
        if y is None or not fact.get("started_at"):
            continue
        xs.append(plot_time(str(fact["started_at"])))
        ys.append(round(y, 2))
        custom.append([str(fact["started_at"])[:10], _session_name(fact)])
    if not xs:
        return None
    trace = {"type": "scatter", "mode": "lines+markers", "name": what, "x": xs, "y": ys, "customdata": custom}
    return {**trace, "hovertemplate": _hover(what, unit), **style}


def _level(name: str, xs: Sequence[str], value: float, unit: str, color: str) -> dict[str, Any]:
    """A horizontal reference line across the chart's dates (a goal, a normal range, a pace)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": f"{name} {value:g}{unit}",
        "x": [xs[0], xs[-1]],
        "y": [value, value],
        "line": {"color": color, "dash": "dot", "width": 2},
        "hovertemplate": f"{name} %{{y:g}}{unit}<extra></extra>",
    }


def _layout(y_title: str, y_range: list[float] | None = None) -> dict[str, Any]:
    yaxis: dict[str, Any] = {"title": {"text": y_title}, "gridcolor": "#d8dee4", "zeroline": False}
    if y_range is not None:
        yaxis["range"] = y_range
    return {
        "height": 320,
        "margin": {"l": 60, "r": 16, "t": 16, "b": 40},
        "xaxis": {"type": "date", "gridcolor": "#d8dee4"},
        "yaxis": yaxis,
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18},
        "font": {"color": INK, "size": 13},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }


def _span(facts: Sequence[Fact]) -> str:
    days = [str(f["started_at"])[:10] for f in facts if f.get("started_at")]
    return f"{len(facts)} session{'s' if len(facts) != 1 else ''} from {min(days)} to {max(days)}" if days else ""


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower())


# -- range of motion ------------------------------------------------------------------------------


def plan_goals(plan: Mapping[str, Any]) -> dict[str, float]:
    """Angle name -> the goal in degrees of each exercise of a plan (``Plan.to_dict()``) that has one."""
    goals: dict[str, float] = {}
    for exercise in plan.get("exercise") or ():
        if not isinstance(exercise, Mapping):
            continue
        movement, side, target = exercise.get("movement"), exercise.get("side"), _number(exercise.get("target_deg"))
        if isinstance(movement, str) and target is not None:
            goals[f"{movement}_{side}" if side else movement] = target
    return goals


def rom_charts(facts: Sequence[Fact], goals: Mapping[str, float]) -> list[Chart]:
    """One chart per movement: each session's best peak against its goal (the session's target, else
    the plan's) and the AAOS normal range; movements in the order they were first played."""
    by_movement: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.get("kind") != "mental" and fact.get("movement") and _number(fact.get("best_peak_deg")) is not None:
            by_movement.setdefault(str(fact["movement"]), []).append(fact)
    return [_rom_chart(angle, rows, goals.get(angle)) for angle, rows in by_movement.items()]


def _rom_chart(angle: str, rows: list[Fact], plan_goal: float | None) -> Chart:
    peak = _points(rows, lambda f: f.get("best_peak_deg"), "best peak", "°", line={"color": BLUE, "width": 2})
    assert peak is not None  # rows were chosen for having a best peak
    data = [peak]
    # the plan's goal is the target of its guided sessions (a visit); a game played outside the
    # plan has the game's own target, which is no goal of the physio's
    guided = [f for f in rows if f.get("visit_uuid")] or rows
    targets = _points(
        guided,
        lambda f: f.get("target_deg") if (_number(f.get("target_deg")) or 0) > 0 else None,
        "goal",
        "°",
        mode="lines",
        line={"color": GREEN, "dash": "dash", "shape": "hv", "width": 2},
    )
    if targets is not None:
        data.append(targets)
    elif plan_goal is not None:
        data.append(_level("plan goal", peak["x"], plan_goal, "°", GREEN))
    normal = normal_rom(angle)
    if normal is not None:
        data.append(_level("AAOS normal", peak["x"], normal, "°", MUTED))
    title = movement_label(angle)
    peaks = peak["y"]
    best = f"best peak {peaks[0]:.0f}° first, {peaks[-1]:.0f}° last, highest {max(peaks):.0f}°"
    words = [f"{title}: {_span(rows)}", best]
    if targets is not None:
        words.append(f"latest goal {targets['y'][-1]:.0f}°")
    elif plan_goal is not None:
        words.append(f"plan goal {plan_goal:g}°")
    if normal is not None:
        words.append(f"AAOS normal range {normal:g}°")
    layout = _layout("degrees")
    return Chart(f"rom-{_slug(angle)}", title, {"data": data, "layout": layout}, "; ".join(words) + ".")


# -- pain and the mental sessions ---------------------------------------------------------------------


def pain_chart(facts: Sequence[Fact]) -> Chart | None:
    """Pain (0-10) before and after each session that asked; None when no session did."""
    before = _points(facts, lambda f: f.get("pain_before"), "pain before", "", line={"color": ORANGE})
    after = _points(facts, lambda f: f.get("pain_after"), "pain after", "", line={"color": RED, "dash": "dash"})
    data = [t for t in (before, after) if t is not None]
    if not data:
        return None
    words = [f"{t['name']}: {len(t['y'])} answers, {t['y'][0]:g} first, {t['y'][-1]:g} last" for t in data]
    summary = "Pain on a 0-10 scale; " + "; ".join(words) + "."
    return Chart(
        "pain",
        "Pain before and after sessions",
        {"data": data, "layout": _layout("pain (0-10)", [-0.5, 10.5])},
        summary,
    )


def _suds_peak(fact: Fact) -> float | None:
    levels = [lv for lv in summary_of(fact).get("suds_by_level") or () if isinstance(lv, Mapping)]
    peaks = [p for p in (_number(lv.get("peak")) for lv in levels) if p is not None]
    return max(peaks) if peaks else None


def _suds_last(fact: Fact) -> float | None:
    levels = [lv for lv in summary_of(fact).get("suds_by_level") or () if isinstance(lv, Mapping)]
    return _number(levels[-1].get("last")) if levels else None


def suds_chart(facts: Sequence[Fact]) -> Chart | None:
    """Exposure sessions: the highest SUDS (0-100) of the session and the SUDS at its end."""
    mental = [f for f in facts if f.get("kind") == "mental"]
    peak = _points(mental, _suds_peak, "highest SUDS", "", line={"color": RED})
    last = _points(mental, _suds_last, "SUDS at the end", "", line={"color": BLUE, "dash": "dash"})
    data = [t for t in (peak, last) if t is not None]
    if not data:
        return None
    words = [f"{t['name']} {t['y'][0]:g} first, {t['y'][-1]:g} last ({len(t['y'])} sessions)" for t in data]
    summary = "SUDS (0-100) in exposure sessions: " + "; ".join(words) + "."
    return Chart(
        "suds", "SUDS in exposure sessions", {"data": data, "layout": _layout("SUDS (0-100)", [-3, 103])}, summary
    )


def stress_chart(facts: Sequence[Fact]) -> Chart | None:
    """Breathing sessions: stress (0-10) before and after, as the patient rated it."""
    mental = [f for f in facts if f.get("kind") == "mental"]
    before = _points(mental, lambda f: summary_of(f).get("stress_before"), "stress before", "", line={"color": ORANGE})
    after = _points(
        mental, lambda f: summary_of(f).get("stress_after"), "stress after", "", line={"color": GREEN, "dash": "dash"}
    )
    data = [t for t in (before, after) if t is not None]
    if not data:
        return None
    words = [f"{t['name']} {t['y'][0]:g} first, {t['y'][-1]:g} last ({len(t['y'])} sessions)" for t in data]
    summary = "Stress (0-10) around breathing sessions: " + "; ".join(words) + "."
    figure = {"data": data, "layout": _layout("stress (0-10)", [-0.5, 10.5])}
    return Chart("stress", "Stress before and after breathing", figure, summary)


def breathing_chart(facts: Sequence[Fact]) -> Chart | None:
    """Breathing sessions: the mean breathing rate per minute against the prescribed pace."""
    mental = [f for f in facts if f.get("kind") == "mental"]
    rate = _points(mental, lambda f: summary_of(f).get("mean_rate_bpm"), "breaths a minute", "", line={"color": BLUE})
    if rate is None:
        return None
    data = [rate]
    paces = {p for p in (_number(summary_of(f).get("pace_bpm")) for f in mental) if p is not None}
    if len(paces) == 1:
        data.append(_level("pace", rate["x"], paces.pop(), "/min", GREEN))
    ys = rate["y"]
    summary = f"Mean breathing rate in {len(ys)} breathing sessions: {ys[0]:.1f} a minute first, {ys[-1]:.1f} last."
    figure = {"data": data, "layout": _layout("breaths per minute")}
    return Chart("breathing", "Breathing rate", figure, summary)


# -- adherence --------------------------------------------------------------------------------------


def sessions_per_day(facts: Iterable[Fact]) -> dict[str, int]:
    """Day -> sessions done that day: a guided session (a visit) counts once whatever its parts; a
    game played outside the plan counts on its own."""
    seen: dict[str, set[str]] = {}
    for fact in facts:
        day = fact.get("day")
        if day:
            seen.setdefault(str(day), set()).add(str(fact.get("visit_uuid") or fact.get("uuid")))
    return {day: len(done) for day, done in seen.items()}


def calendar(counts: Mapping[str, int], today: date, weeks: int = 8) -> list[CalendarWeek]:
    """The last ``weeks`` weeks, Monday to Sunday, the current week last; days after today are empty."""
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    found = []
    for week in range(weeks):
        days = []
        for offset in range(7):
            day = monday + timedelta(days=7 * week + offset)
            days.append(CalendarDay(day, counts.get(day.isoformat(), 0), day > today))
        found.append(CalendarWeek(tuple(days)))
    return found
