"""The recording format: one JSON object per line with ``t`` (seconds) and ``kind``.

Kinds and their fields (absent fields are left out, never written as made-up values):

- ``meta``: free-form description of the recording (``source``, ``description``, ...)
- ``pose``: ``frame``, ``world`` (33 x [x, y, z] metres), ``visibility`` (33 numbers),
  optionally ``image`` (33 x [x, y, z] normalised)
- ``imu``: ``device``, ``accel_g``, ``gyro_dps``, ``mag`` ([x, y, z]), ``roll_deg``, ``pitch_deg``,
  ``yaw_deg`` (exactly as the device reports them), ``quaternion`` ([w, x, y, z]), ``temperature_c``
- ``eeg``: ``device``, ``poor_signal``, ``attention``, ``meditation``, ``raw``, ``bands`` (8 numbers)
- ``angles``: ``values`` (name -> degrees, null when unknown)
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from devices.base import Sample
from rehab.core.errors import DataError
from rehab.core.types import EegSample, ImuSample, JointAngles, PoseFrame


class RecordingFormatError(DataError, ValueError):
    """A line of a recording that cannot be read; the message names the file and line."""


def _rounded(values: Any, digits: int = 5) -> Any:
    if isinstance(values, (list, tuple)):
        return [_rounded(v, digits) for v in values]
    return round(float(values), digits)


def _present(
    sample: Sample, keys: tuple[str, ...], convert: Callable[[Any], Any] = lambda value: value
) -> dict[str, Any]:
    """The fields among ``keys`` that the sample has, converted; absent ones are left out."""
    return {key: convert(value) for key in keys if (value := getattr(sample, key)) is not None}


def encode(sample: Sample) -> dict[str, Any]:
    """The JSON object for one sample."""
    if isinstance(sample, PoseFrame):
        row: dict[str, Any] = {"t": round(sample.t, 6), "kind": "pose", "frame": sample.frame_index}
        if sample.world is not None:
            row["world"] = _rounded(sample.world.tolist())
        row["visibility"] = _rounded(sample.visibility.tolist(), 3)
        if sample.image is not None:
            row["image"] = _rounded(sample.image.tolist())
        return row
    if isinstance(sample, ImuSample):
        row = {"t": round(sample.t, 6), "kind": "imu", "device": sample.device}
        row.update(_present(sample, ("accel_g", "gyro_dps", "mag", "quaternion"), list))
        if sample.euler_deg is not None:
            row["roll_deg"], row["pitch_deg"], row["yaw_deg"] = sample.euler_deg
        if sample.temperature_c is not None:
            row["temperature_c"] = sample.temperature_c
        return row
    if isinstance(sample, EegSample):
        row = {"t": round(sample.t, 6), "kind": "eeg", "device": sample.device}
        row.update(_present(sample, ("poor_signal", "attention", "meditation", "raw")))
        if sample.bands is not None:
            row["bands"] = list(sample.bands)
        return row
    if isinstance(sample, JointAngles):
        values = {k: (None if math.isnan(v) else round(v, 3)) for k, v in sample.values.items()}
        return {"t": round(sample.t, 6), "kind": "angles", "values": values}
    raise TypeError(f"cannot record {type(sample).__name__}")


def _triple(row: dict[str, Any], key: str) -> tuple[float, float, float] | None:
    value = row.get(key)
    return None if value is None else (float(value[0]), float(value[1]), float(value[2]))


def decode(row: dict[str, Any]) -> Sample | None:
    """The sample a JSON object describes; None for ``meta`` lines. Raises KeyError/ValueError/TypeError."""
    kind = row["kind"]
    t = float(row["t"])
    if kind == "pose":
        return PoseFrame(
            t=t,
            world=row.get("world"),
            visibility=row["visibility"],
            image=row.get("image"),
            frame_index=int(row.get("frame", 0)),
        )
    if kind == "imu":
        euler = None
        if "roll_deg" in row:
            euler = (float(row["roll_deg"]), float(row["pitch_deg"]), float(row["yaw_deg"]))
        quaternion = row.get("quaternion")
        return ImuSample(
            t=t,
            device=str(row.get("device", "")),
            accel_g=_triple(row, "accel_g"),
            gyro_dps=_triple(row, "gyro_dps"),
            mag=_triple(row, "mag"),
            euler_deg=euler,
            quaternion=None if quaternion is None else tuple(float(q) for q in quaternion),  # type: ignore[arg-type]
            temperature_c=row.get("temperature_c"),
        )
    if kind == "eeg":
        bands = row.get("bands")
        return EegSample(
            t=t,
            device=str(row.get("device", "")),
            poor_signal=row.get("poor_signal"),
            attention=row.get("attention"),
            meditation=row.get("meditation"),
            raw=row.get("raw"),
            bands=None if bands is None else tuple(int(b) for b in bands),
        )
    if kind == "angles":
        values = {k: (math.nan if v is None else float(v)) for k, v in row["values"].items()}
        return JointAngles(t=t, values=values)
    if kind == "meta":
        return None
    raise ValueError(f"unknown kind {kind!r} (expected pose, imu, eeg, angles or meta)")


def write_recording(
    path: Path, samples: Iterable[Sample], meta: dict[str, Any] | None = None, force: bool = True
) -> int:
    """Write samples to ``path``, one line each, flushing as it goes. Returns how many were written.

    The file is created owner-only (it holds a patient's movements); an existing regular file is
    replaced when ``force``, anything else (a device, a pipe, a symlink) is refused."""
    from rehab.core.private_files import open_private

    count = 0
    with open_private(path, "w", force, encoding="utf-8") as out:
        if meta:
            out.write(json.dumps({"t": 0.0, "kind": "meta", **meta}) + "\n")
        for sample in samples:
            out.write(json.dumps(encode(sample), separators=(",", ":")) + "\n")
            count += 1
    return count


def read_recording(path: Path) -> Iterator[Sample]:
    """The samples of a recording, in file order. Errors name the file and line."""
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 (closed below; an open error gets its own message)
    except OSError as error:
        raise RecordingFormatError(f"{path}: cannot read recording: {error.strerror}") from error
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                sample = decode(json.loads(line))
            except (KeyError, ValueError, TypeError, IndexError) as error:
                detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
                raise RecordingFormatError(f"{path}:{number}: {detail}") from error
            if sample is not None:
                yield sample
