"""The plan editor over HTTP against a real ``rehab clinic serve`` on SQLite and PostgreSQL: the
form round trip, problems at their fields with nothing saved, the reason, who may edit, CSRF,
templates, adding and removing rows, TOML export and import, escaping; and, without a server, the
TOML writer and the form's conversions on every template and example plan.

Forms are posted as a browser posts them: every field of the page's form read from its HTML
(``FormReader``), unticked boxes left out, then the one field a test changes.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import tomllib

from clinic import plans, tables
from clinic.db import create_engine
from clinic.web import plan_form
from clinic.web.plan_toml import dumps
from rehab.app.cli import main
from rehab.app.plans import fill_patient, template_names, template_text
from tests.browser_fixtures import csrf_of, web_client
from tests.clinic_fixtures import ADMIN_EMAIL, ClinicServer

PATIENT = "P-0042"
ANA, BOB, TIM, CARA = "ana@clinic.test", "bob@clinic.test", "tim@clinic.test", "cara@clinic.test"
EDITOR = f"/patients/{PATIENT}/plan"
EXAMPLES = [Path(__file__).parent / "plans" / "elbow.toml"]
#: a plan with every part the form has: targets in degrees and percent, progressions (one paused),
#: no side, no calibration, an input, breathing, an exposure hierarchy and two questionnaires
FULL_PLAN = """
schema = 1
title = "Knee, elbow and nerves: \\"mixed\\""
patient = ""
sessions_per_week = 5
notes = "Hold a chair.\\nBreathe out slowly."

[safety]
pain_stop_rise = 1.5
max_pain_before = 6

[[exercise]]
name = "Mini-squat"
game = "squat"
movement = "knee_flexion"
side = "right"
sets = 3
reps = 10
hold_s = 2.5
rest_s = 45
target_deg = 40
ceiling_deg = 70

[exercise.progression]
every_sessions = 2
step_percent = 5
max_deg = 60

[[exercise]]
name = "Elbow bend"
game = "lift"
movement = "elbow_flexion"
side = "left"
input = "sim"
sets = 2
reps = 8
target_percent = 70
ceiling_deg = 150

[exercise.progression]
every_sessions = 3
step_percent = 2.5
max_percent = 90
enabled = false

[[exercise]]
name = "Head turns"
game = "neck"
movement = "cervical_rotation"
sets = 1
reps = 6
target_deg = 40
ceiling_deg = 65
calibrate = false

[breathing]
game = "breathe"
minutes = 3
breaths_per_min = 5.5

[exposure]
game = "exposure"
suds_stop = 70
minutes_per_step = 2.5

[[exposure.step]]
description = "Photos taken from a window"
suds_move_on = 30

[[exposure.step]]
description = "A first-floor balcony"
suds_move_on = 35

[[outcome_measures]]
measure = "oks"
every_days = 28

[[outcome_measures]]
measure = "gad7"
every_days = 14
"""


# -- reading pages ---------------------------------------------------------------------------------


class FormReader(HTMLParser):
    """The fields of ``form#plan-form`` as a browser submits them (text, hidden, ticked boxes,
    selected options, textareas; no file, no submit button), and each field's tag attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.attrs: dict[str, dict[str, str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_form = a.get("id") == "plan-form"
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag in ("input", "select", "textarea") and name:
            self.attrs[name] = a
        if tag == "input" and name and a.get("type") not in ("file", "submit"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select is not None and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data


def read_form(page: str) -> FormReader:
    reader = FormReader()
    reader.feed(page)
    assert reader.values, "no plan form on the page"
    return reader


def posted(page: str, **changes: str) -> dict[str, str]:
    """The page's form as a browser posts it, with ``changes`` to fields whose names are words."""
    return read_form(page).values | changes


def error_at(page: str, name: str) -> str:
    """The error shown at the field named ``name``: its aria-describedby error element's text."""
    attrs = read_form(page).attrs[name]
    if attrs.get("aria-invalid") != "true":
        return ""
    error_id = f"{plan_form.field_id(name)}-error"
    assert error_id in attrs.get("aria-describedby", "").split(), f"{name} is invalid but not described by its error"
    found = re.search(rf'id="{error_id}">([^<]*)<', page)
    assert found, f"the error of {name} is not on the page"
    return html.unescape(found.group(1))


def summary_links(page: str) -> list[tuple[str, str]]:
    """The problem summary's (link target, text) pairs."""
    box = page.split('id="problems"', 1)[1].split("</div>", 1)[0]
    return [(a, html.unescape(t)) for a, t in re.findall(r'<a href="#([^"]+)">([^<]*)</a>', box)]


# -- the server -----------------------------------------------------------------------------------


@pytest.fixture
def clinic(clinic_server: ClinicServer) -> Iterator[ClinicServer]:
    clinic_server.physio(ANA, "north")
    clinic_server.physio(TIM, "north")  # Ana's team
    clinic_server.physio(BOB, "south")
    clinic_server.user(CARA, "clinician")
    clinic_server.patient(PATIENT, ANA)
    yield clinic_server


def versions(server: ClinicServer) -> list[plans.PlanVersion]:
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as conn:
            return plans.plan_versions(conn, PATIENT)
    finally:
        engine.dispose()


def audit_actions(server: ClinicServer, actor: str) -> list[tuple[str, str]]:
    engine = create_engine(server.db_url)
    a = tables.audit_log
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(a.c.action, a.c.detail).where(a.c.actor == actor).order_by(a.c.id))
            return [(str(r.action), str(r.detail or "")) for r in rows]
    finally:
        engine.dispose()


