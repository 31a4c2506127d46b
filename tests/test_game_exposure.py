"""Exposure: the hierarchy as data, SUDS prompts, advancement never forced, stop into calm, play."""

import json

import pytest

from games.exposure import GAME, read_sample
from games.exposure.hierarchy import HierarchyError, load_hierarchy, parse_hierarchy
from games.exposure.metrics import may_advance
from games.exposure.rules import ExposureGame
from rehab.core.types import Controls
from rehab.engine.ratings import SUDS, level_for

DT = 0.05
SMALL = {
    "settings": {"suds_threshold": 30, "rate_every_s": 10, "min_level_s": 10},
    "levels": [{"name": "Low", "scene": "tower", "height_m": 5}, {"name": "High", "scene": "glass", "height_m": 40}],
}


def hold(game, level, seconds):
    for _ in range(int(seconds / DT)):
        game.update(DT, Controls(t=game.t, level=level, angle_deg=100 * level))


def rate(game, suds):
    hold(game, level_for(SUDS, suds), 3.0)


def test_shipped_hierarchy_is_heights_and_ends_on_glass():
    h = load_hierarchy()
    assert h.phobia == "heights" and len(h.levels) >= 5 and h.levels[-1].scene == "glass"
    assert [lv.height_m for lv in h.levels] == sorted(lv.height_m for lv in h.levels)


def test_therapist_file_toml_and_json(tmp_path):
    path = tmp_path / "h.json"
    path.write_text(json.dumps(SMALL))
    assert [lv.name for lv in load_hierarchy(path).levels] == ["Low", "High"]
    bad = tmp_path / "bad.toml"
    bad.write_text("levels = []\n")
    with pytest.raises(HierarchyError):
        load_hierarchy(bad)
    with pytest.raises(HierarchyError):
        load_hierarchy(tmp_path / "missing.toml")


def test_advancement_rule():
    assert not may_advance([], 30)
    assert may_advance([80, 40], 30)  # halved from the peak
    assert not may_advance([80, 45], 30)
    assert may_advance([50, 25], 30)  # under the threshold
    assert may_advance([20], 30) and not may_advance([60], 30)


def test_suds_at_start_and_intervals_then_offer_and_go_up():
    game = ExposureGame(parse_hierarchy(SMALL))
    assert game.snapshot().phase == "rate_start"
    rate(game, 70)
    assert game.snapshot().phase == "expose" and game.snapshot().last_suds == 70
    hold(game, 0.1, 10.0)
    assert game.snapshot().phase == "rate_during"
    rate(game, 40)  # 40 is neither half of 70 nor under 30: no offer
    assert game.snapshot().phase == "expose"
    hold(game, 0.1, 10.0)
    rate(game, 30)
    assert game.snapshot().phase == "offer"
    hold(game, 0.8, 3.0)  # Go up
    snap = game.snapshot()
    assert snap.phase == "rate_start" and snap.level_index == 1


def test_never_forced_an_ignored_offer_means_staying():
    game = ExposureGame(parse_hierarchy(SMALL))
    rate(game, 20)
    hold(game, 0.1, 10.0)
    rate(game, 10)
    assert game.snapshot().phase == "offer"
    hold(game, 0.1, 3.0)  # Stay here
    assert game.snapshot().phase == "expose" and game.snapshot().level_index == 0
    hold(game, 0.1, 10.0)
    rate(game, 10)
    for _ in range(int(40 / DT)):  # the hand goes out of view: the offer times out, still level 1
        game.update(DT, Controls(t=game.t, level=0.0, angle_deg=float("nan"), tracking=False))
    assert game.snapshot().level_index == 0 and game.summary()["levels"] == 1


def test_stop_is_always_there_and_leads_to_calm_breathing():
    game = ExposureGame(parse_hierarchy(SMALL))
    rate(game, 60)
    hold(game, 1.2, 3.0)  # the hand held high, outside any prompt
    snap = game.snapshot()
    assert snap.phase == "rate_exit" and snap.prompt is not None and not snap.prompt.allow_stop
    rate(game, 40)
    hold(game, 0.1, 5.0)
    summary = game.summary()
    assert game.snapshot().phase == "calm" and game.snapshot().calm_s > 4
    assert summary["stops"] == 1 and summary["ratings"] == 2 and summary["highest_level"] == 1
    assert summary["suds_by_level"][0]["suds"][-1][1] == 40
    assert [r["moment"] for r in summary["rating_list"]] == ["before", "after"]
    json.dumps(summary)


