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
    """The state every framed-protocol parser keeps: its device name, statistics and the bytes
    held back as the possible start of a frame. Subclasses implement ``feed``."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.stats = ParserStats()
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held back as the possible start of a frame."""
        return len(self._buf)


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
