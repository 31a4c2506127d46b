"""URL factories for the serial schemes registered under ``rehab.devices``.

``witmotion:PORT``, ``imu-csv:PORT``, ``thinkgear:PORT``, ``bno08x-rvc:PORT``; PORT is a device path
(``/dev/ttyUSB0``, ``COM3``) or any pyserial URL (``loop://``, ``socket://host:port``). Options
shared by the IMU schemes: ``baud``, ``segment`` (single-IMU angles, see ``devices.orientation``),
``neutral`` (seconds held still at the start that define zero) and ``fusion`` (auto, device, ahrs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from devices.base import SourceUrl, UnknownSourceError
from devices.parsing import Parser
from devices.serial_source import SerialSource, Transform

if TYPE_CHECKING:
    from devices.orientation import SegmentTracker

COMMON = {"baud", "name"}
IMU_OPTIONS = COMMON | {"segment", "neutral", "fusion"}


def _check(url: SourceUrl, allowed: set[str]) -> None:
    if not url.target:
        raise UnknownSourceError(f"{url.scheme}: needs a port, e.g. {url.scheme}:/dev/ttyUSB0")
    unknown = sorted(set(url.options) - allowed)
    if unknown:
        raise UnknownSourceError(
            f"{url.scheme}: unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}"
        )


def _number(url: SourceUrl, key: str, default: float) -> float:
    text = url.options.get(key)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise UnknownSourceError(f"{url.scheme}: {key} must be a number, got {text!r}") from None
    if value <= 0 and key != "neutral":
        raise UnknownSourceError(f"{url.scheme}: {key} must be positive, got {text!r}")
    return value


def _imu_transform(url: SourceUrl) -> SegmentTracker | None:
    segment = url.options.get("segment")
    if segment is None:
        return None
    from devices.orientation import OrientationError, SegmentTracker

    try:
        tracker = SegmentTracker(
            segment, neutral_s=_number(url, "neutral", 1.0), fusion=url.options.get("fusion", "auto")
        )
    except OrientationError as error:
        raise UnknownSourceError(f"{url.scheme}: {error}") from None
    tracker.device = f"{url.scheme}:{url.target}"
    return tracker


def _open(
    url: SourceUrl,
    parser: Parser,
    default_baud: int,
    allowed: set[str],
    *,
    on_connect: bytes = b"",
    tracker: SegmentTracker | None = None,
) -> SerialSource:
    _check(url, allowed)
    baud = int(_number(url, "baud", default_baud))
    text = f"{url.scheme}:{url.target}"
    # DeviceOpenError (an UnknownSourceError) carries the usual fix: permissions, unplugged, busy
    transform: Transform | None = None if tracker is None else tracker.process
    events = None if tracker is None else tracker.take_events
    return SerialSource(
        text, url.target, parser, baud, on_connect=on_connect, transform=transform, transform_events=events
    )


def _name(url: SourceUrl) -> str:
    return url.options.get("name") or f"{url.scheme}:{url.target}"


def open_witmotion(url: SourceUrl) -> SerialSource:
    from devices.witmotion import WitMotionParser, rate_command

    on_connect = b""
    if "rate" in url.options:
        try:
            on_connect = rate_command(_number(url, "rate", 100))
        except ValueError as error:
            raise UnknownSourceError(f"witmotion: {error}") from None
    return _open(
        url,
        WitMotionParser(_name(url)),
        9600,
        IMU_OPTIONS | {"rate"},
        on_connect=on_connect,
        tracker=_imu_transform(url),
    )


def open_imu_csv(url: SourceUrl) -> SerialSource:
    from devices.imu_csv import DEFAULT_COLUMNS, CsvConfigError, ImuCsvParser

    columns = url.options.get("columns")
    try:
        parser = ImuCsvParser(
            columns=tuple(columns.split(",")) if columns else DEFAULT_COLUMNS,
            accel=url.options.get("accel", "g"),
            gyro=url.options.get("gyro", "dps"),
            device=_name(url),
        )
    except CsvConfigError as error:
        raise UnknownSourceError(f"imu-csv: {error}") from None
    return _open(url, parser, 115200, IMU_OPTIONS | {"columns", "accel", "gyro"}, tracker=_imu_transform(url))


def open_thinkgear(url: SourceUrl) -> SerialSource:
    from devices.thinkgear import ThinkGearParser

    return _open(url, ThinkGearParser(_name(url)), 57600, COMMON)


def open_bno08x_rvc(url: SourceUrl) -> SerialSource:
    from devices.bno08x import Bno08xRvcParser

    return _open(url, Bno08xRvcParser(_name(url)), 115200, IMU_OPTIONS, tracker=_imu_transform(url))


#: scheme -> factory, mirrored by the entry points in pyproject.toml
FACTORIES: dict[str, Callable[[SourceUrl], SerialSource]] = {
    "witmotion": open_witmotion,
    "imu-csv": open_imu_csv,
    "thinkgear": open_thinkgear,
    "bno08x-rvc": open_bno08x_rvc,
}
