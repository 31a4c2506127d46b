"""Pseudonymised reports keep calendar dates, moved by a per-patient secret number of weeks: intervals
and weekdays stay, no real date of the patient appears in any format, the shift is the same every time."""

import json
import re
from datetime import date, timedelta

import pytest

from progress.pseudonym import MAX_SHIFT_WEEKS, date_shift_days
from progress.reports.csv_export import csv_files
from progress.reports.data import ReportHeader, load_report
from progress.reports.fhir import build_bundle
from progress.store import Store
from rehab.sim.history import make_history

NOW = "2026-11-25T15:00:00+00:00"
FIRST = date(2026, 9, 7)
SURGERY = date(2026, 8, 31)
#: shorter than the smallest shift (a week), so no session's shifted date falls on another session's
DAYS = 6


@pytest.fixture(scope="module")
def store():
    store = Store.memory()
    make_history(store, "P-KESTREL", FIRST, DAYS, kind="mixed")
    return store


def _secret_with_shift(weeks: int) -> bytes:
    """A database secret that moves P-KESTREL's dates by exactly ``weeks`` weeks."""
    for n in range(100_000):
        secret = n.to_bytes(32, "big")
        if date_shift_days(secret, "P-KESTREL") == 7 * weeks:
            return secret
    raise AssertionError(f"no secret found for a shift of {weeks} weeks")


#: -11 weeks moves the report's own date (25 Nov) onto a real session day (9 Sep), +1 week moves the
#: surgery (31 Aug) onto the first session (7 Sep): there a real day's spelling is rightly in the
#: report, as another event's shifted date. The others collide with nothing. The shift comes from a
#: random secret per database, so the test fixes the secret rather than leave it to chance.
SHIFT_WEEKS = [-26, -11, -1, 1, 11, 26]


def _spellings(day: date) -> list[str]:
    """The ways a report writes a date: ISO for machines, "7 Sep 2026" and "07 Sep 2026" for people."""
    return [day.isoformat(), f"{day.day} {day:%b %Y}", f"{day:%d %b %Y}", f"{day.day} {day:%B %Y}"]


def test_the_shift_is_whole_weeks_never_zero_and_the_same_every_export():
    secret = bytes(range(32))
    shifts = {date_shift_days(secret, f"P-{n}") for n in range(200)}
    assert 0 not in shifts and all(s % 7 == 0 and abs(s) <= 7 * MAX_SHIFT_WEEKS for s in shifts)
    assert len(shifts) > 20 and min(shifts) < 0 < max(shifts)  # spread both ways
    assert date_shift_days(secret, "P-1") == date_shift_days(secret, "P-1")
    other_database = [date_shift_days(bytes(32), f"P-{n}") for n in range(10)]
    assert other_database != [date_shift_days(secret, f"P-{n}") for n in range(10)]


def test_intervals_weekdays_and_adherence_are_kept(store):
    real = load_report(store, "P-KESTREL", NOW)
    shown = load_report(store, "P-KESTREL", NOW, pseudonymize=True)
    again = load_report(store, "P-KESTREL", NOW, pseudonymize=True)
    shift = shown.date_shift_days
    assert shift == again.date_shift_days and shift != 0 and real.date_shift_days == 0
    assert [s.day for s in shown.sessions] == [s.day + timedelta(days=shift) for s in real.sessions]
    assert [s.day.weekday() for s in shown.sessions] == [s.day.weekday() for s in real.sessions]
    assert [v.day - shown.visits[0].day for v in shown.visits] == [v.day - real.visits[0].day for v in real.visits]
    assert [o.day for o in shown.outcomes] == [o.day + timedelta(days=shift) for o in real.outcomes]
    assert [p.effective_from for p in shown.plans] == [p.effective_from + timedelta(days=shift) for p in real.plans]
    assert shown.start == real.start + timedelta(days=shift) and shown.end == real.end + timedelta(days=shift)
    assert [(w.prescribed, w.done) for w in shown.adherence.weeks] == [
        (w.prescribed, w.done) for w in real.adherence.weeks
    ]
    assert all("T" not in s.started_at for s in shown.sessions)  # no time of day
    assert all("T" not in r.at for r in shown.ratings) and all("T" not in o.at for o in shown.outcomes)


@pytest.mark.parametrize("weeks", SHIFT_WEEKS)
def test_no_real_date_appears_in_any_format(store, weeks):
    store.db.execute("update meta set value = ? where key = 'pseudonym_secret'", [_secret_with_shift(weeks).hex()])
    header = ReportHeader("Clinic Kestrel", "Dr Quill", "Right TKA", "right", SURGERY)
    data = load_report(store, "P-KESTREL", NOW, pseudonymize=True, header=header)
    assert data.header == ReportHeader(None, None, "Right TKA", "right", SURGERY + timedelta(days=data.date_shift_days))
    from progress.reports.html import render_html
    from progress.reports.pdf import render_pdf

    outputs = {
        "fhir": json.dumps(build_bundle(data)),
        "html": render_html(data),
        "pdf": render_pdf(data, compress=False).decode("latin-1"),
        **{name: content.decode() for name, content in csv_files(data).items()},
    }
    assert data.date_shift_days == 7 * weeks
    real_days = [FIRST + timedelta(days=n) for n in range(DAYS)] + [SURGERY, date.fromisoformat(NOW[:10])]
    shifted_days = {day + timedelta(days=data.date_shift_days) for day in real_days}
    forbidden = [day for day in real_days if day not in shifted_days]
    assert len(forbidden) >= len(real_days) - 1  # a collision excuses one day at most
    for name, text in outputs.items():
        for day in forbidden:
            for spelling in _spellings(day):
                # not a digit before it: "8 Sep 2026" is inside the shifted "18 Sep 2026"
                assert not re.search(rf"(?<!\d){re.escape(spelling)}", text), (name, spelling)
        assert "P-KESTREL" not in text and "Clinic Kestrel" not in text and "Dr Quill" not in text
    shifted = FIRST + timedelta(days=data.date_shift_days)
    assert shifted.isoformat() in outputs["fhir"] and shifted.isoformat() in outputs["sessions.csv"]
