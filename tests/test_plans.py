"""Plan files: every template validates; each kind of mistake names the file, line, field and what is allowed."""

from pathlib import Path

import pytest

from progress.store import DB_FILENAME
from rehab.app.cli import main
from rehab.app.plans import PlanError, fill_patient, from_dict, parse_text, template_names, template_text
from rehab.engine.game import available_games


def refusal(text: str) -> PlanError:
    with pytest.raises(PlanError) as info:
        parse_text(text, "elbow.toml")
    return info.value


def line_of(text: str, needle: str, start: int = 0) -> int:
    lines = text.splitlines()
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_every_template_validates_and_fits_the_installed_games():
    names = template_names()
    assert {
        "after-shoulder-surgery",
        "after-knee-replacement",
        "stroke-upper-limb",
        "neck-pain",
        "stress-and-breathing",
        "fear-of-heights",
    } <= set(names)
    games = {name: game.angle for name, game in available_games().items()}
    for name in names:
        plan = parse_text(fill_patient(template_text(name), "P1"), f"{name}.toml", games)
        assert plan.patient == "P1" and plan.title
        for exercise in plan.exercise:
            assert exercise.target_deg is None or exercise.target_deg < exercise.ceiling_deg


def test_a_good_plan_round_trips_through_the_store_form(elbow_plan_text):
    plan = parse_text(elbow_plan_text, "elbow.toml")
    assert plan.exercise[0].angle_name == "elbow_flexion_left"
    assert plan.exercise[1].angle_name == "cervical_rotation"
    assert plan.exercise[0].progression is not None and plan.exercise[0].progression.cap == 130
    assert from_dict(plan.to_dict()) == plan


@pytest.mark.parametrize(
    ("change", "field", "needle", "allowed"),
    [
        (("reps = 5", "reps = 0"), "exercise[1].reps", "reps = 0", "a whole number from 1 to 50"),
        (("sets = 1", "sets = 2.5"), "exercise[2].sets", "sets = 2.5", "a whole number from 1 to 10"),
        (("ceiling_deg = 140", "ceilng_deg = 140"), "exercise[1].ceilng_deg", "ceilng_deg", "ceiling_deg"),
        (
            ("ceiling_deg = 140", "ceiling_deg = 200"),
            "exercise[1].ceiling_deg",
            "ceiling_deg = 200",
            "1 to 150° (normal range of elbow_flexion)",
        ),
        (("target_deg = 100", "target_deg = 150"), "exercise[1].target_deg", "target_deg = 150", "up to the ceiling"),
        (('side = "left"', 'side = "up"'), "exercise[1].side", 'side = "up"', '"left" or "right"'),
        (
            ('movement = "cervical_rotation"', 'movement = "cervical_rotation"\nside = "right"'),
            "exercise[2].side",
            'side = "right"',
            "leave 'side' out",
        ),
        (
            ('movement = "elbow_flexion"', 'movement = "elbow_flex"'),
            "exercise[1].movement",
            "elbow_flex",
            "elbow_flexion",
        ),
        (("max_deg = 130", "max_deg = 160"), "exercise[1].progression.max_deg", "max_deg = 160", "at most the ceiling"),
        (("pain_stop_rise = 2", "pain_stop_rise = 9"), "safety.pain_stop_rise", "pain_stop_rise", "1 to 5"),
        (('patient = "P1"', 'patient = "Jane Doe"'), "patient", "patient =", "pseudonymous"),
        (
            ("target_deg = 100", "target_deg = 100\ntarget_percent = 80"),
            "exercise[1].target_deg",
            "target_deg = 100",
            "target_deg (degrees) or target_percent",
        ),
        (("max_deg = 130", "max_percent = 90"), "exercise[1].progression.max_percent", "max_percent", "max_deg"),
    ],
)
def test_each_mistake_names_file_line_field_and_what_is_allowed(elbow_plan_text, change, field, needle, allowed):
    text = elbow_plan_text.replace(*change, 1)
    error = refusal(text)
    problem = next(p for p in error.problems if p.field == field)
    assert problem.line == line_of(text, needle)
    message = str(error)
    assert f"elbow.toml, line {problem.line}: {field}:" in message
    assert allowed in message


def test_a_missing_field_points_at_its_table(elbow_plan_text):
    text = elbow_plan_text.replace("ceiling_deg = 65\n", "")
    problem = refusal(text).problems[0]
    assert (problem.field, problem.message) == ("exercise[2].ceiling_deg", "missing")
    assert problem.line == line_of(text, "[[exercise]]", line_of(text, "max_deg"))


