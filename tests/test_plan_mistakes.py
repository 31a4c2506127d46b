"""Plan mistakes a physiotherapist makes, each read back as one plain line with its place.

Before: ``game = "squats"`` was only a warning, so the assigned plan skipped its one exercise and the
session said "Session completed"; a misspelt field listed every allowed name plus a false "missing";
a target above the ceiling also gave two false ``progression`` errors; top-level problems had no
line; a goal below the target was accepted. Each test below makes one mistake in a good plan.
"""

from __future__ import annotations

import pytest

from progress.store import DB_FILENAME, Store
from rehab.app.cli import main
from rehab.app.plan_versions import assign, current_plan
from rehab.app.plans import (
    OUTCOME_MEASURE_IDS,
    OutcomeSchedule,
    PlanError,
    from_dict,
    games_not_installed,
    parse_text,
    template_text,
)
from rehab.engine.game import available_games

KNEE = """\
schema = 1
title = "Knee after replacement"
patient = "P1"
sessions_per_week = 5

[safety]
pain_stop_rise = 2

[[exercise]]
name = "Mini-squat"
game = "squat"
movement = "knee_flexion"
side = "right"
sets = 2
reps = 5
target_deg = 40
ceiling_deg = 70

[exercise.progression]
every_sessions = 2
step_percent = 5
max_deg = 60

[breathing]
game = "breathe"
minutes = 5
"""
#: the same plan asking the Oxford Knee Score every four weeks
WITH_OKS = KNEE + '\n[[outcome_measures]]\nmeasure = "oks"\nevery_days = 28\n'


def installed() -> dict[str, str]:
    return {name: game.angle for name, game in available_games().items()}


def problems(text: str) -> list[str]:
    """Every line of the refusal, as the therapist reads it."""
    with pytest.raises(PlanError) as info:
        parse_text(text, "knee.toml", installed())
    return str(info.value).splitlines()


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def one_mistake(old: str, new: str, plan: str = KNEE) -> str:
    assert plan.count(old) == 1
    return plan.replace(old, new)


def test_the_good_plan_is_valid_with_the_installed_games():
    plan = parse_text(KNEE, "knee.toml", installed())
    assert plan.games() == ["squat", "breathe"]
    assert parse_text(WITH_OKS, "knee.toml", installed()).outcome_measures == (OutcomeSchedule("oks", 28),)


# -- 1. games and movements -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('game = "squat"', 'game = "squats"', "exercise[1].game: unknown game 'squats'; did you mean 'squat'?"),
        ('game = "breathe"', 'game = "breath"', "breathing.game: unknown game 'breath'; did you mean 'breathe'?"),
        (
            'movement = "knee_flexion"',
            'movement = "knee_flex"',
            "exercise[1].movement: unknown movement 'knee_flex'; did you mean 'knee_flexion'?",
        ),
    ],
)
def test_an_unknown_name_is_one_error_with_the_close_name(old, new, expected):
    text = one_mistake(old, new)
    assert problems(text) == [f"knee.toml, line {line_of(text, new)}: {expected}"]


def test_an_unknown_name_with_nothing_close_lists_what_is_installed():
    text = one_mistake('game = "squat"', 'game = "zzzz"')
    [message] = problems(text)
    assert message.startswith(
        f"knee.toml, line {line_of(text, 'zzzz')}: exercise[1].game: unknown game 'zzzz'; allowed: "
    )
    assert set(message.split("allowed: ")[1].split(", ")) == set(installed())


def test_the_command_refuses_an_unknown_game_with_exit_2(tmp_path, capsys):
    plan = tmp_path / "knee.toml"
    plan.write_text(one_mistake('game = "squat"', 'game = "squats"'))
    home = tmp_path / "home"
    assert main(["--home", str(home), "plan", "assign", str(plan), "--patient", "P1"]) == 2
    err = capsys.readouterr().err
    assert "exercise[1].game: unknown game 'squats'; did you mean 'squat'?" in err and "Traceback" not in err
    assert not (home / DB_FILENAME).exists()


