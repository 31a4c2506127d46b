"""What every input source offers, and how a URL picks its backend.

A source is opened from a URL such as ``replay:session.jsonl`` or ``witmotion:/dev/ttyUSB0?baud=115200``
(the pyserial ``serial_for_url`` idiom). The scheme picks a factory from the ``rehab.devices``
entry-point group, so a clinic can add a device without forking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol
from urllib.parse import parse_qsl

from rehab.core.errors import DeviceError
from rehab.core.types import DeviceStatus, EegSample, ImuSample, JointAngles, PoseFrame

Sample = PoseFrame | ImuSample | EegSample | JointAngles


class Source(Protocol):
    """An input that delivers timestamped samples without blocking the game loop."""

    url: str

    def poll(self, now: float) -> list[Sample]:
        """Every sample that became available up to ``now`` (monotonic seconds), oldest first."""
        ...

    def status_events(self) -> list[DeviceStatus]:
        """Connection changes since the last call, oldest first."""
        ...

    def close(self) -> None: ...


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


SourceFactory = Callable[[SourceUrl], Source]


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
