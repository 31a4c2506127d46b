"""``replay:FILE.jsonl``: a recording played back as if it were live.

Options: ``speed=1`` plays in real time (the default), ``speed=0`` delivers everything as fast as
the caller polls. Recording time is shifted so the first sample arrives at the first poll.

A file with no samples is refused when it is opened, before anything is played or stored; a last
line cut off mid-way is left out and said in the ``connected`` event's detail.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from devices.base import Sample, SourceUrl, UnknownSourceError
from devices.jsonl import RecordingFormatError, load_recording
from rehab.core.types import DeviceStatus


class ReplaySource:
    """Samples delivered by their timestamps, relative to the first poll. Also backs ``sim:``."""

    def __init__(self, samples: Sequence[Sample], url: str, speed: float = 1.0, dropped: str = "") -> None:
        if speed < 0 or math.isnan(speed):
            raise UnknownSourceError(f"replay speed must be 0 (as fast as possible) or more, got {speed}")
        self.url = url
        self.speed = speed
        self._samples = list(samples)
        self._next = 0
        self._offset: float | None = None
        self._events: list[DeviceStatus] = []
        self._ended = False
        #: what was left out of the file (an incomplete last line), empty when nothing was
        self.dropped = dropped

    @classmethod
    def from_file(cls, path: Path, speed: float = 1.0) -> ReplaySource:
        """The recording at ``path``. Raises RecordingFormatError for a file that cannot be played,
        one with no samples included (playing it would store a session with nothing in it)."""
        recording = load_recording(path)
        if not recording.samples:
            raise RecordingFormatError(f"{path}: the recording holds no samples; nothing to play")
        return cls(recording.samples, f"replay:{path}", speed, recording.dropped)

    def __len__(self) -> int:
        return len(self._samples)

    def poll(self, now: float) -> list[Sample]:
        if self._offset is None:
            first = self._samples[0].t if self._samples else 0.0
            self._offset = now - first / self.speed if self.speed else 0.0
            self._events.append(DeviceStatus(now, self.url, "connected", self.dropped))
        if self.speed == 0:
            due = len(self._samples)
        else:
            recording_now = (now - self._offset) * self.speed
            due = self._next
            while due < len(self._samples) and self._samples[due].t <= recording_now:
                due += 1
        batch = self._samples[self._next : due]
        self._next = due
        if self._next >= len(self._samples) and not self._ended:
            self._ended = True
            self._events.append(DeviceStatus(now, self.url, "ended", "end of recording"))
        return batch

    @property
    def finished(self) -> bool:
        return self._ended

    def status_events(self) -> list[DeviceStatus]:
        events, self._events = self._events, []
        return events

    def close(self) -> None:
        self._next = len(self._samples)


def open_replay(url: SourceUrl) -> ReplaySource:
    path = Path(url.target).expanduser()
    if not path.is_file():
        raise UnknownSourceError(f"replay file not found: {path}")
    try:
        speed = float(url.options.get("speed", "1"))
    except ValueError as error:
        raise UnknownSourceError(f"replay speed must be a number, got {url.options['speed']!r}") from error
    return ReplaySource.from_file(path, speed)
