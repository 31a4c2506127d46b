import dataclasses
import math

import numpy as np
import pytest

from rehab.core.types import EegSample, ImuSample, JointAngles, PoseFrame


def test_pose_frame_arrays_are_read_only_and_shaped():
    frame = PoseFrame(t=1.5, world=np.zeros((33, 3)), visibility=np.ones(33))
    assert frame.has_person
    with pytest.raises(ValueError):
        frame.world[0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        frame.t = 2.0  # type: ignore[misc]


def test_pose_frame_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="world must have shape"):
        PoseFrame(t=0.0, world=np.zeros((17, 3)), visibility=np.ones(33))
    with pytest.raises(ValueError, match="visibility"):
        PoseFrame(t=0.0, world=None, visibility=np.ones(3))


def test_pose_frame_without_person():
    frame = PoseFrame(t=0.0, world=None, visibility=np.zeros(33))
    assert not frame.has_person


def test_source_array_changes_do_not_leak_into_a_frame():
    points = np.zeros((33, 3))
    frame = PoseFrame(t=0.0, world=points, visibility=np.ones(33))
    points[0, 0] = 5.0
    assert frame.world[0, 0] == 0.0


def test_joint_angles_are_immutable_and_nan_when_unknown():
    angles = JointAngles(t=0.0, values={"elbow_flexion_left": 30.0})
    assert angles.get("elbow_flexion_left") == 30.0
    assert math.isnan(angles.get("knee_flexion_right"))
    with pytest.raises(TypeError):
        angles.values["elbow_flexion_left"] = 1.0  # type: ignore[index]


def test_imu_and_eeg_samples_are_frozen_values():
    imu = ImuSample(t=0.1, device="wt901", accel_g=(0.0, 0.0, 1.0))
    eeg = EegSample(t=0.1, attention=50)
    assert imu == ImuSample(t=0.1, device="wt901", accel_g=(0.0, 0.0, 1.0))
    assert eeg.meditation is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        imu.t = 3.0  # type: ignore[misc]


def test_every_game_spec_has_a_simulator_and_a_registered_movement():
    from rehab.core.motions import MOTIONS
    from rehab.engine.game import available_games

    games = available_games()
    assert len(games) >= 8
    for name, spec in games.items():
        samples = spec.simulate("left", 1)
        assert samples, f"{name}: its simulator sent nothing"
        if spec.kind == "physical":
            assert spec.angle in MOTIONS, f"{name}: {spec.angle} is not in the motion registry"
            assert all(axis in MOTIONS for axis, _, _ in spec.axes)


def test_a_game_spec_without_a_simulator_is_refused():
    from rehab.engine.game import GameSpec, drawn_by, made_by

    with pytest.raises(TypeError, match="simulate"):
        GameSpec(  # type: ignore[call-arg]
            "new", "New", (), (), "", factory=made_by("games.lift.rules:LiftGame"), renderer=drawn_by("x:y")
        )


def test_side_and_direction_of_a_game_come_from_the_motion_registry():
    from rehab.engine.game import available_games

    games = available_games()
    assert games["lift"].sided and not games["lift"].signed
    assert games["neck"].signed and not games["neck"].sided
    assert not games["breathe"].sided and not games["breathe"].signed  # a channel, not a motion


def test_engine_and_app_ask_games_for_hooks_through_types_not_getattr():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "rehab"
    probing = [
        f"{path.relative_to(root)}:{n}"
        for path in [*root.glob("engine/*.py"), *root.glob("app/**/*.py")]
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "getattr(" in line and ("game" in line or "info" in line or "spec" in line)
    ]
    assert probing == []
