"""The session list: every exercise session with its status (a stopped one says why, in words), and
every guided session that never began (pain too high to start), or one row per week and exercise when
there are too many to read. Breathing, exposure and focus sessions have their own tables, with their
own measures (``pages_mental``)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from progress.reports.blocks import Block, Table, without_empty_columns
from progress.reports.data import STATUS_TEXT, ReportData, SessionSummary
from progress.reports.dates import human_date, number, pair, plural
from progress.reports.figures import movement_title

#: above this many rows the table shows one row per week and exercise: a year of daily rows is ten
#: pages nobody reads, and the CSV export has every session
MAX_SESSION_ROWS = 80
_FINE = frozenset({"completed", "free_play"})
HEADER = ("Date", "Time", "Exercise", "Status", "Reps", "At target", "Best peak", "Mean peak", "Pain before/after")
WIDTHS = (0.12, 0.07, 0.18, 0.19, 0.07, 0.08, 0.09, 0.09, 0.11)


def exercise(s: SessionSummary) -> str:
    return movement_title(s.movement)


def _time(started_at: str) -> str:
    return started_at[11:16] if "T" in started_at else "–"  # pseudonymised reports keep no time of day


def _rows(data: ReportData) -> list[tuple[date, str, tuple[str, ...]]]:
    """(day, status key, cells) for each session, and for each visit that never began a session."""
    rows = []
    for s in data.sessions:
        if s.kind != "physical":
            continue
        cells = (
            human_date(s.day),
            _time(s.started_at),
            exercise(s),
            STATUS_TEXT.get(s.status_key, s.status_key),
            str(s.reps),
            str(s.successes),
            number(s.best_peak_deg, unit="°"),
            number(s.mean_peak_deg, unit="°"),
            pair(s.pain_before, s.pain_after),
        )
        rows.append((s.day, s.started_at, s.status_key, cells))
    for v in data.visits:
        if not v.session_ids and data.start <= v.day <= data.end:
            status = STATUS_TEXT.get(v.status, v.status)
            cells = (human_date(v.day), _time(v.started_at), "Guided session", status, "–", "–", "–", "–",
                     pair(v.pain_before, v.pain_after))  # fmt: skip
            rows.append((v.day, v.started_at, v.status, cells))
    rows.sort(key=lambda row: row[1])
    return [(day, key, cells) for day, _, key, cells in rows]


def session_blocks(data: ReportData) -> list[Block]:
    rows = _rows(data)
    if not rows:
        return []
    if len(rows) <= MAX_SESSION_ROWS:
        marked = frozenset(i for i, (_, key, _) in enumerate(rows) if key not in _FINE)
        cells = tuple(cells for _, _, cells in rows)
        note = "Shaded rows ended early or never began; the status says why. Peaks are the peak active angle."
        return [without_empty_columns(Table("Exercise sessions", HEADER, cells, WIDTHS, marked, 4, note))]
    return _weekly(data, rows)


def _weekly(data: ReportData, rows: list[tuple[date, str, tuple[str, ...]]]) -> list[Block]:
    groups: dict[tuple[date, str], list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for day, key, cells in rows:
        groups[(day - timedelta(days=day.weekday()), cells[2])].append((key, cells))
    by_id = defaultdict(list)
    for s in data.sessions:
        by_id[(s.day - timedelta(days=s.day.weekday()), exercise(s))].append(s)
    table_rows, marked = [], set()
    for index, ((monday, name), group) in enumerate(sorted(groups.items())):
        statuses = Counter(key for key, _ in group)
        sessions = by_id[(monday, name)]
        peaks = [s.best_peak_deg for s in sessions if s.best_peak_deg is not None]
        pains = [s.pain_before for s in by_id[(monday, name)] if s.pain_before is not None]
        words = ", ".join(f"{n} {STATUS_TEXT.get(k, k).lower()}" for k, n in sorted(statuses.items()))
        if set(statuses) - _FINE:
            marked.add(index)
        table_rows.append(
            (
                f"week of {human_date(monday)}",
                f"{name} ×{len(group)}",
                words,
                str(sum(s.reps for s in sessions)) if sessions else "–",
                number(max(peaks), unit="°") if peaks else "–",
                number(statistics.fmean(pains), 1) if pains else "–",
            )
        )
    header = ("Week", "Exercise", "Status", "Reps", "Best peak", "Mean pain before")
    caption = f"Exercise sessions by week ({plural(len(rows), 'session')}; each one is in the CSV export)"
    widths = (0.19, 0.25, 0.28, 0.07, 0.1, 0.11)
    return [Table(caption, header, tuple(table_rows), widths, marked=frozenset(marked), first_numeric=3)]
