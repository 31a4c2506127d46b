"""Simulated devices on virtual serial ports, for everyone without hardware.

A motion is a function of time giving the orientation of the proximal and distal sensor (world
frame NWU: x forward, y the patient's left, z up). Every motion holds the neutral pose for the
first ``NEUTRAL_S`` seconds, so the neutral calibration of a recording sees a still patient.
Protocol encoders turn the motion into the bytes the real device would send.
"""

from __future__ import annotations

import json
import math
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devices import bno08x, thinkgear, witmotion
from devices.orientation import Quat, euler_zyx, q_axis_angle, q_conj, q_mul, q_normalize, q_to_matrix
from devices.ports import registry_dir
from rehab.core.types import EegSample
from rehab.sim.virtual_port import VirtualPort

NEUTRAL_S = 2.0
PROTOCOLS = ("witmotion", "imu-csv", "bno08x-rvc", "thinkgear")
DEFAULT_RATE = {"witmotion": 100.0, "imu-csv": 100.0, "bno08x-rvc": 100.0, "thinkgear": 512.0}

# sensor mountings at neutral (columns: sensor x, y, z in the world), as docs/devices.md asks:
# arm hanging, sensors on the back of the arm (x down the bone, z out of the skin = backwards)
_ARM = q_normalize((0.0, -math.sqrt(0.5), 0.0, math.sqrt(0.5)))
# leg, sensors on the front of thigh and shank (x down the bone, z forwards)
_LEG = q_normalize((0.0, math.sqrt(0.5), 0.0, math.sqrt(0.5)))


def _ramp(t: float, amplitude: float, period: float) -> float:
    """0 during the neutral hold, then a smooth 0 -> amplitude -> 0 cycle."""
    if t < NEUTRAL_S:
        return 0.0
    return amplitude * (1 - math.cos(2 * math.pi * (t - NEUTRAL_S) / period)) / 2


def _swing(t: float, amplitude: float, period: float) -> float:
    """0 during the neutral hold, then a sine -amplitude..amplitude."""
    return 0.0 if t < NEUTRAL_S else amplitude * math.sin(2 * math.pi * (t - NEUTRAL_S) / period)


def _about(q: Quat, axis: tuple[float, float, float], degrees: float) -> Quat:
    return q_mul(q, q_axis_angle(axis, degrees))


Y, X, Z = (0.0, 1.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)

#: motion -> t -> (proximal sensor, distal sensor). Single-sensor protocols stream the distal one.
MOTIONS: dict[str, Callable[[float], tuple[Quat, Quat]]] = {
    # elbow flexion 0..120 deg every 4 s (left arm; +y rotation takes x, the forearm, forwards)
    "elbow": lambda t: (_ARM, _about(_ARM, Y, _ramp(t, 120.0, 4.0))),
    # forearm pronation/supination +-60 deg (left arm: positive twist about x is pronation)
    "forearm": lambda t: (_ARM, _about(_ARM, X, _swing(t, 60.0, 4.0))),
    # knee flexion 0..90 deg every 5 s
    "knee": lambda t: (_LEG, _about(_LEG, Y, _ramp(t, 90.0, 5.0))),
    # headset: head turning +-60 deg every 6 s (positive yaw turns left)
    "neck": lambda t: ((1.0, 0.0, 0.0, 0.0), q_axis_angle(Z, _swing(t, 60.0, 6.0))),
    # chest sensor: slow breathing, trunk pitching 3 deg at 12 breaths a minute
    "breathing": lambda t: ((1.0, 0.0, 0.0, 0.0), q_axis_angle(Y, _swing(t, 3.0, 5.0))),
    "still": lambda t: ((1.0, 0.0, 0.0, 0.0), (1.0, 0.0, 0.0, 0.0)),
}
#: what the single-IMU angles of each motion are called, for the docs and the CLI hint
MOTION_SEGMENT = {
    "elbow": "forearm_left",
    "forearm": "forearm_left",
    "knee": None,
    "neck": "head",
    "breathing": "trunk",
    "still": "trunk",
}
MOTION_JOINT = {"elbow": "elbow_left", "knee": "knee_left"}


