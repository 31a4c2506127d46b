"""A virtual serial port (a pty pair) that can be unplugged and plugged back in.

The code under test opens ``path`` exactly like ``/dev/ttyUSB0``. ``path`` is a symlink to the pty
slave, the way udev's ``/dev/serial/by-id`` links are, so it survives a replug even though the
kernel hands out a new ``/dev/pts/N`` each time.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import tty
from pathlib import Path


class VirtualPort:
    def __init__(self, link: str | Path | None = None) -> None:
        if link is None:
            folder = Path(tempfile.mkdtemp(prefix="rehab-port-"))
            link = folder / "tty"
        self.path = str(link)
        self.dropped_bytes = 0
        self._master = -1
        self._slave = -1
        self.plug()

    @property
    def plugged(self) -> bool:
        return self._master >= 0

    @property
    def slave_name(self) -> str:
        return os.ttyname(self._slave)

    def plug(self) -> None:
        if self.plugged:
            return
        master, slave = os.openpty()
        # raw mode: no echo back to us, no newline translation of binary frames
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        tmp = f"{self.path}.tmp{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.path)

    def unplug(self) -> None:
        """Like pulling the cable: readers get an error, the path disappears."""
        if not self.plugged:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._master)
        os.close(self._slave)
        self._master = self._slave = -1

    def write(self, data: bytes) -> int:
        """Device bytes towards the reader. When nobody reads and the pty buffer is full the bytes
        are dropped, as a real device's are, rather than blocking the simulation."""
        if not self.plugged:
            self.dropped_bytes += len(data)
            return 0
        try:
            written = os.write(self._master, data)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EIO):
                raise
            written = 0
        self.dropped_bytes += len(data) - written
        return written

    def read(self) -> bytes:
        """Bytes the reader wrote to the device (settings commands)."""
        if not self.plugged:
            return b""
        try:
            return os.read(self._master, 4096)
        except OSError:
            return b""

    def close(self) -> None:
        self.unplug()
