"""Dates, counts and numbers as people read them in the PDF and HTML reports ("1 Nov 2026", "1 session").

CSV and FHIR keep ISO dates: machines read those. Month names are English and fixed here rather
than taken from the locale, so the same data gives the same report on every machine.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(day: date) -> str:
    """``1 Nov 2026``: day first and the month in letters, so no reader mixes up 11/01 and 01/11."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    """``1 Nov``: for axis ticks and tables inside one period whose year is said once above."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def human_datetime(text: str) -> str:
    """An ISO date or timestamp as ``1 Nov 2026 09:30`` (the time as stored, which is the clinic's
    local time); a date alone (pseudonymised reports drop the time of day) stays a date."""
    if len(text) <= 10:
        return human_date(date.fromisoformat(text))
    moment = datetime.fromisoformat(text)
    return f"{human_date(moment.date())} {moment:%H:%M}"


def human_period(start: date, end: date) -> str:
    days = (end - start).days + 1
    return f"{human_date(start)} to {human_date(end)} ({plural(days, 'day')})"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 session``, ``0 sessions``, ``2 sessions``; ``many`` for irregular words (``1 person``)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def date_ticks(start: date, end: date, most: int = 8) -> list[tuple[date, str]]:
    """Axis ticks inside ``start``..``end`` only, with human labels.

    Every day for a short period, Mondays for a few months, first days of months beyond. The year
    is written on the first tick and wherever it changes, and nowhere else: a tick outside the
    period never names a month the period does not reach (matplotlib's concise formatter took its
    year-month label from a tick one day past the end, so November was labelled "2026-Dec").
    """
    span = (end - start).days
    if span < most:
        ticks = [start + timedelta(days=i) for i in range(span + 1)]
    elif span < 7 * most * 2:
        monday = start + timedelta(days=-start.weekday() % 7)
        step = 1 if span < 7 * most else 2
        ticks = [monday + timedelta(weeks=i) for i in range(0, (end - monday).days // 7 + 1, step)]
    else:
        firsts = _month_starts(start, end)
        step = -(-len(firsts) // most)
        ticks = firsts[::step]
        return [(day, _tick_label(day, ticks[i - 1] if i else None, months=True)) for i, day in enumerate(ticks)]
    return [(day, _tick_label(day, ticks[i - 1] if i else None, months=False)) for i, day in enumerate(ticks)]


def _month_starts(start: date, end: date) -> list[date]:
    firsts = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        if date(year, month, 1) >= start:
            firsts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return firsts


def _tick_label(day: date, previous: date | None, months: bool) -> str:
    text = MONTHS[day.month - 1] if months else short_date(day)
    if previous is None or previous.year != day.year:
        text += f" {day.year}"
    return text


def number(value: float | None, digits: int = 0, unit: str = "") -> str:
    """A measured value as printed: an en dash when there is none, never a 15-digit float."""
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def signed(value: float | None, digits: int = 0, unit: str = "") -> str:
    """A change with its sign, "+12°" or "-3°"; a change that rounds to nothing is "0°", unsigned.

    A hyphen, not the minus sign: the PDF's built-in Helvetica has no glyph for U+2212."""
    if value is None:
        return "–"
    rounded = round(value, digits)
    if rounded == 0:
        return f"{0:.{digits}f}{unit}"
    return f"{rounded:+.{digits}f}{unit}"


def minutes(seconds: float | None) -> str:
    """``95`` -> "1 min 35 s"; "–" when not measured."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min" + (f" {whole % 60} s" if whole % 60 else "")


def pair(before: float | None, after: float | None, digits: int = 0) -> str:
    """``5 / 3`` for a value before and after; one dash when neither was given, so an empty column is
    recognisably empty (``blocks.without_empty_columns``)."""
    if before is None and after is None:
        return "–"
    return f"{number(before, digits)} / {number(after, digits)}"