def test_a_syntax_error_names_its_line(elbow_plan_text):
    text = elbow_plan_text.replace("reps = 5", "reps = = 5")
    problem = refusal(text).problems[0]
    assert problem.field == "TOML syntax" and problem.line == line_of(text, "reps = = 5")


def test_exposure_thresholds_must_sit_below_the_stop():
    text = template_text("fear-of-heights").replace("suds_move_on = 35", "suds_move_on = 85")
    problem = next(p for p in refusal(text).problems)
    assert problem.field == "exposure.step[3].suds_move_on"
    assert problem.line == line_of(text, "suds_move_on = 85")


def test_a_plan_that_prescribes_nothing_is_refused():
    assert "prescribes nothing" in str(refusal('schema = 1\ntitle = "x"\nsessions_per_week = 3\n'))


def test_templates_command_prints_one_name_per_line(capsys):
    assert main(["plan", "templates"]) == 0
    firsts = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert firsts == template_names()


def test_new_validate_assign_and_show(tmp_path, capsys):
    home, out = str(tmp_path / "home"), tmp_path / "p1.toml"
    assert main(["plan", "new", "--template", "neck-pain", "--patient", "P1", "--out", str(out)]) == 0
    assert 'patient = "P1"' in out.read_text()
    assert main(["plan", "new", "--template", "neck-pain", "--patient", "P1", "--out", str(out)]) == 2  # no overwrite
    assert main(["plan", "validate", str(out)]) == 0
    assert "valid: Neck pain" in capsys.readouterr().out
    assert main(["--home", home, "plan", "assign", str(out), "--patient", "P1"]) == 0
    assert main(["--home", home, "plan", "assign", str(out), "--patient", "P1"]) == 0
    assert "plan version 2 assigned to P1" in capsys.readouterr().out
    assert main(["--home", home, "plan", "assign", str(out), "--patient", "P2"]) == 2  # written for P1
    assert main(["--home", home, "plan", "show", "P1"]) == 0
    shown = capsys.readouterr().out
    assert "plan version 2 of 2" in shown and "Head turns: neck, cervical_rotation" in shown
    assert "assigned from p1.toml" in shown
    assert (
        main(
            [
                "--home",
                home,
                "plan",
                "override",
                "--patient",
                "P1",
                "--exercise",
                "Head turns",
                "--target",
                "45",
                "--reason",
                "moving well in clinic",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "--home",
                home,
                "plan",
                "override",
                "--patient",
                "P1",
                "--exercise",
                "1",
                "--target",
                "90",
                "--reason",
                "too far",
            ]
        )
        == 2
    )  # past the ceiling
    assert main(["--home", home, "plan", "show", "P1", "--version", "1"]) == 0
    out_text = capsys.readouterr().out
    assert "target 40 -> 45" in out_text and "plan version 1 of 3" in out_text
    assert "therapist: moving well in clinic" in out_text


def test_a_bad_plan_is_refused_with_exit_2_and_nothing_written(elbow_plan_text, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(elbow_plan_text.replace("reps = 5", "reps = 0"))
    home = tmp_path / "home"
    assert main(["--home", str(home), "plan", "assign", str(bad), "--patient", "P1"]) == 2
    err = capsys.readouterr().err
    assert (
        "nothing was written" in err
        and f"bad.toml, line {line_of(elbow_plan_text, 'reps = 5')}: exercise[1].reps" in err
    )
    assert not (home / DB_FILENAME).exists()
    assert main(["plan", "validate", str(bad)]) == 2


def test_a_game_that_is_not_installed_is_refused_with_its_line(elbow_plan_text, tmp_path, capsys):
    plan = tmp_path / "later.toml"
    text = elbow_plan_text.replace('game = "neck"', 'game = "nosuchgame"')
    plan.write_text(text)
    assert main(["plan", "validate", str(plan)]) == 2
    err = capsys.readouterr().err
    assert f"later.toml, line {line_of(text, 'nosuchgame')}: exercise[2].game: unknown game 'nosuchgame'" in err
    assert "lift" in err and "neck" in err  # no close name: every installed game is listed


def test_a_movement_the_installed_game_cannot_play_is_refused(elbow_plan_text, tmp_path, capsys):
    plan = tmp_path / "wrong.toml"
    plan.write_text(elbow_plan_text.replace('game = "lift"', 'game = "neck"'))
    assert main(["plan", "validate", str(plan)]) == 2
    err = capsys.readouterr().err
    line = line_of(elbow_plan_text, "elbow_flexion")
    assert f"wrong.toml, line {line}: exercise[1].movement: game 'neck' is played with cervical_rotation, not" in err


def test_unreadable_file(tmp_path):
    with pytest.raises(PlanError):
        from rehab.app.plans import load

        load(Path(tmp_path / "missing.toml"))