def assign_by_api(server: ClinicServer, text: str, reason: str) -> int:
    answer = server.request(
        "POST", f"/api/v1/patients/{PATIENT}/plans", server.login(ANA), json={"toml": text, "reason": reason}
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["version"])


def save(client: httpx.Client, values: dict[str, str]) -> httpx.Response:
    return client.post(EDITOR, data=values)


# -- without a server: the writer and the form ------------------------------------------------------


def plan_sources() -> list[tuple[str, str]]:
    found = [(name, template_text(name)) for name in template_names()]
    found += [(path.name, path.read_text(encoding="utf-8")) for path in EXAMPLES]
    return found + [("full plan", FULL_PLAN)]


@pytest.mark.parametrize(("name", "text"), plan_sources(), ids=[n for n, _ in plan_sources()])
def test_the_toml_writer_reads_back_equal_on_every_template_and_example_plan(name: str, text: str) -> None:
    data = tomllib.loads(text)
    assert tomllib.loads(dumps(data)) == data
    stored = plans.check_plan(fill_patient(text, PATIENT), PATIENT).to_dict()  # floats where the store has them
    assert tomllib.loads(dumps(stored)) == stored


def test_the_toml_writer_escapes_text_and_keys_and_keeps_every_number() -> None:
    data: dict[str, Any] = {
        "text": 'quote " backslash \\ newline \n tab \t nul \x00 del \x7f bell \x07 é ☃ \u2028',
        "tricky = key": "x",
        "numbers": [0, -3, 2**62, 0.1, 1e-7, 1e300, -0.0, 2.5, math.inf, -math.inf],
        "flags": [True, False],
        "empty": [],
        "table": {"nested.key": {"deep": [{"a": 1}, {"a": {"b": "c"}}]}},
        "left out": None,
    }
    text = dumps(data)
    back = tomllib.loads(text)
    assert back == {key: value for key, value in data.items() if value is not None}
    assert math.copysign(1.0, back["numbers"][6]) == -1.0  # -0.0 stays negative
    assert tomllib.loads(dumps({"x": math.nan}))["x"] != tomllib.loads(dumps({"x": math.nan}))["x"]  # nan
    with pytest.raises(TypeError):
        dumps({"when": object()})


@pytest.mark.parametrize(("name", "text"), plan_sources(), ids=[n for n, _ in plan_sources()])
def test_the_form_holds_every_template_and_example_plan_unchanged(name: str, text: str) -> None:
    """plan -> form -> plan -> TOML -> the validator: the same plan, for every plan shape shipped."""
    plan = plans.check_plan(fill_patient(text, PATIENT), PATIENT)
    for data in (tomllib.loads(text), plan.to_dict()):
        form = plan_form.from_plan(data)
        again = plans.check_plan(dumps(plan_form.to_plan(form, PATIENT)), PATIENT)
        assert again == plan


