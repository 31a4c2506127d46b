"""Short, soft sound cues made in code (no audio files): a chime for a good rep, a low tone for a
warning. Silent where no audio device exists; a game never fails for want of sound."""

from __future__ import annotations

from typing import Any

import numpy as np

SAMPLE_RATE = 22050
#: (frequencies in Hz, seconds): a rising major third for success, a single low note for a warning
CUES: dict[str, tuple[tuple[float, ...], float]] = {
    "rep": ((523.25, 659.25), 0.35),
    "goal": ((523.25, 659.25, 783.99), 0.5),
    "warning": ((220.0,), 0.4),
}


def tone(frequencies: tuple[float, ...], seconds: float, volume: float = 0.25) -> np.ndarray:
    """Notes played one after another with soft attack and release, as int16 stereo samples."""
    per_note = seconds / len(frequencies)
    t = np.arange(int(per_note * SAMPLE_RATE)) / SAMPLE_RATE
    envelope = np.minimum(1.0, t / 0.02) * np.exp(-3.0 * t / per_note)
    wave = np.concatenate([np.sin(2 * np.pi * f * t) * envelope for f in frequencies])
    mono = (wave * volume * 32767).astype(np.int16)
    return np.column_stack([mono, mono])


class Sounds:
    def __init__(self, enabled: bool = True) -> None:
        self._sounds: dict[str, Any] = {}
        if not enabled:
            return
        try:
            import pygame

            pygame.mixer.init(frequency=SAMPLE_RATE, size=-16, channels=2)
            for name, (frequencies, seconds) in CUES.items():
                self._sounds[name] = pygame.sndarray.make_sound(tone(frequencies, seconds))
        except Exception:  # noqa: BLE001 - no audio device, or SDL without a mixer: play silently
            self._sounds = {}

    @property
    def available(self) -> bool:
        return bool(self._sounds)

    def play(self, name: str) -> None:
        sound = self._sounds.get(name)
        if sound is not None:
            sound.play()
