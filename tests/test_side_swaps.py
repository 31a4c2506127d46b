"""Left/right swap fixing on synthetic skeleton sequences whose true labels and angles are known."""

from __future__ import annotations

import numpy as np

from rehab.core.types import PoseFrame
from rehab.engine.kinematics import pose_angles
from rehab.engine.side_swaps import GROUPS, SwapFixer
from rehab.engine.tracking import AngleTracker
from rehab.sim.skeleton import Posture, image_points, world_points

FPS = 30.0


def _swapped(groups: tuple[str, ...]) -> np.ndarray:
    order = np.arange(33)
    for name in groups:
        for a, b in GROUPS[name]:
            order[a], order[b] = b, a
    return order


def _posture(i: int, facing: float = 20.0) -> Posture:
    """A moving, clearly asymmetric pose: the left arm raised sideways and bent, the right hanging
    nearly straight, the left knee bending, so that a swap changes every limb angle."""
    wave = float(np.sin(i / 10))
    return Posture(
        arm_elevation={"left": 80.0 + 10 * wave, "right": 15.0},
        arm_plane={"left": 20.0, "right": 90.0},
        elbow_flexion={"left": 90.0 + 20 * wave, "right": 10.0},
        hip_flexion={"left": 50.0 + 10 * wave, "right": 0.0},
        knee_flexion={"left": 60.0 + 15 * wave, "right": 5.0},
        facing_deg=facing,
    )


def _frame(i: int, posture: Posture, groups: tuple[str, ...] = ()) -> PoseFrame:
    world = world_points(posture)
    order = _swapped(groups)
    return PoseFrame(
        t=i / FPS, world=world[order], visibility=np.ones(33), image=image_points(world)[order], frame_index=i
    )


def _run(frames: list[PoseFrame], fixer: SwapFixer | None) -> list[PoseFrame]:
    return [fixer(f) if fixer else f for f in frames]


LIMB_ANGLES = ("elbow_flexion_left", "elbow_flexion_right", "knee_flexion_left", "shoulder_elevation_left")


def _worst_error(frames: list[PoseFrame], postures: list[Posture]) -> float:
    worst = 0.0
    for frame, posture in zip(frames, postures, strict=True):
        truth = pose_angles(_frame(0, posture))
        got = pose_angles(frame)
        worst = max(worst, *(abs(got.get(n) - truth.get(n)) for n in LIMB_ANGLES))
    return worst


def test_swapped_arms_are_put_back_by_bone_lengths() -> None:
    postures = [_posture(i) for i in range(80)]
    frames = [_frame(i, p, ("arms",) if 20 <= i < 55 else ()) for i, p in enumerate(postures)]
    assert _worst_error(_run(frames, None), postures) > 40, "uncorrected, the other arm's elbow is read"
    fixer = SwapFixer()
    fixed = _run(frames, fixer)
    assert _worst_error(fixed, postures) < 1e-6
    assert fixer.corrected == 35 and fixer.seen == 80


def test_swapped_legs_below_the_knee_are_put_back() -> None:
    postures = [_posture(i) for i in range(60)]
    frames = [_frame(i, p, ("feet",) if 25 <= i < 40 else ()) for i, p in enumerate(postures)]
    assert _worst_error(_run(frames, None), postures) > 10
    fixer = SwapFixer()
    assert _worst_error(_run(frames, fixer), postures) < 1e-6
    assert fixer.corrected == 15


def test_a_trunk_turned_against_the_face_and_feet_is_mirrored_back() -> None:
    """Everything but the head labelled the wrong way round: bone lengths cannot see it (a mirrored
    body has the same bones), but the trunk then faces backwards while the nose and toes point
    forwards, and the ears sit on the wrong sides of it."""
    postures = [_posture(i, facing=-30.0) for i in range(70)]
    wrong = ("trunk", "arms", "knees", "feet")
    frames = [_frame(i, p, wrong if 20 <= i < 45 else ()) for i, p in enumerate(postures)]
    assert _worst_error(_run(frames, None), postures) > 40
    fixer = SwapFixer()
    fixed = _run(frames, fixer)
    # the evidence is weighed over frames: the first frame of the swap may still be half wrong
    assert _worst_error(fixed[:20], postures[:20]) < 1e-6
    assert _worst_error(fixed[21:], postures[21:]) < 1e-6
    assert 25 <= fixer.corrected <= 27


def test_no_false_corrections_while_turning_and_moving() -> None:
    """A clean sequence turning from facing the camera to side-on and beyond: nothing is relabelled."""
    postures = [_posture(i, facing=-60.0 + 2.5 * i) for i in range(90)]
    frames = [_frame(i, p) for i, p in enumerate(postures)]
    fixer = SwapFixer()
    fixed = _run(frames, fixer)
    assert fixer.corrected == 0
    assert all(a is b for a, b in zip(fixed, frames, strict=True))


