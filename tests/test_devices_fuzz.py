"""Fuzzing (issue 12): damaged device streams, recordings and plans never crash and never turn
into values no body or sensor can produce.

A device stream is built from the simulator's valid frames, then damaged the ways a serial line
damages it: bits flipped, bytes dropped and inserted, garbage spliced in, and "forged" frames, a
frame changed and its checksum made to fit again (the 1 in 256 corrupted frames an 8-bit checksum
lets through, made certain here). It is fed in chunks cut at random points. A "phantom" is an
emitted sample with any value outside the physical limits below; there must be none, and the
parser must never raise.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices import bno08x, thinkgear, witmotion
from devices.imu_csv import ImuCsvParser
from devices.jsonl import RecordingFormatError, load_recording
from rehab.core.types import EegSample, ImuSample
from rehab.sim.serial_devices import Simulator

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: the physical limits a sample is judged by, per device: (accel g, gyro deg/s, angle deg)
#: (a BNO08x heading read at the +-180 wrap may be noisy by a little)
LIMITS = {"witmotion": (16.0, 2000.0, 180.0), "bno08x-rvc": (8.0, 2000.0, 182.0), "imu-csv": (16.0, 2000.0, 180.0)}


def phantom(sample: object, device: str) -> bool:
    """True when a sample holds a value no sensor on a body reports."""
    if isinstance(sample, EegSample):
        return not (
            (sample.poor_signal is None or 0 <= sample.poor_signal <= 200)
            and all(v is None or 0 <= v <= 100 for v in (sample.attention, sample.meditation))
            and (sample.raw is None or -32768 <= sample.raw <= 32767)
            and (sample.bands is None or (len(sample.bands) == 8 and all(0 <= b < 2**24 for b in sample.bands)))
        )
    assert isinstance(sample, ImuSample)
    accel, gyro, angle = LIMITS[device]

    def inside(values: tuple[float, ...] | None, limit: float) -> bool:
        return values is None or all(math.isfinite(v) and abs(v) <= limit for v in values)

    q = sample.quaternion
    return not (
        inside(sample.accel_g, accel)
        and inside(sample.gyro_dps, gyro)
        and inside(sample.euler_deg, angle)
        and inside(sample.mag, 32768.0)
        and (sample.temperature_c is None or -40.0 <= sample.temperature_c <= 85.0)
        and (q is None or abs(math.sqrt(sum(c * c for c in q)) - 1.0) <= 0.05)
    )


# ---------------------------------------------------------------- damaging a stream
def _fix_witmotion(frame: bytearray) -> None:
    frame[10] = sum(frame[:10]) & 0xFF


def _fix_bno08x(frame: bytearray) -> None:
    frame[18] = sum(frame[2:18]) & 0xFF


def _fix_thinkgear(frame: bytearray) -> None:
    frame[-1] = ~sum(frame[3:-1]) & 0xFF


#: protocol -> (parser, first byte a forgery may change, how to make its checksum fit again)
PROTOCOLS: dict[str, tuple[Callable[[], object], int, Callable[[bytearray], None] | None]] = {
    "witmotion": (witmotion.WitMotionParser, 2, _fix_witmotion),
    "bno08x-rvc": (bno08x.Bno08xRvcParser, 3, _fix_bno08x),
    "thinkgear": (thinkgear.ThinkGearParser, 3, _fix_thinkgear),
    "imu-csv": (ImuCsvParser, 0, None),
}


def valid_frames(protocol: str, rng: random.Random, ticks: int) -> list[bytes]:
    sim = Simulator(protocol, rng.choice(["elbow", "knee", "forearm", "neck"]), noise=0.5, seed=rng.randrange(1000))
    frames: list[bytes] = []
    for k in range(ticks):
        tick = sim.frame(k / sim.rate)
        while tick:  # one frame each (a WitMotion tick is four, a ThinkGear second two packets)
            size = {"witmotion": 11, "thinkgear": tick[2] + 4}.get(protocol, len(tick))
            frames.append(tick[:size])
            tick = tick[size:]
    return frames


def esense_packets(rng: random.Random, count: int) -> list[bytes]:
    """ThinkGear packets whose every value has a limit (the simulator's are mostly raw samples,
    which fill their int16 and cannot be implausible)."""
    return [
        thinkgear.encode_sample(
            EegSample(0, poor_signal=rng.randrange(201), attention=rng.randrange(101), meditation=rng.randrange(101))
        )
        for _ in range(count)
    ]


def forge(frame: bytes, protocol: str, rng: random.Random) -> bytes:
    """The frame with one to three bytes changed and, for a binary protocol, its checksum fitted."""
    _parser, first, fix = PROTOCOLS[protocol]
    damaged = bytearray(frame)
    last = len(damaged) - (1 if fix else 0)
    if last <= first:
        return frame
    for _ in range(rng.randint(1, 3)):
        position = rng.randrange(first, last)
        damaged[position] = rng.choice(b"0123456789.-+eE,_nai \n") if fix is None else rng.randrange(256)
    if fix is not None:
        fix(damaged)
    return bytes(damaged)


def damaged_stream(protocol: str, rng: random.Random, ticks: int = 40) -> bytes:
    """Valid frames, some forged, then bits flipped, bytes dropped and inserted, garbage spliced."""
    frames = valid_frames(protocol, rng, ticks)
    if protocol == "thinkgear":
        frames += esense_packets(rng, 10)
        rng.shuffle(frames)
    frames = [forge(f, protocol, rng) if rng.random() < 0.3 else f for f in frames]
    data = bytearray(b"".join(frames))
    for _ in range(rng.randint(0, 12)):
        if not data:
            break
        p = rng.randrange(len(data))
        op = rng.randrange(4)
        if op == 0:
            data[p] ^= 1 << rng.randrange(8)
        elif op == 1:
            del data[p : p + rng.randint(1, 12)]
        elif op == 2:
            data.insert(p, rng.randrange(256))
        else:
            data[p:p] = rng.randbytes(rng.randint(1, 40))
    return bytes(data)


def feed_in_chunks(parser: object, data: bytes, rng: random.Random) -> list:
    out, i, now = [], 0, 0.0
    while i < len(data):
        size = rng.choice([1, 2, 7, 11, 19, 64, 300, 4096])
        out += parser.feed(data[i : i + size], now)  # type: ignore[attr-defined]
        now += rng.choice([0.0, 0.0, 0.002, 0.01, 0.1])
        i += size
    return out


def phantoms_in(protocol: str, rng: random.Random) -> tuple[int, int, object]:
    """(phantoms, samples, parser) for one damaged stream."""
    parser = PROTOCOLS[protocol][0]()
    samples = feed_in_chunks(parser, damaged_stream(protocol, rng), rng)
    return sum(phantom(s, protocol) for s in samples), len(samples), parser


@FUZZ
@given(st.sampled_from(sorted(PROTOCOLS)), st.randoms(use_true_random=False))
def test_no_phantom_ever_leaves_a_parser_and_it_never_raises(protocol, rng):
    phantoms, _samples, parser = phantoms_in(protocol, rng)
    assert phantoms == 0
    s = parser.stats  # type: ignore[attr-defined]
    assert s.bytes_in == s.frame_bytes + s.bytes_skipped + parser.pending  # type: ignore[attr-defined]


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_forged_frames_are_counted_as_implausible_and_valid_ones_still_come_through(protocol):
    rng = random.Random(12)
    parser = PROTOCOLS[protocol][0]()
    frames = esense_packets(rng, 300) if protocol == "thinkgear" else valid_frames(protocol, rng, 300)
    data = b"".join(forge(f, protocol, rng) if k % 3 == 1 else f for k, f in enumerate(frames))
    samples = feed_in_chunks(parser, data, rng)
    assert not [s for s in samples if phantom(s, protocol)]
    assert parser.stats.implausible > 0 and "implausible" in parser.stats.summary()
    assert len(samples) >= len(frames) * 2 // 3 - 10  # the frames left alone (a third were forged)


# ---------------------------------------------------------------- recordings
@st.composite
def damaged_recordings(draw) -> bytes:
    lines = [
        json.dumps(
            {
                "t": k / 10,
                "kind": "imu",
                "device": "wt",
                "accel_g": [0, 0, 1],
                "roll_deg": 1,
                "pitch_deg": 2,
                "yaw_deg": 3,
            }
        ).encode()
        for k in range(draw(st.integers(0, 8)))
    ]
    lines.append(draw(st.sampled_from([b'{"t":1e999,"kind":"imu"}', b'{"t":1,"kind":"eeg","raw":"x"}', b"\x00\xff"])))
    text = bytearray(b"\n".join(lines) + b"\n")
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(text)))
        text[position:position] = draw(st.binary(max_size=8) | st.sampled_from([b"{", b"}", b",", b'"', b"\n", b"NaN"]))
    return bytes(text[: draw(st.integers(0, len(text)))])  # cut anywhere, as a crash while writing does


@FUZZ
@given(damaged_recordings())
def test_a_damaged_recording_loads_or_gives_one_line_never_a_traceback(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("rec") / "r.jsonl"
    path.write_bytes(data)
    try:
        recording = load_recording(path)
    except RecordingFormatError as error:
        assert str(error).startswith(f"{path}:") and "\n" not in str(error)
    else:
        assert all(math.isfinite(s.t) for s in recording.samples)


# ---------------------------------------------------------------- plans
PLAN = """schema = 1
title = "Elbow after a fracture"
patient = "P1"
sessions_per_week = 5

