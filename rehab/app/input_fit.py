"""Whether an input can drive a game, said before play, in one line.

A single IMU without ``?segment=`` sends its raw orientation only; ``?segment=forearm_left`` gives
forearm roll, not the side bend Tilt needs; a recording of one IMU holds no joint angle at all.
Played anyway, such an input counts nothing and says nothing. So the input's samples (a replay's
own, or one of each kind a live device sends) are read the way the game will read them, and an
input none of whose samples gives the game's movement is refused with what it does give.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from rehab.core.motions import motion_of
from rehab.core.types import EegSample, ImuSample, JointAngles, PoseFrame
from rehab.engine.game import GameSpec
from rehab.engine.play import angles_of

#: the schemes of serial IMUs: raw orientation, plus one segment's angles with ``?segment=``
IMU_SCHEMES = frozenset({"witmotion", "imu-csv", "bno08x-rvc"})
#: the angles each single-IMU segment gives (``devices.orientation``)
SEGMENT_ANGLES = {
    "forearm_left": ("wrist_pronation_left",),
    "forearm_right": ("wrist_pronation_right",),
    "head": ("cervical_rotation", "cervical_flexion", "cervical_lateral_flexion"),
    "trunk": ("trunk_rotation", "trunk_flexion", "trunk_lateral_flexion"),
}
#: how many of a recording's samples are read to find what it gives
SAMPLES_READ = 2000


def live_samples(url: str) -> list[object] | None:
    """One sample of each kind a live device sends, or None for inputs that can give any movement
    or this game's own (a camera's poses, the keyboard, the simulated patient)."""
    from devices.base import SourceUrl

    parsed = SourceUrl.parse(url)
    raw = ImuSample(0.0, url, euler_deg=(0.0, 0.0, 0.0), quaternion=(1.0, 0.0, 0.0, 0.0))
    if parsed.scheme in IMU_SCHEMES:
        names = SEGMENT_ANGLES.get(parsed.options.get("segment", ""), ())
        return [raw, JointAngles(0.0, dict.fromkeys(names, 0.0))] if names else [raw]
    if parsed.scheme == "joint":
        joint, _, side = parsed.target.partition("_")
        names = (f"{joint}_flexion_{side}",) + ((f"wrist_pronation_{side}",) if joint == "elbow" else ())
        return [raw, JointAngles(0.0, dict.fromkeys(names, 0.0))]
    if parsed.scheme == "thinkgear":
        return [EegSample(0.0, url, poor_signal=0, attention=50, meditation=50)]
    return None


def what_it_gives(samples: Iterable[object]) -> str:
    """The input's samples in a few words: "raw IMU orientation only", "wrist_pronation_left"."""
    names: list[str] = []
    kinds: list[str] = []
    for sample in samples:
        if isinstance(sample, JointAngles):
            names += [name for name in sample.values if name not in names]
        elif isinstance(sample, ImuSample) and "raw IMU orientation" not in kinds:
            kinds.append("raw IMU orientation")
        elif isinstance(sample, EegSample) and "EEG readings" not in kinds:
            kinds.append("EEG readings")
        elif isinstance(sample, PoseFrame) and "body poses" not in kinds:
            kinds.append("body poses")
    if names:
        return ", ".join(names)  # the angles are what a game reads; raw samples come with them
    if len(kinds) == 1:
        return f"{kinds[0]} only"
    return ", ".join(kinds) if kinds else "no samples"


def input_problem(url: str, info: GameSpec, angle_name: str) -> str | None:
    """``unfit_input`` for a URL as typed: a recording is read for its own samples (one that cannot
    be read is left for the replay source to refuse in its own words)."""
    from pathlib import Path

    from devices.base import SourceUrl
    from devices.jsonl import RecordingFormatError, load_recording

    parsed = SourceUrl.parse(url)
    if parsed.scheme != "replay":
        return unfit_input(url, info, angle_name)
    try:
        samples = load_recording(Path(parsed.target).expanduser()).samples
    except (OSError, RecordingFormatError):
        return None
    return unfit_input(url, info, angle_name, samples) if samples else None


def unfit_input(url: str, info: GameSpec, angle_name: str, samples: Sequence[object] | None = None) -> str | None:
    """Why ``url`` cannot drive ``info``'s movement ``angle_name``, in one line; None when it can.
    ``samples``: a recording's own samples (else one of each kind the URL's device sends)."""
    shown = list(samples[:SAMPLES_READ]) if samples is not None else live_samples(url)
    if shown is None:
        return None
    reader = info.reader()
    for sample in shown:
        values = angles_of(sample, reader)
        if values is not None and math.isfinite(values.values.get(angle_name, math.nan)):
            return None
    motion = motion_of(angle_name)
    needs = f"{angle_name} ({motion.label})" if motion is not None else angle_name
    return (
        f"{url} gives {what_it_gives(shown)}, not {needs}, which {info.name} needs "
        f"(it plays with: {'; '.join(info.inputs)})"
    )