def test_stop_from_inside_a_prompt_and_finishing_the_top():
    game = ExposureGame(parse_hierarchy(SMALL))
    hold(game, 1.2, 3.0)  # stop chosen on the first SUDS question
    assert game.snapshot().phase == "rate_exit" and game.stops == 1
    game = ExposureGame(parse_hierarchy({**SMALL, "levels": SMALL["levels"][:1]}))
    rate(game, 20)
    hold(game, 0.1, 10.0)
    rate(game, 10)
    hold(game, 0.8, 3.0)  # Finish
    rate(game, 5)
    assert game.snapshot().phase == "calm" and game.snapshot().finished and game.stops == 0


def test_simulated_patient_climbs_and_stops_on_glass():
    samples = GAME.simulate("left", 0)
    game = ExposureGame()
    for s in samples:
        game.update(DT, Controls(t=s.t, level=s.values["hand"] / 100, angle_deg=s.values["hand"]))
    summary = game.summary()
    assert summary["highest_level"] == 6 and summary["stops"] == 1 and summary["ratings"] >= 12
    assert read_sample(object()) is None


def test_plays_headless_with_the_simulator(play_with_simulator):
    data = play_with_simulator("exposure")
    assert data["frames"] > 1000 and data["play_seconds"] >= 59 and data["untracked_seconds"] < 2


def test_a_plans_steps_become_the_hierarchy_with_their_own_thresholds():
    from games.exposure import _factory

    game = _factory(
        steps=[("Photos from a first-floor window", 30.0), ("A glass walkway", 40.0)],
        suds_stop=80.0,
        minutes_per_step=1.0,
    )
    assert [level.description for level in game.h.levels] == ["Photos from a first-floor window", "A glass walkway"]
    assert [level.suds_move_on for level in game.h.levels] == [30.0, 40.0]
    assert game.h.suds_stop == 80.0 and game.h.min_level_s == 60.0


def test_distress_at_the_therapists_stop_level_ends_exposure():
    from games.exposure.hierarchy import hierarchy_from_steps
    from games.exposure.rules import ExposureGame

    game = ExposureGame(hierarchy_from_steps([("Step one", 30.0)], suds_stop=80.0))
    game.phase = "expose"
    game._answered("value", 85.0, "")
    assert game.stops == 1


def test_breathing_pace_comes_from_the_plan():
    from games.breathe import GAME
    from rehab.engine.game import build_game

    assert build_game(GAME, hold_s=1.0, pace_bpm=5.0, duration_s=120.0).pace_bpm == 5.0


def test_escape_asks_the_exit_rating_before_leaving():
    """Esc mid-level: the patient is asked how anxious they are now, then breathes calmly for a
    minute (the README's promise: a stop leads to calm breathing), then the game ends."""
    from devices.replay import ReplaySource
    from rehab.core.clock import SimulatedClock
    from rehab.core.types import JointAngles
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import play

    info = available_games()["exposure"]
    # a patient holding the pointer at 40% of the scale: every rating they give is SUDS 40
    pointer = [JointAngles(t=i / 30, values={info.angle: 40.0}) for i in range(30 * 120)]

    class EscAfterTenSeconds(HeadlessDisplay):
        frames = 0
        quit_presses = 0

        def present(self):
            self.frames += 1
            if self.frames == 600:
                self.quit_presses = 1

        def quit_requested(self):
            return self.quit_presses > 0

    result = play(
        ReplaySource(pointer, "sim:pointer"),
        info,
        Exercise.for_game(info, "left"),
        SimulatedClock(),
        EscAfterTenSeconds(),
        on_rep=lambda rep: None,
        max_seconds=100.0,
    )
    from games.exposure.rules import CALM_S

    assert result.ended == "stopped by the player"
    # the exit question took a few seconds and calm breathing a minute, not the 100 allowed
    assert 10.0 + CALM_S < result.play_s < 16.0 + CALM_S
    assert CALM_S <= result.extras["calm_seconds"] < CALM_S + 1.0
    exit_ratings = [r for r in result.extras["rating_list"] if r["moment"] == "after"]
    assert [r["value"] for r in exit_ratings] == [40.0]