def test_a_field_number_is_whole_a_decimal_or_left_as_text_for_the_validator() -> None:
    assert plan_form.number("3") == 3 and isinstance(plan_form.number("3"), int)
    assert plan_form.number(" 2.5 ") == 2.5 and plan_form.number("2,5") == 2.5
    assert plan_form.number("3.0") == 3.0 and isinstance(plan_form.number("3.0"), float)
    for text in ("abc", "nan", "inf", "1e999", "1,5.2", "9" * 40):
        assert plan_form.number(text) == text.strip()


# -- the form round trip ----------------------------------------------------------------------------


def test_the_form_saved_unchanged_with_a_reason_is_a_new_version_equal_to_the_old(clinic: ClinicServer) -> None:
    assign_by_api(clinic, FULL_PLAN, "first plan")
    with web_client(clinic, ANA) as ana:
        page = ana.get(EDITOR)
        assert page.status_code == 200, page.text[:500]
        assert "version 1 of" in page.text and "first plan" in page.text
        values = posted(page.text, reason="checked at the visit, nothing changed")
        answer = save(ana, values)
        assert answer.status_code == 303, answer.text[:1000]
        assert answer.headers["location"] == f"/patients/{PATIENT}?saved=plan-2#plans"
        shown = ana.get(answer.headers["location"]).text
    assert "Plan version 2 was saved" in shown
    first, second = versions(clinic)
    assert second.plan == first.plan and second.origin == "server"
    assert (second.reason, second.created_by) == ("checked at the visit, nothing changed", ANA)
    assert ("assign plan v2", "checked at the visit, nothing changed") in audit_actions(clinic, ANA)
    assert ("web view plan", "") in audit_actions(clinic, ANA)


def test_a_plan_written_from_a_template_when_there_is_none(clinic: ClinicServer) -> None:
    with web_client(clinic, ANA) as ana:
        blank = ana.get(EDITOR).text
        assert read_form(blank).values["based_on"] == "0"
        for name in template_names():  # the picker offers every template 'rehab plan' offers
            assert f'<option value="{name}"' in blank
        page = ana.get(f"{EDITOR}?template=fear-of-heights").text
        assert ana.get(f"{EDITOR}?template=no-such-template").status_code == 404
        answer = save(ana, posted(page, reason="graded exposure agreed with the patient"))
        assert answer.status_code == 303, answer.text[:1000]
    (version,) = versions(clinic)
    expected = plans.check_plan(fill_patient(template_text("fear-of-heights"), PATIENT), PATIENT)
    assert version.plan == expected.to_dict()


def test_the_game_selects_offer_only_games_a_part_can_be_played_with(clinic: ClinicServer) -> None:
    installed = plans.installed_games()
    with web_client(clinic, ANA) as ana:
        page = ana.get(f"{EDITOR}?template=after-knee-replacement").text
        page = ana.post(EDITOR, data=posted(page, action="add-breathing")).text
    select = page.split('name="exercise[1].game"', 1)[1].split("</select>", 1)[0]
    offered = set(re.findall(r'<option value="([^"]+)"', select))
    assert offered == {g for g, m in installed.items() if m in plan_form.KNOWN_MOTIONS}
    assert {"breathe", "focus", "exposure"}.isdisjoint(offered)
    breathing = page.split('name="breathing.game"', 1)[1].split("</select>", 1)[0]
    assert "breathe" in re.findall(r'<option value="([^"]+)"', breathing)


# -- problems at their fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "shown_at", "words"),
    [
        ("exercise[1].sets", "0", "exercise[1].sets", "0 is not allowed"),
        ("exercise[1].ceiling_deg", "30", "exercise[1].target", "above the safety ceiling"),
        ("exercise[1].progression.max", "20", "exercise[1].progression.max", "below the target"),
        ("exercise[3].hold_s", "abc", "exercise[3].hold_s", "'abc' is not allowed"),
        ("exercise[2].calibrate", "", "exercise[2].calibrate", "needs a calibration"),
        ("exposure.step[2].suds_move_on", "75", "exposure.step[2].suds_move_on", "not below suds_stop"),
        ("outcome_measures[2].measure", "oks", "outcome_measures[2].measure", "scheduled twice"),
        ("exercise[1].name", "", "exercise[1].name", "Missing"),
    ],
)
def test_one_wrong_field_is_shown_at_that_field_and_nothing_is_saved(
    clinic: ClinicServer, field: str, value: str, shown_at: str, words: str
) -> None:
    assign_by_api(clinic, FULL_PLAN, "first plan")
    with web_client(clinic, ANA) as ana:
        page = ana.get(EDITOR).text
        values = posted(page, reason="a change")
        if value:
            values[field] = value
        else:
            values.pop(field)  # an unticked box, or a field emptied: sent empty
            if not field.endswith("calibrate"):
                values[field] = ""
        answer = save(ana, values)
    assert answer.status_code == 422, answer.text[:1000]
    assert words in error_at(answer.text, shown_at)
    (link,) = summary_links(answer.text)
    assert link[0] == plan_form.field_id(shown_at)
    assert f'id="{link[0]}"' in answer.text
    assert len(versions(clinic)) == 1
    # the form comes back as it was sent: the wrong value, the other fields and the reason kept
    back = read_form(answer.text).values
    for name in ("exercise[2].name", "exposure.step[1].description", "reason", "title"):
        assert back[name] == values[name]
    if value:
        assert back[field] == value


