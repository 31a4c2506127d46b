"""FHIR report of issue #13: the Bundle of a physical, a mental and a mixed patient validates with
fhir.resources R4B; statuses as Encounters, mental measures with their own codes and units, PROMs as
QuestionnaireResponse and Observation, the self-harm flag visible, no 15-digit numbers."""

import json
import re
from datetime import date

import pytest
from fhir.resources.R4B.bundle import Bundle

from progress.reports.data import STATUS_TEXT, load_report
from progress.reports.export import export
from progress.reports.fhir_common import STATUS_EXTENSION
from progress.store import Store
from rehab.core.questionnaires import LOCAL_CODE_SYSTEM
from rehab.sim.history import make_history

NOW = "2026-11-25T15:00:00+00:00"


@pytest.fixture(scope="module")
def store():
    store = Store.memory()
    for kind in ("physical", "mental", "mixed"):
        make_history(store, f"P-{kind}", date(2026, 9, 7), 42, kind=kind)
    return store


@pytest.fixture(scope="module")
def bundles(store, tmp_path_factory):
    """Each kind's Bundle as written to disk and read back through the R4B model."""
    made = {}
    for kind in ("physical", "mental", "mixed"):
        out = tmp_path_factory.mktemp(kind) / "bundle.json"
        export(store, f"P-{kind}", "fhir", out, NOW)
        made[kind] = (Bundle.model_validate_json(out.read_text()), out.read_text())
    return made


def _resources(bundle, kind):
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == kind]


def _code(resource):
    return resource.code.coding[0].code


def _status_key(resource):
    (extension,) = [x for x in resource.extension or [] if x.url == STATUS_EXTENSION]
    return extension.valueCodeableConcept.coding[0].code


def test_every_guided_session_is_an_encounter_with_its_status(store, bundles):
    bundle, _ = bundles["physical"]
    encounters = _resources(bundle, "Encounter")
    data = load_report(store, "P-physical", NOW)
    assert len(encounters) == len(data.visits) + data.adherence.free_play_sessions
    keys = {_status_key(e) for e in encounters}
    # the simulated history has every ending but a live session the physio ended (checked below)
    assert keys == set(STATUS_TEXT) - {"interrupted", "in_progress", "ended_by_physio"}
    by_key = {_status_key(e): e for e in encounters}
    assert by_key["pain_too_high"].status == "cancelled"
    assert by_key["stopped_for_pain"].status == "finished"
    assert by_key["stopped_for_pain"].extension[0].valueCodeableConcept.text == "Stopped for pain"
    angles = [o for o in _resources(bundle, "Observation") if o.valueQuantity and o.valueQuantity.code == "deg"]
    assert {_status_key(o) for o in angles} >= {"stopped_for_pain", "device_lost", "stopped_by_patient", "free_play"}
    urls = {e.fullUrl for e in bundle.entry}
    assert all(o.encounter.reference in urls for o in angles)


def test_mental_sessions_have_their_own_measures_and_never_an_angle(store, bundles):
    bundle, text = bundles["mental"]
    observations = _resources(bundle, "Observation")
    assert not [o for o in observations if o.valueQuantity and o.valueQuantity.code == "deg"]
    assert "peak active angle" not in text
    rates = [o for o in observations if _code(o) == "9279-1"]
    data = load_report(store, "P-mental", NOW)
    assert len(rates) == sum(1 for m in data.mental if m.game == "breathe")
    rate = rates[0]
    assert rate.code.coding[0].system == "http://loinc.org" and rate.valueQuantity.code == "/min"
    parts = {c.code.coding[0].code: c for c in rate.component}
    assert parts["breathing-pace"].valueQuantity.value == 6 and parts["seconds-near-pace"].valueQuantity.code == "s"
    assert parts["breaths"].valueInteger > 0 and parts["stress-before"].valueQuantity.code == "{score}"
    exposure = [o for o in observations if _code(o) == "exposure-session"]
    assert exposure and not exposure[0].valueQuantity
    parts = {c.code.coding[0].code: c for c in exposure[0].component}
    assert parts["suds-peak"].valueQuantity.code == "{score}" and parts["calm-seconds"].valueQuantity.code == "s"
    assert parts["highest-level"].valueInteger >= 1


