"""``rehab play GAME --target/--ceiling`` inside what the game's movement can do.

Before: ``rehab play lift --target 170`` was accepted although the default ceiling is elbow
flexion's normal range (150°), so no rep could reach the goal and count; ``--target 5`` sat below
lift's rest angle (10°). Values of any game's movement up to 180° passed, whatever the movement.
"""

from __future__ import annotations

import pytest

from rehab.app.cli import main


@pytest.mark.parametrize(
    ("game", "options", "expected"),
    [
        (
            "lift",
            ["--target", "170"],
            "--target 170 is outside what lift can count for elbow_flexion: give a number above 10 (at rest) "
            "and below 150, the normal range of elbow_flexion (AAOS)",
        ),
        ("lift", ["--target", "5"], "--target 5 is outside what lift can count for elbow_flexion"),
        (
            "tilt",
            ["--target", "90"],
            "give a number above 0 (at rest) and below 35, the normal range of trunk_lateral_flexion (AAOS), each way",
        ),
        ("neck", ["--target", "85"], "below 80, the normal range of cervical_rotation (AAOS), each way"),
        ("squat", ["--target", "100", "--ceiling", "90"], "--target 100 must be below the safety --ceiling 90"),
        (
            "lift",
            ["--ceiling", "160"],
            "--ceiling 160 is outside what lift allows for elbow_flexion: give a number above 10 (at rest) "
            "and up to 150, the normal range of elbow_flexion (AAOS)",
        ),
        ("lift", ["--ceiling", "8"], "--ceiling 8 is outside what lift allows for elbow_flexion"),
        ("breathe", ["--target", "50"], "Breathe has no joint angle to reach"),
    ],
)
def test_a_goal_or_ceiling_the_movement_cannot_use_is_one_plain_line(tmp_path, capsys, game, options, expected):
    home = tmp_path / "home"
    assert main(["--home", str(home), "play", game, "--seconds", "5", *options]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not home.exists()  # refused before the store was opened


def test_a_goal_inside_the_range_plays_and_counts(tmp_path, capsys):
    """The edge of what is allowed still plays: the simulated patient reaches a goal of 100°."""
    home = tmp_path / "home"
    code = main(["--home", str(home), "play", "lift", "--target", "100", "--ceiling", "150", "--seconds", "30"])
    out = capsys.readouterr().out
    assert code == 0 and "reached the goal of 100°" in out
    assert "(0 reached" not in out
