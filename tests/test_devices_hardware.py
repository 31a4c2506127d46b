"""The reader and parser checks against a real device, opt-in:

    pytest tests/test_devices_hardware.py --device-url witmotion:/dev/ttyUSB0?baud=115200

Without ``--device-url`` every test here is skipped; the same checks run on simulators elsewhere.
The device must be switched on and streaming; nothing is written to it.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from urllib.parse import urlencode

import pytest
import serial

from devices.base import SourceUrl, open_source
from devices.serial_source import SerialSource
from rehab.core.types import EegSample, ImuSample

READ_S = 2.0


def pytest_generate_tests(metafunc):
    if "device_url" in metafunc.fixturenames:
        urls = metafunc.config.getoption("--device-url")
        metafunc.parametrize(
            "device_url",
            urls or [pytest.param(None, marks=pytest.mark.skip(reason="hardware tests are opt-in: --device-url URL"))],
        )


def _serial(device_url: str) -> SerialSource:
    source = open_source(device_url)
    if not isinstance(source, SerialSource):
        source.close()
        pytest.skip(f"{device_url} is not a serial device")
    return source


def _fresh_parser(device_url: str):
    """A parser configured exactly as the URL asks (columns, units), on a loop:// port nobody writes to."""
    url = SourceUrl.parse(device_url)
    source = _serial(f"{url.scheme}:loop://?{urlencode(url.options)}")
    source.close()
    return source.parser


def test_reader_delivers_stamped_valid_samples(device_url):
    opened = time.monotonic()
    source = _serial(device_url)
    try:
        assert [e.kind for e in source.status_events()] == ["connected"]
        samples = []
        deadline = opened + 5.0
        while len(samples) < 20 and time.monotonic() < deadline:
            samples.extend(source.poll(time.monotonic()))
            time.sleep(0.01)
        assert len(samples) >= 20, source.diagnosis(time.monotonic() + 10) or "too few samples"
        stamps = [s.t for s in samples]
        assert stamps == sorted(stamps) and opened <= stamps[0] and stamps[-1] <= time.monotonic()
        for sample in samples:
            assert isinstance(sample, ImuSample | EegSample)
            numbers = [v for v in dataclasses.astuple(sample)[2:] if v is not None]
            flat = [x for v in numbers for x in (v if isinstance(v, tuple) else (v,)) if isinstance(x, float)]
            assert all(math.isfinite(x) for x in flat)
        assert source.stats.frames > 0 and source.diagnosis(time.monotonic()) is None
    finally:
        source.close()


def test_parser_decodes_real_bytes_the_same_under_any_chunking_and_corruption(device_url):
    url = SourceUrl.parse(device_url)
    baud = int(float(url.options.get("baud", _serial_default_baud(device_url))))
    with serial.serial_for_url(url.target, baudrate=baud, timeout=0.1) as port:
        data = bytearray()
        end = time.monotonic() + READ_S
        while time.monotonic() < end:
            data += port.read(4096)
    assert data, f"no bytes from {url.target} in {READ_S} s"
    whole = _fresh_parser(device_url).feed(bytes(data), 0.0)
    assert whole, "no valid frame in what the device sent: wrong baud rate or protocol?"
    rng = random.Random(0)
    for _ in range(3):
        parser = _fresh_parser(device_url)
        got, i = [], 0
        while i < len(data):
            step = rng.randrange(1, 200)
            got += parser.feed(bytes(data[i : i + step]), 0.0)
            i += step
        assert got == whole
    corrupt = bytearray(data)
    for _ in range(5):  # flip bytes: never raises, loses at most the frames it touched (plus a line each)
        corrupt[rng.randrange(len(corrupt))] ^= 0xFF
    parser = _fresh_parser(device_url)
    assert len(parser.feed(bytes(corrupt), 0.0)) >= len(whole) - 10


def _serial_default_baud(device_url: str) -> int:
    source = _serial(device_url)
    source.close()
    return source.baud
