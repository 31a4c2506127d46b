"""CEVA / Hillcrest BNO080-BNO086 in UART-RVC mode (``bno08x-rvc:`` URLs, 115200 baud, 100 Hz).

Each frame is 19 bytes: ``AA AA index yaw pitch roll ax ay az mi mr reserved sum``: angles are
int16 little-endian in 0.01 degree, acceleration int16 in milli-g, and ``sum`` is the low byte of
the sum of the 16 bytes from ``index`` to ``reserved``. The sensor fuses its own orientation, so
no AHRS runs on this stream.
"""

from __future__ import annotations

import struct

from devices.base import Sample
from devices.parsing import CHECKSUM_ERROR, SyncFrameParser
from rehab.core.types import ImuSample

FRAME_LEN = 19
_BODY = struct.Struct("<Bhhhhhh3x")


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

    def read_frame(self, buf: bytearray, i: int, end: int, now: float, out: list[Sample]) -> int:
        if sum(buf[i + 2 : i + 18]) & 0xFF != buf[i + 18]:
            return CHECKSUM_ERROR
        _index, yaw, pitch, roll, ax, ay, az = _BODY.unpack_from(buf, i + 2)
        out.append(
            ImuSample(
                now,
                self.device,
                accel_g=(ax / 1000.0, ay / 1000.0, az / 1000.0),
                euler_deg=(roll / 100.0, pitch / 100.0, yaw / 100.0),
            )
        )
        return FRAME_LEN
