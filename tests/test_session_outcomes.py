"""A guided session asks the plan's due questionnaires after the pain before, keeps each answer, and
goes on to the exercises; a questionnaire answered recently is not asked again."""

from progress.store import Store
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text
from rehab.app.session_runner import SessionContext, run_session
from rehab.app.session_sources import source_opener
from rehab.core.clock import SimulatedClock
from rehab.engine.display import HeadlessDisplay
from rehab.engine.game import available_games
from rehab.engine.play import SceneTimes

PLAN = """\
title = "Elbow and mood"
patient = "P1"
sessions_per_week = 5

[[exercise]]
name = "Elbow bend"
game = "lift"
movement = "elbow_flexion"
side = "left"
sets = 1
reps = 3
hold_s = 1
rest_s = 5
target_percent = 80
ceiling_deg = 145

[[outcome_measures]]
measure = "gad7"
every_days = 14
"""


def _context(store, answers, said, day):
    lines = iter(answers)
    return SessionContext(
        store=store,
        games=available_games(),
        open_source=source_opener("sim", False, [], 1),
        display=HeadlessDisplay(),
        make_clock=SimulatedClock,
        ask_pain=lambda moment, hand: 2.0,
        now_iso=lambda: f"{day}T10:00:00+00:00",
        today=day,
        say=said.append,
        scenes=SceneTimes(0.5, 0.5, 0.0),
        read_line=lambda prompt: next(lines, None),
    )


def test_a_due_questionnaire_is_asked_in_the_terminal_then_the_exercises_run():
    store = Store.memory()
    assign(store, "P1", parse_text(PLAN), "2026-11-02T09:00:00+00:00", "2026-11-02", "first plan")
    said: list[str] = []
    # GAD-7: seven answers 0-3, total 1+2+1+0+3+2+1 = 10 (moderate)
    result = run_session(_context(store, ["1", "2", "1", "0", "3", "2", "1"], said, "2026-11-02"), "P1")
    assert result.status == "completed" and result.exercises[0].reps == 3
    [response] = store.outcome_responses("P1", "gad7")
    assert response.status == "completed" and response.score == 10 and response.band.lower().startswith("moderate")
    assert len(response.answers) == 7
    # a week later it is not due yet: nothing is read from the terminal, the session just runs
    later = _context(store, [], said, "2026-11-09")
    assert run_session(later, "P1").status == "completed"
    assert len(store.outcome_responses("P1", "gad7")) == 1
