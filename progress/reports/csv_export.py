"""Tidy CSV: one file per kind of row (sessions, reps, visits, ratings, mental sessions, outcome
questionnaires, weekly adherence); every column is listed in docs/report_formats.md.

Numbers are rounded to what is measured (``precision.py``: angles 0.1 deg, seconds 0.01 s, rates
0.1 /min); dates and times are ISO 8601, which is what a program reads. Text cells that a
spreadsheet would run as a formula (starting with = + - @, tab or carriage return) get a leading
apostrophe (OWASP's advice); numeric cells are left alone so negative angles stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from progress.reports.data import ReportData
from progress.reports.output import OutputError, write_atomically
from progress.reports.precision import REP_KINDS, rounded
from progress.store import REP_COLUMNS
from rehab.core.private_files import make_private_folder

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SESSION_COLUMNS: tuple[str, ...] = (
    "patient",
    "session_id",
    "date",
    "started_at",
    "ended_at",
    "kind",
    "game",
    "movement",
    "side",
    "status",
    "session_status",
    "visit_id",
    "plan_version",
    "target_deg",
    "prescribed_reps",
    "reps",
    "successes",
    "best_peak_deg",
    "mean_peak_deg",
    "best_rom_deg",
    "mean_rom_deg",
    "pain_before",
    "pain_after",
)
RATING_COLUMNS: tuple[str, ...] = ("patient", "date", "at", "kind", "value", "session_id", "t", "moment")
VISIT_COLUMNS: tuple[str, ...] = (
    "patient",
    "visit_id",
    "date",
    "started_at",
    "status",
    "plan_version",
    "sessions",
    "session_ids",
    "pain_before",
    "pain_after",
)
MENTAL_COLUMNS: tuple[str, ...] = (
    "patient",
    "session_id",
    "date",
    "game",
    "status",
    "minutes",
    "breaths",
    "mean_rate_per_min",
    "pace_per_min",
    "seconds_near_pace",
    "suds_before",
    "suds_peak",
    "suds_after",
    "highest_level",
    "calm_seconds",
    "stress_before",
    "stress_after",
    "mean_attention",
)
OUTCOME_COLUMNS: tuple[str, ...] = (
    "patient",
    "response_id",
    "measure",
    "title",
    "date",
    "at",
    "status",
    "score",
    "score_min",
    "score_max",
    "higher_is_better",
    "band",
    "flags",
    "answered",
    "items",
    "loinc",
)
ADHERENCE_COLUMNS: tuple[str, ...] = ("patient", "week_start", "prescribed", "done", "stopped", "percent")
#: every file a CSV report writes, in the order written (the CLI checks these before overwriting)
CSV_FILES: tuple[str, ...] = (
    "sessions.csv",
    "reps.csv",
    "ratings.csv",
    "visits.csv",
    "mental.csv",
    "outcomes.csv",
    "adherence.csv",
)


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would evaluate; numbers and None pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _sessions(data: ReportData) -> bytes:
    return _table(
        SESSION_COLUMNS,
        (
            (
                data.patient,
                s.session_id,
                s.day.isoformat(),
                s.started_at,
                s.ended_at,
                s.kind,
                s.game,
                s.movement,
                s.side,
                s.status_key,
                s.status,
                s.visit_id,
                s.plan_version,
                rounded(s.target_deg, "deg"),
                s.prescribed_reps,
                s.reps,
                s.successes,
                rounded(s.best_peak_deg, "deg"),
                rounded(s.mean_peak_deg, "deg"),
                rounded(s.best_rom_deg, "deg"),
                rounded(s.mean_rom_deg, "deg"),
                rounded(s.pain_before, "score"),
                rounded(s.pain_after, "score"),
            )
            for s in data.sessions
        ),
    )


def _reps(data: ReportData) -> bytes:
    """Physical sessions' reps only: a breathing game's "reps" are breaths (mental.csv counts them)."""
    movement = {s.session_id: s.movement for s in data.sessions}
    rows = []
    for rep in data.reps:
        values = [
            rounded(value, REP_KINDS[name]) if name in REP_KINDS else value
            for name, value in zip(REP_COLUMNS, rep.stored_values(), strict=True)
        ]
        rows.append((data.patient, movement[rep.session_id], *values))
    return _table(("patient", "movement", *REP_COLUMNS), rows)


def _visits(data: ReportData) -> bytes:
    return _table(
        VISIT_COLUMNS,
        (
            (
                data.patient,
                v.visit_id,
                v.day.isoformat(),
                v.started_at,
                v.status,
                v.plan_version,
                len(v.session_ids),
                " ".join(str(i) for i in v.session_ids),
                rounded(v.pain_before, "score"),
                rounded(v.pain_after, "score"),
            )
            for v in data.visits
        ),
    )


def _mental(data: ReportData) -> bytes:
    return _table(
        MENTAL_COLUMNS,
        (
            (
                data.patient,
                m.session_id,
                m.day.isoformat(),
                m.game,
                m.status_key,
                rounded(m.minutes, "min"),
                m.breaths,
                rounded(m.mean_rate_bpm, "/min"),
                rounded(m.pace_bpm, "/min"),
                rounded(m.seconds_near_pace, "s"),
                rounded(m.suds_before, "score"),
                rounded(m.suds_peak, "score"),
                rounded(m.suds_after, "score"),
                m.highest_level,
                rounded(m.calm_seconds, "s"),
                rounded(m.stress_before, "score"),
                rounded(m.stress_after, "score"),
                rounded(m.mean_attention, "score"),
            )
            for m in data.mental
        ),
    )


def _outcomes(data: ReportData) -> bytes:
    return _table(
        OUTCOME_COLUMNS,
        (
            (
                data.patient,
                o.response_id,
                o.measure,
                o.title,
                o.day.isoformat(),
                o.at,
                o.status,
                rounded(o.total, "score"),
                o.score_min,
                o.score_max,
                int(o.higher_is_better),
                o.band,
                " ".join(o.flags),
                o.answered,
                o.items,
                o.loinc_total,
            )
            for o in data.outcomes
        ),
    )


def csv_files(data: ReportData) -> dict[str, bytes]:
    """File name -> content, built completely in memory before anything is written."""
    ratings = _table(
        RATING_COLUMNS,
        (
            (data.patient, r.day.isoformat(), r.at, r.kind, rounded(r.value, "score"), r.session_id, rounded(r.t, "s"))
            + (r.moment,)
            for r in data.ratings
        ),
    )
    adherence = _table(
        ADHERENCE_COLUMNS,
        (
            (data.patient, w.week_start.isoformat(), w.prescribed, w.done, w.stopped, rounded(w.percent, "%"))
            for w in data.adherence.weeks
        ),
    )
    files = {
        "sessions.csv": _sessions(data),
        "reps.csv": _reps(data),
        "ratings.csv": ratings,
        "visits.csv": _visits(data),
        "mental.csv": _mental(data),
        "outcomes.csv": _outcomes(data),
        "adherence.csv": adherence,
    }
    return files


def write_csv(data: ReportData, out: Path) -> list[Path]:
    """Write the CSV files into the folder ``out`` (created owner-only if missing); returns the paths."""
    files = csv_files(data)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; for CSV give a folder to hold {', '.join(CSV_FILES)}")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"folder {parent} does not exist")
    try:
        make_private_folder(out)
    except OSError as error:
        raise OutputError(f"cannot create folder {out}: {error.strerror or error}") from error
    written = []
    for name, content in files.items():
        write_atomically(out / name, content)
        written.append(out / name)
    return written
