"""Text IMU streams from Arduino sketches (MPU6050, ICM-20948 ...; ``imu-csv:`` URLs).

Each line is comma-separated numbers such as ``t,ax,ay,az,gx,gy,gz``. Sketches differ in column
order and units, and a wrong guess turns g into m/s^2 silently, so both are declared options:
``columns=t,ax,ay,az,gx,gy,gz&accel=g|mps2&gyro=dps|rads``. A column named ``_`` is ignored.
A line that does not parse (a banner, a half line at start-up, noise) is a framing error.

Numbers are read strictly: plain decimals with an optional exponent and at most ``MAX_MAGNITUDE``
(Python's ``float`` would also take ``1_0``, ``nan``, ``inf`` and ``1e308``, and a noisy line then
became 10 g). A line that parses but describes what no IMU on a body reports (beyond +-16 g or
+-2000 deg/s, an angle beyond +-180, a temperature outside -40..85 C, a non-unit quaternion, a
turn, or a change of turn rate, faster than a body makes) is counted as implausible and not
delivered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from devices.base import Sample
from devices.parsing import (
    MAX_ANGULAR_ACCELERATION_DPS2,
    BufferedParser,
    EulerTurnLimit,
    StepLimit,
    TurnLimit,
    plausible_temperature,
    unit_quaternion,
    within,
)
from rehab.core.errors import UsageError
from rehab.core.types import ImuSample

DEFAULT_COLUMNS = ("t", "ax", "ay", "az", "gx", "gy", "gz")
#: column name -> (field, index within the field)
KNOWN_COLUMNS = {
    "ax": ("accel", 0),
    "ay": ("accel", 1),
    "az": ("accel", 2),
    "gx": ("gyro", 0),
    "gy": ("gyro", 1),
    "gz": ("gyro", 2),
    "mx": ("mag", 0),
    "my": ("mag", 1),
    "mz": ("mag", 2),
    "roll": ("euler", 0),
    "pitch": ("euler", 1),
    "yaw": ("euler", 2),
    "qw": ("quat", 0),
    "qx": ("quat", 1),
    "qy": ("quat", 2),
    "qz": ("quat", 3),
    "temp": ("temp", 0),
    "t": ("time", 0),
    "_": ("skip", 0),
}
ACCEL_UNITS = {"g": 1.0, "mps2": 1.0 / 9.80665}
GYRO_UNITS = {"dps": 1.0, "rads": 180.0 / math.pi}
#: a longer run without a newline is not this protocol; drop it rather than buffer forever
MAX_LINE = 512
#: a number as a sketch prints it: sign, digits with at most one point, an optional short exponent
NUMBER = re.compile(rb"[+-]?(?:[0-9]{1,20}(?:\.[0-9]{0,20})?|\.[0-9]{1,20})(?:[eE][+-]?[0-9]{1,3})?")
#: larger than any value a sketch sends (a millis() time stamp wraps at 4.3e9)
MAX_MAGNITUDE = 1e10
#: the full scale of the IMUs these sketches read (MPU6050, ICM-20948, LSM6DS3: +-16 g,
#: +-2000 deg/s); magnetometer units vary by sketch, so only a raw 16-bit count's range is sure
ACCEL_LIMIT_G = 16.0
GYRO_LIMIT_DPS = 2000.0
ANGLE_LIMIT_DEG = 180.0
MAG_LIMIT = 32768.0


def strict_float(text: bytes) -> float | None:
    """The number ``text`` spells in plain decimal notation, or None (see ``NUMBER``)."""
    if NUMBER.fullmatch(text) is None:
        return None
    value = float(text)
    return value if abs(value) <= MAX_MAGNITUDE else None


class CsvConfigError(UsageError, ValueError):
    """The declared columns or units are not usable."""


class ImuCsvParser(BufferedParser):
    def __init__(
        self,
        columns: Sequence[str] = DEFAULT_COLUMNS,
        accel: str = "g",
        gyro: str = "dps",
        device: str = "imu-csv",
    ) -> None:
        unknown = [c for c in columns if c not in KNOWN_COLUMNS]
        if unknown:
            raise CsvConfigError(f"unknown column(s) {', '.join(unknown)}; known: {', '.join(KNOWN_COLUMNS)}")
        if accel not in ACCEL_UNITS:
            raise CsvConfigError(f"accel unit must be one of {', '.join(ACCEL_UNITS)}, not {accel!r}")
        if gyro not in GYRO_UNITS:
            raise CsvConfigError(f"gyro unit must be one of {', '.join(GYRO_UNITS)}, not {gyro!r}")
        fields = {KNOWN_COLUMNS[c][0] for c in columns}
        for name, size in (("accel", 3), ("gyro", 3), ("mag", 3), ("euler", 3), ("quat", 4)):
            have = sum(1 for c in columns if KNOWN_COLUMNS[c][0] == name)
            if have not in (0, size):
                raise CsvConfigError(f"columns give {have} of the {size} {name} axes")
        if not fields & {"accel", "gyro", "mag", "euler", "quat"}:
            raise CsvConfigError("columns name no sensor values")
        self.columns = tuple(columns)
        self._slots = [KNOWN_COLUMNS[c] for c in columns]
        self._accel_scale = ACCEL_UNITS[accel]
        self._gyro_scale = GYRO_UNITS[gyro]
        self._angles = EulerTurnLimit()
        self._quaternions = TurnLimit()
        self._gyro = StepLimit(MAX_ANGULAR_ACCELERATION_DPS2)
        super().__init__(device)

    def parse_line(self, line: bytes, now: float) -> ImuSample | None:
        """The sample a line describes, or None when it is not a valid line."""
        parts = line.split(b",")
        if len(parts) != len(self._slots):
            return None
        values: dict[str, list[float]] = {}
        for (name, index), text in zip(self._slots, parts, strict=True):
            if name == "skip":
                continue
            value = strict_float(text.strip())
            if value is None:
                return None
            values.setdefault(name, [0.0, 0.0, 0.0, 0.0])[index] = value
        accel = values.get("accel")
        gyro = values.get("gyro")
        mag = values.get("mag")
        euler = values.get("euler")
        quat = values.get("quat")
        temp = values.get("temp")
        a, g = self._accel_scale, self._gyro_scale
        return ImuSample(
            now,
            self.device,
            accel_g=None if accel is None else (accel[0] * a, accel[1] * a, accel[2] * a),
            gyro_dps=None if gyro is None else (gyro[0] * g, gyro[1] * g, gyro[2] * g),
            mag=None if mag is None else (mag[0], mag[1], mag[2]),
            euler_deg=None if euler is None else (euler[0], euler[1], euler[2]),
            quaternion=None if quat is None else (quat[0], quat[1], quat[2], quat[3]),
            temperature_c=None if temp is None else temp[0],
        )

    def plausible(self, s: ImuSample) -> bool:
        """Within the sensors' full scale, a unit quaternion, and no faster turn than a body makes."""
        if not (
            (s.accel_g is None or within(s.accel_g, ACCEL_LIMIT_G))
            and (s.gyro_dps is None or within(s.gyro_dps, GYRO_LIMIT_DPS))
            and (s.mag is None or within(s.mag, MAG_LIMIT))
            and (s.euler_deg is None or within(s.euler_deg, ANGLE_LIMIT_DEG))
            and (s.temperature_c is None or plausible_temperature(s.temperature_c))
        ):
            return False
        if s.gyro_dps is not None and not self._gyro.accept(s.gyro_dps, s.t):
            return False
        if s.quaternion is not None:
            q = unit_quaternion(*s.quaternion)
            if q is None or not self._quaternions.accept(q, s.t):
                return False
        return s.euler_deg is None or self._angles.accept(s.euler_deg, s.t)

    def _consume(self, buf: bytearray, now: float, out: list[Sample]) -> int:
        stats = self.stats
        start = 0
        while True:
            newline = buf.find(b"\n", start)
            if newline < 0:
                break
            line = bytes(buf[start:newline]).strip()
            if line:
                sample = self.parse_line(line, now) if len(line) <= MAX_LINE else None
                if sample is None:
                    stats.framing_errors += 1
                    stats.bytes_skipped += newline + 1 - start
                elif not self.plausible(sample):
                    stats.implausible += 1
                    stats.bytes_skipped += newline + 1 - start
                else:
                    stats.frames += 1
                    stats.frame_bytes += newline + 1 - start
                    out.append(sample)
            else:
                stats.bytes_skipped += newline + 1 - start  # blank line: harmless, not an error
            start = newline + 1
        if len(buf) - start > MAX_LINE:
            stats.framing_errors += 1
            stats.bytes_skipped += len(buf) - start
            start = len(buf)
        return start