def test_angle_tracker_applies_the_fix_and_can_be_told_not_to() -> None:
    postures = [_posture(i) for i in range(50)]
    frames = [_frame(i, p, ("arms",) if i >= 20 else ()) for i, p in enumerate(postures)]
    on = AngleTracker(smooth=False, refine_limbs=False)
    off = AngleTracker(smooth=False, fix_swaps=False, refine_limbs=False)
    truth = pose_angles(_frame(0, postures[-1])).get("elbow_flexion_left")
    for frame in frames:
        last_on, last_off = on.update(frame), off.update(frame)
    assert abs(last_on.angles.get("elbow_flexion_left") - truth) < 1e-6
    assert abs(last_off.angles.get("elbow_flexion_left") - truth) > 15
    assert on.swaps is not None and on.swaps.corrected == 30


def test_no_person_passes_through() -> None:
    fixer = SwapFixer()
    empty = PoseFrame(t=0.0, world=None, visibility=np.zeros(33))
    assert fixer(empty) is empty and fixer.seen == 0


def _lift_reps(frames: list[PoseFrame]) -> list[float]:
    """The peaks of the reps the lift game counted on ``frames`` (left elbow), played headless."""
    from devices.replay import ReplaySource
    from rehab.core.clock import SimulatedClock
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import SceneTimes, play

    lift = available_games()["lift"]
    exercise = Exercise.for_game(lift, "left", reps_planned=6)
    reps: list = []
    play(
        ReplaySource(frames, "sim:swaps"),
        lift,
        exercise,
        SimulatedClock(),
        HeadlessDisplay(),
        on_rep=reps.append,
        scenes=SceneTimes(0.0, 0.0, 0.0),
    )
    return [rep.peak_deg for rep in reps]


def _curls(swapped_from: float, swapped_to: float, views: int = 1) -> list[PoseFrame]:
    """Three slow left-elbow curls (10 -> 120 degrees, 3 s each) with the right arm hanging straight;
    MediaPipe calls the arms the other way round from ``swapped_from`` to ``swapped_to`` seconds."""
    import dataclasses

    frames = []
    for i in range(int(10 * FPS)):
        t = i / FPS
        elbow = 10.0 + 110.0 * (0.5 - 0.5 * np.cos(2 * np.pi * min(t, 9.0) / 3.0))
        posture = Posture(
            arm_elevation={"left": 30.0, "right": 10.0},
            elbow_flexion={"left": elbow, "right": 5.0},
            knee_flexion={"left": 5.0, "right": 5.0},
            facing_deg=15.0,
        )
        frame = _frame(i, posture, ("arms",) if swapped_from <= t < swapped_to else ())
        frames.append(dataclasses.replace(frame, views=views))
    return frames


def test_a_game_counts_the_right_arm_through_a_swap() -> None:
    """Live games fix one camera's swaps as ``rehab track`` does: MediaPipe swapping the arms for
    1.2 s around the second curl's top would otherwise give that rep the hanging arm's 5 degrees."""
    clean = _lift_reps(_curls(0.0, 0.0))
    assert len(clean) == 3 and min(clean) > 110
    swapped = _lift_reps(_curls(3.9, 5.1))
    assert len(swapped) == 3 and min(swapped) > 110, swapped


def test_poses_from_two_cameras_are_left_as_they_are() -> None:
    """A triangulated pose's sides were agreed between the views (``fuse_views``): the game does not
    relabel it, so the swap written into these frames stays and the second curl is lost."""
    peaks = _lift_reps(_curls(3.9, 5.1, views=2))
    assert len(peaks) < 3 or min(peaks) < 60, peaks


def test_a_knee_lifted_towards_the_camera_is_not_swapped() -> None:
    """One camera's world landmarks shorten a limb pointing at the camera (here: half its depth
    lost). A short thigh is no sign of a swap: counting it as one once swapped the lifted knee with
    the standing leg's, turning a true 80-degree knee into 35."""
    from rehab.engine.limb_depth import BONES

    def squeezed(world: np.ndarray) -> np.ndarray:
        out = world.copy()
        for parent, child in BONES:
            out[child] = out[parent] + (world[child] - world[parent]) * np.array([1.0, 1.0, 0.5])
        return out

    standing = Posture(arm_elevation={"left": 20.0, "right": 20.0}, facing_deg=0.0)
    marching = Posture(
        arm_elevation={"left": 20.0, "right": 20.0},
        hip_flexion={"left": 70.0, "right": 0.0},
        knee_flexion={"left": 80.0, "right": 5.0},
    )
    frames = []
    for i in range(60):
        world = squeezed(world_points(standing if i < 20 else marching))
        frames.append(
            PoseFrame(t=i / FPS, world=world, visibility=np.ones(33), image=image_points(world), frame_index=i)
        )
    fixer = SwapFixer()
    _run(frames, fixer)
    assert fixer.corrected == 0