def test_no_reason_and_too_long_a_reason_are_refused_at_the_field(clinic: ClinicServer) -> None:
    assign_by_api(clinic, FULL_PLAN, "first plan")
    with web_client(clinic, ANA) as ana:
        page = ana.get(EDITOR).text
        blank = save(ana, posted(page, reason="   "))
        long = save(ana, posted(page, reason="x" * 501))
    assert blank.status_code == 422 and "Give a reason" in error_at(blank.text, "reason")
    assert long.status_code == 422 and "at most 500 characters" in error_at(long.text, "reason")
    assert summary_links(blank.text) == [("f-reason", f"Reason: {error_at(blank.text, 'reason')}")]
    assert len(versions(clinic)) == 1


def test_a_version_made_after_the_form_was_opened_is_not_replaced_unseen(clinic: ClinicServer) -> None:
    assign_by_api(clinic, FULL_PLAN, "first plan")
    with web_client(clinic, ANA) as ana:
        page = ana.get(EDITOR).text
        assign_by_api(clinic, FULL_PLAN.replace("reps = 10", "reps = 12"), "a colleague's change")
        first = save(ana, posted(page, reason="mine"))
        assert first.status_code == 409, first.text[:1000]
        assert "Version 2 was made after you opened this plan" in html.unescape(first.text)
        assert len(versions(clinic)) == 2
        second = save(ana, posted(first.text))  # seen: the second save replaces it knowingly
    assert second.status_code == 303, second.text[:1000]
    assert [v.reason for v in versions(clinic)] == ["first plan", "a colleague's change", "mine"]


# -- who may edit ------------------------------------------------------------------------------------


def test_only_the_patients_physios_edit_and_every_form_needs_its_csrf_token(clinic: ClinicServer) -> None:
    assign_by_api(clinic, FULL_PLAN, "first plan")
    with web_client(clinic, ANA) as ana:
        values = posted(ana.get(EDITOR).text, reason="no token")
    no_token = {k: v for k, v in values.items() if k != "csrf"}
    with web_client(clinic, ANA) as ana:
        assert ana.post(EDITOR, data=no_token).status_code == 403
        assert ana.post(EDITOR, data={**values, "csrf": "0" * 64}).status_code == 403
        upload = {"plan_file": ("plan.toml", FULL_PLAN.encode(), "application/toml")}
        assert ana.post(f"{EDITOR}/import", data=no_token, files=upload).status_code == 403
    for email, status in ((BOB, 403), (CARA, 403), (ADMIN_EMAIL, 403)):  # prescribing is a physio's
        with web_client(clinic, email) as other:
            assert other.get(EDITOR).status_code == status
            token = csrf_of(other.get("/caseload").text)
            assert other.post(EDITOR, data={**values, "csrf": token}).status_code == status
            assert other.post(f"{EDITOR}/import", data={"csrf": token}, files=upload).status_code == status
    with web_client(clinic, CARA) as cara:  # a clinician reads the plan, as on the patient page
        assert cara.get(f"{EDITOR}.toml").status_code == 200
    with web_client(clinic, BOB) as bob:
        assert bob.get(f"{EDITOR}.toml").status_code == 403
    with web_client(clinic, TIM) as tim:  # Ana's team
        page = tim.get(EDITOR)
        assert page.status_code == 200
        assert save(tim, posted(page.text, reason="covering for Ana")).status_code == 303
    assert [v.created_by for v in versions(clinic)] == [ANA, TIM]
    with httpx.Client(base_url=clinic.url, follow_redirects=False) as nobody:
        for path in (EDITOR, f"{EDITOR}.toml"):
            answer = nobody.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
        answer = nobody.post(EDITOR, data=no_token)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert len(versions(clinic)) == 2


