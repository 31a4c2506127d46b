"""``joint:`` URLs: two IMUs on two virtual ports as one live joint input."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from devices.base import UnknownSourceError, open_source
from devices.joint_source import JointSource
from rehab.sim.serial_devices import Simulator, _ramp
from rehab.sim.virtual_port import VirtualPort

sys.path.insert(0, str(Path(__file__).parent))
from test_devices_dropout import TOLERANCE_DEG, drive  # noqa: E402


def test_two_simulated_witmotions_give_the_elbow_angle_and_survive_a_dropout():
    # both ports drop out 3-4 s while the elbow bends from 90 to 120 deg and back to 90
    sim = Simulator("witmotion", "elbow", count=2, dropout_every=3.0, dropout_for=1.0, seed=5)
    angles, events = drive(sim, "joint:elbow_left?proximal=witmotion:{}&distal=witmotion:{}&fusion=ahrs", 6.5)
    kinds = [e.kind for e in events]
    assert kinds.count("connected") == 2 and "lost" in kinds and "recalibrate" in kinds
    before = [(t, a.values["elbow_flexion_left"]) for t, a in angles if 1.2 < t < 3.0]
    assert len(before) > 100
    assert max(abs(v - _ramp(t, 120, 4)) for t, v in before) < TOLERANCE_DEG
    after = [(t, a) for t, a in angles if t > 3.9]
    assert len(after) > 100
    for t, a in after:
        value = a.values["elbow_flexion_left"]
        if math.isnan(value):
            assert a.confidence["elbow_flexion_left"] == 0.0
        else:
            assert abs(value - _ramp(t, 120, 4)) <= TOLERANCE_DEG, (t, value)


def test_inner_urls_with_options_are_percent_encoded_and_calibrate_restarts_the_neutral():
    ports = [VirtualPort(), VirtualPort()]
    try:
        inner = [quote(f"witmotion:{p.path}?baud=115200&rate=100", safe=":/?") for p in ports]
        source = open_source(f"joint:knee_right?proximal={inner[0]}&distal={inner[1]}&neutral=0.5")
        assert isinstance(source, JointSource)
        try:
            assert source.url == "joint:knee_right"
            assert source.proximal.url == f"witmotion:{ports[0].path}"
            assert source.tracker.name == "knee_right" and source.tracker.neutral.seconds == 0.5
            assert [e.kind for e in source.status_events()] == ["connected", "connected"]
            source.calibrate()
            assert source.tracker.neutral.value is None
        finally:
            source.close()
    finally:
        for p in ports:
            p.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("joint:ankle_left?proximal=a&distal=b", "needs one of elbow_left"),
        ("joint:elbow_left?distal=witmotion:/x", "needs proximal=URL"),
        ("joint:elbow_left?proximal=witmotion:/x&distal=witmotion:/y&rate=100", "unknown option.*%26"),
        ("joint:elbow_left?proximal=witmotion:/x?segment=head&distal=witmotion:/y", "must not set segment"),
        ("joint:elbow_left?proximal=witmotion:/x&distal=witmotion:/y&fusion=magic", "fusion must be"),
    ],
)
def test_bad_joint_urls_say_what_is_wrong(url, message):
    with pytest.raises(UnknownSourceError, match=message):
        open_source(url)
