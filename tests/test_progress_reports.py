import csv
import io
import json
import os
import stat
import subprocess
import sys
from datetime import date

import pytest

from progress.reports.csv_export import csv_files, safe_cell
from progress.reports.data import ReportError, load_report
from progress.reports.export import export
from progress.reports.fhir import build_bundle, validate_bundle
from progress.reports.output import OutputError
from progress.reports.pdf import render_pdf
from progress.store import DB_FILENAME, Store
from rehab.app.cli import main
from rehab.sim.history import fill_history

NOW = "2026-11-25T15:00:00+00:00"


@pytest.fixture(scope="module")
def store():
    store = Store.memory()
    fill_history(store, "P-0042", date(2026, 9, 1), 40, reps_per_session=6, mental_every=7)
    store.ensure_patient("P-EMPTY", NOW)
    return store


def test_csv_numbers_equal_the_store(store):
    data = load_report(store, "P-0042", NOW)
    files = csv_files(data)
    rows = list(csv.DictReader(io.StringIO(files["reps.csv"].decode())))
    stored = list(
        store.db.query(
            "select r.* from reps r join sessions s on s.id = r.session_id "
            "where s.patient_id = 'P-0042' order by s.started_at, s.id, r.rep_index"
        )
    )
    mental = {s.session_id for s in data.sessions if s.kind == "mental"}
    stored = [r for r in stored if r["session_id"] not in mental]  # a breathing game's reps are breaths
    assert len(rows) == len(stored) > 100
    for row, db_row in zip(rows, stored, strict=True):
        for name in ("peak_deg", "rom_deg", "start_deg", "peak_velocity_dps", "target_deg"):
            assert float(row[name]) == round(db_row[name], 1)  # to the tenth of a degree measured
        assert float(row["smoothness_sparc"]) == round(db_row["smoothness_sparc"], 2)
        assert int(row["rep_index"]) == db_row["rep_index"]
    sessions = list(csv.DictReader(io.StringIO(files["sessions.csv"].decode())))
    assert len(sessions) == len(data.sessions)
    first = next(s for s in data.sessions if s.reps)
    row = next(r for r in sessions if int(r["session_id"]) == first.session_id)
    assert float(row["best_peak_deg"]) == round(max(r["peak_deg"] for r in store.reps(first.session_id)), 1)
    ratings = list(csv.DictReader(io.StringIO(files["ratings.csv"].decode())))
    assert {r["kind"] for r in ratings} == {"pain", "suds"}


def test_formula_cells_are_neutralised_but_numbers_are_not():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1") == "'+1" and safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("\tx") == "'\tx"
    assert safe_cell(-12.5) == -12.5 and safe_cell("elbow") == "elbow" and safe_cell(None) is None
    store = Store.memory()
    # an id stored before the id rule (rehab.core.ids), which no longer lets one like it in
    store.db.execute("insert into patients (id, created_at) values (?, ?)", ["=cmd|' /C calc'!A0", NOW])
    store.start_session("=cmd|' /C calc'!A0", NOW, "-lift", "elbow_flexion_left", "left", "@sim:", 120.0)
    text = csv_files(load_report(store, "=cmd|' /C calc'!A0", NOW))["sessions.csv"].decode()
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert "'-lift" in cells