def test_a_stored_plan_is_read_back_even_when_its_game_is_gone():
    """The store is history: a game uninstalled later must not make the patient's plans unreadable."""
    stored = parse_text(one_mistake('game = "squat"', 'game = "squash"'), "old.toml").to_dict()
    assert from_dict(stored).games() == ["squash", "breathe"]
    message = games_not_installed(from_dict(stored), installed())
    assert "game 'squash', which is not installed" in message and "\n" not in message
    assert games_not_installed(parse_text(KNEE), installed()) == ""


def test_a_session_refuses_a_stored_plan_whose_game_is_not_installed(tmp_path, capsys):
    store = Store.open(tmp_path / DB_FILENAME)
    plan = parse_text(
        one_mistake('game = "squat"', 'game = "squash"').replace('name = "Mini-squat"', 'name = "Squash"')
    )
    assign(store, "P1", plan, "2026-01-05T09:00:00", "2026-01-05", "assigned before squash was removed")
    store.close()
    code = main(
        ["--home", str(tmp_path), "session", "start", "--patient", "P1", "--input", "sim", "--headless"]
        + ["--pain-before", "2", "--pain-after", "2"]
    )
    out, err = capsys.readouterr()
    assert "Session completed" not in out
    assert code == 2 and "'squash'" in err and len(err.strip().splitlines()) == 1


# -- 2. misspelt fields -------------------------------------------------------------------------


def test_a_misspelt_field_names_the_right_one_and_nothing_else():
    text = one_mistake("ceiling_deg = 70", "ceilng_deg = 70")
    assert problems(text) == [
        f"knee.toml, line {line_of(text, 'ceilng_deg')}: exercise[1].ceilng_deg: unknown field; "
        "did you mean 'ceiling_deg'?"
    ]


@pytest.mark.parametrize(
    ("old", "new", "field", "meant"),
    [
        ('side = "right"', 'sid = "right"', "exercise[1].sid", "side"),
        ("target_deg = 40", "target_dg = 40", "exercise[1].target_dg", "target_deg"),
        ("[breathing]", "[breathng]", "breathng", "breathing"),
        ("pain_stop_rise = 2", "pain_stop_rse = 2", "safety.pain_stop_rse", "pain_stop_rise"),
    ],
)
def test_each_misspelt_field_is_one_line(old, new, field, meant):
    text = one_mistake(old, new)
    assert problems(text) == [f"knee.toml, line {line_of(text, new)}: {field}: unknown field; did you mean {meant!r}?"]


def test_a_field_like_no_other_lists_what_is_allowed():
    text = one_mistake("reps = 5", "reps = 5\ncolour = 3")
    [message] = problems(text)
    assert f"line {line_of(text, 'colour')}: exercise[1].colour: unknown field; allowed: name, game," in message


# -- 3. one wrong value, one message ------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "target_deg = 40",
            "target_deg = 75",
            "target_deg",
            "exercise[1].target_deg: 75 is above the safety ceiling (ceiling_deg = 70); "
            "allowed: a number from 1 to 70° (up to the ceiling)",
        ),
        (
            "target_deg = 40",
            "target_deg = 40\ntarget_percent = 80",
            "target_deg",
            "exercise[1].target_deg: give exactly one target; "
            "allowed: target_deg (degrees) or target_percent (of the calibrated range)",
        ),
        (
            "max_deg = 60",
            "max_percent = 60",
            "max_percent",
            "exercise[1].progression.max_percent: the target is in degrees; allowed: max_deg",
        ),
        (
            "target_deg = 40",
            "target_deg = 0",
            "target_deg",
            "exercise[1].target_deg: 0 is not allowed; allowed: a number from 1 to 135° (normal range of knee_flexion)",
        ),
    ],
)
def test_one_wrong_value_gives_one_message(old, new, needle, expected):
    text = one_mistake(old, new)
    assert problems(text) == [f"knee.toml, line {line_of(text, needle)}: {expected}"]


def test_an_unknown_movement_does_not_also_misjudge_the_ceiling():
    text = one_mistake('movement = "knee_flexion"', 'movement = "wobble"')
    [message] = problems(text)
    assert "unknown movement 'wobble'" in message and "None" not in message