[safety]
pain_stop_rise = 2

[[exercise]]
name = "Elbow bend"
game = "lift"
movement = "elbow_flexion"
side = "left"
sets = 2
reps = 5
target_deg = 100
ceiling_deg = 140

[exercise.progression]
every_sessions = 2
step_percent = 5
max_deg = 130
"""

#: structural damage: a value of the wrong shape, a table where a value was, a header broken
REPLACEMENTS = ["[1, 2]", "{ a = 1 }", '"text"', "-1", "nan", "inf", "1e999", "true", "[[exercise]]", "[safety]", ""]


@FUZZ
@given(st.data())
def test_a_structurally_damaged_plan_is_a_plan_error_naming_file_and_line(tmp_path_factory, data):
    from rehab.app import plans

    lines = PLAN.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        k = data.draw(st.integers(0, len(lines) - 1))
        key, sep, _value = lines[k].partition("=")
        how = data.draw(st.sampled_from(["value", "line", "drop", "duplicate"]))
        if how == "value" and sep:
            lines[k] = f"{key}= {data.draw(st.sampled_from(REPLACEMENTS))}"
        elif how == "line":
            lines[k] = data.draw(st.sampled_from(REPLACEMENTS))
        elif how == "drop":
            del lines[k]
        else:
            lines.insert(k, lines[k])
    path = tmp_path_factory.mktemp("plan") / "plan.toml"
    path.write_text("\n".join(lines) + "\n")
    try:
        plans.load(path)
    except plans.PlanError as error:
        assert error.problems
        for line in str(error).splitlines():
            assert line.startswith("plan.toml")
        numbered = [p.line for p in error.problems if p.line is not None]
        assert all(1 <= n <= len(lines) for n in numbered)


@pytest.mark.parametrize("motion", ["elbow", "knee", "forearm", "neck", "breathing", "still"])
@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_an_undamaged_stream_loses_nothing_to_the_checks(protocol, motion):
    # the simulated body moves through gimbal lock and the +-180 wrap, with sensor noise
    rng = random.Random(5)
    sim = Simulator(protocol, motion, noise=0.5, seed=7)
    frames = [sim.frame(k / sim.rate) for k in range(int(sim.rate * 20))]
    parser = PROTOCOLS[protocol][0]()
    feed_in_chunks(parser, b"".join(frames), rng)
    assert parser.stats.dropped == 0 and parser.stats.bytes_skipped == 0


def test_devices_record_reports_implausible_frames_in_its_summary(tmp_path, capsys):
    import re
    import threading
    import time

    from rehab.app.cli import main
    from rehab.sim.virtual_port import VirtualPort

    port = VirtualPort(tmp_path / "ttyWIT")
    stop = threading.Event()

    def send() -> None:  # a device whose every other frame is a corrupted one that passed its checksum
        while not stop.is_set():
            port.write(witmotion.encode_frame(witmotion.ACCEL, (0, 0, 2048, 2500)))
            port.write(witmotion.encode_frame(witmotion.ACCEL, (0, 0, 2048, -25070)))  # -250.7 C
            time.sleep(0.005)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    out = tmp_path / "rec.jsonl"
    try:
        assert main(["devices", "record", f"witmotion:{port.path}", "--seconds", "0.5", "--out", str(out)]) == 0
    finally:
        stop.set()
        sender.join()
        port.close()
    summary = capsys.readouterr().out
    implausible = re.search(r"(\d+) implausible", summary)
    assert implausible and int(implausible.group(1)) > 10, summary
    assert all(s.temperature_c == 25.0 for s in load_recording(out).samples)


def test_a_port_sending_only_implausible_frames_is_diagnosed_as_such(tmp_path):
    import time

    from devices.serial_source import SerialSource
    from rehab.sim.virtual_port import VirtualPort

    port = VirtualPort(tmp_path / "ttyCSV")
    # a sketch printing m/s^2 on a port declared as g (the default): 9.81 "g" is fine, 30 is not
    source = SerialSource("imu-csv:x", port.path, ImuCsvParser(), 115200, no_frames_after_s=0.2)
    try:
        deadline = time.monotonic() + 5.0
        text = None
        while text is None and time.monotonic() < deadline:
            port.write(b"0,0,0,30.2,0,0,0\n")
            time.sleep(0.02)
            text = source.diagnosis(time.monotonic())
        assert text is not None and "no body-worn sensor" in text and "implausible" in text
    finally:
        source.close()
        port.close()
