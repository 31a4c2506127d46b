"""Property tests for every byte-stream parser: any chunking, garbage, corruption.

Expected values are computed here from the devices' byte layouts (each parser module's docstring
gives its own), not by calling the parser's own decoder, so a wrong scale or sign in the parser
fails these tests.
"""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices import bno08x, thinkgear, witmotion
from devices.imu_csv import ImuCsvParser
from rehab.core.types import EegSample, ImuSample

settings.register_profile("devices", max_examples=150, deadline=None)
settings.load_profile("devices")

int16 = st.integers(-32768, 32767)


def feed_chunks(parser, data: bytes, cuts: list[int]) -> list:
    """Feed ``data`` split at ``cuts`` (any positions), returning every sample."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, last = [], 0
    for point in [*points, len(data)]:
        out += parser.feed(data[last:point], 0.0)
        last = point
    return out


def assert_accounted(parser) -> None:
    s = parser.stats
    assert s.bytes_in == s.frame_bytes + s.bytes_skipped + parser.pending


def near(base: int, spread: int) -> st.SearchStrategy[int]:
    """Integers within ``spread`` of ``base``, kept inside int16."""
    return st.integers(-spread, spread).map(lambda d: max(-32768, min(32767, base + d)))


# ---------------------------------------------------------------- WitMotion
#: a temperature the sensor can have (-40..85 C, in 0.01 C)
wit_temperature = st.integers(-4000, 8500)
#: a unit quaternion in the device's 1/32768 units
wit_unit_quaternion = (
    st.tuples(*[st.floats(-1, 1)] * 4)
    .filter(lambda q: math.fsum(c * c for c in q) > 0.01)
    .map(lambda q: tuple(round(c / math.sqrt(math.fsum(c * c for c in q)) * 32767) for c in q))
)


@st.composite
def wit_frames_list(draw, min_size: int = 0, max_size: int = 30, clean: bool = False) -> list:
    """Plausible frames of every kind: any accel and mag; a temperature in the sensor's range;
    turn rates near one rate, angles and quaternions near one orientation (anywhere), as a body
    changing its turn rate by at most 240 deg/s and turning at most a few degrees between frames
    sends them."""
    roll, pitch, yaw = draw(st.tuples(int16, int16, int16))
    q = draw(wit_unit_quaternion)
    gx, gy, gz = draw(st.tuples(int16, int16, int16))
    frame = st.one_of(
        st.tuples(st.sampled_from([0x51, 0x54]), st.tuples(int16, int16, int16, wit_temperature)),
        st.tuples(st.just(0x52), st.tuples(near(gx, 4000), near(gy, 4000), near(gz, 4000), wit_temperature)),
        st.tuples(st.just(0x53), st.tuples(near(roll, 270), near(pitch, 270), near(yaw, 270), int16)),
        st.tuples(st.just(0x59), st.tuples(*(near(c, 20) for c in q))),
    )
    if clean:
        frame = frame.filter(lambda f: 0x55 not in wit_bytes(*f)[1:])
    return draw(st.lists(frame, min_size=min_size, max_size=max_size))


def wit_expected(kind: int, w: tuple[int, int, int, int]) -> ImuSample:
    a, b, c, d = w
    if kind == 0x51:
        return ImuSample(
            0.0, "witmotion", accel_g=(a / 32768 * 16, b / 32768 * 16, c / 32768 * 16), temperature_c=d / 100
        )
    if kind == 0x52:
        return ImuSample(
            0.0, "witmotion", gyro_dps=(a / 32768 * 2000, b / 32768 * 2000, c / 32768 * 2000), temperature_c=d / 100
        )
    if kind == 0x53:
        return ImuSample(0.0, "witmotion", euler_deg=(a / 32768 * 180, b / 32768 * 180, c / 32768 * 180))
    if kind == 0x54:
        return ImuSample(0.0, "witmotion", mag=(a, b, c), temperature_c=d / 100)
    return ImuSample(0.0, "witmotion", quaternion=(a / 32768, b / 32768, c / 32768, d / 32768))


def wit_bytes(kind: int, w: tuple[int, int, int, int]) -> bytes:
    body = bytes([0x55, kind]) + struct.pack("<4h", *w)
    return body + bytes([sum(body) & 0xFF])


def close(a: ImuSample, b: ImuSample) -> bool:
    for field in ("accel_g", "gyro_dps", "mag", "euler_deg", "quaternion"):
        x, y = getattr(a, field), getattr(b, field)
        if (x is None) != (y is None):
            return False
        if x is not None and not all(
            math.isclose(p, q, rel_tol=1e-12, abs_tol=1e-12) for p, q in zip(x, y, strict=True)
        ):
            return False
    return a.temperature_c == b.temperature_c or math.isclose(a.temperature_c, b.temperature_c)


@given(wit_frames_list(), st.lists(st.integers(0, 400), max_size=20))
def test_witmotion_any_chunking_decodes_every_frame_exactly(frames, cuts):
    parser = witmotion.WitMotionParser()
    data = b"".join(wit_bytes(k, w) for k, w in frames)
    out = feed_chunks(parser, data, cuts)
    assert len(out) == len(frames)
    assert all(close(got, wit_expected(k, w)) for got, (k, w) in zip(out, frames, strict=True))
    assert parser.stats.frames == len(frames)
    assert parser.stats.dropped == 0 and parser.stats.bytes_skipped == 0
    assert_accounted(parser)


@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=30))
def test_witmotion_never_raises_on_any_bytes(data, cuts):
    parser = witmotion.WitMotionParser()
    out = feed_chunks(parser, data, cuts)
    assert all(isinstance(s, ImuSample) for s in out)
    assert parser.pending < witmotion.FRAME_LEN
    assert_accounted(parser)


@given(st.binary(max_size=200), wit_frames_list(2, 10, clean=True), st.lists(st.integers(), max_size=9))
def test_witmotion_recovers_on_the_next_frame_after_garbage(garbage, frames, cuts):
    # garbage may fake a header that swallows part of the first frame; the second is always found
    parser = witmotion.WitMotionParser()
    out = feed_chunks(parser, garbage + b"".join(wit_bytes(*f) for f in frames), cuts)
    tail = frames[1:]
    assert len(out) >= len(tail)
    assert all(close(g, wit_expected(*f)) for g, f in zip(out[-len(tail) :], tail, strict=True))
    assert_accounted(parser)


@given(wit_frames_list(3, 10, clean=True), st.data())
def test_witmotion_counts_a_corrupted_frame_and_keeps_the_rest(frames, data):
    victim = data.draw(st.integers(0, len(frames) - 1))
    offset = data.draw(st.integers(1, 10))  # anything but the header: the frame must fail its checksum
    stream = bytearray(b"".join(wit_bytes(*f) for f in frames))
    position = victim * 11 + offset
    stream[position] = data.draw(st.integers(0, 255).filter(lambda b: b not in (0x55, stream[position])))
    parser = witmotion.WitMotionParser()
    out = parser.feed(bytes(stream), 0.0)
    kept = frames[:victim] + frames[victim + 1 :]
    assert len(out) == len(kept)
    assert all(close(g, wit_expected(*f)) for g, f in zip(out, kept, strict=True))
    assert parser.stats.checksum_errors + parser.stats.framing_errors == 1
    assert_accounted(parser)


def test_witmotion_known_angle_frame():
    # roll 90, pitch -45, yaw 180 - 1 lsb, as a WT901 sends them
    frame = bytes.fromhex("55 53 00 40 00 e0 ff 7f 00 00")
    frame += bytes([sum(frame) & 0xFF])
    (sample,) = witmotion.WitMotionParser().feed(frame, 5.0)
    assert sample.t == 5.0
    assert sample.euler_deg == (90.0, -45.0, 180.0 * 32767 / 32768)


def test_witmotion_rate_command():
    assert witmotion.rate_command(100)[5:10] == bytes([0xFF, 0xAA, 0x03, 0x09, 0x00])
    assert witmotion.rate_command(200)[5:10] == bytes([0xFF, 0xAA, 0x03, 0x0B, 0x00])


# ---------------------------------------------------------------- ThinkGear
byte = st.integers(0, 255)
eeg_samples = st.builds(
    EegSample,
    t=st.just(0.0),
    device=st.just("thinkgear"),
    poor_signal=st.none() | st.integers(0, 200),
    attention=st.none() | st.integers(0, 100),
    meditation=st.none() | st.integers(0, 100),
    raw=st.none() | st.integers(-32768, 32767),
    bands=st.none() | st.tuples(*[st.integers(0, 2**24 - 1)] * 8),
)


def tg_bytes(sample: EegSample) -> bytes:
    payload = b""
    for code, value in ((0x02, sample.poor_signal), (0x04, sample.attention), (0x05, sample.meditation)):
        if value is not None:
            payload += bytes([code, value])
    if sample.raw is not None:
        payload += b"\x80\x02" + struct.pack(">h", sample.raw)
    if sample.bands is not None:
        payload += b"\x83\x18" + b"".join(struct.pack(">I", b)[1:] for b in sample.bands)
    return b"\xaa\xaa" + bytes([len(payload)]) + payload + bytes([(~sum(payload)) & 0xFF])


@given(st.lists(eeg_samples, max_size=20), st.lists(st.integers(0, 2000), max_size=20))
def test_thinkgear_any_chunking_decodes_every_packet_exactly(samples, cuts):
    parser = thinkgear.ThinkGearParser()
    out = feed_chunks(parser, b"".join(tg_bytes(s) for s in samples), cuts)
    assert out == samples
    assert parser.stats.frames == len(samples) and parser.stats.dropped == 0
    assert_accounted(parser)


@given(st.binary(max_size=800), st.lists(st.integers(0, 800), max_size=30))
def test_thinkgear_never_raises_on_any_bytes(data, cuts):
    parser = thinkgear.ThinkGearParser()
    out = feed_chunks(parser, data, cuts)
    assert all(isinstance(s, EegSample) for s in out)
    assert parser.pending <= thinkgear.MAX_PAYLOAD + 3
    assert_accounted(parser)


@given(
    st.binary(max_size=300).filter(lambda g: b"\xaa\xaa" not in g),
    st.lists(eeg_samples.filter(lambda s: 0xAA not in tg_bytes(s)[2:]), min_size=1, max_size=8),
    st.lists(st.integers(), max_size=10),
)
def test_thinkgear_recovers_after_garbage(garbage, samples, cuts):
    parser = thinkgear.ThinkGearParser()
    out = feed_chunks(parser, garbage + b"".join(tg_bytes(s) for s in samples), cuts)
    assert out == samples
    assert_accounted(parser)


@given(st.lists(eeg_samples.filter(lambda s: 0xAA not in tg_bytes(s)[2:]), min_size=2, max_size=8), st.data())
def test_thinkgear_counts_a_corrupted_packet_and_keeps_the_rest(samples, data):
    packets = [tg_bytes(s) for s in samples]
    victim = data.draw(st.integers(0, len(packets) - 1))
    packet = bytearray(packets[victim])
    offset = data.draw(st.integers(3, len(packet) - 1))  # payload or checksum
    packet[offset] = data.draw(byte.filter(lambda b: b not in (0xAA, packet[offset])))
    packets[victim] = bytes(packet)
    parser = thinkgear.ThinkGearParser()
    out = parser.feed(b"".join(packets), 0.0)
    assert out == samples[:victim] + samples[victim + 1 :]
    assert parser.stats.checksum_errors == 1
    assert_accounted(parser)


def test_thinkgear_reference_packet_from_the_protocol_document():
    # the example packet in NeuroSky's "ThinkGear Serial Stream Guide": poor signal 0, attention 0x1B...
    payload = bytes([0x02, 0x00, 0x04, 0x1B, 0x05, 0x32, 0x80, 0x02, 0xFF, 0x38])
    packet = bytes([0xAA, 0xAA, len(payload)]) + payload + bytes([(~sum(payload)) & 0xFF])
    (sample,) = thinkgear.ThinkGearParser().feed(packet, 1.5)
    assert (sample.poor_signal, sample.attention, sample.meditation, sample.raw) == (0, 27, 50, -200)
    assert thinkgear.encode_sample(sample) == packet


def test_thinkgear_excode_and_unknown_rows_are_skipped_and_overruns_counted():
    payload = bytes([0x55, 0x55, 0x16, 0x40, 0x04, 0x20, 0x90, 0x03, 1, 2, 3])
    parser = thinkgear.ThinkGearParser()
    (sample,) = parser.feed(thinkgear.encode_packet(payload), 0.0)
    assert sample.attention == 32
    bad = bytes([0x80, 0x05, 0x00])  # claims 5 value bytes, carries 1
    assert parser.feed(thinkgear.encode_packet(bad), 0.0) == []
    assert parser.stats.framing_errors == 1
    assert parser.feed(bytes([0xAA, 0xAA, 200, 0, 0]), 0.0) == [] and parser.stats.framing_errors == 2


# ---------------------------------------------------------------- BNO08x UART-RVC
milli_g = st.integers(-8000, 8000)  # the BNO08x accelerometer's +-8 g


@st.composite
def rvc_frames_list(draw, min_size: int = 0, max_size: int = 20, clean: bool = False) -> list:
    """Plausible frames: acceleration within +-8 g, angles within +-180 degrees near one
    orientation, as a body turning at most a few degrees between frames sends them."""
    yaw, pitch, roll = draw(st.tuples(*[st.integers(-17850, 17850)] * 3))
    frame = st.tuples(byte, near(yaw, 150), near(pitch, 150), near(roll, 150), milli_g, milli_g, milli_g)
    if clean:
        frame = frame.filter(lambda f: 0xAA not in rvc_bytes(f)[2:])
    return draw(st.lists(frame, min_size=min_size, max_size=max_size))


def rvc_bytes(f) -> bytes:
    body = struct.pack("<B6h", *f) + bytes(3)
    return b"\xaa\xaa" + body + bytes([sum(body) & 0xFF])


def rvc_expected(f) -> ImuSample:
    _i, yaw, pitch, roll, ax, ay, az = f
    return ImuSample(
        0.0, "bno08x-rvc", accel_g=(ax / 1000, ay / 1000, az / 1000), euler_deg=(roll / 100, pitch / 100, yaw / 100)
    )


@given(rvc_frames_list(), st.lists(st.integers(0, 400), max_size=20))
def test_bno08x_any_chunking_decodes_every_frame_exactly(frames, cuts):
    parser = bno08x.Bno08xRvcParser()
    out = feed_chunks(parser, b"".join(rvc_bytes(f) for f in frames), cuts)
    assert len(out) == len(frames)
    assert all(close(g, rvc_expected(f)) for g, f in zip(out, frames, strict=True))
    assert parser.stats.dropped == 0
    assert_accounted(parser)


@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=30))
def test_bno08x_never_raises(data, cuts):
    parser = bno08x.Bno08xRvcParser()
    feed_chunks(parser, data, cuts)
    assert parser.pending < bno08x.FRAME_LEN
    assert_accounted(parser)


@given(st.binary(max_size=200), rvc_frames_list(2, 8, clean=True), st.lists(st.integers(), max_size=9))
def test_bno08x_recovers_on_the_next_frame_after_garbage(garbage, frames, cuts):
    parser = bno08x.Bno08xRvcParser()
    out = feed_chunks(parser, garbage + b"".join(rvc_bytes(f) for f in frames), cuts)
    tail = frames[1:]
    assert len(out) >= len(tail)
    assert all(close(g, rvc_expected(f)) for g, f in zip(out[-len(tail) :], tail, strict=True))


def test_bno08x_encoder_round_trip():
    frame = bno08x.encode_frame(7, yaw=-120.5, pitch=12.25, roll=3.0, accel_g=(0.0, -0.5, 1.0))
    (sample,) = bno08x.Bno08xRvcParser().feed(frame, 0.0)
    assert sample.euler_deg == (3.0, 12.25, -120.5) and sample.accel_g == (0.0, -0.5, 1.0)


# ---------------------------------------------------------------- Arduino CSV
def finite(limit: float) -> st.SearchStrategy[float]:
    return st.floats(-limit, limit, width=32)


#: a time stamp, then accel and gyro within the sensors' +-16 g and +-2000 deg/s
@st.composite
def csv_rows_list(draw, min_size: int = 0, max_size: int = 20) -> list:
    """Rows of a time stamp, accel within +-16 g, and a gyro within +-2000 deg/s that changes by at
    most 240 deg/s from one row to the next (a limb's angular acceleration is bounded)."""
    base = draw(st.tuples(*[st.floats(-1760, 1760)] * 3))
    gyro = st.tuples(*(finite(240.0).map(lambda d, b=b: float(np.float32(b + d))) for b in base))
    row = st.tuples(finite(1e9), *[finite(16.0)] * 3).flatmap(lambda head: gyro.map(lambda g: head + g))
    return draw(st.lists(row, min_size=min_size, max_size=max_size))


def csv_line(row) -> bytes:
    return (",".join(repr(v) for v in row) + "\r\n").encode()


@given(csv_rows_list(), st.lists(st.integers(0, 3000), max_size=20))
def test_csv_any_chunking_decodes_every_line_exactly(rows, cuts):
    parser = ImuCsvParser()
    out = feed_chunks(parser, b"".join(csv_line(r) for r in rows), cuts)
    assert [(s.accel_g, s.gyro_dps) for s in out] == [(r[1:4], r[4:7]) for r in rows]
    assert parser.stats.frames == len(rows) and parser.stats.dropped == 0
    assert_accounted(parser)


@given(st.binary(max_size=1500), st.lists(st.integers(0, 1500), max_size=30))
def test_csv_never_raises(data, cuts):
    parser = ImuCsvParser(columns=("ax", "ay", "az"))
    feed_chunks(parser, data, cuts)
    assert parser.pending <= 512
    assert_accounted(parser)


@given(st.binary(max_size=300).filter(lambda g: b"\n" not in g), csv_rows_list(2, 8))
def test_csv_recovers_on_the_next_line_after_garbage(garbage, rows):
    # without a checksum, garbage glued to a line may even parse: only the following lines are sure
    parser = ImuCsvParser()
    out = parser.feed(garbage + b"".join(csv_line(r) for r in rows), 0.0)
    tail = rows[1:]
    assert [(s.accel_g, s.gyro_dps) for s in out[-len(tail) :]] == [(r[1:4], r[4:7]) for r in tail]


def test_csv_units_are_declared_not_guessed():
    line = b"0.5,9.80665,0,0,3.141592653589793,0,0\n"
    (g_dps,) = ImuCsvParser().feed(line, 0.0)
    (si,) = ImuCsvParser(accel="mps2", gyro="rads").feed(line, 0.0)
    assert g_dps.accel_g[0] == 9.80665 and g_dps.gyro_dps[0] == math.pi
    assert math.isclose(si.accel_g[0], 1.0) and math.isclose(si.gyro_dps[0], 180.0)


def test_csv_rejects_banners_nan_and_wrong_column_counts():
    parser = ImuCsvParser(columns=("_", "ax", "ay", "az"))
    out = parser.feed(b"MPU6050 ready\n1,2,3\n1,nan,0,1\n1,0,0,1\n\n", 0.0)
    assert [s.accel_g for s in out] == [(0.0, 0.0, 1.0)]
    assert parser.stats.framing_errors == 3
    assert_accounted(parser)


def test_csv_bad_config_is_a_clear_error():
    import pytest

    from devices.imu_csv import CsvConfigError

    with pytest.raises(CsvConfigError, match="unknown column"):
        ImuCsvParser(columns=("ax", "bogus"))
    with pytest.raises(CsvConfigError, match="2 of the 3 accel"):
        ImuCsvParser(columns=("ax", "ay"))
    with pytest.raises(CsvConfigError, match="accel unit"):
        ImuCsvParser(accel="furlongs")


# ---------------------------------------------------------------- implausible frames (issue 12, item 10)
def test_witmotion_refuses_what_the_probe_saw_through_a_good_checksum():
    # each frame below has a valid checksum, as 1 corrupted frame in 256 does
    still = wit_bytes(0x52, (10, -5, 3, 2500))  # gyro near 0 deg/s, 25 C
    parser = witmotion.WitMotionParser()
    assert len(parser.feed(still, 0.0)) == 1
    cases = {
        "a gyro jump to 1,047 deg/s in one sample": wit_bytes(0x52, (17154, 0, 0, 2500)),
        "-250.7 C": wit_bytes(0x51, (0, 0, 2048, -25070)),
        "a zero quaternion": wit_bytes(0x59, (0, 0, 0, 0)),
        "a non-unit quaternion": wit_bytes(0x59, (16384, 0, 0, 0)),
    }
    for name, frame in cases.items():
        assert parser.feed(frame, 0.01) == [], name
    assert parser.stats.implausible == len(cases) and parser.stats.checksum_errors == 0
    assert "4 implausible" in parser.stats.summary()
    assert len(parser.feed(still, 0.02)) == 1  # the stream goes on
    assert_accounted(parser)


def test_witmotion_drops_a_one_sample_orientation_spike_and_follows_a_real_turn():
    def angle(roll: float) -> bytes:
        return wit_bytes(0x53, (round(roll / 180 * 32768), 0, 0, 0))

    def quat(degrees: float) -> bytes:
        half = math.radians(degrees) / 2
        return wit_bytes(0x59, (round(math.cos(half) * 32767), round(math.sin(half) * 32767), 0, 0))

    parser = witmotion.WitMotionParser()
    rolls = [s.euler_deg[0] for s in parser.feed(angle(10) + angle(11) + angle(178.5) + angle(12), 0.0)]
    assert rolls == pytest.approx([10, 11, 12], abs=0.01)  # the 168.5 degree spike is gone
    turns = parser.feed(quat(0) + quat(168.5) + quat(1), 1.0)
    assert len(turns) == 2 and parser.stats.implausible == 2
    # a real, fast turn: 9 degrees a sample (1,800 deg/s at 200 Hz) passes, in one read or one by one
    assert len(parser.feed(b"".join(quat(1 + k * 9) for k in range(1, 11)), 1.1)) == 10
    assert all(len(parser.feed(quat(91 - k * 9), 1.1 + k * 0.005)) == 1 for k in range(1, 11))
    assert parser.stats.implausible == 2


def test_bno08x_refuses_accel_beyond_8_g_and_angles_beyond_180():
    parser = bno08x.Bno08xRvcParser()
    good = rvc_bytes((0, 1000, 200, -300, 0, 0, 1000))
    assert len(parser.feed(good, 0.0)) == 1
    assert parser.feed(rvc_bytes((1, 1000, 200, -300, 12000, 0, 1000)), 0.01) == []
    assert parser.feed(rvc_bytes((2, 25000, 200, -300, 0, 0, 1000)), 0.02) == []
    assert parser.stats.implausible == 2 and len(parser.feed(good, 0.03)) == 1


def test_thinkgear_refuses_esense_beyond_100_and_signal_beyond_200():
    def packet(payload: bytes) -> bytes:
        return b"\xaa\xaa" + bytes([len(payload)]) + payload + bytes([(~sum(payload)) & 0xFF])

    parser = thinkgear.ThinkGearParser()
    assert parser.feed(packet(bytes([0x04, 150])) + packet(bytes([0x02, 201])) + packet(bytes([0x05, 101])), 0.0) == []
    assert parser.stats.implausible == 3
    (sample,) = parser.feed(packet(bytes([0x02, 200, 0x04, 100, 0x05, 0])), 0.0)
    assert (sample.poor_signal, sample.attention, sample.meditation) == (200, 100, 0)


def test_csv_reads_numbers_strictly_and_refuses_impossible_values():
    parser = ImuCsvParser(columns=("ax", "ay", "az", "gx", "gy", "gz", "temp"))
    not_numbers = [b"1_0,0,1,0,0,0,25", b"nan,0,1,0,0,0,25", b"inf,0,1,0,0,0,25", b"1e308,0,1,0,0,0,25"]
    not_numbers += [b"0x1,0,1,0,0,0,25", b"1e5000,0,1,0,0,0,25", b"\xd9\xa1,0,1,0,0,0,25", b"1.2.3,0,1,0,0,0,25"]
    impossible = [b"17,0,1,0,0,0,25", b"0,0,1,2001,0,0,25", b"0,0,1,0,0,0,-250.7"]
    good = [b"-0.5,.25,1.,0,0,0,25", b"+1e-3,0,1,0,0,0,85"]
    out = parser.feed(b"\n".join(not_numbers + impossible + good) + b"\n", 0.0)
    assert [s.accel_g for s in out] == [(-0.5, 0.25, 1.0), (0.001, 0.0, 1.0)]
    assert parser.stats.framing_errors == len(not_numbers) and parser.stats.implausible == len(impossible)
    assert_accounted(parser)


def test_csv_refuses_non_unit_quaternions_and_euler_beyond_180():
    parser = ImuCsvParser(columns=("qw", "qx", "qy", "qz"))
    assert parser.feed(b"0,0,0,0\n0.5,0,0,0\n", 0.0) == [] and parser.stats.implausible == 2
    assert len(parser.feed(b"0.7071,0.7071,0,0\n", 0.0)) == 1
    euler = ImuCsvParser(columns=("roll", "pitch", "yaw"))
    assert euler.feed(b"181,0,0\n", 0.0) == [] and len(euler.feed(b"179,0,0\n", 0.0)) == 1


def test_thinkgear_run_of_raw_packets_counts_each_and_stops_at_a_bad_one():
    packets = [tg_bytes(EegSample(0.0, "thinkgear", raw=r)) for r in range(-5, 5)]
    bad = bytearray(packets[4])
    bad[-1] ^= 0xFF
    packets[4] = bytes(bad)
    parser = thinkgear.ThinkGearParser()
    out = parser.feed(b"".join(packets) + packets[0][:5], 0.0)
    assert [s.raw for s in out] == [-5, -4, -3, -2, 0, 1, 2, 3, 4]
    assert parser.stats.frames == 9 and parser.stats.checksum_errors == 1 and parser.pending == 5
    assert_accounted(parser)
