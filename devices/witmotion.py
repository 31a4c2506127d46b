"""WitMotion WT901 / JY901 / HWT901B binary protocol (``witmotion:`` URLs).

Each frame is 11 bytes: ``0x55 type d0..d7 sum`` with four little-endian int16 words and
``sum`` the low byte of bytes 0-9. Every frame type becomes one ImuSample holding only what that
frame carries, so a recording keeps exactly what the device said (angles as it reports them).
Combining accel and gyro for an AHRS is the job of ``devices.orientation``.

Accel (+-16 g), gyro (+-2000 deg/s) and angles (+-180 deg) cannot leave the device's full scale
in this encoding; what can is checked before a frame becomes a sample: the temperature an accel,
gyro or mag frame carries (-40..85 C), a quaternion's length (a zero or non-unit one is no
rotation), how far the orientation turned since the last frame (``TurnLimit``) and how fast the
turn rate changed (``StepLimit``).
"""

from __future__ import annotations

import struct

from devices.base import Sample
from devices.parsing import (
    CHECKSUM_ERROR,
    FRAMING_ERROR,
    IMPLAUSIBLE,
    MAX_ANGULAR_ACCELERATION_DPS2,
    QUATERNION_NORM_TOLERANCE,
    TEMPERATURE_C,
    EulerTurnLimit,
    StepLimit,
    SyncFrameParser,
    TurnLimit,
)
from rehab.core.types import ImuSample

HEADER = 0x55
FRAME_LEN = 11
ACCEL, GYRO, ANGLE, MAG, QUATERNION = 0x51, 0x52, 0x53, 0x54, 0x59
#: frame types the WT901 family defines (time, accel, gyro, angle, mag, port, pressure, GPS...,
#: quaternion, GPS accuracy); a valid checksum on another type byte is a false sync
KNOWN_TYPES = frozenset(range(0x50, 0x5B))
_WITH_TEMPERATURE = frozenset((ACCEL, GYRO, MAG))

_WORDS = struct.Struct("<hhhh")
ACCEL_SCALE = 16.0 / 32768.0
GYRO_SCALE = 2000.0 / 32768.0
ANGLE_SCALE = 180.0 / 32768.0
QUAT_SCALE = 1.0 / 32768.0
#: the plausible ranges in the frame's own integer units, so a frame is checked before decoding
_TEMPERATURE_RAW = (round(TEMPERATURE_C[0] * 100), round(TEMPERATURE_C[1] * 100))
_QUAT_NORM2_RAW = (
    (32768.0 * (1 - QUATERNION_NORM_TOLERANCE)) ** 2,
    (32768.0 * (1 + QUATERNION_NORM_TOLERANCE)) ** 2,
)

#: register writes: ``FF AA reg lo hi``
UNLOCK = bytes([0xFF, 0xAA, 0x69, 0x88, 0xB5])
SAVE = bytes([0xFF, 0xAA, 0x00, 0x00, 0x00])
RATE_REGISTER = 0x03
RATE_CODES = {0.2: 0x01, 0.5: 0x02, 1: 0x03, 2: 0x04, 5: 0x05, 10: 0x06, 20: 0x07, 50: 0x08, 100: 0x09, 200: 0x0B}


def rate_command(hz: float) -> bytes:
    """Bytes that set the output rate (unlock, write RATE, save). Raises ValueError for other rates."""
    code = RATE_CODES.get(hz)
    if code is None:
        raise ValueError(f"WitMotion rates are {', '.join(str(r) for r in RATE_CODES)} Hz, not {hz}")
    return UNLOCK + bytes([0xFF, 0xAA, RATE_REGISTER, code, 0x00]) + SAVE


def encode_frame(kind: int, words: tuple[int, int, int, int]) -> bytes:
    """One frame as the device sends it (used by the simulator and the tests)."""
    body = bytes([HEADER, kind]) + _WORDS.pack(*words)
    return body + bytes([sum(body) & 0xFF])


class WitMotionParser(SyncFrameParser):
    SYNC = bytes([HEADER])
    MIN_FRAME = FRAME_LEN

    def __init__(self, device: str = "witmotion") -> None:
        super().__init__(device)
        self._angles = EulerTurnLimit()
        self._quaternions = TurnLimit()
        self._gyro = StepLimit(MAX_ANGULAR_ACCELERATION_DPS2)

    def read_frame(self, buf: bytearray, i: int, end: int, now: float, out: list[Sample]) -> int:
        kind = buf[i + 1]
        if kind not in KNOWN_TYPES:
            return FRAMING_ERROR
        if sum(buf[i : i + 10]) & 0xFF != buf[i + 10]:
            # a 0x55 inside data looks like a header: the hunt resumes one byte on, not a frame on
            return CHECKSUM_ERROR
        a, b, c, d = _WORDS.unpack_from(buf, i + 2)
        # each kind decoded and checked in one place: this runs for every frame
        if kind == ANGLE:
            euler = (a * ANGLE_SCALE, b * ANGLE_SCALE, c * ANGLE_SCALE)
            if not self._angles.accept(euler, now):
                return IMPLAUSIBLE
            out.append(ImuSample(now, self.device, euler_deg=euler))
        elif kind == QUATERNION:
            quaternion = self._quaternion(a, b, c, d, now)
            if quaternion is None:
                return IMPLAUSIBLE
            out.append(ImuSample(now, self.device, quaternion=quaternion))
        elif kind in _WITH_TEMPERATURE:
            if not _TEMPERATURE_RAW[0] <= d <= _TEMPERATURE_RAW[1]:
                return IMPLAUSIBLE
            if kind == ACCEL:
                out.append(
                    ImuSample(
                        now,
                        self.device,
                        accel_g=(a * ACCEL_SCALE, b * ACCEL_SCALE, c * ACCEL_SCALE),
                        temperature_c=d / 100.0,
                    )
                )
            elif kind == GYRO:
                gyro = (a * GYRO_SCALE, b * GYRO_SCALE, c * GYRO_SCALE)
                if not self._gyro.accept(gyro, now):
                    return IMPLAUSIBLE
                out.append(ImuSample(now, self.device, gyro_dps=gyro, temperature_c=d / 100.0))
            else:
                out.append(ImuSample(now, self.device, mag=(float(a), float(b), float(c)), temperature_c=d / 100.0))
        # other kinds are valid frames we do not use (time, pressure, GPS ...)
        return FRAME_LEN

    def _quaternion(self, a: int, b: int, c: int, d: int, now: float) -> tuple[float, float, float, float] | None:
        """The quaternion as the device sent it, or None when it is not of unit length (zero
        included) or turned faster than a body turns."""
        norm2 = a * a + b * b + c * c + d * d
        if not _QUAT_NORM2_RAW[0] <= norm2 <= _QUAT_NORM2_RAW[1]:
            return None
        scale = 1.0 / norm2**0.5
        if not self._quaternions.accept((a * scale, b * scale, c * scale, d * scale), now):
            return None
        return (a * QUAT_SCALE, b * QUAT_SCALE, c * QUAT_SCALE, d * QUAT_SCALE)
