"""Renders the README's screenshots: every game on its simulated patient, at a moment that shows
the game in action, saved at half size (480 x 270) to keep the repository small.

Run with ``make screenshots``; look at every picture before committing it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

OUT = Path(__file__).resolve().parent / "screenshots"
#: seconds into play at which each game is pictured
MOMENTS = {
    "lift": 8.3,
    "reach": 6.0,
    "tilt": 10.0,
    "squat": 10.0,
    "neck": 7.5,
    "breathe": 30.0,
    "exposure": 30.0,
    "focus": 30.0,
}


def main() -> int:
    import pygame

    from devices.replay import ReplaySource
    from rehab.core.clock import SimulatedClock
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import play

    OUT.mkdir(exist_ok=True)
    for name, info in sorted(available_games().items()):
        moment = MOMENTS.get(name, 8.0)
        with tempfile.TemporaryDirectory() as folder:
            full = Path(folder) / "full.png"
            play(
                ReplaySource(info.simulate("left", 0), f"sim:{name}"),
                info,
                Exercise.for_game(info, "left"),
                SimulatedClock(),
                HeadlessDisplay(),
                on_rep=lambda rep: None,
                max_seconds=moment + 0.1,
                screenshot=full,
                screenshot_at=moment,
                seed=0,
            )
            small = pygame.transform.smoothscale(pygame.image.load(str(full)), (480, 270))
            pygame.image.save(small, str(OUT / f"{name}.png"))
        print(OUT / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
