"""The pointer prompt: holding still chooses, moving restarts, the top stops, silence times out."""

import math

import numpy as np
import pytest

from rehab.core.types import PoseFrame
from rehab.engine.ratings import STOP_LEVEL, STRESS, SUDS, Prompt, hand_level, level_for


def run(prompt, levels, dt=0.05):
    for level in levels:
        answer = prompt.update(dt, level)
        if answer is not None:
            return answer
    return None


def test_holding_still_chooses_the_value():
    prompt = Prompt("q", scale=SUDS, dwell_s=2.0)
    answer = run(prompt, [level_for(SUDS, 60)] * 60)
    assert answer.kind == "value" and answer.value == 60


def test_moving_restarts_the_hold_and_small_tremor_does_not():
    prompt = Prompt("q", scale=STRESS, dwell_s=2.0)
    wobble = [0.7 + 0.01 * math.sin(i) for i in range(30)]
    assert run(prompt, [0.2] * 30 + wobble) is None  # 1.5 s at 0.2, then 1.5 s at 0.7
    answer = run(prompt, [0.7] * 20)
    assert answer.kind == "value" and answer.value == 7


def test_top_of_the_range_stops_only_when_allowed():
    assert run(Prompt("q", scale=SUDS, dwell_s=1.0), [STOP_LEVEL + 0.05] * 40).kind == "stop"
    answer = run(Prompt("q", scale=SUDS, dwell_s=1.0, allow_stop=False), [STOP_LEVEL + 0.05] * 40)
    assert answer.kind == "value" and answer.value == 100


def test_unanswered_prompt_times_out_and_lost_pointer_never_chooses():
    prompt = Prompt("q", scale=SUDS, dwell_s=1.0, timeout_s=3.0)
    assert run(prompt, [math.nan] * 100).kind == "timeout"


def test_choices_split_the_range():
    prompt = Prompt("q", choices=("Stay here", "Go up"), dwell_s=1.0)
    assert run(prompt, [0.8] * 40).choice == "Go up"
    with pytest.raises(ValueError):
        Prompt("q")


def _pose(wrist_y):
    world = np.zeros((33, 3))
    world[[11, 12], 1] = -0.5  # shoulders 0.5 m above the hips (y is down)
    world[[15, 16], 1] = wrist_y
    return PoseFrame(t=0.0, world=world, visibility=np.ones(33))


def test_hand_level_from_a_pose():
    assert hand_level(_pose(0.0)) == pytest.approx(0.0)
    assert hand_level(_pose(-0.5)) == pytest.approx(0.6)
    assert hand_level(_pose(-1.0)) > STOP_LEVEL  # straight up over the head
    assert math.isnan(hand_level(PoseFrame(t=0.0, world=None, visibility=np.zeros(33))))