def test_fhir_bundle_validates_and_has_the_agreed_codes(store, tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    out = tmp_path / "bundle.json"
    done = export(store, "P-0042", "fhir", out, NOW)
    bundle = Bundle.model_validate_json(out.read_text())  # the file as written is valid R4B
    resources = [e.resource for e in bundle.entry]
    assert resources[0].get_resource_type() == "Patient"
    rom = [
        r
        for r in resources
        if r.get_resource_type() == "Observation" and r.valueQuantity and r.valueQuantity.unit == "deg"
    ]
    physical = [s for s in done.data.sessions if s.kind == "physical" and s.reps]
    assert len(rom) == len(physical)
    first = rom[0]
    assert first.valueQuantity.system == "http://unitsofmeasure.org" and first.valueQuantity.code == "deg"
    assert float(first.valueQuantity.value) == round(physical[0].best_peak_deg, 1)
    site = first.bodySite.coding[0]
    assert site.system == "http://snomed.info/sct" and site.code in (
        "16953009:272741003=7771000",
        "91774008:272741003=7771000",
    )
    pain = [r for r in resources if r.get_resource_type() == "Observation" and r.code.coding[0].code == "72514-3"]
    assert pain and pain[0].code.coding[0].system == "http://loinc.org"
    assert all(r.subject.reference == bundle.entry[0].fullUrl for r in resources[1:])


def test_an_invalid_bundle_is_refused(store):
    bundle = build_bundle(load_report(store, "P-0042", NOW))
    observation = next(e["resource"] for e in bundle["entry"] if "valueQuantity" in e["resource"])
    observation["valueQuantity"]["value"] = "a lot"
    with pytest.raises(ValueError):
        validate_bundle(bundle)


def test_pseudonymized_exports_leave_the_id_out(store, tmp_path):
    data = load_report(store, "P-0042", NOW, pseudonymize=True)
    again = load_report(store, "P-0042", NOW, pseudonymize=True)
    assert data.patient.startswith("PSN-") and data.patient == again.patient  # stable across exports
    outputs = [
        json.dumps(build_bundle(data)),
        render_pdf(data, compress=False).decode("latin-1"),
        *(v.decode() for v in csv_files(data).values()),
    ]
    from progress.reports.html import render_html

    outputs.append(render_html(data))
    for text in outputs:
        assert "P-0042" not in text
        assert "sim:elbow" not in text  # no device URLs
    assert all("T" not in s.started_at for s in data.sessions)  # no time of day


def test_pdf_renders_to_pages_that_are_not_blank(store, tmp_path):
    out = tmp_path / "report.pdf"
    export(store, "P-0042", "pdf", out, NOW, start=date(2026, 9, 5), end=date(2026, 10, 5))
    assert out.read_bytes().startswith(b"%PDF-") and stat.S_IMODE(os.stat(out).st_mode) == 0o600
    # rendered with PDFium from its PyPI wheel: no system package needed, so CI on a new machine
    # runs this check rather than skipping it
    import pypdfium2

    document = pypdfium2.PdfDocument(str(out))
    pages = [document[i].render(scale=30 / 72).to_numpy() / 255.0 for i in range(len(document))]
    assert 1 <= len(pages) <= 4
    for number, pixels in enumerate(pages, start=1):
        dark = (pixels.mean(axis=2) < 0.5).mean()
        assert dark > 0.002, f"page {number} looks blank"
    first = pages[0][..., :3]
    # plots are in colour (blue ROM, green goal and calendar); text alone is grey
    assert (first.std(axis=2) > 0.08).mean() > 0.002, "page 1 has no coloured plots"


def test_period_filters_sessions_and_errors_are_clear(store):
    data = load_report(store, "P-0042", NOW, start=date(2026, 9, 10), end=date(2026, 9, 20))
    assert data.sessions and all(date(2026, 9, 10) <= s.day <= date(2026, 9, 20) for s in data.sessions)
    with pytest.raises(ReportError, match="no patient 'NOBODY'"):
        load_report(store, "NOBODY", NOW)
    with pytest.raises(ReportError, match="no sessions"):
        load_report(store, "P-EMPTY", NOW)
    with pytest.raises(ReportError, match="after"):
        load_report(store, "P-0042", NOW, start=date(2026, 10, 1), end=date(2026, 9, 1))


def test_unwritable_out_fails_before_writing(store, tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        export(store, "P-0042", "pdf", tmp_path / "missing" / "r.pdf", NOW)
    with pytest.raises(OutputError, match="is a folder"):
        export(store, "P-0042", "fhir", tmp_path, NOW)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture()
def home(tmp_path):
    store = Store.open(tmp_path / DB_FILENAME)
    fill_history(store, "P-7", date(2026, 10, 1), 10, reps_per_session=4)
    store.ensure_patient("P-EMPTY", NOW)
    store.close()
    return tmp_path


@pytest.mark.parametrize("fmt", ["pdf", "csv", "fhir", "html"])
def test_cli_report_writes_each_format(home, fmt, capsys):
    out = home / f"out.{fmt}"
    assert main(["--home", str(home), "report", "P-7", "--format", fmt, "--out", str(out), "--pseudonymize"]) == 0
    assert out.exists() and "report for PSN-" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "NOBODY", "--out", "x.pdf"], "no patient 'NOBODY'"),
        (["report", "P-EMPTY", "--out", "x.pdf"], "has no sessions"),
        (["report", "P-7", "--from", "2026-13-01", "--out", "x.pdf"], "--from '2026-13-01' is not a date"),
        (["report", "P-7", "--out", "/nonexistent-dir/x.pdf"], "does not exist"),
    ],
)
def test_cli_report_errors_exit_2_with_a_message_and_write_nothing(home, argv, message, capsys, monkeypatch):
    monkeypatch.chdir(home)
    before = sorted(p.name for p in home.iterdir())
    assert main(["--home", str(home), *argv]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in home.iterdir()) == before


