"""``rehab install-shortcut``: a valid desktop entry that runs this installation's rehab with no
arguments, written into a temporary home (the installed command run as a real process)."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

RUN = [sys.executable, "-m", "rehab"]


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in a desktop entry
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser.sections() == ["Desktop Entry"]
    return parser["Desktop Entry"]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and k != "REHAB_HOME"}
    return env | {"HOME": str(home)} | extra


def test_it_writes_a_valid_entry_to_the_menu_and_the_desktop(tmp_path):
    (tmp_path / "Desktop").mkdir()
    done = subprocess.run([*RUN, "install-shortcut"], env=_env(tmp_path), capture_output=True, text=True, check=True)
    menu = tmp_path / ".local/share/applications/rehab.desktop"
    desktop = tmp_path / "Desktop/rehab.desktop"
    assert f"shortcut: {menu}" in done.stdout and f"shortcut: {desktop}" in done.stdout
    entry = _entry(menu)
    assert entry["Type"] == "Application" and entry["Name"] == "Rehab" and entry["Terminal"] == "false"
    assert menu.read_text() == desktop.read_text()
    assert stat.S_IMODE(desktop.stat().st_mode) & 0o100  # a desktop launches only an executable entry
    command = shlex.split(entry["Exec"])
    # the installed rehab, with no arguments: the home screen where there is a display
    assert command == [str(Path(sys.executable).parent / "rehab")]
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("rehab ")
    # and with no display, 'rehab' alone still prints the help (SDL's dummy driver is set by conftest)
    alone = subprocess.run(command, env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert alone.stdout.startswith("usage: rehab")


def test_no_desktop_folder_means_the_menu_only_and_xdg_data_home_is_honoured(tmp_path):
    data = tmp_path / "data"
    subprocess.run(
        [*RUN, "install-shortcut"], env=_env(tmp_path, XDG_DATA_HOME=str(data)), check=True, capture_output=True
    )
    assert (data / "applications/rehab.desktop").is_file()
    assert not (tmp_path / "Desktop").exists() and not (tmp_path / ".local").exists()


def test_print_shows_it_and_writes_nothing(tmp_path):
    done = subprocess.run(
        [*RUN, "install-shortcut", "--print"], env=_env(tmp_path), capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("[Desktop Entry]\n") and "Exec=" in done.stdout
    assert not (tmp_path / ".local").exists()


@pytest.mark.parametrize("folder", ["my data", "rehab$home"])
def test_a_chosen_data_folder_goes_in_the_command_quoted(tmp_path, folder):
    from rehab.app.shortcut import desktop_entry

    home = tmp_path / folder
    text = desktop_entry(["/opt/rehab env/bin/rehab"], home)
    entry = _entry_from_text(tmp_path, text)
    assert _exec_words(entry["Exec"]) == ["/opt/rehab env/bin/rehab", "--home", str(home)]


def test_rehab_home_set_at_install_is_kept_in_the_shortcut(tmp_path):
    home = tmp_path / "patient data"
    done = subprocess.run(
        [*RUN, "install-shortcut", "--print"],
        env=_env(tmp_path, REHAB_HOME=str(home)),
        capture_output=True,
        text=True,
        check=True,
    )
    exec_line = next(line for line in done.stdout.splitlines() if line.startswith("Exec="))
    assert _exec_words(exec_line[5:])[1:] == ["--home", str(home)]


def _entry_from_text(tmp_path: Path, text: str) -> configparser.SectionProxy:
    path = tmp_path / "entry.desktop"
    path.write_text(text, encoding="utf-8")
    return _entry(path)


def _exec_words(value: str) -> list[str]:
    """An Exec value read as the Desktop Entry Specification says: the string escapes first
    (\\\\, \\s, ...), then the quoting rule (inside double quotes a backslash escapes '"', '`', '$'
    and itself), then '%%' as a literal '%'."""
    codes = {"s": " ", "n": "\n", "t": "\t", "r": "\r"}
    text = re.sub(r"\\(.)", lambda m: codes.get(m.group(1), m.group(1)), value)
    words: list[str] = []
    word, quoted, started, i = "", False, False, 0
    while i < len(text):
        c = text[i]
        if quoted and c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            word, i = word + text[i + 1], i + 2
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c == " " and not quoted:
            if word or started:
                words.append(word)
            word, started = "", False
        else:
            word += c
        i += 1
    if word or started:
        words.append(word)
    return [w.replace("%%", "%") for w in words]
