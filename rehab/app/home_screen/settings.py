"""The patient's own settings for the home screen and everything it starts: text size, high
contrast, sound, the input (camera or another device) and the language. One small owner-only JSON file in the
data folder; a damaged or missing file reads as the defaults, never as an error on screen."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from rehab.core.i18n import LANGUAGES, N_, _, language_from_environment, set_language
from rehab.core.ids import is_patient_id
from rehab.core.private_files import make_private_folder, write_private

SETTINGS_FILENAME = "home-settings.json"
#: text sizes offered, smallest first: (name shown, font scale). The largest is what the layout
#: tests check every screen at.
TEXT_SIZES: tuple[tuple[str, float], ...] = ((N_("Normal"), 1.0), (N_("Large"), 1.25), (N_("Largest"), 1.5))
LARGEST_SCALE = TEXT_SIZES[-1][1]
#: inputs offered: (key, name shown). "plan" is the device the plan names (an IMU, a headset).
INPUTS: tuple[tuple[str, str], ...] = (
    ("camera", N_("Camera")),
    ("keyboard", N_("Keyboard")),
    ("plan", N_("Device in my plan")),
)


@dataclass(frozen=True)
class HomeSettings:
    text_size: str = "Normal"
    high_contrast: bool = False
    sound: bool = True
    input: str = "camera"
    #: a hand held over a button presses it (the camera stays on while the home screen is up)
    hand_pointer: bool = False
    #: the patient this home screen is for ("" until the first run names one)
    patient: str = ""
    #: the newest plan version the patient has been shown (a newer one is news on the home screen)
    seen_plan_version: int = 0
    #: the language every screen speaks ("en", "fr"); "" until chosen: the computer's language
    language: str = ""

    @property
    def font_scale(self) -> float:
        return dict(TEXT_SIZES).get(self.text_size, 1.0)

    def next_text_size(self) -> HomeSettings:
        names = [name for name, _ in TEXT_SIZES]
        index = names.index(self.text_size) if self.text_size in names else 0
        return replace(self, text_size=names[(index + 1) % len(names)])

    def next_input(self) -> HomeSettings:
        keys = [key for key, _ in INPUTS]
        index = keys.index(self.input) if self.input in keys else 0
        return replace(self, input=keys[(index + 1) % len(keys)])

    @property
    def input_name(self) -> str:
        """The input in the patient's language."""
        return _(dict(INPUTS).get(self.input, "Camera"))

    @property
    def text_size_name(self) -> str:
        return _(self.text_size)

    @property
    def language_code(self) -> str:
        """The language in use: the chosen one, else the computer's."""
        return self.language if self.language in LANGUAGES else language_from_environment()

    def next_language(self) -> HomeSettings:
        codes = list(LANGUAGES)
        return replace(self, language=codes[(codes.index(self.language_code) + 1) % len(codes)])


def settings_path(home: Path) -> Path:
    return home / SETTINGS_FILENAME


def load_settings(home: Path) -> HomeSettings:
    """The saved settings; defaults for anything missing, unknown or damaged."""
    try:
        data = json.loads(settings_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return HomeSettings()
    if not isinstance(data, dict):
        return HomeSettings()
    defaults = HomeSettings()
    kept: dict[str, Any] = {}
    for f in fields(HomeSettings):
        value = data.get(f.name)
        if type(value) is type(getattr(defaults, f.name)):  # bool is not taken for an int, nor the reverse
            kept[f.name] = value
    settings = replace(defaults, **kept)
    if settings.text_size not in dict(TEXT_SIZES):
        settings = replace(settings, text_size=defaults.text_size)
    if settings.input not in dict(INPUTS):
        settings = replace(settings, input=defaults.input)
    if settings.language not in LANGUAGES:
        settings = replace(settings, language=defaults.language)
    if settings.patient and not is_patient_id(settings.patient):
        settings = replace(settings, patient="")
    return settings


def save_settings(home: Path, settings: HomeSettings) -> Path:
    """Written owner-only (0600): it names the patient."""
    make_private_folder(home)
    path = settings_path(home)
    write_private(path, (json.dumps(asdict(settings), indent=2) + "\n").encode("utf-8"), force=True)
    return path


def apply_look(settings: HomeSettings) -> None:
    """Text size, colours and language for every screen and game drawn after this (all three are
    display-wide, like the operating system's own settings)."""
    from rehab.engine.hud import set_font_scale
    from rehab.engine.palette import use_high_contrast

    set_font_scale(settings.font_scale)
    use_high_contrast(settings.high_contrast)
    set_language(settings.language_code)
