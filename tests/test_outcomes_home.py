"""Outcome questionnaires answered at home: which are due, asking them in the terminal and on screen,
every answer stored as it is given, leaving early, a kill mid-way, the PHQ-9 safety text, wording a
clinic must supply, the guided session's hook and ``rehab outcomes``. Real store, real pygame
(off-screen), simulated clock."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from progress.store import Store
from rehab.app.outcomes import (
    OutcomeResult,
    StoreSink,
    WordingMissing,
    ask_due_outcomes,
    ask_outcome,
    close_unfinished,
    due_outcomes,
    hand_pointer,
    in_terminal,
    on_screen,
    patient_instrument,
    scripted,
)
from rehab.app.plans import OutcomeSchedule, Plan
from rehab.app.session_runner import SessionContext
from rehab.core.clock import SimulatedClock
from rehab.core.questionnaires import SELF_HARM_FLAG, instrument, score
from rehab.engine.display import HeadlessDisplay
from rehab.engine.questionnaire_scene import SAFETY_TEXT
from tests.test_questionnaire_screen import KeyedDisplay

PHQ9 = instrument("phq9")
GAD7 = instrument("gad7")
NOW = "2026-12-01T10:00:00+00:00"


def plan_with(*schedules: tuple[str, int]) -> Plan:
    return Plan("home", 3, outcome_measures=tuple(OutcomeSchedule(m, d) for m, d in schedules))


class Said(list):
    def __call__(self, text: str) -> None:
        self.append(text)


def ask_in_terminal(store: Store, measure, answers, patient="P1", say=None):
    say = say if say is not None else Said()
    sink = StoreSink(store, patient, measure.id, lambda: NOW, say=say)
    return ask_outcome(store, patient, measure, in_terminal(scripted(answers), say), sink), say


def clinic_file(folder: Path, measure_id: str) -> Path:
    """A clinic wording file for ``measure_id`` in the documented format (made-up wording)."""
    measure = instrument(measure_id)
    lines = [f'measure = "{measure_id}"', 'licence = "test licence"', 'intro = "Think of the last four weeks."']
    for n, item in enumerate(measure.items, start=1):
        lines += ["[[item]]", f'text = "How was thing {n} for you?"', "choices = ["]
        lines += [f'  {{ value = {c.value}, label = "Answer {c.value}" }},' for c in item.choices]
        lines += ["]"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{measure_id}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def context(store: Store, display=None, say=None) -> SessionContext:
    return SessionContext(
        store=store,
        games={},
        open_source=lambda *a: None,
        display=display or HeadlessDisplay(),
        make_clock=SimulatedClock,
        ask_pain=lambda moment, hand: None,
        now_iso=lambda: NOW,
        today=NOW[:10],
        say=say if say is not None else Said(),
    )


def finished(store: Store, measure: str, day: str, status: str = "completed") -> None:
    response = store.start_outcome("P1", f"{day}T09:00:00+00:00", measure)
    if status != "in_progress":
        store.finish_outcome(response, status, 1.0, None)


# -- which are due -------------------------------------------------------------------------------


def test_a_measure_never_answered_is_due_and_one_answered_is_due_again_after_every_days():
    store = Store.memory()
    plan = plan_with(("phq9", 14), ("gad7", 28))
    assert due_outcomes(plan, [], "2026-12-01") == ["phq9", "gad7"]
    finished(store, "phq9", "2026-11-18")  # 13 days before
    finished(store, "gad7", "2026-11-03")  # 28 days before
    responses = store.outcome_responses("P1")
    assert due_outcomes(plan, responses, "2026-12-01") == ["gad7"]
    assert due_outcomes(plan, responses, "2026-12-02") == ["phq9", "gad7"]  # 14 days


def test_only_a_completed_answer_counts_and_measures_outside_the_plan_are_ignored():
    store = Store.memory()
    finished(store, "phq9", "2026-11-30", "stopped")
    finished(store, "phq9", "2026-11-30", "in_progress")
    finished(store, "pss10", "2026-11-30")
    responses = store.outcome_responses("P1")
    assert due_outcomes(plan_with(("phq9", 14)), responses, "2026-12-01") == ["phq9"]
    assert due_outcomes(plan_with(), responses, "2026-12-01") == []


# -- asked in the terminal -----------------------------------------------------------------------


def test_answered_in_the_terminal_it_is_stored_completed_with_its_published_score():
    store = Store.memory()
    answers = [2, 1, 2, 1, 2, 1, 2, 1, 0, 1]
    result, said = ask_in_terminal(store, PHQ9, answers)
    expected = score(PHQ9, dict(zip([i.key for i in PHQ9.items], answers, strict=True)))
    (row,) = store.outcome_responses("P1", "phq9")
    assert (row.status, row.score, row.band, row.flags) == ("completed", 12.0, "moderate", ())
    assert (result.total, result.band, result.status) == (expected.total, expected.band, "completed")
    assert row.answers == dict(zip([i.key for i in PHQ9.items], answers, strict=True))
    assert "Question 10 of 10: If you checked off any problems" in "\n".join(said)
    assert result.message == "PHQ-9: completed, 12 points (moderate)"


def test_a_wrong_answer_is_asked_again_and_b_goes_back_to_change_the_one_before():
    store = Store.memory()
    result, said = ask_in_terminal(store, GAD7, ["7", "often", "-1", "3", "b", "1", "0", "0", "0", "0", "0", "0"])
    assert said.count("  Please type one of 0, 1, 2, 3.") == 3
    assert result.answers["gad7_1"] == 1 and result.status == "completed" and result.total == 1


def test_an_empty_line_stops_keeping_the_answers_scored_only_if_the_rule_allows(tmp_path):
    store = Store.memory()
    result, _ = ask_in_terminal(store, PHQ9, [1, 1, 1, 0, 0, 0, 0, ""])
    (row,) = store.outcome_responses("P1")
    # PHQ-9 allows no missing item: the seven answers are kept, with no total
    assert row.status == "stopped" and len(row.answers) == 7 and row.score is None
    assert result.message == "PHQ-9: stopped early, answers kept, no score (too many questions unanswered)"
    # the OKS counts up to two missing items as the mean of the others
    clinic_file(tmp_path, "oks")
    oks = patient_instrument("oks", tmp_path)
    result, _ = ask_in_terminal(store, oks, [4] * 10)  # then the end of input
    assert result.status == "stopped" and result.total == 48.0


def test_the_self_harm_answer_gets_the_safety_text_at_once_and_the_flag_is_stored():
    store = Store.memory()
    result, said = ask_in_terminal(store, PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
    card = said.index(SAFETY_TEXT)
    assert said[card - 1].startswith("  3  ") and said[card + 1].startswith("Question 10 of 10")
    (row,) = store.outcome_responses("P1")
    assert row.flags == (SELF_HARM_FLAG,) and result.flags == (SELF_HARM_FLAG,)
    assert row.status == "completed" and row.score == 1.0


def test_a_kill_mid_way_loses_at_most_the_question_on_screen_and_the_next_run_closes_it(tmp_path):
    path = tmp_path / "rehab.sqlite"
    store = Store.open(path)
    typed = iter(["1", "2", "3"])

    def killed_after_three(prompt: str) -> str | None:
        answer = next(typed, None)
        if answer is None:
            raise KeyboardInterrupt  # the process dies while question 4 is on screen
        return answer

    sink = StoreSink(store, "P1", "gad7", lambda: NOW, say=Said())
    with pytest.raises(KeyboardInterrupt):
        ask_outcome(store, "P1", GAD7, in_terminal(killed_after_three, Said()), sink)
    store.close()
    store = Store.open(path)  # what is on disk
    (row,) = store.outcome_responses("P1")
    assert row.status == "in_progress" and row.answers == {"gad7_1": 1, "gad7_2": 2, "gad7_3": 3}
    assert close_unfinished(store, "P1") == [row.id]
    (row,) = store.outcome_responses("P1")
    assert row.status == "stopped" and row.answers == {"gad7_1": 1, "gad7_2": 2, "gad7_3": 3}
    assert row.score is None  # GAD-7 allows no missing item
    store.close()


def test_leaving_at_once_stores_an_empty_stopped_response_and_the_measure_stays_due():
    store = Store.memory()
    result, _ = ask_in_terminal(store, GAD7, [])
    assert result.status == "stopped" and result.answers == {}
    assert due_outcomes(plan_with(("gad7", 14)), store.outcome_responses("P1"), NOW[:10]) == ["gad7"]


# -- the clinic's wording ------------------------------------------------------------------------


def test_a_measure_without_shipped_wording_is_never_shown_with_placeholders(tmp_path):
    with pytest.raises(WordingMissing, match=r"OKS item wording not installed .*docs/outcome_measures.md"):
        patient_instrument("oks", tmp_path / "questionnaires")
    clinic_file(tmp_path / "questionnaires", "oks")
    oks = patient_instrument("oks", tmp_path / "questionnaires")
    assert oks.text_shipped and oks.items[0].text == "How was thing 1 for you?"
    assert patient_instrument("phq9", tmp_path / "questionnaires") == PHQ9  # shipped, no file: as shipped


# -- at the start of a guided session ------------------------------------------------------------


def test_the_session_hook_asks_the_due_ones_on_screen_and_stores_them_with_the_visit(tmp_path):
    store = Store.open(tmp_path / "rehab.sqlite")
    visit = store.start_visit("P1", NOW, None)
    # PHQ-9: 1 to every question; item 9 brings the safety card, which stays until a key (Down)
    keys = ["enter"] + [k for _ in range(9) for k in ("1", "enter")] + [None] * 5 + ["down", "1", "enter"]
    keys += ["enter"] + [k for _ in range(7) for k in ("0", "enter")]  # then GAD-7 (OKS is skipped)
    said = Said()
    ctx = context(store, KeyedDisplay(keys, quit_after=5000), say=said)
    plan = plan_with(("phq9", 14), ("oks", 28), ("gad7", 14))
    results = ask_due_outcomes(ctx, "P1", plan, visit, NOW[:10], screen=True)
    assert [(r.measure, r.status) for r in results] == [
        ("phq9", "completed"),
        ("oks", "not_installed"),
        ("gad7", "completed"),
    ]
    assert results[0].flags == (SELF_HARM_FLAG,) and SAFETY_TEXT in said  # item 9 answered 1
    assert any("OKS item wording not installed" in line for line in said)
    rows = store.outcome_responses("P1")
    assert [(r.measure, r.visit_id, r.status) for r in rows] == [
        ("phq9", visit, "completed"),
        ("gad7", visit, "completed"),
    ]
    assert ask_due_outcomes(ctx, "P1", plan, visit, NOW[:10], screen=True) == [
        OutcomeResult("oks", "not_installed", message=results[1].message)
    ]
    store.close()


def test_leaving_one_questionnaire_leaves_the_others_for_next_time():
    store = Store.memory()
    ctx = context(store)
    plan = plan_with(("gad7", 14), ("phq9", 14))
    results = ask_due_outcomes(ctx, "P1", plan, None, NOW[:10], screen=False, read_line=scripted([1, 1]))
    assert [(r.measure, r.status) for r in results] == [("gad7", "stopped")]
    assert due_outcomes(plan, store.outcome_responses("P1"), NOW[:10]) == ["gad7", "phq9"]


def test_with_no_window_and_no_terminal_nothing_is_asked_and_the_session_is_told():
    store = Store.memory()
    said = Said()
    assert ask_due_outcomes(context(store, say=said), "P1", plan_with(("gad7", 14)), None, NOW[:10]) == []
    assert said == ["Questionnaires due (gad7) not asked: no window and no terminal to ask them in."]
    assert store.outcome_responses("P1") == []


def test_a_hand_from_a_pose_source_answers_on_screen():
    from rehab.core.types import PoseFrame
    from rehab.sim.skeleton import Posture, world_points

    up = world_points(Posture(arm_elevation={"left": 175.0, "right": 0.0}))
    down = world_points(Posture())

    class Camera:
        """Poses of a patient holding the left hand up for 2.5 s, then down for 1 s, again and again."""

        def poll(self, now: float):
            world = up if now % 3.5 < 2.5 else down
            return [PoseFrame(t=now, world=world, visibility=np.ones(33))]

    store = Store.memory()
    sink = StoreSink(store, "P1", "gad7", lambda: NOW, say=Said())
    display = KeyedDisplay([], quit_after=5000)
    result = ask_outcome(store, "P1", GAD7, on_screen(display, SimulatedClock(), hand_pointer(Camera())), sink)
    # a hand held high points at the top answer
    assert result.status == "completed" and result.answers == {f"gad7_{n}": 0 for n in range(1, 8)}


def test_the_hand_is_forgotten_when_the_camera_stops_sending():
    from rehab.core.types import PoseFrame
    from rehab.sim.skeleton import Posture, world_points

    frames = [
        PoseFrame(
            t=0.0, world=world_points(Posture(arm_elevation={"left": 175.0, "right": 0.0})), visibility=np.ones(33)
        )
    ]

    class OnceCamera:
        def poll(self, now: float):
            return [frames.pop()] if frames else []

    level = hand_pointer(OnceCamera())
    assert level(0.0) > 0.9 and level(0.4) > 0.9 and math.isnan(level(1.0))


# -- rehab outcomes ------------------------------------------------------------------------------

PLAN_OUTCOMES = """
[[outcome_measures]]
measure = "phq9"
every_days = 14

