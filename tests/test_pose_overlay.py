"""The review video's drawing: angle labels never overlap, and read on a white picture."""

import numpy as np
import pytest

from rehab.core.landmarks import landmark
from rehab.core.types import JointAngles, PoseFrame
from rehab.engine.pose_overlay import draw_pose, layout_labels

SIZE = (640, 480)
ANGLES = JointAngles(
    t=0.0,
    values={
        f"{motion}_{side}": value
        for side in ("left", "right")
        for motion, value in (
            ("elbow_flexion", 95.0),
            ("knee_flexion", 12.0),
            ("hip_flexion", 8.0),
            ("shoulder_flexion", 41.0),
            ("shoulder_abduction", -7.0),
        )
    },
)


def pose(points: dict[str, tuple[float, float]]) -> PoseFrame:
    """A pose seen in the picture at the given normalised points (everything else at the centre)."""
    image = np.full((33, 3), 0.5)
    for name, (x, y) in points.items():
        image[landmark(name), :2] = (x, y)
    return PoseFrame(t=0.0, world=np.zeros((33, 3)), visibility=np.ones(33), image=image)


# side-on with the arms forward: both elbows a few pixels apart, both wrists too
CROSSED = pose(
    {
        "left_shoulder": (0.60, 0.40),
        "right_shoulder": (0.58, 0.41),
        "left_elbow": (0.70, 0.55),
        "right_elbow": (0.705, 0.555),
        "left_wrist": (0.80, 0.50),
        "right_wrist": (0.81, 0.505),
        "left_hip": (0.60, 0.75),
        "right_hip": (0.59, 0.75),
        "left_knee": (0.66, 0.88),
        "right_knee": (0.64, 0.89),
    }
)


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_layout(labels, keep_clear=()):
    for i, a in enumerate(labels):
        x0, y0, x1, y1 = a.box
        assert 0 <= x0 < x1 <= SIZE[0] and 0 <= y0 < y1 <= SIZE[1]
        assert not any(overlap(a.box, other) for other in keep_clear)
        for b in labels[i + 1 :]:
            assert not overlap(a.box, b.box), (a.lines, b.lines)


def test_close_left_and_right_elbows_get_separate_labels():
    labels = layout_labels(CROSSED, ANGLES, SIZE)
    assert len(labels) == 8  # elbow, knee, hip, shoulder on each side: all placed
    check_layout(labels)
    elbows = [label for label in labels if label.lines[0].split()[1] == "elb"]
    assert sorted(label.lines[0] for label in elbows) == ["L elb 95", "R elb 95"]


@pytest.mark.parametrize("seed", range(20))
def test_labels_never_overlap_each_other_or_the_panel(seed):
    rng = np.random.default_rng(seed)
    image = np.column_stack([rng.uniform(0, 1, 33), rng.uniform(0, 1, 33), np.zeros(33)])
    frame = PoseFrame(t=0.0, world=np.zeros((33, 3)), visibility=np.ones(33), image=image)
    panel = (0, 0, 180, 120)
    check_layout(layout_labels(frame, ANGLES, SIZE, keep_clear=(panel,)), (panel,))


def luminance(bgr: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of BGR pixels."""
    c = bgr[..., ::-1].astype(float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def test_labels_read_on_a_white_picture():
    """A bright sky behind the patient: the text must stand out from what is right behind it
    (WCAG's 4.5:1 for normal text). The old thin orange and blue text on white: 2.3:1 and 3.1:1."""
    white = np.full((SIZE[1], SIZE[0], 3), 255, np.uint8)
    drawn = draw_pose(white, CROSSED, ANGLES, "tracking")
    labels = layout_labels(CROSSED, ANGLES, SIZE)
    assert labels
    for label in labels:
        x0, y0, x1, y1 = label.box
        lum = luminance(drawn[y0:y1, x0:x1]).ravel()
        behind, text = np.median(lum), np.percentile(lum, 99)
        assert (text + 0.05) / (behind + 0.05) >= 4.5, label.lines
