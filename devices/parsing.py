"""What every byte-stream parser shares: the statistics it keeps and the interface it offers.

A parser is fed arbitrary chunks as they arrive from a port (a frame may be split anywhere) and
returns the samples completed so far. It never raises on bytes: whatever it cannot use is counted,
so a user with the wrong baud rate or protocol can be told what was seen instead of a traceback.
"""

from __future__ import annotations

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
    bytes_skipped: int = 0
    #: the first bytes ever seen, kept so "no valid frames" can show what arrived instead
    head: bytes = field(default=b"", repr=False)

    def saw(self, data: bytes) -> None:
        self.bytes_in += len(data)
        if len(self.head) < 32:
            self.head = (self.head + bytes(data))[:32]

    @property
    def dropped(self) -> int:
        return self.checksum_errors + self.framing_errors

    def summary(self) -> str:
        return (
            f"{self.bytes_in} bytes, {self.frames} frames, {self.checksum_errors} checksum errors, "
            f"{self.framing_errors} framing errors, {self.bytes_skipped} bytes skipped"
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
        has one. Returns the frame's length, or NEED_MORE, CHECKSUM_ERROR, FRAMING_ERROR or
        NOT_A_START."""
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