# -- 4. every message has its line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "line_needle"),
    [
        ('title = "Knee after replacement"\n', "", "title", None),
        ("sessions_per_week = 5", "sessions_per_week = 50", "sessions_per_week", "sessions_per_week"),
        ('patient = "P1"', 'patient = "Jane Doe"', "patient", "patient ="),
        ("pain_stop_rise = 2", "pain_stop_rise = 9", "safety.pain_stop_rise", "pain_stop_rise"),
        ("sets = 2", "sets = 0", "exercise[1].sets", "sets = 0"),
        ("every_sessions = 2", "every_sessions = 99", "exercise[1].progression.every_sessions", "every_sessions"),
        ("minutes = 5", "minutes = 500", "breathing.minutes", "minutes = 500"),
    ],
)
def test_every_message_carries_its_line(old, new, field, line_needle):
    text = one_mistake(old, new)
    [message] = problems(text)
    line = line_of(text, line_needle) if line_needle else 1
    assert message.startswith(f"knee.toml, line {line}: {field}: ")


def test_exposure_and_a_plan_without_parts_carry_lines_too():
    text = template_text("fear-of-heights").replace("suds_stop = 80", "suds_stop = 800")
    with pytest.raises(PlanError) as info:
        parse_text(text, "heights.toml", installed())
    assert [p.line for p in info.value.problems] == [line_of(text, "suds_stop = 800")]
    with pytest.raises(PlanError) as nothing:
        parse_text('schema = 1\ntitle = "x"\nsessions_per_week = 3\n', "empty.toml")
    assert str(nothing.value).startswith("empty.toml, line 1: exercise: the plan prescribes nothing")
    with pytest.raises(PlanError) as listed:
        parse_text('title = "x"\nsessions_per_week = 3\nexercise = 3\n', "odd.toml")
    assert str(listed.value) == (
        "odd.toml, line 3: exercise: must be a list of [[exercise]] tables; allowed: [[exercise]] tables"
    )


def test_a_wrong_movement_for_the_game_has_its_line():
    text = one_mistake('movement = "knee_flexion"', 'movement = "hip_flexion"')
    assert problems(text) == [
        f"knee.toml, line {line_of(text, 'hip_flexion')}: exercise[1].movement: game 'squat' is played with "
        "knee_flexion, not hip_flexion; allowed: knee_flexion, or another game"
    ]


# -- 5. the ceiling and the goal ------------------------------------------------------------------


def test_a_ceiling_below_the_goal_is_one_message():
    text = one_mistake("ceiling_deg = 70", "ceiling_deg = 55")
    assert problems(text) == [
        f"knee.toml, line {line_of(text, 'max_deg')}: exercise[1].progression.max_deg: 60 is above the safety "
        "ceiling (ceiling_deg = 55); allowed: a number from 40 to 55° (from the target up to the ceiling)"
    ]


def test_a_ceiling_below_target_and_goal_is_still_one_message():
    text = one_mistake("ceiling_deg = 70", "ceiling_deg = 30")
    [message] = problems(text)
    assert "exercise[1].target_deg: 40 is above the safety ceiling (ceiling_deg = 30)" in message


def test_a_goal_below_the_target_is_refused():
    text = one_mistake("max_deg = 60", "max_deg = 35")
    assert problems(text) == [
        f"knee.toml, line {line_of(text, 'max_deg')}: exercise[1].progression.max_deg: 35 is below the target "
        "(40°); allowed: a number from 40 to 70° (from the target up to the ceiling)"
    ]


# -- 7. outcome measures ----------------------------------------------------------------------------


def test_outcome_measures_are_kept_in_the_stored_version(tmp_path):
    text = WITH_OKS + '\n[[outcome_measures]]\nmeasure = "phq9"\nevery_days = 14\n'
    plan = parse_text(text, "knee.toml", installed())
    assert plan.outcome_measures == (OutcomeSchedule("oks", 28), OutcomeSchedule("phq9", 14))
    assert plan.to_dict()["outcome_measures"] == [
        {"measure": "oks", "every_days": 28},
        {"measure": "phq9", "every_days": 14},
    ]
    store = Store.open(tmp_path / DB_FILENAME)
    try:
        assign(store, "P1", plan, "2026-01-05T09:00:00", "2026-01-05", "first plan")
        stored = current_plan(store, "P1")
    finally:
        store.close()
    assert stored is not None and stored.plan.outcome_measures == plan.outcome_measures


