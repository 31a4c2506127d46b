"""One patient id rule (``rehab.core.ids``), kept by every command that takes a patient and by the
store: before it, ``rehab play --patient`` took names, newlines, terminal escapes and the empty
string, and ``patients add $'P-1\\n'`` made a look-alike of P-1 (the old pattern ended in ``$``,
which matches before a final newline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from progress.store import Store
from rehab.app.cli import main
from rehab.core.errors import UsageError
from rehab.core.ids import MAX_LENGTH, PatientIdError, check_patient_id, is_patient_id

NOW = "2026-01-05T10:00:00+00:00"

GOOD = ["P-0042", "p1", "guest", "a", "A.b_c-9", "x" * MAX_LENGTH]
BAD = [
    "",
    "Jane Doe",
    "P-1\n",
    "P-1\r",
    "\x1b[31mP-1",
    " P-1",
    "P-1 ",
    "\tP-1",
    "x" * (MAX_LENGTH + 1),
    "-rf",
    "..",
    "Zoë",
    "P/1",
    "P;1",
]


@pytest.mark.parametrize("value", GOOD)
def test_pseudonyms_pass(value: str) -> None:
    assert check_patient_id(value) == value and is_patient_id(value)


@pytest.mark.parametrize("value", BAD)
def test_names_spaces_escapes_and_the_empty_string_are_refused(value: str) -> None:
    with pytest.raises(PatientIdError) as refused:
        check_patient_id(value)
    message = str(refused.value)
    assert isinstance(refused.value, UsageError) and refused.value.exit_code == 2
    assert "\n" not in message and "\x1b" not in message and "\r" not in message  # shown escaped, one line
    assert "not allowed" in message and len(message) < 200


def test_store_refuses_a_new_patient_with_a_bad_id_but_keeps_serving_an_old_one() -> None:
    store = Store.memory()
    for bad in ("", "Jane Doe", "P-1\n", "\x1b[2J"):
        with pytest.raises(PatientIdError):
            store.start_session(bad, NOW, "lift", "elbow_flexion_left", "left", "sim:", 120.0)
        with pytest.raises(PatientIdError):
            store.ensure_patient(bad, NOW)
        with pytest.raises(PatientIdError):
            store.add_calibration(bad, NOW, "elbow_flexion_left", 10.0, 140.0, "sim:")
    assert store.patients() == []
    # a patient stored before the rule (a longer id, allowed then) can still be followed up
    old = "P-" + "0" * 50
    store.db.execute("insert into patients (id, created_at) values (?, ?)", [old, NOW])
    assert store.start_session(old, NOW, "lift", "elbow_flexion_left", "left", "sim:", 120.0) > 0


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data folder with patient P1 and their plan, so every command gets as far as its id check."""
    home = tmp_path / "home"
    plan = tmp_path / "p.toml"
    assert (
        main(["--home", str(home), "plan", "new", "--template", "neck-pain", "--patient", "P1", "--out", str(plan)])
        == 0
    )
    assert main(["--home", str(home), "plan", "assign", str(plan), "--patient", "P1"]) == 0
    return home


#: every command that takes a patient id, with ID where it goes and WORK for a scratch folder
COMMANDS = [
    ["play", "lift", "--seconds", "5", "--patient", "ID"],
    ["session", "start", "--patient", "ID", "--input", "sim", "--headless", "--pain-before", "0", "--pain-after", "0"],
    ["plan", "new", "--template", "neck-pain", "--patient", "ID", "--out", "WORK/new.toml"],
    ["plan", "assign", "WORK/p.toml", "--patient", "ID"],
    ["plan", "show", "ID"],
    ["plan", "override", "--patient", "ID", "--exercise", "1", "--target", "30", "--reason", "r"],
    ["patients", "add", "ID"],
    ["report", "ID", "--out", "WORK/r.html", "--format", "html"],
]


@pytest.mark.parametrize("bad", ["", "Jane Doe", "P1\n", "\x1b[31mP1\x1b[0m", "P1 "], ids=repr)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_refuses_a_bad_id_in_one_line(home, tmp_path, capsys, command, bad) -> None:
    argv = [bad if arg == "ID" else arg.replace("WORK", str(tmp_path)) for arg in command]
    before = Store.open(home / "rehab.sqlite3")
    patients, sessions = before.patients(), before.counts()
    before.close()
    capsys.readouterr()
    assert main(["--home", str(home), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "patient id" in err and "not allowed" in err, err
    assert "\x1b" not in err
    after = Store.open(home / "rehab.sqlite3")
    assert after.patients() == patients and after.counts() == sessions  # nothing stored
    after.close()
    assert not (tmp_path / "new.toml").exists() and not (tmp_path / "r.html").exists()


def test_a_look_alike_of_an_existing_patient_is_not_made(home, capsys) -> None:
    assert main(["--home", str(home), "patients", "add", "P1\n"]) == 2
    assert main(["--home", str(home), "patients", "add", "P1"]) == 0
    store = Store.open(home / "rehab.sqlite3")
    assert [p.id for p in store.patients()] == ["P1"]
    store.close()


def test_a_plan_file_for_a_bad_id_is_not_valid(tmp_path, elbow_plan_text, capsys) -> None:
    plan = tmp_path / "p.toml"
    assert 'patient = "P1"' in elbow_plan_text
    plan.write_text(elbow_plan_text.replace('patient = "P1"', 'patient = "P1\\n"'))
    assert main(["plan", "validate", str(plan)]) == 2
    assert "not a pseudonymous id" in capsys.readouterr().err