[[outcome_measures]]
measure = "oks"
every_days = 28
"""


@pytest.fixture
def cli(tmp_path, elbow_plan_text):
    from rehab.app.cli import main

    plan = tmp_path / "plan.toml"
    plan.write_text(elbow_plan_text + PLAN_OUTCOMES, encoding="utf-8")
    assert main(["--home", str(tmp_path), "plan", "assign", str(plan), "--patient", "P1"]) == 0

    def rehab(*args: str) -> int:
        return main(["--home", str(tmp_path), "outcomes", *args])

    return rehab


def test_rehab_outcomes_list_answer_and_show(cli, capsys):
    capsys.readouterr()
    assert cli("list", "--patient", "P1") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("phq9\tevery 14 days\tdue today\tnever answered")
    assert out[1].startswith("oks\tevery 28 days\tdue today\tnever answered\tcannot be asked: OKS item wording")
    answers = "2,1,2,1,2,1,2,1,1,0"
    assert cli("answer", "--patient", "P1", "--measure", "phq9", "--headless", "--answers", answers) == 0
    out = capsys.readouterr().out
    assert SAFETY_TEXT in out and "PHQ-9: completed, 13 points (moderate)" in out
    assert cli("list", "--patient", "P1") == 0
    assert "phq9\tevery 14 days\tnot due\tlast " in capsys.readouterr().out
    assert cli("show", "--patient", "P1") == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.endswith("\tphq9\tcompleted\t10/10 answered\t13 (moderate)\tFLAG: self_harm_thoughts")


def test_rehab_outcomes_refuses_in_one_line(cli, capsys):
    capsys.readouterr()
    assert cli("answer", "--patient", "P1", "--measure", "phq", "--headless", "--answers", "1") == 2
    assert capsys.readouterr().err.strip().startswith("rehab outcomes: no outcome measure 'phq'; did you mean 'phq9'?")
    assert cli("answer", "--patient", "P1", "--measure", "gad7", "--headless", "--answers", "1,5") == 2
    err = capsys.readouterr().err.strip()
    assert err == "rehab outcomes: --answers: 5 is not an answer to question 2 (allowed: 0, 1, 2, 3)"
    assert cli("answer", "--patient", "P1", "--measure", "oks", "--headless", "--answers", "1") == 2
    assert "OKS item wording not installed" in capsys.readouterr().err
    # no terminal under pytest, and no --answers: nobody to ask
    assert cli("answer", "--patient", "P1", "--measure", "gad7", "--headless") == 2
    assert "no terminal to ask the questions in" in capsys.readouterr().err
    assert cli("show", "--patient", "P1", "--measure", "gad7") == 0
    assert capsys.readouterr().out.strip() == "no questionnaires answered by patient P1 for gad7"
