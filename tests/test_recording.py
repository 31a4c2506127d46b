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


# ---------------------------------------------------------------- malformed recordings (issue 12, item 11)
GOOD = '{"t":0.0,"kind":"eeg","attention":1}\n{"t":0.5,"kind":"eeg","attention":2}\n'

#: what each malformed recording holds, and the one-line error it must give
MALFORMED = {
    "empty file": (b"", "holds no samples"),
    "only a meta line": (b'{"t":0,"kind":"meta","description":"x"}\n', "holds no samples"),
    "binary garbage": (bytes(range(256)) * 4 + b"\n", ":1: "),
    "not UTF-8": (b'{"t":0,"kind":"eeg","device":"\xff\xfe"}\n', ":1: not UTF-8"),
    "a JSON array": (b"[1, 2, 3]\n", ":1: a line must be a JSON object"),
    "missing t": (b'{"kind":"eeg","attention":3}\n', ":1: missing field 't'"),
    "t a string": (b'{"t":"soon","kind":"eeg"}\n', ":1: t must be a finite number"),
    "t NaN": (b'{"t":NaN,"kind":"eeg"}\n', ":1: t must be a finite number"),
    "t Infinity": (b'{"t":Infinity,"kind":"imu"}\n', ":1: t must be a finite number"),
    "time backwards": ((GOOD + '{"t":-9,"kind":"eeg"}\n').encode(), ":3: time goes from 0.5 s to -9 s"),
    "time a year ahead": ((GOOD + '{"t":3e7,"kind":"eeg"}\n').encode(), ":3: time goes from 0.5 s to 3e+07 s"),
    "unknown kind": (b'{"t":0,"kind":"ecg"}\n', ':1: unknown kind "ecg"'),
    "kind a number": (b'{"t":0,"kind":7}\n', ":1: unknown kind 7"),
    "accel of two axes": (b'{"t":0,"kind":"imu","accel_g":[1,2]}\n', ":1: accel_g must be a list of 3 numbers"),
    "gyro as text": (b'{"t":0,"kind":"imu","gyro_dps":"fast"}\n', ":1: gyro_dps must be a list of 3 numbers"),
    "temperature as text": (b'{"t":0,"kind":"imu","temperature_c":"hot"}\n', ":1: temperature_c must be a finite"),
    "attention as text": (b'{"t":0,"kind":"eeg","attention":"high"}\n', ":1: attention must be a whole number"),
    "bands of three": (b'{"t":0,"kind":"eeg","bands":[1,2,3]}\n', ":1: bands must be a list of 8"),
    "angles as a list": (b'{"t":0,"kind":"angles","values":[1]}\n', ":1: values must be an object"),
    "pose frame 1e400": (b'{"t":0,"kind":"pose","frame":1e400,"visibility":[1]}\n', ":1: frame must be a whole"),
    "pose of 2 landmarks": (b'{"t":0,"kind":"pose","visibility":[1,1]}\n', ":1: visibility must have shape"),
    "pose with NaN": (b'{"t":0,"kind":"pose","visibility":[NaN]}\n', ":1: visibility holds a value"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000 + b"\n", ":1: "),
    "a huge line": (b'{"t":0,"kind":"meta","x":"' + b"a" * (2 << 20) + b'"}\n', ":1: line longer than"),
    "bad line in the middle": ((GOOD + "{oops}\n" + GOOD).encode(), ":3: "),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_recording_is_one_clear_line_naming_file_and_line(name, tmp_path):
    content, expected = MALFORMED[name]
    path = tmp_path / "r.jsonl"
    path.write_bytes(content)
    with pytest.raises(RecordingFormatError) as error:
        ReplaySource.from_file(path)
    message = str(error.value)
    assert message.startswith(str(path)) and expected in message and "\n" not in message


def test_a_cut_off_last_line_drops_only_that_line_and_says_so(tmp_path):
    path = tmp_path / "cut.jsonl"
    write_recording(path, [EegSample(t=i / 10, attention=i) for i in range(20)])
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.rindex(b"\n", 0, -1) + 9])  # 8 bytes of the last line, no newline
    source = ReplaySource.from_file(path, speed=0)
    assert [s.attention for s in source.poll(0.0)] == list(range(19))
    (connected, ended) = source.status_events()
    assert connected.kind == "connected" and "incomplete last line 20" in connected.detail
    assert ended.kind == "ended"
    # a last line that is only missing its newline is complete: kept
    path.write_bytes(whole.rstrip(b"\n"))
    assert len(ReplaySource.from_file(path)) == 20 and ReplaySource.from_file(path).dropped == ""


def test_small_steps_back_from_merged_sources_still_replay(tmp_path):
    path = tmp_path / "merged.jsonl"
    path.write_text('{"t":1.0,"kind":"eeg"}\n{"t":0.99,"kind":"eeg"}\n{"t":1.02,"kind":"eeg"}\n')
    assert [s.t for s in read_recording(path)] == [1.0, 0.99, 1.02]


@pytest.mark.parametrize("name", ["empty file", "only a meta line", "binary garbage", "t NaN", "time backwards"])
def test_play_refuses_a_bad_recording_before_storing_anything(name, tmp_path, capsys):
    from progress.store import DB_FILENAME, Store
    from rehab.app.cli import main

    path = tmp_path / "r.jsonl"
    path.write_bytes(MALFORMED[name][0])
    home = tmp_path / "home"
    assert main(["--home", str(home), "play", "reach", "--input", f"replay:{path}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and str(path) in err
    assert not (home / DB_FILENAME).exists() or Store.open(home / DB_FILENAME).sessions("guest") == []