def test_cli_report_header_options_reach_the_report(home, tmp_path, capsys):
    out = tmp_path / "r.html"
    argv = ["--home", str(home), "report", "P-7", "--format", "html", "--out", str(out)]
    header = ["--clinic", "Clinic Kestrel", "--clinician", "Dr Quill", "--diagnosis", "Left elbow fracture"]
    assert main([*argv, *header, "--operated-side", "left", "--surgery-date", "2026-09-20"]) == 0
    page = out.read_text()
    assert "Clinic Kestrel" in page and "Dr Quill" in page and "Left elbow fracture" in page


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--surgery-date", "20.9.2026"], "--surgery-date '20.9.2026' is not a date"),
        (["--operated-side", "up"], "--operated-side 'up' is not a side; give left, right or both"),
        (["--clinic", "   "], "--clinic must be printable text"),
        (["--diagnosis", "x" * 201], "--diagnosis must be printable text"),
    ],
)
def test_cli_report_header_mistakes_are_one_line(home, tmp_path, extra, message, capsys):
    out = tmp_path / "r.pdf"
    assert main(["--home", str(home), "report", "P-7", "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and not out.exists()


@pytest.mark.parametrize("fmt", ["pdf", "fhir", "html"])
def test_cli_report_never_overwrites_without_force(home, fmt, capsys):
    out = home / f"old.{fmt}"
    out.write_bytes(b"an earlier report\n")
    argv = ["--home", str(home), "report", "P-7", "--format", fmt, "--out", str(out)]
    assert main(argv) == 2
    assert "--force" in capsys.readouterr().err and out.read_bytes() == b"an earlier report\n"
    assert main([*argv, "--force"]) == 0 and out.read_bytes() != b"an earlier report\n"


def test_cli_db_check_and_backup(home, tmp_path, capsys):
    assert main(["--home", str(home), "db", "check"]) == 0
    assert ": ok (schema 5" in capsys.readouterr().out
    out = home / "copy.sqlite3"
    assert main(["--home", str(home), "db", "backup", str(out)]) == 0
    assert Store.open(out).sessions("P-7")
    assert main(["--home", str(home), "db", "backup", str(out)]) == 2
    assert "--force" in capsys.readouterr().err


def test_report_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from rehab.app.cli import main\ntry: main(['report', '--help'])\nexcept SystemExit: pass\n"
        "print([m for m in ('matplotlib', 'reportlab', 'fhir', 'sqlite_utils') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")