@dataclass
class ImuState:
    """What an ideal sensor measures at one instant."""

    q: Quat
    gyro_dps: tuple[float, float, float]
    accel_g: tuple[float, float, float]

    @property
    def euler(self) -> tuple[float, float, float]:
        return euler_zyx(self.q)


def imu_state(motion: Callable[[float], tuple[Quat, Quat]], t: float, distal: bool = True, h: float = 1e-3) -> ImuState:
    index = 1 if distal else 0
    q0, q1 = motion(t)[index], motion(t + h)[index]
    dq = q_mul(q_conj(q0), q1)  # body-frame rotation over h
    if dq[0] < 0:
        dq = (-dq[0], -dq[1], -dq[2], -dq[3])
    angle = 2 * math.atan2(math.sqrt(dq[1] ** 2 + dq[2] ** 2 + dq[3] ** 2), dq[0])
    norm = math.sqrt(dq[1] ** 2 + dq[2] ** 2 + dq[3] ** 2) or 1.0
    rate = math.degrees(angle) / h
    gyro = (dq[1] / norm * rate, dq[2] / norm * rate, dq[3] / norm * rate)
    up = q_to_matrix(q0).T @ [0.0, 0.0, 1.0]  # an accelerometer at rest reads +1 g along "up"
    return ImuState(q0, gyro, (float(up[0]), float(up[1]), float(up[2])))


def _wrap180(degrees: float) -> float:
    return (degrees + 180.0) % 360.0 - 180.0


def _i16(value: float) -> int:
    return max(-32768, min(32767, round(value)))