def test_a_plan_without_outcome_measures_stores_as_before():
    plan = parse_text(KNEE)
    assert plan.outcome_measures == () and "outcome_measures" not in plan.to_dict()
    assert from_dict(plan.to_dict()) == plan


@pytest.mark.parametrize(
    ("addition", "expected"),
    [
        ('measure = "oks"\nevery_days = 7', "outcome_measures[2].measure: 'oks' is scheduled twice"),
        ('measure = "quickdahs"\nevery_days = 7', "did you mean 'quickdash'?"),
        ('measure = "sf36"\nevery_days = 7', "allowed: oks, koos_ps, quickdash, ndi, phq9, gad7, pss10"),
        ('measure = "gad7"\nevery_days = 0', "allowed: a whole number from 1 to 365 days"),
        ('measure = "gad7"\nevery_days = 14.5', "14.5 is not allowed"),
        ('measure = "gad7"\nevery_days = 14\nlanguage = "en"', "outcome_measures[2].language: unknown field"),
    ],
)
def test_each_outcome_measure_mistake_is_one_line(addition, expected):
    text = WITH_OKS + "\n[[outcome_measures]]\n" + addition + "\n"
    [message] = problems(text)
    assert message.startswith("knee.toml, line ") and expected in message


@pytest.mark.parametrize(
    ("old", "new", "field", "line_needle"),
    [
        ('measure = "oks"', 'measure = "okss"', "outcome_measures[1].measure", "okss"),
        ("every_days = 28", "every_days = 400", "outcome_measures[1].every_days", "every_days"),
        ("every_days = 28\n", "", "outcome_measures[1].every_days", "[[outcome_measures]]"),
        ("every_days = 28", "every_day = 28", "outcome_measures[1].every_day", "every_day"),
    ],
)
def test_outcome_measure_messages_carry_their_line(old, new, field, line_needle):
    text = one_mistake(old, new, WITH_OKS)
    [message] = problems(text)
    assert message.startswith(f"knee.toml, line {line_of(text, line_needle)}: {field}: ")


def test_outcome_measures_must_be_a_list_of_tables():
    text = KNEE + '\n[outcome_measures]\nmeasure = "oks"\nevery_days = 28\n'
    assert problems(text) == [
        f"knee.toml, line {line_of(text, '[outcome_measures]')}: outcome_measures: must be a list of "
        "[[outcome_measures]] tables; allowed: [[outcome_measures]] tables"
    ]


def test_the_templates_schedule_the_agreed_questionnaires():
    expected = {
        "after-knee-replacement": [("oks", 28)],
        "after-shoulder-surgery": [("quickdash", 28)],
        "neck-pain": [("ndi", 28)],
        "stroke-upper-limb": [("quickdash", 28)],
        "stress-and-breathing": [("pss10", 28), ("gad7", 14)],
        "fear-of-heights": [("gad7", 14)],
    }
    for name, schedules in expected.items():
        plan = parse_text(template_text(name), f"{name}.toml", installed())
        assert [(s.measure, s.every_days) for s in plan.outcome_measures] == schedules
        assert {s.measure for s in plan.outcome_measures} <= set(OUTCOME_MEASURE_IDS)


def test_a_target_overridden_past_the_goal_stays_readable(tmp_path, capsys):
    """In a file a goal below the target is a typo; in the store it is the therapist's override (the
    target was raised past where progression would stop), and the patient's plan must still load."""
    plan = tmp_path / "knee.toml"
    plan.write_text(KNEE)
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "plan", "assign", str(plan), "--patient", "P1"]) == 0
    override = ["plan", "override", "--patient", "P1", "--exercise", "1", "--target", "65"]
    assert main([*home, *override, "--reason", "moving well in clinic"]) == 0
    assert main([*home, "plan", "show", "P1"]) == 0
    assert "target 65°, ceiling 70°" in capsys.readouterr().out
    store = Store.open(tmp_path / "home" / DB_FILENAME)
    try:
        stored = current_plan(store, "P1")
    finally:
        store.close()
    assert stored is not None and stored.plan.exercise[0].target_deg == 65
    with pytest.raises(PlanError, match=r"max_deg: 60 is below the target \(65°\)"):
        parse_text(one_mistake("target_deg = 40", "target_deg = 65"), "knee.toml")
