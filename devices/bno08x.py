"""CEVA / Hillcrest BNO080-BNO086 in UART-RVC mode (``bno08x-rvc:`` URLs, 115200 baud, 100 Hz).

Each frame is 19 bytes: ``AA AA index yaw pitch roll ax ay az mi mr reserved sum``: angles are
int16 little-endian in 0.01 degree, acceleration int16 in milli-g, and ``sum`` is the low byte of
the sum of the 16 bytes from ``index`` to ``reserved``. The sensor fuses its own orientation, so
no AHRS runs on this stream.

A frame whose checksum holds is still refused (counted as implausible) when its acceleration is
beyond the BNO08x accelerometer's +-8 g, an angle beyond +-180 degrees (and a little noise), or the orientation turned
faster than a body turns since the last frame (``TurnLimit``).
"""

from __future__ import annotations

import struct

from devices.base import Sample
from devices.parsing import CHECKSUM_ERROR, IMPLAUSIBLE, EulerTurnLimit, SyncFrameParser
from rehab.core.types import ImuSample

FRAME_LEN = 19
RATE_HZ = 100  # UART-RVC sends at a fixed 100 Hz
_BODY = struct.Struct("<Bhhhhhh3x")
#: the sensor's full scale in the frame's integer units: milli-g and hundredths of a degree. The
#: angles wrap at +-180; two degrees more are allowed for noise on a reading taken at the wrap
#: (the simulator adds its noise after the wrap, and a heading of 180.4 is no phantom)
ACCEL_LIMIT_MG = 8000
ANGLE_LIMIT_CENTIDEG = 18200


def encode_frame(index: int, yaw: float, pitch: float, roll: float, accel_g: tuple[float, float, float]) -> bytes:
    """One frame as the sensor sends it (angles in degrees, acceleration in g)."""
    ax, ay, az = (max(-32768, min(32767, round(a * 1000))) for a in accel_g)
    body = _BODY.pack(index & 0xFF, round(yaw * 100), round(pitch * 100), round(roll * 100), ax, ay, az)
    return b"\xaa\xaa" + body + bytes([sum(body) & 0xFF])


class Bno08xRvcParser(SyncFrameParser):
    SYNC = b"\xaa\xaa"
    MIN_FRAME = FRAME_LEN

    def __init__(self, device: str = "bno08x-rvc") -> None:
        super().__init__(device)
        self._turns = EulerTurnLimit(min_interval_s=1.0 / RATE_HZ)

    def read_frame(self, buf: bytearray, i: int, end: int, now: float, out: list[Sample]) -> int:
        if sum(buf[i + 2 : i + 18]) & 0xFF != buf[i + 18]:
            return CHECKSUM_ERROR
        _index, yaw, pitch, roll, ax, ay, az = _BODY.unpack_from(buf, i + 2)
        a, g = ACCEL_LIMIT_MG, ANGLE_LIMIT_CENTIDEG
        if not (
            -a <= ax <= a
            and -a <= ay <= a
            and -a <= az <= a
            and -g <= yaw <= g
            and -g <= pitch <= g
            and -g <= roll <= g
            and self._turns.accept((roll / 100.0, pitch / 100.0, yaw / 100.0), now)
        ):
            return IMPLAUSIBLE
        out.append(
            ImuSample(
                now,
                self.device,
                accel_g=(ax / 1000.0, ay / 1000.0, az / 1000.0),
                euler_deg=(roll / 100.0, pitch / 100.0, yaw / 100.0),
            )
        )
        return FRAME_LEN
