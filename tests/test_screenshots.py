"""Every game looks as it did when a person last checked it, within a tolerance for font and
platform differences. See tests/screenshot_check.py to refresh references."""

import json

import pytest

from rehab.engine.game import available_games
from tests.screenshot_check import reference_path, render

#: mean difference in grey levels (0-255) over the thumbnail that still counts as the same look
MEAN_TOLERANCE = 2.0
#: share of thumbnail cells allowed to differ by more than 40 grey levels (text antialiasing moves)
CHANGED_CELLS_TOLERANCE = 0.02


@pytest.mark.parametrize("game", sorted(available_games()))
def test_game_looks_as_reviewed(game, tmp_path):
    reference = reference_path(game)
    assert reference.exists(), f"no reference for {game}: run `python tests/screenshot_check.py {game}`"
    expected = json.loads(reference.read_text())["grey"]
    actual = render(game, tmp_path / f"{game}.png")
    differences = [abs(a - b) for a, b in zip(actual, expected, strict=True)]
    mean = sum(differences) / len(differences)
    changed = sum(d > 40 for d in differences) / len(differences)
    assert mean <= MEAN_TOLERANCE and changed <= CHANGED_CELLS_TOLERANCE, (
        f"{game} looks different: mean difference {mean:.1f} grey levels, {changed:.0%} of cells changed; "
        f"see {tmp_path / f'{game}.png'}"
    )


def test_the_check_notices_a_changed_look(tmp_path):
    # the same game a few seconds earlier (one object moved) must fail, or the test above proves nothing
    import tests.screenshot_check as check

    expected = json.loads(reference_path("lift").read_text())["grey"]
    original = check.MOMENT_S
    check.MOMENT_S = 5.0  # the weight is up on the shelf, where at 8 s it is on its way down
    try:
        actual = check.render("lift", tmp_path / "lift.png")
    finally:
        check.MOMENT_S = original
    differences = [abs(a - b) for a, b in zip(actual, expected, strict=True)]
    assert sum(d > 40 for d in differences) / len(differences) > CHANGED_CELLS_TOLERANCE
