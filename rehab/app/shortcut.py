"""A desktop shortcut that opens the home screen: a Linux ``.desktop`` entry (freedesktop.org
Desktop Entry Specification 1.5) running this installation's ``rehab`` with no arguments. Windows
and macOS steps are in docs/home_screen.md.

The entry names the ``rehab`` installed next to the running Python (the virtual environment it
was installed in), so the shortcut keeps working without that environment being activated.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

DESKTOP_FILENAME = "rehab.desktop"


@dataclass(frozen=True)
class Shortcut:
    text: str
    paths: tuple[Path, ...]


def installed_command() -> list[str]:
    """How to run this rehab: its console script beside the interpreter, else ``python -m rehab``."""
    beside = Path(sys.executable).parent / ("rehab.exe" if os.name == "nt" else "rehab")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("rehab")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "rehab"]


def _exec_argument(word: str) -> str:
    """One Exec argument as the specification asks: quoted when it holds a reserved character,
    with '"', '`', '$' and '\\' backslashed inside the quotes, and '%' doubled (a lone one is a field
    code); then the string rule of every value doubles each backslash once more."""
    word = word.replace("%", "%%")
    if word and not any(c in word for c in " \t\n\"'\\><~|&;$*?#()`="):
        return word
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in word)
    return '"' + quoted.replace("\\", "\\\\") + '"'


def desktop_entry(command: list[str], home: Path | None = None) -> str:
    """The entry's text: ``command`` (with ``--home`` when the data folder is not the default)."""
    words = [*command, *(["--home", str(home)] if home is not None else [])]
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.5",
            "Name=Rehab",
            "GenericName=Rehabilitation exercises",
            "Comment=Today's exercises, your progress and breathing, guided by your camera",
            "Exec=" + " ".join(_exec_argument(w) for w in words),
            "Icon=applications-games",
            "Terminal=false",
            "Categories=Education;Science;MedicalSoftware;",
            "Keywords=rehab;physiotherapy;exercise;",
            "",
        ]
    )


def applications_folder() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "applications"


def desktop_folder() -> Path | None:
    """The user's desktop, when there is one (``xdg-user-dirs``' name for it, else ~/Desktop)."""
    named = _user_dirs().get("XDG_DESKTOP_DIR")
    for candidate in ([Path(named)] if named else []) + [Path.home() / "Desktop"]:
        if candidate.is_dir() and candidate != Path.home():
            return candidate
    return None


def _user_dirs() -> dict[str, str]:
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "user-dirs.dirs"
    try:
        lines = config.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            words = shlex.split(value) or [""]
            found[name.strip()] = words[0].replace("$HOME", str(Path.home()))
    return found


def install(text: str) -> Shortcut:
    """Writes the entry to the applications menu and, when there is one, the desktop. The desktop
    copy is executable: desktops launch only an entry marked so (GNOME also asks to trust it)."""
    written = []
    menu = applications_folder()
    menu.mkdir(parents=True, exist_ok=True)
    for folder, mode in ((menu, 0o644), (desktop_folder(), 0o755)):
        if folder is None:
            continue
        path = folder / DESKTOP_FILENAME
        temp = path.with_name(f".{DESKTOP_FILENAME}.tmp")
        temp.write_text(text, encoding="utf-8")
        os.chmod(temp, mode)
        os.replace(temp, path)
        written.append(path)
    return Shortcut(text, tuple(written))


__all__ = ["Shortcut", "applications_folder", "desktop_entry", "desktop_folder", "install", "installed_command"]
