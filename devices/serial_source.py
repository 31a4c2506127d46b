"""A serial device as a Source: a reader thread owns the port, the game loop polls.

The thread reads whatever bytes are waiting, stamps them with ``time.monotonic()`` at read time,
feeds the protocol parser and queues the samples. When the port fails (cable pulled, Bluetooth
link dropped) it reports ``lost``, closes the port and tries again with exponential backoff,
reporting ``reconnected`` when the device is back. ``poll`` never blocks.
"""

from __future__ import annotations

import errno
import threading
import time
from collections import deque
from collections.abc import Callable

import serial

from devices.base import Sample, UnknownSourceError
from devices.parsing import Parser, ParserStats
from rehab.core.types import DeviceStatus

#: how long one blocking read may wait; bounds how quickly close() returns
READ_TIMEOUT_S = 0.05
#: queued samples kept at most when nobody polls (a 512 Hz headset fills this in about 20 s)
MAX_QUEUE = 10_000


class DeviceOpenError(UnknownSourceError):
    """A port that cannot be opened, with the usual fix in the message."""


def explain_open_error(port: str, error: BaseException) -> str:
    text = str(error)
    code = getattr(error, "errno", None)
    if code == errno.EACCES or "Permission denied" in text:
        return (
            f"permission denied opening {port}. On Linux add yourself to the group that owns serial "
            "ports (sudo usermod -aG dialout $USER; on Arch the group is uucp), then log out and back in."
        )
    if code == errno.ENOENT or "No such file" in text or "could not open port" in text:
        return f"{port} not found: is the device plugged in and switched on? 'rehab devices list' shows the ports."
    if code == errno.EBUSY or "busy" in text.lower():
        return f"{port} is busy: another program (a serial monitor, the Arduino IDE?) has it open."
    return f"cannot open {port}: {text}"


Opener = Callable[[], "serial.SerialBase"]
Transform = Callable[[list[Sample]], list[Sample]]
#: statuses the transform itself raises (``recalibrate`` after a dropout), merged into status_events
TransformEvents = Callable[[], list[DeviceStatus]]


class SerialSource:
    """Any byte protocol on a serial port. ``on_connect`` bytes (device settings) are written after
    every (re)connection, because a device that was unplugged may have forgotten them."""

    def __init__(
        self,
        url: str,
        port: str,
        parser: Parser,
        baud: int,
        *,
        on_connect: bytes = b"",
        transform: Transform | None = None,
        transform_events: TransformEvents | None = None,
        backoff: tuple[float, float] = (0.1, 2.0),
        no_frames_after_s: float = 3.0,
    ) -> None:
        self.url = url
        self.port = port
        self.baud = baud
        self.parser = parser
        self.on_connect = on_connect
        self.transform = transform
        self.transform_events = transform_events
        self.backoff = backoff
        self.no_frames_after_s = no_frames_after_s
        self.last_error = ""
        self._lock = threading.Lock()
        self._samples: deque[Sample] = deque(maxlen=MAX_QUEUE)
        self._events: list[DeviceStatus] = []
        self._stop = threading.Event()
        self._serial: serial.SerialBase | None = self._open()  # fails fast with a clear message
        self._connected_at = time.monotonic()
        self._events.append(DeviceStatus(self._connected_at, url, "connected", port))
        self._thread = threading.Thread(target=self._run, name=f"serial {port}", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- reader thread
    def _open(self) -> serial.SerialBase:
        try:
            port = serial.serial_for_url(self.port, baudrate=self.baud, timeout=READ_TIMEOUT_S)
        except (serial.SerialException, OSError, ValueError) as error:
            raise DeviceOpenError(explain_open_error(self.port, error)) from error
        if self.on_connect:
            port.write(self.on_connect)
        return port

    def _event(self, kind: str, detail: str) -> None:
        with self._lock:
            self._events.append(DeviceStatus(time.monotonic(), self.url, kind, detail))

    def _run(self) -> None:
        delay = self.backoff[0]
        while not self._stop.is_set():
            port = self._serial
            if port is None:
                try:
                    port = self._open()
                except DeviceOpenError as error:
                    self.last_error = str(error)
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.backoff[1])
                    continue
                delay = self.backoff[0]
                with self._lock:
                    self._serial = port
                self._connected_at = time.monotonic()
                self._event("reconnected", self.port)
            try:
                data = port.read(max(1, port.in_waiting))
            except (serial.SerialException, OSError, TypeError) as error:
                # TypeError: pyserial's posix read can trip over an fd closed under it
                self.last_error = str(error)
                with self._lock:
                    self._serial = None
                port.close()
                if not self._stop.is_set():
                    self._event("lost", f"{self.port}: {error}")
                continue
            if data:
                samples = self.parser.feed(data, time.monotonic())
                if samples:
                    with self._lock:
                        self._samples.extend(samples)

    # ---------------------------------------------------------------- game-loop side
    def poll(self, now: float) -> list[Sample]:
        with self._lock:
            samples = list(self._samples)
            self._samples.clear()
        if self.transform is not None and samples:
            samples = self.transform(samples)
        return samples

    def status_events(self) -> list[DeviceStatus]:
        """Connection changes, then what the angle transform raised (it runs in ``poll``), by time."""
        with self._lock:
            events, self._events = self._events, []
        if self.transform_events is not None:
            events = sorted(events + self.transform_events(), key=lambda e: e.t)
        return events

    @property
    def connected(self) -> bool:
        return self._serial is not None

    @property
    def stats(self) -> ParserStats:
        return self.parser.stats

    def write(self, data: bytes) -> bool:
        """Send settings to the device; False when it is not connected right now."""
        with self._lock:
            port = self._serial
        if port is None:
            return False
        try:
            port.write(data)
        except (serial.SerialException, OSError):
            return False
        return True

    def diagnosis(self, now: float) -> str | None:
        """What is wrong when a connected port has produced no valid frame for a while, else None."""
        stats = self.parser.stats
        if stats.frames or not self.connected or now - self._connected_at < self.no_frames_after_s:
            return None
        waited = now - self._connected_at
        if stats.bytes_in == 0:
            return (
                f"no data from {self.port} in {waited:.0f} s: is the device switched on and sending? "
                "(a Bluetooth headset must be paired and bound to this port)"
            )
        if stats.implausible and stats.implausible >= stats.checksum_errors + stats.framing_errors:
            # whole frames with good checksums: the protocol and baud rate are right, the values not
            return (
                f"frames from {self.port} arrive but hold values no body-worn sensor reports ({stats.summary()}): "
                "is this the device the URL names, and are its options (units, columns) right?"
            )
        return (
            f"no valid frames from {self.port} in {waited:.0f} s at {self.baud} baud: saw {stats.summary()}; "
            f"first bytes {stats.head[:16].hex(' ')}. Wrong baud rate or protocol?"
        )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        with self._lock:
            port, self._serial = self._serial, None
        if port is not None:
            port.close()
