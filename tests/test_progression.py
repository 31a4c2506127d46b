"""Progression rules: targets go up only on evidence, never past the cap, each change with its reason."""

import pytest

from rehab.app.plans import parse_text
from rehab.app.progression import Outcome, OverrideError, apply, find_exercise, override, propose

REACH = """\
[[exercise]]
name = "Reach"
game = "reach"
movement = "shoulder_flexion"
side = "left"
sets = 1
reps = 8
target_percent = 70
ceiling_deg = 150

[exercise.progression]
every_sessions = 1
step_percent = 10
max_percent = 90
"""

PERFECT = Outcome(reps_planned=10, reps_done=10, successes=10, completed=True)
ONE_MISSED = Outcome(reps_planned=10, reps_done=10, successes=9, completed=True)
SHORT = Outcome(reps_planned=10, reps_done=8, successes=8, completed=True)
PAIN = Outcome(reps_planned=10, reps_done=10, successes=10, completed=False)


@pytest.fixture
def plan(elbow_plan_text):
    """The elbow bend of the shared test plan, capped at 108° so that two raises reach the cap,
    followed by a reach exercise whose target is a percentage of the calibrated range."""
    elbow = elbow_plan_text[: elbow_plan_text.index('[[exercise]]\nname = "Head turns"')]
    return parse_text(elbow.replace("max_deg = 130", "max_deg = 108") + REACH, "test.toml")


def test_target_rises_after_enough_perfect_sessions(plan):
    changes = propose(plan, {0: [PERFECT, PERFECT]})
    assert [(c.exercise, c.old, c.new) for c in changes] == [(0, 100, 105)]
    assert "after 2 sessions with every rep successful" in changes[0].reason
    assert "+5%" in changes[0].reason and "108°" in changes[0].reason
    assert apply(plan, changes).exercise[0].target_deg == 105


@pytest.mark.parametrize("history", [[PERFECT], [ONE_MISSED, PERFECT], [PERFECT, SHORT], [PERFECT, PAIN], []])
def test_no_change_without_the_evidence(plan, history):
    assert propose(plan, {0: history}) == []


def test_only_the_most_recent_sessions_count(plan):
    assert len(propose(plan, {0: [ONE_MISSED, PERFECT, PERFECT]})) == 1


def test_capped_and_then_unchanged(plan):
    raised = apply(plan, propose(plan, {0: [PERFECT, PERFECT]}))
    capped = apply(raised, propose(raised, {0: [PERFECT, PERFECT]}))
    assert capped.exercise[0].target_deg == 108  # 105 * 1.05 = 110.25, capped at 108
    assert propose(capped, {0: [PERFECT, PERFECT]}) == []


def test_percentage_targets_progress_in_percent(plan):
    perfect = Outcome(8, 8, 8, True)
    changes = propose(plan, {1: [perfect]})
    assert (changes[0].field, changes[0].old, changes[0].new) == ("target_percent", 70, 77)
    assert "77%" in changes[0].reason


def test_therapist_override_and_freeze(plan):
    changed, change = override(plan, find_exercise(plan, "elbow bend"), 95, None, "elbow sore after a fall")
    assert changed.exercise[0].target_deg == 95 and change.reason == "therapist: elbow sore after a fall"
    frozen, _ = override(changed, 0, None, True, "hold for two weeks")
    assert propose(frozen, {0: [PERFECT, PERFECT]}) == []
    with pytest.raises(OverrideError, match="ceiling"):
        override(plan, 0, 160, None, "too far")
    with pytest.raises(OverrideError, match="exercises: 1 \\(Elbow bend\\), 2 \\(Reach\\)"):
        find_exercise(plan, "squat")
