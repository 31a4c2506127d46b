"""Setup guidance from synthetic frames placed in the picture exactly where we want them."""

import numpy as np
import pytest

from rehab.core.landmarks import landmark
from rehab.core.types import PoseFrame
from rehab.engine.setup_guidance import BACK, FRONT, LEFT_SIDE, RIGHT_SIDE, advise, classify_view, landmarks_for
from rehab.sim.skeleton import Posture, image_points, world_points

NEUTRAL = Posture()


def frame(posture=NEUTRAL, centre=(0.5, 0.55), distance=3.0, visibility=None) -> PoseFrame:
    world = world_points(posture)
    return PoseFrame(
        t=0.0,
        world=world,
        image=image_points(world, distance_m=distance, centre=centre),
        visibility=np.ones(33) if visibility is None else visibility,
    )


@pytest.mark.parametrize("facing,view", [(0, FRONT), (20, FRONT), (90, LEFT_SIDE), (-80, RIGHT_SIDE), (180, BACK)])
@pytest.mark.parametrize("pitch", [0, 20])
def test_view_is_known_from_any_camera_tilt(facing, view, pitch):
    assert advise(frame(Posture(facing_deg=facing, camera_pitch_deg=pitch))).view == view


def test_well_placed_patient_is_ok():
    advice = advise(frame(), ["elbow_flexion_left", "knee_flexion_right"], view=FRONT)
    assert advice.ok and advice.messages == ()


def test_asks_to_turn_the_side_the_exercise_needs():
    advice = advise(frame(), ["shoulder_flexion_left"], view=LEFT_SIDE)
    assert not advice.ok
    assert "turn your left side to the camera" in advice.messages
    assert "turn to face the camera" in advise(frame(Posture(facing_deg=-90)), view=FRONT).messages


def test_too_close_asks_to_step_back():
    advice = advise(frame(distance=1.2), ["knee_flexion_left"])
    assert "step back from the camera" in advice.messages


def test_too_far_asks_to_come_closer():
    assert "come closer to the camera" in advise(frame(distance=12.0)).messages


@pytest.mark.parametrize("x,message", [(0.97, "move a step to your right"), (0.03, "move a step to your left")])
def test_cut_off_at_a_side_names_the_patients_own_side(x, message):
    # facing the camera, the picture's right edge is on the patient's left: they must move right
    advice = advise(frame(centre=(x, 0.55)), ["elbow_flexion_left", "elbow_flexion_right"])
    assert message in advice.messages


def test_hidden_joint_is_named():
    visibility = np.ones(33)
    visibility[landmark("left_elbow")] = 0.1
    advice = advise(frame(visibility=visibility), ["elbow_flexion_left"])
    assert any("left elbow can be seen" in m for m in advice.messages)
    assert advise(frame(visibility=visibility), ["elbow_flexion_right"]).ok


def test_nobody_in_view():
    advice = advise(PoseFrame(t=0.0, world=None, visibility=np.zeros(33)))
    assert not advice.ok and "no one is in view" in advice.messages[0]


def test_landmarks_for_angles():
    assert landmarks_for(["elbow_flexion_left"]) == ["left_shoulder", "left_elbow", "left_wrist", "left_hip"]
    assert "right_ear" in landmarks_for(["cervical_rotation"])
    assert classify_view(45) == "turned"
