"""The movement picture and the where-to-stand sketch of the instruction card (issue 16).

A swapped side is a clinical error: the figure faces the viewer, so the patient's right limb is on
the picture's left, unless the screen shows the patient as in a mirror."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame
import pytest

from rehab.core.motions import FRONT, LEFT_SIDE, MOTIONS, RIGHT_SIDE
from rehab.engine.movement_picture import (
    CARD_PICTURE_MIN,
    SQUAT,
    card_picture_rects,
    draw_movement,
    draw_where_to_stand,
    joint_angle,
    movement_poses,
    picture_of,
    stand_sketch,
)
from rehab.engine.palette import use_high_contrast

#: the sided movements drawn front-on (wrist and ankle bends, which the camera does not measure,
#: are drawn from the side, where they move)
FRONT_SIDED = [m.name for m in MOTIONS.values() if m.sided and movement_poses(m.name, "left").view == FRONT]
LIMB_JOINTS = ("shoulder", "elbow", "wrist", "hand", "thumb", "hip", "knee", "ankle", "toe")
OTHER = {"left": "right", "right": "left"}


def _limb(name: str) -> str:
    return name.split("_", 1)[1] if name.startswith(("left_", "right_")) else ""


@pytest.mark.parametrize("motion", FRONT_SIDED)
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("mirror", [False, True])
def test_the_moved_limb_is_on_the_side_the_conventions_put_it_and_the_other_stays_still(motion, side, mirror):
    poses = movement_poses(motion, side, mirror)
    assert poses.view == FRONT
    moved_limb = [j for j in poses.moved if j.startswith(f"{side}_") and _limb(j) in LIMB_JOINTS]
    assert moved_limb, f"{motion}: nothing of the {side} limb moves"
    assert not [j for j in poses.moved if j.startswith(f"{OTHER[side]}_")], f"{motion}: the other limb moves"
    # facing the viewer the patient's right is on the picture's left; a mirror puts it on the right
    on_right_half = (side == "left") != mirror
    for figure in (poses.start, *poses.ends):
        xs = [figure.points[j][0] for j in moved_limb]
        middle = sum(xs) / len(xs)
        assert (middle > 0.5) == on_right_half, f"{motion} {side} mirror={mirror}: limb at x={middle:.2f}"
        for limb in ("shoulder", "hip"):
            root = figure.points[f"{side}_{limb}"][0]
            assert (root > 0.5) == on_right_half


@pytest.mark.parametrize("side", ["left", "right"])
def test_elbow_flexion_ends_bent_by_about_its_normal_range(side):
    poses = movement_poses("elbow_flexion", side)
    bend = [side + "_shoulder", side + "_elbow", side + "_wrist"]
    assert joint_angle(poses.start.body, *bend) == pytest.approx(0.0, abs=1.0)
    assert joint_angle(poses.ends[0].body, *bend) == pytest.approx(MOTIONS["elbow_flexion"].normal_rom_deg, abs=10)


@pytest.mark.parametrize("side", ["left", "right"])
def test_knee_flexion_bends_the_knee_and_only_that_knee(side):
    poses = movement_poses("knee_flexion", side)
    knee = [f"{side}_hip", f"{side}_knee", f"{side}_ankle"]
    other = [f"{OTHER[side]}_hip", f"{OTHER[side]}_knee", f"{OTHER[side]}_ankle"]
    assert joint_angle(poses.start.body, *knee) == pytest.approx(0.0, abs=1.0)
    assert joint_angle(poses.ends[0].body, *knee) > 60
    assert joint_angle(poses.ends[0].body, *other) == pytest.approx(0.0, abs=1.0)
    # the picture shows it: the foot rises
    assert poses.ends[0].points[f"{side}_ankle"][1] < poses.start.points[f"{side}_ankle"][1] - 0.05


@pytest.mark.parametrize(("motion", "side", "view"), [
    ("shoulder_extension", "left", LEFT_SIDE),
    ("shoulder_extension", "right", RIGHT_SIDE),
    ("hip_extension", "right", RIGHT_SIDE),
    ("wrist_flexion", "left", LEFT_SIDE),
    ("ankle_plantarflexion", "right", RIGHT_SIDE),
    ("cervical_flexion", None, LEFT_SIDE),
])  # fmt: skip
def test_side_views_show_the_exercised_side_facing_the_way_the_camera_sees_it(motion, side, view):
    poses = movement_poses(motion, side)
    assert poses.view == view
    nose, head = poses.start.points["nose"][0], poses.start.points["head"][0]
    # seen from their left the patient faces the picture's left
    assert (nose < head) == (view == LEFT_SIDE)
    if side:
        assert [j for j in poses.moved if j.startswith(side)] and not [
            j for j in poses.moved if j.startswith(OTHER[side])
        ]


def test_a_movement_back_goes_back_and_a_chin_down_goes_down():
    arm = movement_poses("shoulder_extension", "left")
    assert arm.ends[0].body["left_hand"][2] < -0.2  # behind the body (z forwards)
    chin = movement_poses("cervical_flexion", None)
    assert chin.ends[0].body["nose"][1] < chin.start.body["nose"][1]
    up = movement_poses("cervical_extension", None)
    assert up.ends[0].body["nose"][1] > up.start.body["nose"][1]


@pytest.mark.parametrize("mirror", [False, True])
def test_a_two_way_movement_towards_the_patients_right_goes_to_their_right(mirror):
    for motion, joint in (("trunk_lateral_flexion", "neck"), ("cervical_lateral_flexion", "head_top")):
        poses = movement_poses(motion, "right", mirror)
        assert len(poses.ends) == 1
        assert poses.ends[0].body[joint][0] < 0  # x grows to the patient's left
        moved_to_picture_right = poses.ends[0].points[joint][0] > poses.start.points[joint][0]
        assert moved_to_picture_right == mirror
        both = movement_poses(motion, None, mirror)
        assert len(both.ends) == 2 and len(both.arrows) == 2


def test_every_movement_but_hips_level_has_an_arrow_and_none_is_marked_generic():
    for name in MOTIONS:
        poses = movement_poses(name, "left" if MOTIONS[name].sided else None)
        assert not poses.generic, name
        if name == "pelvic_obliquity":
            assert poses.level_line is not None and not poses.arrows
        else:
            assert poses.arrows and poses.moved, name


def test_an_unknown_movement_gets_a_plain_standing_figure():
    poses = movement_poses("hand", None)
    assert poses.generic and not poses.arrows and not poses.moved


def _outside(surface: pygame.Surface, rect: pygame.Rect, background: tuple[int, int, int]) -> int:
    """How many pixels outside ``rect`` are not the background."""
    copy = surface.copy()
    copy.fill(background, rect)
    same = pygame.mask.from_threshold(copy, background, (1, 1, 1, 255))
    return copy.get_width() * copy.get_height() - same.count()


@pytest.fixture(params=[False, True], ids=["normal", "high-contrast"])
def contrast(request):
    use_high_contrast(request.param)
    yield request.param
    use_high_contrast(False)


@pytest.mark.parametrize("motion", sorted([*MOTIONS, SQUAT]))
@pytest.mark.parametrize("rect", [pygame.Rect(37, 21, 60, 44), pygame.Rect(50, 40, 420, 380)], ids=["small", "large"])
def test_every_movement_draws_inside_its_rect_only(motion, rect, contrast):
    background = (3, 200, 7)  # a colour no picture uses
    surface = pygame.Surface((560, 480))
    for mirror in (False, True):
        for side in ("left", "right", None):
            surface.fill(background)
            draw_movement(surface, rect, motion, side, mirror)
            assert _outside(surface, rect, background) == 0, (motion, side, mirror)
            untouched = pygame.mask.from_threshold(surface, background, (1, 1, 1, 255)).count()
            drawn = surface.get_width() * surface.get_height() - untouched
            assert drawn > rect.width * rect.height // 50, (motion, side, mirror)


@pytest.mark.parametrize("view", [FRONT, LEFT_SIDE, RIGHT_SIDE])
@pytest.mark.parametrize("seated", [False, True])
@pytest.mark.parametrize("rect", [pygame.Rect(5, 9, 70, 50), pygame.Rect(20, 10, 300, 260)], ids=["small", "large"])
def test_where_to_stand_draws_inside_its_rect_only(view, seated, rect, contrast):
    pygame.font.init()
    background = (3, 200, 7)
    surface = pygame.Surface((360, 300))
    surface.fill(background)
    draw_where_to_stand(surface, rect, view, seated)
    assert _outside(surface, rect, background) == 0


def test_where_to_stand_faces_the_camera_or_shows_the_side_it_needs():
    assert stand_sketch(FRONT, False).facing == (0.0, -1.0)
    # the camera at the bottom looks up the picture: a patient whose left side is towards it
    # faces the picture's left
    assert stand_sketch(LEFT_SIDE, False).facing == (-1.0, 0.0)
    assert stand_sketch(RIGHT_SIDE, True).facing == (1.0, 0.0)
    assert stand_sketch(FRONT, True).seated
    assert stand_sketch(FRONT, False).patient[1] == pytest.approx(2.0)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("mirror", [False, True])
def test_a_forearm_turning_palm_down_takes_the_thumb_towards_the_body(side, mirror):
    """Pronation from thumb-up turns the thumb in, towards the midline; supination turns it out."""
    for motion, inwards in (("wrist_pronation", True), ("wrist_supination", False)):
        poses = movement_poses(motion, side, mirror)
        start, end = poses.start, poses.ends[0]
        assert start.body[f"{side}_thumb"][1] > start.body[f"{side}_wrist"][1]  # thumb up at the start
        offset = end.points[f"{side}_thumb"][0] - end.points[f"{side}_wrist"][0]
        towards_midline = (offset < 0) == (end.points[f"{side}_wrist"][0] > 0.5)
        assert towards_midline == inwards, (motion, side, mirror)


@pytest.mark.parametrize("count", [1, 2])
def test_card_pictures_sit_between_the_text_and_the_status_lines(count):
    size = (960, 540)
    rects = card_picture_rects(size, 250, 460, count)
    assert len(rects) == count
    for rect in rects:
        assert rect.top > 250 and rect.bottom < 460 and pygame.Rect(0, 0, *size).contains(rect)
        assert rect.width == rect.height >= CARD_PICTURE_MIN
    assert not any(a.colliderect(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    centre = (rects[0].left + rects[-1].right) / 2
    assert abs(centre - size[0] / 2) <= 1


def test_no_card_picture_when_the_text_leaves_too_little_room():
    assert card_picture_rects((960, 540), 400, 460, 2) == []


def test_knee_flexion_read_with_hip_flexion_is_pictured_as_a_squat_on_both_legs():
    assert picture_of("knee_flexion", ("hip_flexion",)) == SQUAT
    assert picture_of("knee_flexion") == "knee_flexion"
    assert picture_of("elbow_flexion", ("hip_flexion",)) == "elbow_flexion"
    poses = movement_poses(SQUAT, "right")
    end = poses.ends[0].body
    bends = [joint_angle(end, f"{s}_hip", f"{s}_knee", f"{s}_ankle") for s in ("left", "right")]
    assert bends[0] == pytest.approx(bends[1]) and bends[0] > 45
    for side in ("left", "right"):  # the feet stay where they stood; the hips go down
        assert end[f"{side}_ankle"] == pytest.approx(poses.start.body[f"{side}_ankle"])
    assert end["pelvis"][1] < poses.start.body["pelvis"][1] - 0.1
