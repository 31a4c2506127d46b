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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

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


def _number(value: Any, key: str) -> float:
    """A finite JSON number (``true`` is not one), as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{key} must be a finite number, not {json.dumps(value)[:40]}")
    return float(value)


def _numbers(row: dict[str, Any], key: str, size: int) -> tuple[float, ...] | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != size:
        raise ValueError(f"{key} must be a list of {size} numbers")
    return tuple(_number(v, key) for v in value)


def _optional(row: dict[str, Any], key: str) -> float | None:
    value = row.get(key)
    return None if value is None else _number(value, key)


def _count(row: dict[str, Any], key: str) -> int | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be a whole number, not {json.dumps(value)[:40]}")
    return value


def _landmarks(row: dict[str, Any], key: str) -> Any:
    """A pose array as JSON gives it, refused when it holds anything but finite numbers."""
    value = row.get(key)
    if value is not None and not np.isfinite(np.asarray(value, dtype=np.float64)).all():
        raise ValueError(f"{key} holds a value that is not a finite number")
    return value


def _missing(key: str) -> Any:
    raise KeyError(key)


def _pose(row: dict[str, Any], t: float) -> PoseFrame:
    return PoseFrame(
        t=t,
        world=_landmarks(row, "world"),
        visibility=_landmarks(row, "visibility") if "visibility" in row else _missing("visibility"),
        image=_landmarks(row, "image"),
        frame_index=_count(row, "frame") or 0,
    )


def _imu(row: dict[str, Any], t: float) -> ImuSample:
    euler = None
    if "roll_deg" in row:
        euler = tuple(_number(row[key], key) for key in ("roll_deg", "pitch_deg", "yaw_deg"))
    return ImuSample(
        t=t,
        device=str(row.get("device", "")),
        accel_g=_numbers(row, "accel_g", 3),  # type: ignore[arg-type]
        gyro_dps=_numbers(row, "gyro_dps", 3),  # type: ignore[arg-type]
        mag=_numbers(row, "mag", 3),  # type: ignore[arg-type]
        euler_deg=euler,  # type: ignore[arg-type]
        quaternion=_numbers(row, "quaternion", 4),  # type: ignore[arg-type]
        temperature_c=_optional(row, "temperature_c"),
    )


def _eeg(row: dict[str, Any], t: float) -> EegSample:
    bands = row.get("bands")
    if bands is not None and (not isinstance(bands, list) or len(bands) != 8):
        raise ValueError("bands must be a list of 8 whole numbers")
    return EegSample(
        t=t,
        device=str(row.get("device", "")),
        poor_signal=_count(row, "poor_signal"),
        attention=_count(row, "attention"),
        meditation=_count(row, "meditation"),
        raw=_count(row, "raw"),
        bands=None if bands is None else tuple(_count({"bands": b}, "bands") or 0 for b in bands),
    )


def _angles(row: dict[str, Any], t: float) -> JointAngles:
    values = row["values"]
    if not isinstance(values, dict):
        raise ValueError("values must be an object of angle names and degrees")
    return JointAngles(t=t, values={str(k): (math.nan if v is None else _number(v, str(k))) for k, v in values.items()})


_DECODERS: dict[str, Callable[[dict[str, Any], float], Sample]] = {
    "pose": _pose,
    "imu": _imu,
    "eeg": _eeg,
    "angles": _angles,
}


def decode(row: Any) -> Sample | None:
    """The sample a JSON object describes; None for ``meta`` lines. Raises KeyError/ValueError/TypeError
    with what is wrong: every value is checked for its type (and numbers for being finite), so a
    sample that reaches a game is one the recording really holds."""
    if not isinstance(row, dict):
        raise ValueError(f"a line must be a JSON object, not {type(row).__name__}")
    kind = row["kind"]
    if kind == "meta":
        return None
    t = _number(row["t"], "t")
    decoder = _DECODERS.get(kind) if isinstance(kind, str) else None
    if decoder is None:
        raise ValueError(f"unknown kind {json.dumps(kind)[:40]} (expected pose, imu, eeg, angles or meta)")
    return decoder(row, t)


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


#: longer than any line a recording holds (a pose line is about 5 KB); more is not a recording
MAX_LINE_BYTES = 1 << 20
#: samples from several sources are written as each is polled, so time may step back by a poll or
#: a serial read; more than this is a broken file, and a jump ahead of more than an hour would
#: leave a replay waiting for that hour
MAX_STEP_BACK_S = 1.0
MAX_GAP_S = 3600.0


@dataclass(frozen=True)
class Recording:
    """What a recording file holds: its samples, and the incomplete last line left out (a
    recording cut off while being written), described for the user."""

    samples: tuple[Sample, ...]
    dropped_lines: int = 0
    dropped: str = ""


def load_recording(path: Path) -> Recording:
    """Every sample of a recording, in file order. A last line cut off mid-way (no newline, not
    valid) is left out and described in ``dropped``; any other bad line raises
    RecordingFormatError naming the file and line."""
    samples: list[Sample] = []
    last_t: float | None = None
    for number, line, complete in _lines(path):
        try:
            sample = _decode_line(line)
        except (KeyError, ValueError, TypeError, IndexError, AttributeError, OverflowError, RecursionError) as error:
            if not complete:
                detail = f"left out the incomplete last line {number} ({len(line)} bytes, no newline)"
                return Recording(tuple(samples), 1, detail)
            detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
            raise RecordingFormatError(f"{path}:{number}: {detail}") from error
        if sample is None:
            continue
        if last_t is not None and not -MAX_STEP_BACK_S <= sample.t - last_t <= MAX_GAP_S:
            raise RecordingFormatError(f"{path}:{number}: time goes from {last_t:g} s to {sample.t:g} s")
        last_t = sample.t if last_t is None else max(last_t, sample.t)
        samples.append(sample)
    return Recording(tuple(samples))


def read_recording(path: Path) -> Iterator[Sample]:
    """The samples of a recording, in file order (see ``load_recording``). Errors name the file and line."""
    yield from load_recording(path).samples


def _decode_line(line: bytes) -> Sample | None:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError("not UTF-8 text (is this a recording?)") from error
    return decode(json.loads(text))


def _lines(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, ended by a newline) for each non-blank line, refusing a huge one."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below; an open error gets its own message)
    except OSError as error:
        raise RecordingFormatError(f"{path}: cannot read recording: {error.strerror}") from error
    with handle:
        number = 0
        while line := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            complete = line.endswith(b"\n")
            if len(line) > MAX_LINE_BYTES:
                raise RecordingFormatError(f"{path}:{number}: line longer than {MAX_LINE_BYTES} bytes: not a recording")
            if line.strip():
                yield number, line, complete