@dataclass
class Simulator:
    """Streams one protocol and motion to ``count`` virtual ports (2 = proximal and distal IMU)."""

    protocol: str
    motion: str = "elbow"
    rate: float = 0.0
    noise: float = 0.0
    garbage: float = 0.0
    dropout_every: float = 0.0
    dropout_for: float = 1.0
    count: int = 1
    links: list[str] = field(default_factory=list)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {self.protocol!r}")
        if self.motion not in MOTIONS:
            raise ValueError(f"motion must be one of {', '.join(MOTIONS)}, not {self.motion!r}")
        if self.count not in (1, 2):
            raise ValueError("count must be 1 or 2")
        self.rate = self.rate or DEFAULT_RATE[self.protocol]
        self.random = random.Random(self.seed)
        self.ports: list[VirtualPort] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sent = 0
        self._registry: list[Path] = []

    # ---------------------------------------------------------------- pure part: time -> bytes
    def _n(self, scale: float) -> float:
        return self.random.gauss(0.0, self.noise * scale) if self.noise else 0.0

    def frame(self, t: float, distal: bool = True) -> bytes:
        """The bytes one sensor sends for the instant ``t`` (without garbage or dropouts)."""
        if self.protocol == "thinkgear":
            return self._thinkgear(t)
        s = imu_state(MOTIONS[self.motion], t, distal)
        n = self._n
        # noise is added before the wrap, as a real sensor reports angles within +-180
        roll, pitch, yaw = (_wrap180(a + n(1.0)) for a in s.euler)
        accel = tuple(a + n(0.01) for a in s.accel_g)
        gyro = tuple(g + n(1.0) for g in s.gyro_dps)
        if self.protocol == "witmotion":
            w = witmotion
            return (
                w.encode_frame(w.ACCEL, (*(_i16(a / w.ACCEL_SCALE) for a in accel), 2500))  # type: ignore[arg-type]
                + w.encode_frame(w.GYRO, (*(_i16(g / w.GYRO_SCALE) for g in gyro), 2500))  # type: ignore[arg-type]
                + w.encode_frame(w.ANGLE, (*(_i16(a / w.ANGLE_SCALE) for a in (roll, pitch, yaw)), 0))  # type: ignore[arg-type]
                + w.encode_frame(w.QUATERNION, tuple(_i16(c / w.QUAT_SCALE) for c in s.q))  # type: ignore[arg-type]
            )
        if self.protocol == "bno08x-rvc":
            return bno08x.encode_frame(self._sent, yaw, pitch, roll, accel)  # type: ignore[arg-type]
        return ("{:.3f},{:.4f},{:.4f},{:.4f},{:.3f},{:.3f},{:.3f}\n".format(t, *accel, *gyro)).encode()

    def _thinkgear(self, t: float) -> bytes:
        # raw EEG: a 10 Hz alpha rhythm in noise, at the headset's 512 Hz
        raw = round(120 * math.sin(2 * math.pi * 10 * t) + self.random.gauss(0, 40 + 400 * self.noise))
        out = thinkgear.encode_sample(EegSample(t, raw=max(-2048, min(2047, raw))))
        second = int(t * self.rate) % int(self.rate) == 0
        if second:  # once a second, as a MindWave does: signal quality, eSense and band powers
            calm = 0.5 + 0.5 * math.sin(2 * math.pi * t / 30)
            if self.motion == "breathing":
                calm = min(1.0, t / 60)
            bands = tuple(self.random.randrange(1000, 200000) for _ in range(8))
            out += thinkgear.encode_sample(
                EegSample(
                    t,
                    poor_signal=0,
                    attention=round(40 + 30 * (1 - calm)),
                    meditation=round(30 + 60 * calm),
                    bands=bands,
                )
            )
        return out

    def garbage_bytes(self) -> bytes:
        if self.garbage and self.random.random() < self.garbage:
            return bytes(self.random.randrange(256) for _ in range(self.random.randrange(1, 24)))
        return b""

    # ---------------------------------------------------------------- real-time part
    def open(self) -> list[str]:
        links = self.links or [None] * self.count  # type: ignore[list-item]
        self.ports = [VirtualPort(link) for link in links[: self.count]]
        self._register()
        return [p.path for p in self.ports]

    def _register(self) -> None:
        folder = registry_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for i, port in enumerate(self.ports):
            role = "" if self.count == 1 else (" (proximal)" if i == 0 else " (distal)")
            entry = folder / f"{os.getpid()}-{i}.json"
            entry.write_text(
                json.dumps(
                    {
                        "path": port.path,
                        "pid": os.getpid(),
                        "protocol": self.protocol,
                        "description": f"simulated {self.protocol}, motion {self.motion}{role}",
                    }
                )
            )
            self._registry.append(entry)

    def step(self, t: float) -> None:
        """Send everything due at simulation time ``t`` (one tick)."""
        if self.dropout_every:
            phase = t % (self.dropout_every + self.dropout_for)
            unplugged = phase >= self.dropout_every
            for port in self.ports:
                if unplugged:
                    port.unplug()
                elif not port.plugged:
                    port.plug()
        for i, port in enumerate(self.ports):
            port.write(self.garbage_bytes() + self.frame(t, distal=(i == self.count - 1)))
        self._sent += 1

    def run(self, seconds: float | None = None) -> None:
        """Stream in real time until ``stop()`` or ``seconds`` elapse. Batches ticks that fall due
        together, so a 512 Hz headset costs about 100 wake-ups a second, not 512."""
        start = time.monotonic()
        tick = 0
        while not self._stop.is_set():
            elapsed = time.monotonic() - start
            if seconds is not None and elapsed >= seconds:
                break
            while tick / self.rate <= elapsed:
                self.step(tick / self.rate)
                tick += 1
            self._stop.wait(max(0.0, min(0.01, (tick / self.rate) - (time.monotonic() - start))))

    def start(self) -> list[str]:
        paths = self.open()
        self._thread = threading.Thread(target=self.run, name=f"simulate {self.protocol}", daemon=True)
        self._thread.start()
        return paths

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        for port in self.ports:
            port.close()
        for entry in self._registry:
            entry.unlink(missing_ok=True)
