"""What every byte-stream parser shares: the statistics it keeps and the interface it offers.

A parser is fed arbitrary chunks as they arrive from a port (a frame may be split anywhere) and
returns the samples completed so far. It never raises on bytes: whatever it cannot use is counted,
so a user with the wrong baud rate or protocol can be told what was seen instead of a traceback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from devices.base import Sample


@dataclass
class ParserStats:
    """Running counts. ``bytes_skipped`` counts bytes discarded while hunting for the next frame."""

    bytes_in: int = 0
    frames: int = 0
    #: bytes inside accepted frames; bytes_in == frame_bytes + bytes_skipped + bytes still pending
    frame_bytes: int = 0
    checksum_errors: int = 0
    framing_errors: int = 0
    #: frames whose checksum held but whose values no sensor on a body reports (out of the
    #: device's full scale, a non-unit quaternion, a turn faster than a body turns): an 8-bit
    #: checksum passes about 1 corrupted frame in 256, and these are they
    implausible: int = 0
    bytes_skipped: int = 0
    #: the first bytes ever seen, kept so "no valid frames" can show what arrived instead
    head: bytes = field(default=b"", repr=False)

    def saw(self, data: bytes) -> None:
        self.bytes_in += len(data)
        if len(self.head) < 32:
            self.head = (self.head + bytes(data))[:32]

    @property
    def dropped(self) -> int:
        return self.checksum_errors + self.framing_errors + self.implausible

    def summary(self) -> str:
        return (
            f"{self.bytes_in} bytes, {self.frames} frames, {self.checksum_errors} checksum errors, "
            f"{self.framing_errors} framing errors, {self.implausible} implausible, "
            f"{self.bytes_skipped} bytes skipped"
        )


class BufferedParser:
    """The state every parser keeps: its device name, statistics and the bytes held back as the
    possible start of a frame. ``feed`` is written once here; a subclass says in ``_consume`` how
    the buffered bytes divide into frames."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.stats = ParserStats()
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held back as the possible start of a frame."""
        return len(self._buf)

    def feed(self, data: bytes, now: float) -> list[Sample]:
        self.stats.saw(data)
        buf = self._buf
        buf += data
        out: list[Sample] = []
        del buf[: self._consume(buf, now, out)]
        return out

    def _consume(self, buf: bytearray, now: float, out: list[Sample]) -> int:
        """Append to ``out`` the samples the start of ``buf`` completes, counting every byte in the
        statistics, and return how many bytes were used up (the rest waits for the next chunk)."""
        raise NotImplementedError


#: what ``SyncFrameParser.read_frame`` returns when the bytes at a sync are not a frame; a
#: positive value is the length of an accepted frame
NEED_MORE = 0  # the frame may be complete once more bytes arrive: keep it
CHECKSUM_ERROR = -1  # a whole frame whose checksum is wrong: skip one byte and hunt again
FRAMING_ERROR = -2  # a frame whose header or layout is impossible: skip one byte and hunt again
NOT_A_START = -3  # no error, the frame starts further on (a longer run of sync bytes): skip one byte
#: a whole frame with a good checksum and impossible values: most likely a corrupted frame the
#: checksum let through, or a false sync inside data; skip one byte and hunt again
IMPLAUSIBLE = -4


class SyncFrameParser(BufferedParser):
    """A binary protocol whose frames start with fixed ``SYNC`` bytes. The hunt for the next sync,
    the statistics and the resync after a bad frame are here; a subclass reads one frame."""

    SYNC: bytes = b""
    #: bytes from the sync on that ``read_frame`` needs to decide anything: a shorter tail waits
    #: for the next chunk without a call (a chunk usually ends inside a frame)
    MIN_FRAME: int = 1

    def read_frame(self, buf: bytearray, i: int, end: int, now: float, out: list[Sample]) -> int:
        """Read the frame starting with the sync at ``buf[i]`` (``buf[end]`` is the first byte not
        yet received; at least MIN_FRAME bytes are there), appending its sample to ``out`` if it
        has one. Returns the frame's length, or NEED_MORE, CHECKSUM_ERROR, FRAMING_ERROR,
        NOT_A_START or IMPLAUSIBLE. (It may accept a run of whole frames at once: it returns their
        total length and adds all but one of them to ``stats.frames`` itself.)"""
        raise NotImplementedError

    def _consume(self, buf: bytearray, now: float, out: list[Sample]) -> int:
        stats = self.stats
        # the plain function, called with self: cheaper per frame than a bound method
        sync, min_frame, read_frame = self.SYNC, self.MIN_FRAME, type(self).read_frame
        # the counters that change on every frame live in locals: this loop is the hot path
        frames = frame_bytes = skipped = 0
        i, end = 0, len(buf)
        while True:
            start = buf.find(sync, i)
            if start < 0:
                # keep a tail that may be the first bytes of the next sync
                keep = end - _sync_prefix_at_end(buf, i, end, sync)
                skipped += keep - i
                i = keep
                break
            skipped += start - i
            i = start
            if end - i < min_frame:
                break
            used = read_frame(self, buf, i, end, now, out)
            if used > 0:
                frames += 1
                frame_bytes += used
                i += used
            elif used == NEED_MORE:
                break
            else:
                if used == CHECKSUM_ERROR:
                    stats.checksum_errors += 1
                elif used == FRAMING_ERROR:
                    stats.framing_errors += 1
                elif used == IMPLAUSIBLE:
                    stats.implausible += 1
                skipped += 1
                i += 1
        stats.frames += frames
        stats.frame_bytes += frame_bytes
        stats.bytes_skipped += skipped
        return i


def _sync_prefix_at_end(buf: bytearray, i: int, end: int, sync: bytes) -> int:
    """How many of the bytes ``buf[i:end]`` ends with are the start of ``sync`` (never all of it)."""
    for size in range(min(len(sync) - 1, end - i), 0, -1):
        if buf[end - size : end] == sync[:size]:
            return size
    return 0


# ---------------------------------------------------------------- plausibility
#: what no sensor worn on a body reports, whatever its protocol allows: the temperature range
#: the IMUs are specified for (WitMotion, BNO08x, MPU6050, ICM-20948: -40..85 C) and how far a
#: quaternion may be from unit length after the device's 16-bit (or text) rounding
TEMPERATURE_C = (-40.0, 85.0)
QUATERNION_NORM_TOLERANCE = 0.05
#: no body segment turns faster than a gyroscope's full scale; faster is a corrupted frame
MAX_TURN_DPS = 2000.0
#: above the angular acceleration of fast voluntary limb movements (elbow and knee reach about
#: 10^4 deg/s^2; a throw 10^5); a gyro reading changing faster is a corrupted frame
MAX_ANGULAR_ACCELERATION_DPS2 = 100_000.0
#: the fastest output rate of the devices read here (WitMotion 200 Hz): samples that arrive in one
#: read share its time stamp, so each is allowed at least this long to have turned (a device with
#: a slower fixed rate passes its own)
MIN_SAMPLE_INTERVAL_S = 1.0 / 200.0


def quaternion_from_euler(roll: float, pitch: float, yaw: float) -> tuple[float, float, float, float]:
    """Aerospace ZYX (yaw, then pitch, then roll; degrees), as the devices report them."""
    hr, hp, hy = math.radians(roll) / 2, math.radians(pitch) / 2, math.radians(yaw) / 2
    cr, sr, cp, sp, cy, sy = math.cos(hr), math.sin(hr), math.cos(hp), math.sin(hp), math.cos(hy), math.sin(hy)
    return (
        cr * cp * cy + sr * sp * sy,
        sr * cp * cy - cr * sp * sy,
        cr * sp * cy + sr * cp * sy,
        cr * cp * sy - sr * sp * cy,
    )


class JumpLimit:
    """Refuses a reading the body could not have reached since the last accepted one, in the time
    between them (at least ``min_interval_s``): a one-sample spike is dropped while a real
    movement, however fast a patient makes it, passes. A refused reading is kept as a candidate:
    when the next one agrees with it, the sensor really is there (it was moved while frames were
    lost, or the reference was itself a corrupted frame) and it is believed from then on, so one
    bad reference costs one sample, never a frozen game. A subclass says what "close" means."""

    __slots__ = ("_last", "_t", "_candidate", "_candidate_t", "min_interval_s")

    def __init__(self, min_interval_s: float = MIN_SAMPLE_INTERVAL_S) -> None:
        self._last: tuple[float, ...] | None = None
        self._t = 0.0
        self._candidate: tuple[float, ...] | None = None
        self._candidate_t = 0.0
        self.min_interval_s = min_interval_s

    def accept(self, value: tuple[float, ...], now: float) -> bool:
        """True when ``value`` is plausible (and then it becomes the reference)."""
        if self._last is not None and not self.close(value, self._last, max(now - self._t, self.min_interval_s)):
            candidate = self._candidate
            if candidate is None or not self.close(value, candidate, max(now - self._candidate_t, self.min_interval_s)):
                self._candidate, self._candidate_t = value, now
                return False
        self._last, self._t, self._candidate = value, now, None
        return True

    def close(self, value: tuple[float, ...], last: tuple[float, ...], seconds: float) -> bool:
        raise NotImplementedError


class TurnLimit(JumpLimit):
    """Orientations (unit quaternions) turning no faster than ``MAX_TURN_DPS``. Comparing the
    rotation between them rather than Euler angles keeps the wrap at +-180 degrees and gimbal lock
    from looking like a jump."""

    __slots__ = ()

    def close(self, value: tuple[float, ...], last: tuple[float, ...], seconds: float) -> bool:
        allowed = MAX_TURN_DPS * seconds
        if allowed >= 180.0:
            return True
        dot = abs(value[0] * last[0] + value[1] * last[1] + value[2] * last[2] + value[3] * last[3])
        # rotation angle = 2 acos(|dot|): compare cosines rather than take an acos per sample
        return dot >= math.cos(math.radians(allowed) / 2)


class EulerTurnLimit(TurnLimit):
    """Orientations given as (roll, pitch, yaw) degrees, judged like ``TurnLimit``. The rotation
    between two orientations is never more than the sum of their Euler angle changes (each taken
    the short way round), so that sum, without any trigonometry, settles the common case; only a
    larger change (a turn through gimbal lock, where Euler angles leap while the body barely moves,
    or a real jump) is compared as quaternions."""

    __slots__ = ()

    def close(self, value: tuple[float, ...], last: tuple[float, ...], seconds: float) -> bool:
        allowed = MAX_TURN_DPS * seconds
        roll, pitch, yaw = abs(value[0] - last[0]), abs(value[1] - last[1]), abs(value[2] - last[2])
        if roll + pitch + yaw <= allowed:  # the common case: a small change, not across the wrap
            return True
        change = sum(360.0 - d if d > 180.0 else d for d in (roll, pitch, yaw))
        if change <= allowed:
            return True
        return super().close(quaternion_from_euler(*value), quaternion_from_euler(*last), seconds)


class StepLimit(JumpLimit):
    """Three-axis readings whose every axis changes no faster than ``per_second`` (a gyroscope's
    rate: a limb's angular acceleration is bounded, a 10 -> 1000 deg/s jump in 5 ms is a corrupted
    frame)."""

    __slots__ = ("per_second",)

    def __init__(self, per_second: float, min_interval_s: float = MIN_SAMPLE_INTERVAL_S) -> None:
        super().__init__(min_interval_s)
        self.per_second = per_second

    def close(self, value: tuple[float, ...], last: tuple[float, ...], seconds: float) -> bool:
        allowed = self.per_second * seconds
        x, y, z = value
        u, v, w = last
        return -allowed <= x - u <= allowed and -allowed <= y - v <= allowed and -allowed <= z - w <= allowed


def unit_quaternion(w: float, x: float, y: float, z: float) -> tuple[float, float, float, float] | None:
    """The quaternion normalised, or None when it is too far from unit length to be a rotation
    (zero included)."""
    norm = math.sqrt(w * w + x * x + y * y + z * z)
    if abs(norm - 1.0) > QUATERNION_NORM_TOLERANCE:
        return None
    return (w / norm, x / norm, y / norm, z / norm)


def within(values: tuple[float, ...], limit: float) -> bool:
    """Every value finite and within +-limit."""
    return all(-limit <= v <= limit for v in values)


def plausible_temperature(celsius: float) -> bool:
    return TEMPERATURE_C[0] <= celsius <= TEMPERATURE_C[1]


class Parser(Protocol):
    """Turns a byte stream into samples. ``now`` stamps every sample completed by this chunk."""

    stats: ParserStats
    device: str

    @property
    def pending(self) -> int:
        """Bytes held back as the possible start of a frame."""
        ...

    def feed(self, data: bytes, now: float) -> list[Sample]: ...


#: bytes kept at most while waiting for the rest of a frame; more means the stream is not ours
MAX_PENDING = 4096
