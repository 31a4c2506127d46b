"""Tidy CSV: one row per rep, one per session, one per rating, each in its own file.

Numbers are written as Python writes floats (shortest text that reads back to the same double), so a
reader gets exactly what the store holds. Text cells that a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) get a leading apostrophe (OWASP's advice);
numeric cells are left alone so negative angles stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from progress.reports.data import ReportData
from progress.reports.output import OutputError, write_atomically
from progress.store import REP_COLUMNS

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


def csv_files(data: ReportData) -> dict[str, bytes]:
    """File name -> content, built completely in memory before anything is written."""
    sessions = _table(
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
                s.status,
                s.plan_version,
                s.target_deg,
                s.prescribed_reps,
                s.reps,
                s.successes,
                s.best_peak_deg,
                s.mean_peak_deg,
                s.best_rom_deg,
                s.mean_rom_deg,
                s.pain_before,
                s.pain_after,
            )
            for s in data.sessions
        ),
    )
    movement = {s.session_id: s.movement for s in data.sessions}
    reps = _table(
        ("patient", "movement", *REP_COLUMNS),
        ((data.patient, movement[r.session_id], *r.stored_values()) for r in data.reps),
    )
    ratings = _table(
        RATING_COLUMNS,
        ((data.patient, r.day.isoformat(), r.at, r.kind, r.value, r.session_id, r.t, r.moment) for r in data.ratings),
    )
    return {"sessions.csv": sessions, "reps.csv": reps, "ratings.csv": ratings}


def write_csv(data: ReportData, out: Path) -> list[Path]:
    """Write the CSV files into the folder ``out`` (created if missing); returns the paths written."""
    files = csv_files(data)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; for CSV give a folder to hold sessions.csv, reps.csv and ratings.csv")
    try:
        out.mkdir(mode=0o700, parents=False, exist_ok=True)  # owner-only, like every report
    except OSError as error:
        raise OutputError(f"cannot create folder {out}: {error.strerror or error}") from error
    written = []
    for name, content in files.items():
        write_atomically(out / name, content)
        written.append(out / name)
    return written
