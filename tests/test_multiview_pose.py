"""Two or more cameras' poses fused into one, on a synthetic skeleton seen by synthetic cameras."""

from __future__ import annotations

import numpy as np

from rehab.core.multiview import CameraModel, project
from rehab.core.multiview_pose import fuse_views
from rehab.core.types import PoseFrame
from rehab.engine.kinematics import pose_angles
from rehab.engine.side_swaps import GROUPS
from rehab.sim.skeleton import Posture, world_points

POSTURE = Posture(
    arm_elevation={"left": 100.0, "right": 30.0},
    arm_plane={"left": 30.0, "right": 80.0},
    elbow_flexion={"left": 60.0, "right": 15.0},
    hip_flexion={"left": 40.0, "right": 0.0},
    knee_flexion={"left": 70.0, "right": 5.0},
    facing_deg=25.0,
)
LIMBS = (
    "elbow_flexion_left",
    "elbow_flexion_right",
    "knee_flexion_left",
    "knee_flexion_right",
    "shoulder_elevation_left",
    "hip_flexion_left",
)


def _camera(name: str, heading_deg: float) -> CameraModel:
    """A 1280x720 camera 3 m from the body in MediaPipe's world (y down), 0.4 m above the hips."""
    a = np.radians(heading_deg)
    eye = np.array([3.0 * np.sin(a), -0.4, -3.0 * np.cos(a)])
    forward = -eye / np.linalg.norm(eye)
    right = np.cross(forward, np.array([0.0, -1.0, 0.0]))
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    rotation = np.stack([right, down, forward])
    k = np.array([[900.0, 0, 640], [0, 900.0, 360], [0, 0, 1]])
    return CameraModel(name, (1280, 720), k, np.array([0.05, -0.02, 0, 0, 0]), rotation, -rotation @ eye)


def _seen(camera: CameraModel, world: np.ndarray, swap: tuple[str, ...] = ()) -> PoseFrame:
    pixels = project(camera, world)
    image = np.column_stack([pixels / np.array(camera.size), np.zeros(33)])
    order = np.arange(33)
    for name in swap:
        for a, b in GROUPS[name]:
            order[a], order[b] = b, a
    return PoseFrame(t=0.0, world=world, visibility=np.ones(33), image=image[order])


def _angle_errors(frame: PoseFrame, world: np.ndarray) -> float:
    truth = pose_angles(PoseFrame(t=0.0, world=world, visibility=np.ones(33)))
    got = pose_angles(frame)
    return max(abs(got.get(n) - truth.get(n)) for n in LIMBS)


def test_two_views_give_the_exact_pose() -> None:
    world = world_points(POSTURE)
    cameras = [_camera("a", -40), _camera("b", 45)]
    fused = fuse_views(cameras, [_seen(c, world) for c in cameras], t=1.5)
    assert fused.world is not None and fused.t == 1.5
    assert np.max(np.abs(fused.world - world)) < 1e-6
    assert fused.visibility.min() == 1.0
    assert _angle_errors(fused, world) < 1e-6


def test_a_view_with_swapped_arms_is_relabelled() -> None:
    world = world_points(POSTURE)
    cameras = [_camera("a", -40), _camera("b", 45)]
    views = [_seen(cameras[0], world), _seen(cameras[1], world, swap=("arms",))]
    fused = fuse_views(cameras, views, t=0.0)
    assert _angle_errors(fused, world) < 1e-6


def test_one_bad_landmark_among_three_views_is_outvoted() -> None:
    world = world_points(POSTURE)
    cameras = [_camera("a", -40), _camera("b", 45), _camera("c", 100)]
    views = [_seen(c, world) for c in cameras]
    image = np.array(views[2].image)
    image[13, :2] += 0.08  # the left elbow 100 px off in the third view
    views[2] = PoseFrame(t=0.0, world=world, visibility=np.ones(33), image=image)
    fused = fuse_views(cameras, views, t=0.0)
    assert fused.world is not None
    assert np.linalg.norm(fused.world[13] - world[13]) < 1e-6


def test_fewer_than_two_views_is_nobody() -> None:
    world = world_points(POSTURE)
    cameras = [_camera("a", -40), _camera("b", 45)]
    fused = fuse_views(cameras, [_seen(cameras[0], world), None], t=0.0)
    assert fused.world is None and not fused.has_person


def test_an_unseen_landmark_is_left_out() -> None:
    world = world_points(POSTURE)
    cameras = [_camera("a", -40), _camera("b", 45)]
    views = [_seen(c, world) for c in cameras]
    visibility = np.ones(33)
    visibility[15] = 0.0  # the left wrist hidden in the second view
    views[1] = PoseFrame(t=0.0, world=world, visibility=visibility, image=views[1].image)
    fused = fuse_views(cameras, views, t=0.0)
    assert fused.visibility[15] == 0.0 and fused.visibility[13] == 1.0
    assert np.isnan(pose_angles(fused).get("elbow_flexion_left"))