def test_outcome_measures_are_questionnaire_responses_and_scores(store, bundles):
    bundle, _ = bundles["mixed"]
    data = load_report(store, "P-mixed", NOW)
    responses = _resources(bundle, "QuestionnaireResponse")
    assert len(responses) == len(data.outcomes)
    assert {r.questionnaire for r in responses} == {
        f"urn:rehab:questionnaire:{m}" for m in ("oks", "phq9", "gad7", "pss10")
    }
    assert all(r.status == "completed" and r.item for r in responses)
    scores = [o for o in _resources(bundle, "Observation") if o.derivedFrom]
    assert len(scores) == len(data.outcomes)
    systems = {(o.code.coding[0].system, _code(o)) for o in scores}
    assert ("http://loinc.org", "44261-6") in systems and ("http://loinc.org", "70274-6") in systems
    assert (LOCAL_CODE_SYSTEM, "oks") in systems and (LOCAL_CODE_SYSTEM, "pss10") in systems
    flagged = [o for o in scores if any(i.coding and i.coding[0].code == "AA" for i in o.interpretation or [])]
    assert len(flagged) == 1 and _code(flagged[0]) == "44261-6"
    (flag,) = _resources(bundle, "Flag")
    assert flag.status == "active" and "self-harm" in flag.code.text


def test_no_value_has_more_decimals_than_it_measures(bundles):
    for _, text in bundles.values():
        values = re.findall(r'"value(?:Decimal)?":(-?\d+\.\d+)', text)
        assert values and all(len(v.split(".")[1]) <= 2 for v in values)
        bundle = json.loads(text)
        for item in bundle["entry"]:
            quantity = item["resource"].get("valueQuantity")
            if quantity and quantity["code"] == "deg":
                assert round(quantity["value"], 1) == quantity["value"]


def test_the_export_says_what_the_bundle_holds(store, tmp_path):
    done = export(store, "P-mixed", "fhir", tmp_path / "b.json", NOW)
    assert "1 Patient" in done.detail and "Encounters" in done.detail and "QuestionnaireResponses" in done.detail
    assert "1 Flag" in done.detail and done.detail.endswith("valid FHIR R4B")


def test_interrupted_and_open_sessions_keep_their_status_in_csv_and_fhir():
    from progress.reports.csv_export import csv_files
    from progress.reports.fhir import build_bundle, validate_bundle

    store = Store.memory()
    for day, status in ((2, "interrupted"), (3, None)):
        at = f"2026-11-0{day}T10:00:00+00:00"
        visit = store.start_visit("P-9", at, None)
        session = store.start_session("P-9", at, "lift", "knee_flexion_left", "left", "sim:", 90.0, visit_id=visit)
        if status:
            store.finish_session(session, at, status)
            store.end_visit(visit, at, status)
    data = load_report(store, "P-9", NOW)
    assert [v.status for v in data.visits] == ["interrupted", "in_progress"]
    visits_csv = csv_files(data)["visits.csv"].decode()
    assert ",interrupted," in visits_csv and ",in_progress," in visits_csv
    bundle = build_bundle(data)
    validate_bundle(bundle)
    encounters = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter"]
    shown = [(e["status"], e["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]) for e in encounters]
    assert shown == [("finished", "interrupted"), ("in-progress", "in_progress")]


def test_every_status_a_visit_can_end_with_has_an_encounter_status():
    """A stop reason added to the store (ended_by_physio came with live sessions) must have its
    Encounter.status and its words, or the export would fail on the first such visit."""
    from progress.reports.fhir_encounters import ENCOUNTER_STATUS
    from progress.store.visits import STOP_REASONS

    assert set(STOP_REASONS) <= set(ENCOUNTER_STATUS) and set(STOP_REASONS) <= set(STATUS_TEXT)
    assert ENCOUNTER_STATUS["ended_by_physio"] == "finished"
