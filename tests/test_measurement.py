"""The measurement behind every game, fed angle samples directly."""

import math

from rehab.engine.exercise import Exercise
from rehab.engine.game import available_games
from rehab.engine.measurement import Measurement
from rehab.engine.scripted_motion import MotionScript, simulate_angles


def test_two_sided_movements_count_turns_either_way_and_remember_the_furthest():
    neck = Exercise.for_game(available_games()["neck"], "left")
    measurement = Measurement(neck)
    turns = MotionScript("cervical_rotation", 0.0, (-45.0, 48.0, -40.0), noise_deg=0.5)
    reps = [rep for angles in simulate_angles([turns], seed=1) if (rep := measurement.add(angles))]
    assert [round(r.peak_deg) for r in reps] == [45, 48, 40]  # measured as how far, whichever way
    assert 47.0 < measurement.best_deg < 50.0
    assert measurement.controls.tracking


def test_losing_input_stops_the_last_value_steering():
    lift = Exercise.for_game(available_games()["lift"], "left")
    measurement = Measurement(lift)
    for angles in simulate_angles([MotionScript("elbow_flexion_left", 10.0, (120.0,))], seed=1)[:60]:
        measurement.add(angles)
    assert measurement.controls.tracking
    measurement.input_lost(2.0)
    assert not measurement.controls.tracking and math.isnan(measurement.controls.angle_deg)