# -- rows ------------------------------------------------------------------------------------------


def test_adding_and_removing_rows_changes_the_form_and_saves_nothing(clinic: ClinicServer) -> None:
    assign_by_api(clinic, FULL_PLAN, "first plan")
    with web_client(clinic, ANA) as ana:
        page = ana.get(EDITOR).text

        def act(page: str, action: str, **changes: str) -> str:
            answer = ana.post(EDITOR, data=posted(page, action=action, **changes))
            assert answer.status_code == 200, answer.text[:1000]
            assert "The plan was not saved" not in answer.text  # a row change is not a save
            return answer.text

        added = act(page, "add-exercise")
        form = read_form(added)
        assert form.values["exercise[4].hold_s"] == "1" and form.values["exercise[4].name"] == ""
        assert "autofocus" in form.attrs["exercise[4].name"]
        removed = act(added, "remove-exercise-1")
        names_ = [read_form(removed).values[f"exercise[{i}].name"] for i in (1, 2, 3)]
        assert names_ == ["Elbow bend", "Head turns", ""] and "exercise[4].name" not in read_form(removed).values
        assert re.search(r'<button[^>]*id="add-exercise"[^>]*autofocus', removed)  # the focus stays near
        no_rule = act(removed, "remove-progression-1")
        assert "exercise[1].progression.max" not in read_form(no_rule).values
        rule = act(no_rule, "add-progression-3")
        assert read_form(rule).values["exercise[3].progression.enabled"] == "true"
        steps = act(rule, "remove-step-1")
        assert read_form(steps).values["exposure.step[1].description"] == "A first-floor balcony"
        steps = act(steps, "add-step")
        assert read_form(steps).values["exposure.step[2].description"] == ""
        measures = act(steps, "remove-measure-2")
        assert "outcome_measures[2].measure" not in read_form(measures).values
        measures = act(measures, "add-measure")
        assert read_form(measures).values["outcome_measures[2].measure"] == ""
        parts = act(measures, "remove-breathing")
        assert "breathing.game" not in read_form(parts).values
        parts = act(act(parts, "remove-exposure"), "add-breathing")
        form = read_form(parts)
        assert "exposure.game" not in form.values and form.values["breathing.breaths_per_min"] == "6"
        # the changed form, filled in, saves as shown
        filled = posted(parts, reason="fewer parts")
        filled |= {"exercise[3].name": "Sit to stand", "exercise[3].game": "squat"}
        filled |= {"exercise[3].movement": "knee_flexion", "exercise[3].side": "left", "exercise[3].sets": "2"}
        filled |= {"exercise[3].reps": "5", "exercise[3].target": "30", "exercise[3].ceiling_deg": "60"}
        filled |= {"breathing.game": "breathe", "breathing.minutes": "4"}
        filled |= {"exercise[3].progression.every_sessions": "2", "exercise[3].progression.step_percent": "5"}
        filled |= {"exercise[3].progression.max": "55", "outcome_measures[2].measure": "phq9"}
        filled |= {"outcome_measures[2].every_days": "30"}
        assert len(versions(clinic)) == 1  # nothing saved by any row change
        answer = save(ana, filled)
        assert answer.status_code == 303, answer.text[:2000]
    plan = versions(clinic)[-1].plan
    assert [e["name"] for e in plan["exercise"]] == ["Elbow bend", "Head turns", "Sit to stand"]
    assert "progression" not in plan["exercise"][0] and "progression" not in plan["exercise"][1]
    assert plan["exercise"][2]["progression"] == {
        "every_sessions": 2,
        "step_percent": 5.0,
        "max_deg": 55.0,
        "enabled": True,
    }
    assert "exposure" not in plan and plan["breathing"] == {"game": "breathe", "minutes": 4.0, "breaths_per_min": 6.0}
    assert [m["measure"] for m in plan["outcome_measures"]] == ["oks", "phq9"]


# -- export and import --------------------------------------------------------------------------------


