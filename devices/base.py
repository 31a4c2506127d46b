"""The contract for device authors: what a source is, and how a URL picks its backend.

A source is opened from a URL such as ``replay:session.jsonl`` or ``witmotion:/dev/ttyUSB0?baud=115200``
(the pyserial ``serial_for_url`` idiom). The scheme picks a ``SourceFactory`` from the
``rehab.devices`` entry-point group, so a clinic adds a device by publishing one, without forking
(docs/devices.md, "Writing a device backend").

The life of a source: a factory **opens** it from a parsed URL (raise ``UnknownSourceError`` for
bad options, ``OSError`` when the port cannot be opened); the game loop **polls** it every frame
with the current monotonic time and never waits on it (read in a thread, or non-blocking, and hand
over what has arrived); it reports connection changes as ``DeviceStatus`` events (kinds in
``STATUS_KINDS``); it is **closed** once, when the session ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol
from urllib.parse import parse_qsl

from rehab.core.errors import DeviceError
from rehab.core.types import DeviceStatus, EegSample, ImuSample, JointAngles, PoseFrame

#: what a source delivers: a camera's PoseFrame, an IMU's ImuSample, an EEG headset's EegSample, or
#: JointAngles already computed (a joint from two IMUs, a replay, the keyboard). Every sample carries
#: its own time ``t`` in seconds, on the clock ``poll`` is given or the recording's own timeline.
Sample = PoseFrame | ImuSample | EegSample | JointAngles

#: the ``DeviceStatus.kind`` values a source may report (``rehab.core.types.DeviceStatus`` says what
#: each means); games show them and sessions record them
STATUS_KINDS: tuple[str, ...] = ("connected", "lost", "reconnected", "ended", "recalibrate", "recalibrated", "person")


class Source(Protocol):
    """An input that delivers timestamped samples without blocking the game loop."""

    #: the URL it was opened from (names the device in samples, recordings and messages)
    url: str

    def poll(self, now: float) -> list[Sample]:
        """Every sample that became available up to ``now`` (monotonic seconds), oldest first; an
        empty list when nothing new arrived. Must return at once."""
        ...

    def status_events(self) -> list[DeviceStatus]:
        """Connection changes since the last call, oldest first: ``connected`` first, ``ended``
        when a finite source ran out, ``lost``/``reconnected`` around a dropout."""
        ...

    def close(self) -> None:
        """Stop reading and release the device; called once. Polling after close is not allowed."""
        ...


class UnknownSourceError(DeviceError, ValueError):
    """The URL names no known backend, or its options are wrong."""


@dataclass(frozen=True)
class SourceUrl:
    """A parsed source URL: ``scheme:target?key=value&...``. A bare path means ``video:`` or ``replay:``."""

    scheme: str
    target: str
    options: dict[str, str]

    @classmethod
    def parse(cls, url: str) -> SourceUrl:
        scheme, sep, rest = url.partition(":")
        if not sep or "/" in scheme or "." in scheme or len(scheme) <= 1:
            # a plain path (also C:\... on Windows): decide by extension
            scheme, rest = ("replay" if url.endswith(".jsonl") else "video"), url
        target, _, query = rest.partition("?")
        return cls(scheme=scheme.lower(), target=target, options=dict(parse_qsl(query)))


class SourceFactory(Protocol):
    """Opens a source from its parsed URL: what a ``rehab.devices`` entry point names."""

    def __call__(self, url: SourceUrl) -> Source: ...


def available_schemes() -> dict[str, SourceFactory]:
    """Backends registered under the ``rehab.devices`` entry-point group, by scheme."""
    return {ep.name: ep.load() for ep in entry_points(group="rehab.devices")}


def open_source(url: str) -> Source:
    """Open the source a URL names. Raises UnknownSourceError with the known schemes listed."""
    parsed = SourceUrl.parse(url)
    factories = available_schemes()
    factory = factories.get(parsed.scheme)
    if factory is None:
        known = ", ".join(sorted(f"{name}:" for name in factories))
        raise UnknownSourceError(f"unknown input '{url}': known inputs are {known}")
    return factory(parsed)
