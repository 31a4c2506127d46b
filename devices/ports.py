"""Serial ports a patient could pick: real ones (with USB ids) and running simulators."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: USB ids of the adapters these devices ship with, so the list can say what is probably attached
KNOWN_USB = {
    (0x1A86, 0x7523): "CH340 USB-serial (WitMotion WT901 / HWT901B cable, Arduino clones)",
    (0x10C4, 0xEA60): "CP210x USB-serial (WitMotion, ESP32 boards)",
    (0x0403, 0x6001): "FTDI USB-serial",
    (0x2341, 0x0043): "Arduino Uno",
    (0x2341, 0x8036): "Arduino Leonardo",
    (0x239A, 0x800B): "Adafruit board",
}


@dataclass(frozen=True)
class PortInfo:
    device: str
    description: str
    usb_id: str = ""  # "VID:PID" in hex, empty when not USB
    serial_number: str = ""
    simulated: bool = False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def registry_dir() -> Path:
    """Where running simulators note their ports, so ``rehab devices list`` can show them."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return Path(base) / "rehab-simulators"


def simulated_ports(folder: Path | None = None) -> list[PortInfo]:
    folder = folder or registry_dir()
    found = []
    for entry in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            info = json.loads(entry.read_text())
            path, pid = str(info["path"]), int(info["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not _alive(pid):
            entry.unlink(missing_ok=True)  # a simulator that was killed leaves its note behind
            continue
        found.append(PortInfo(path, str(info.get("description", "simulated device")), simulated=True))
    return found


def list_ports() -> list[PortInfo]:
    from serial.tools import list_ports as serial_list_ports

    found = []
    for port in sorted(serial_list_ports.comports(), key=lambda p: p.device):
        usb = f"{port.vid:04x}:{port.pid:04x}" if port.vid is not None and port.pid is not None else ""
        guess = KNOWN_USB.get((port.vid, port.pid), "") if usb else ""
        description = port.description if port.description and port.description != "n/a" else ""
        text = "; ".join(x for x in (description, port.manufacturer or "", guess) if x) or "serial port"
        found.append(PortInfo(port.device, text, usb, port.serial_number or ""))
    return found + simulated_ports()
