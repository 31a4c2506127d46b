"""CSV report of issue #13: statuses, visits, mental measures, outcomes and adherence in their own
files, numbers to what is measured, the folder owner-only, nothing overwritten without --force."""

import csv
import io
import os
import re
import stat
from datetime import date

import pytest

from progress.reports.csv_export import CSV_FILES, csv_files, write_csv
from progress.reports.data import STATUS_TEXT, load_report
from progress.reports.precision import DECIMALS, REP_KINDS
from progress.store import DB_FILENAME, Store
from rehab.app.cli import main
from rehab.sim.history import make_history

NOW = "2026-11-25T15:00:00+00:00"


@pytest.fixture(scope="module")
def mixed():
    store = Store.memory()
    make_history(store, "P-X", date(2026, 9, 7), 42, kind="mixed")
    return load_report(store, "P-X", NOW)


def _rows(files, name):
    return list(csv.DictReader(io.StringIO(files[name].decode())))


def test_every_status_and_visit_is_in_the_csv(mixed):
    files = csv_files(mixed)
    sessions = _rows(files, "sessions.csv")
    visits = _rows(files, "visits.csv")
    shown = {r["status"] for r in sessions} | {r["status"] for r in visits}
    # a live session ended by the physio (issue #18) is not in the simulated history
    assert shown == set(STATUS_TEXT) - {"interrupted", "in_progress", "ended_by_physio"}
    assert {r["visit_id"] for r in sessions if r["status"] != "free_play"} == {
        v["visit_id"] for v in visits if v["sessions"] != "0"
    }
    assert all(r["visit_id"] == "" for r in sessions if r["status"] == "free_play")
    too_high = next(v for v in visits if v["status"] == "pain_too_high")
    assert too_high["sessions"] == "0" and too_high["pain_before"] == "9.0"


def test_mental_sessions_have_their_measures_and_no_angles(mixed):
    files = csv_files(mixed)
    mental_ids = {m.session_id for m in mixed.mental}
    sessions = _rows(files, "sessions.csv")
    for row in sessions:
        if int(row["session_id"]) in mental_ids:
            assert row["kind"] == "mental" and row["reps"] == "0"
            assert row["best_peak_deg"] == row["mean_peak_deg"] == row["target_deg"] == ""
    assert not {int(r["session_id"]) for r in _rows(files, "reps.csv")} & mental_ids
    mental = _rows(files, "mental.csv")
    assert {int(r["session_id"]) for r in mental} == mental_ids
    breathing = next(r for r in mental if r["game"] == "breathe")
    assert float(breathing["pace_per_min"]) == 6.0 and int(breathing["breaths"]) > 0
    assert breathing["stress_before"] and breathing["mean_rate_per_min"]
    exposure = next(r for r in mental if r["game"] == "exposure")
    assert (exposure["suds_before"], exposure["suds_after"]) == ("40.0", "20.0") and exposure["highest_level"]


def test_outcomes_and_weekly_adherence_files(mixed):
    files = csv_files(mixed)
    outcomes = _rows(files, "outcomes.csv")
    assert len(outcomes) == len(mixed.outcomes)
    flagged = [r for r in outcomes if r["flags"]]
    assert [(r["measure"], r["flags"], r["loinc"]) for r in flagged] == [("phq9", "self_harm_thoughts", "44261-6")]
    oks = next(r for r in outcomes if r["measure"] == "oks")
    assert (oks["answered"], oks["items"], oks["score_max"], oks["higher_is_better"]) == ("12", "12", "48", "1")
    weeks = _rows(files, "adherence.csv")
    assert [(r["prescribed"], r["done"]) for r in weeks] == [
        (str(w.prescribed), str(w.done)) for w in mixed.adherence.weeks
    ]
    assert sum(int(r["stopped"]) for r in weeks) == 4


def test_no_number_has_more_decimals_than_it_measures(mixed):
    files = csv_files(mixed)
    widest = max(DECIMALS.values())
    for name, content in files.items():
        for number in re.findall(r"(?<![\w.-])-?\d+\.(\d+)", content.decode()):
            assert len(number) <= widest, (name, number)
    for row in _rows(files, "reps.csv"):
        for column, kind in REP_KINDS.items():
            if row[column]:
                decimals = row[column].split(".")[1] if "." in row[column] else ""
                assert len(decimals) <= DECIMALS[kind], (column, row[column])
    # wrong before: 45.3346129777832
    first = next(s for s in mixed.sessions if s.best_peak_deg is not None)
    row = next(r for r in _rows(files, "sessions.csv") if int(r["session_id"]) == first.session_id)
    assert float(row["best_peak_deg"]) == round(first.best_peak_deg, 1)


def test_the_folder_is_owner_only_even_under_a_strict_umask(mixed, tmp_path):
    old = os.umask(0o277)
    try:
        written = write_csv(mixed, tmp_path / "out")
    finally:
        os.umask(old)
    assert [p.name for p in written] == list(CSV_FILES)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)


def test_cli_lists_every_csv_file_and_refuses_to_overwrite_any(tmp_path, capsys):
    from rehab.app.cli import report

    assert report.CSV_FILES == CSV_FILES
    store = Store.open(tmp_path / DB_FILENAME)
    make_history(store, "P-7", date(2026, 9, 7), 14, kind="mixed")
    store.close()
    out = tmp_path / "csv"
    out.mkdir()
    (out / "adherence.csv").write_text("mine\n")
    argv = ["--home", str(tmp_path), "report", "P-7", "--format", "csv", "--out", str(out)]
    assert main(argv) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "adherence.csv").read_text() == "mine\n" and sorted(p.name for p in out.iterdir()) == [
        "adherence.csv"
    ]
    assert main([*argv, "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(CSV_FILES)
