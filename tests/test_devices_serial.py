"""The reader thread against a real pty: data, unplug, replug, settings writes, bad ports.

Waits are bounded polls (``wait_for``), never fixed sleeps: each returns as soon as its condition
holds and fails the test after a deadline.
"""

from __future__ import annotations

import errno
import time

import pytest
import serial

from devices import witmotion
from devices.base import UnknownSourceError, open_source
from devices.serial_source import SerialSource, explain_open_error
from devices.thinkgear import encode_sample
from rehab.core.types import EegSample, ImuSample
from rehab.sim.virtual_port import VirtualPort


def wait_for(condition, timeout: float = 3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError("condition not met in time")


def collect(source, count: int, timeout: float = 3.0) -> list:
    got: list = []

    def enough():
        got.extend(source.poll(time.monotonic()))
        return len(got) >= count

    wait_for(enough, timeout)
    return got


@pytest.fixture
def port():
    p = VirtualPort()
    yield p
    p.close()


ANGLE = witmotion.encode_frame(witmotion.ANGLE, (8192, -4096, 16384, 0))  # 45, -22.5, 90 deg


def test_reads_frames_from_a_pty_and_stamps_read_time(port):
    source = open_source(f"witmotion:{port.path}?baud=115200")
    try:
        assert [e.kind for e in source.status_events()] == ["connected"]
        before = time.monotonic()
        port.write(ANGLE * 3)
        samples = collect(source, 3)
        assert [s.euler_deg for s in samples] == [(45.0, -22.5, 90.0)] * 3
        assert all(before <= s.t <= time.monotonic() for s in samples)
        assert source.stats.frames == 3
    finally:
        source.close()


def test_unplug_reports_lost_then_reconnects_with_the_same_path(port):
    source = open_source(f"thinkgear:{port.path}")
    try:
        source.status_events()
        port.write(encode_sample(EegSample(0.0, attention=40)))
        assert collect(source, 1)[0].attention == 40
        port.unplug()
        lost = wait_for(lambda: [e for e in source.status_events() if e.kind == "lost"])
        assert port.path in lost[0].detail
        assert not source.connected
        port.plug()
        wait_for(lambda: [e for e in source.status_events() if e.kind == "reconnected"])
        port.write(encode_sample(EegSample(0.0, attention=77, meditation=12)))
        (sample,) = collect(source, 1)
        assert (sample.attention, sample.meditation) == (77, 12)
    finally:
        source.close()


def test_settings_are_written_on_connect_and_on_demand(port):
    source = open_source(f"witmotion:{port.path}?rate=200")
    try:
        expected = witmotion.rate_command(200)
        got = bytearray()
        wait_for(lambda: got.extend(port.read()) or bytes(got) == expected)
        assert source.write(witmotion.SAVE)
        wait_for(lambda: port.read() == witmotion.SAVE)
    finally:
        source.close()


def test_loop_url_round_trips_a_write():
    source = open_source("witmotion:loop://")
    try:
        assert source.write(ANGLE)
        assert collect(source, 1)[0].euler_deg == (45.0, -22.5, 90.0)
    finally:
        source.close()


def test_wrong_protocol_is_diagnosed_with_what_was_seen(port):
    source = SerialSource("witmotion:x", port.path, witmotion.WitMotionParser(), 9600, no_frames_after_s=0.2)
    try:
        assert source.diagnosis(time.monotonic()) is None
        port.write(b"\xaa\xaa\x04\x02\x00\x04\x10" * 20)  # ThinkGear bytes on a WitMotion port
        wait_for(lambda: source.stats.bytes_in >= 140)
        text = wait_for(lambda: source.diagnosis(time.monotonic()))
        assert "no valid frames" in text and "aa aa 04" in text and "baud" in text
    finally:
        source.close()


def test_silence_is_diagnosed_as_no_data(port):
    source = SerialSource("thinkgear:x", port.path, witmotion.WitMotionParser(), 57600, no_frames_after_s=0.05)
    try:
        assert "no data" in wait_for(lambda: source.diagnosis(time.monotonic()))
    finally:
        source.close()


def test_missing_port_and_permission_errors_say_how_to_fix(tmp_path):
    with pytest.raises(UnknownSourceError, match="not found.*rehab devices list"):
        open_source(f"witmotion:{tmp_path / 'ttyUSB9'}")
    denied = serial.SerialException(errno.EACCES, "could not open port /dev/ttyUSB0: [Errno 13] Permission denied")
    assert "dialout" in explain_open_error("/dev/ttyUSB0", denied)


def test_bad_options_are_rejected_with_the_known_ones(port):
    with pytest.raises(UnknownSourceError, match="unknown option.*known: baud"):
        open_source(f"thinkgear:{port.path}?speed=3")
    with pytest.raises(UnknownSourceError, match="rates are"):
        open_source(f"witmotion:{port.path}?rate=7")
    with pytest.raises(UnknownSourceError, match="unknown column"):
        open_source(f"imu-csv:{port.path}?columns=ax,ay,q")


def test_imu_csv_with_declared_units_over_a_pty(port):
    source = open_source(f"imu-csv:{port.path}?columns=_,ax,ay,az&accel=mps2")
    try:
        port.write(b"12,0,0,9.80665\n")
        (sample,) = collect(source, 1)
        assert isinstance(sample, ImuSample) and sample.accel_g == (0.0, 0.0, 1.0)
    finally:
        source.close()
