import math

import numpy as np
import pytest

from devices.base import SourceUrl, UnknownSourceError, open_source
from devices.jsonl import RecordingFormatError, read_recording, write_recording
from devices.replay import ReplaySource
from rehab.core.types import EegSample, ImuSample, JointAngles, PoseFrame
from rehab.sim.poses import SimulatedSession


def test_every_kind_round_trips(tmp_path):
    path = tmp_path / "r.jsonl"
    pose = next(SimulatedSession().frames())
    samples = [
        pose,
        ImuSample(
            t=0.1,
            device="wt",
            accel_g=(0.0, 0.1, 1.0),
            euler_deg=(1.5, -2.0, 90.0),
            quaternion=(1.0, 0.0, 0.0, 0.0),
            temperature_c=25.0,
        ),
        EegSample(t=0.2, device="tg", poor_signal=0, attention=40, meditation=70, bands=tuple(range(8))),
        JointAngles(t=0.3, values={"elbow_flexion_left": 42.0, "knee_flexion_left": math.nan}),
    ]
    assert write_recording(path, samples, meta={"description": "test"}) == 4
    back = list(read_recording(path))
    assert isinstance(back[0], PoseFrame)
    assert np.allclose(back[0].world, pose.world, atol=1e-5)
    assert back[1] == samples[1]
    assert back[2] == samples[2]
    assert back[3].get("elbow_flexion_left") == 42.0 and math.isnan(back[3].get("knee_flexion_left"))


def test_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"t": 0, "kind": "eeg", "attention": 3}\n{"t": 1, "kind": "pose"}\n')
    with pytest.raises(RecordingFormatError, match=r"bad\.jsonl:2: missing field 'visibility'"):
        list(read_recording(path))


def test_replay_paces_by_the_time_it_is_given(tmp_path):
    path = tmp_path / "r.jsonl"
    write_recording(path, [EegSample(t=10.0 + i, attention=i) for i in range(5)])
    source = ReplaySource.from_file(path, speed=1.0)
    assert [s.attention for s in source.poll(100.0)] == [0]
    assert source.poll(101.5)[0].attention == 1
    assert [s.attention for s in source.poll(104.0)] == [2, 3, 4]
    assert [e.kind for e in source.status_events()] == ["connected", "ended"]


def test_source_urls():
    assert SourceUrl.parse("witmotion:/dev/ttyUSB0?baud=115200") == SourceUrl(
        "witmotion", "/dev/ttyUSB0", {"baud": "115200"}
    )
    assert SourceUrl.parse("clip.mp4").scheme == "video"
    assert SourceUrl.parse("/data/session.jsonl").scheme == "replay"


def test_unknown_scheme_lists_the_known_ones():
    with pytest.raises(UnknownSourceError, match="known inputs are .*replay:"):
        open_source("nosuch:thing")


def test_missing_replay_file_is_a_clear_error(tmp_path):
    with pytest.raises(UnknownSourceError, match="replay file not found"):
        open_source(f"replay:{tmp_path / 'missing.jsonl'}")
