"""``rehab devices record``: sources to a JSON-lines file that survives a crash or an unplugged cable.

Every line is written and flushed as it arrives, so a killed recording keeps what it had. The file
is created owner-only and exclusively (it holds patient movements; an existing file is replaced only
with ``force``, a device or a pipe never). Times are seconds from the start of the recording. A
device that vanishes is reported and waited for until the time is up; the file is valid either way.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devices.base import Sample, Source
from devices.jsonl import encode
from devices.orientation import JointTracker
from rehab.core.private_files import open_private
from rehab.core.types import DeviceStatus, ImuSample

POLL_S = 0.01


@dataclass
class RecordResult:
    counts: dict[str, int] = field(default_factory=dict)
    events: list[DeviceStatus] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class LineWriter:
    """One JSON object per line, flushed at once, in a new owner-only file."""

    def __init__(self, path: Path, meta: dict[str, Any], force: bool = False) -> None:
        self._file = open_private(path, "w", force, encoding="utf-8")
        self._file.write(json.dumps({"t": 0.0, "kind": "meta", **meta}) + "\n")
        self._file.flush()

    def write(self, sample: Sample) -> str:
        row = encode(sample)
        self._file.write(json.dumps(row, separators=(",", ":")) + "\n")
        self._file.flush()
        return str(row["kind"])

    def close(self) -> None:
        self._file.close()


def record(
    sources: Sequence[Source],
    seconds: float,
    out: Path,
    *,
    joint: JointTracker | None = None,
    report: Callable[[str], None] = lambda text: None,
    clock: Callable[[], float] = time.monotonic,
    force: bool = False,
) -> RecordResult:
    """Record ``sources`` for ``seconds``. With ``joint`` (two sources: proximal, distal) the joint
    angles are computed and written as ``angles`` lines next to the raw samples. ``out`` must not
    exist unless ``force``."""
    if not (math.isfinite(seconds) and seconds > 0):  # nan never runs out: the recording would not stop
        raise ValueError(f"seconds must be a finite number above 0, not {seconds}")
    result = RecordResult()
    meta = {"source": [s.url for s in sources], "seconds": seconds, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if joint is not None:
        meta["joint"] = f"{joint.joint}_{joint.side}"
    writer = LineWriter(out, meta, force)
    start = clock()
    diagnosed: set[int] = set()
    try:
        while True:
            now = clock()
            done = now - start >= seconds
            for index, source in enumerate(sources):
                for event in source.status_events():
                    result.events.append(event)
                    report(_describe(event, max(0.0, seconds - (now - start))))
                for sample in source.poll(now):
                    if sample.t < start:
                        continue  # read while the other sources were still opening: not this recording
                    shifted = dataclasses.replace(sample, t=sample.t - start)
                    kind = writer.write(shifted)
                    result.counts[kind] = result.counts.get(kind, 0) + 1
                    if joint is not None and isinstance(shifted, ImuSample):
                        angles = joint.update(shifted, distal=index == 1)
                        if angles is not None:
                            writer.write(angles)
                            result.counts["angles"] = result.counts.get("angles", 0) + 1
                        for event in joint.take_events():  # a dropout asks for a recalibration
                            result.events.append(event)
                            report(_describe(event, max(0.0, seconds - (now - start))))
                diagnosis = getattr(source, "diagnosis", None)
                if diagnosis is not None and index not in diagnosed:
                    text = diagnosis(now)
                    if text:
                        diagnosed.add(index)
                        result.warnings.append(text)
                        report(f"warning: {text}")
            if done:
                break
            time.sleep(POLL_S)
    finally:
        writer.close()
    return result


def _describe(event: DeviceStatus, left: float) -> str:
    if event.kind == "lost":
        return f"device lost: {event.detail}; keeping what was recorded, waiting {left:.0f} s for it to return"
    if event.kind == "reconnected":
        return f"device back: {event.device}"
    return f"{event.kind}: {event.device} {event.detail}".rstrip()