def test_the_current_version_exports_as_toml_that_rehab_plan_validate_and_the_import_read(
    clinic: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with web_client(clinic, ANA) as ana:
        assert ana.get(f"{EDITOR}.toml").status_code == 404  # no plan yet
    assign_by_api(clinic, FULL_PLAN, "first plan")
    with web_client(clinic, ANA) as ana:
        answer = ana.get(f"{EDITOR}.toml")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == f'attachment; filename="plan-{PATIENT}-v1.toml"'
        exported = answer.text
        assert plans.check_plan(exported, PATIENT).to_dict() == versions(clinic)[0].plan
        file = tmp_path / "plan.toml"
        file.write_text(exported, encoding="utf-8")
        assert main(["--home", str(tmp_path / "home"), "plan", "validate", str(file)]) == 0, capsys.readouterr()
        assert ("web export plan", "version 1") in audit_actions(clinic, ANA)

        # importing a changed file fills the form, shows no problem and saves nothing
        page = ana.get(EDITOR).text
        changed = exported.replace("reps = 10", "reps = 12")
        upload = {"plan_file": ("changed.toml", changed.encode(), "application/toml")}
        imported = ana.post(f"{EDITOR}/import", data=posted(page, reason="from the file"), files=upload)
        assert imported.status_code == 200, imported.text[:1000]
        form = read_form(imported.text).values
        assert form["exercise[1].reps"] == "12" and form["reason"] == "from the file"
        assert "Imported changed.toml" in imported.text and "The plan was not saved" not in imported.text
        assert len(versions(clinic)) == 1
        answer = save(ana, posted(imported.text))
        assert answer.status_code == 303
        assert versions(clinic)[-1].plan["exercise"][0]["reps"] == 12

        # a file with a mistake: shown at its field with its line; a broken file: at the file field
        page = ana.get(EDITOR).text
        wrong = exported.replace("sets = 3", "sets = 0")
        upload = {"plan_file": ("wrong.toml", wrong.encode(), "application/toml")}
        refused = ana.post(f"{EDITOR}/import", data=posted(page), files=upload)
        assert refused.status_code == 422
        assert "0 is not allowed" in error_at(refused.text, "exercise[1].sets")
        line = next(i for i, text in enumerate(wrong.splitlines(), 1) if text == "sets = 0")
        assert summary_links(refused.text)[0][1].startswith(f"line {line}: Exercise 1, sets")
        for content, words in (
            (b"title = 'unclosed\n", "is not valid TOML"),
            (b"\xff\xfe not text", "is not UTF-8 text"),
            (b"x" * 900_000, "too large"),
        ):
            upload = {"plan_file": ("broken.toml", content, "application/toml")}
            broken = ana.post(f"{EDITOR}/import", data=posted(page, reason="kept"), files=upload)
            assert broken.status_code == 422
            assert words in error_at(broken.text, "plan_file")
            assert read_form(broken.text).values["reason"] == "kept"  # the form as it was
        nothing = ana.post(f"{EDITOR}/import", data=posted(page))
        assert nothing.status_code == 422 and "Choose a TOML plan file" in error_at(nothing.text, "plan_file")
    assert len(versions(clinic)) == 2


# -- user text --------------------------------------------------------------------------------------


def test_user_text_is_escaped_in_the_form_the_errors_and_the_plan_history(clinic: ClinicServer) -> None:
    script = "<script>alert(1)</script>"
    assign_by_api(clinic, FULL_PLAN, "first plan")
    with web_client(clinic, ANA) as ana:
        page = ana.get(EDITOR).text
        values = posted(page, reason=f"why {script}", notes=f'notes {script} "quoted"')
        values["exercise[1].name"] = f'"><img src=x onerror=alert(1)>{script}'
        values["exercise[1].sets"] = script  # a wrong value: shown back, escaped, with its error
        refused = save(ana, values)
        assert refused.status_code == 422
        assert script not in refused.text and "<img src=x" not in refused.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in refused.text
        assert read_form(refused.text).values["exercise[1].sets"] == script
        values["exercise[1].sets"] = "3"
        assert save(ana, values).status_code == 303
        patient_page = ana.get(f"/patients/{PATIENT}").text
        editor = ana.get(EDITOR).text
    for shown in (patient_page, editor):
        assert script not in shown and "<img src=x" not in shown
    assert f"why {html.escape(script, quote=False)}" in patient_page
    assert read_form(editor).values["exercise[1].name"] == f'"><img src=x onerror=alert(1)>{script}'
    assert versions(clinic)[-1].plan["notes"] == f'notes {script} "quoted"'
