"""Text IMU streams from Arduino sketches (MPU6050, ICM-20948 ...; ``imu-csv:`` URLs).

Each line is comma-separated numbers such as ``t,ax,ay,az,gx,gy,gz``. Sketches differ in column
order and units, and a wrong guess turns g into m/s^2 silently, so both are declared options:
``columns=t,ax,ay,az,gx,gy,gz&accel=g|mps2&gyro=dps|rads``. A column named ``_`` is ignored.
A line that does not parse (a banner, a half line at start-up, noise) is a framing error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from devices.base import Sample
from devices.parsing import BufferedParser
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
        super().__init__(device)

    def parse_line(self, line: bytes, now: float) -> ImuSample | None:
        """The sample a line describes, or None when it is not a valid line."""
        parts = line.split(b",")
        if len(parts) != len(self._slots):
            return None
        values: dict[str, list[float]] = {}
        try:
            for (name, index), text in zip(self._slots, parts, strict=True):
                if name == "skip":
                    continue
                value = float(text)
                if not math.isfinite(value):
                    return None
                values.setdefault(name, [0.0, 0.0, 0.0, 0.0])[index] = value
        except ValueError:
            return None
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
