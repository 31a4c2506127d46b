"""Screenshot regression: each game's frame at a fixed moment of its simulated session, compared
with a reference thumbnail (48 x 27 grey levels, stored as JSON: small text, no binaries).

Refresh the references after an intended change of look with ``python tests/screenshot_check.py``,
and look at the PNGs it writes to ``/tmp/rehab-screenshots`` before committing them.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

HERE = Path(__file__).resolve().parent
REFERENCES = HERE / "screenshots"
THUMBNAIL = (48, 27)
MOMENT_S = 8.0


def render(game: str, out: Path) -> list[int]:
    """Play ``game`` on its simulated patient, save the frame at MOMENT_S, return the thumbnail."""
    import pygame

    from devices.replay import ReplaySource
    from rehab.core.clock import SimulatedClock
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import play

    info = available_games()[game]
    source = ReplaySource(info.simulate("left", 0), f"sim:{game}")
    play(
        source,
        info,
        Exercise.for_game(info, "left"),
        SimulatedClock(),
        HeadlessDisplay(),
        on_rep=lambda r: None,
        max_seconds=MOMENT_S + 0.1,
        screenshot=out,
        screenshot_at=MOMENT_S,
        seed=0,
    )
    image = pygame.transform.smoothscale(pygame.image.load(str(out)), THUMBNAIL)
    rgb = pygame.surfarray.array3d(image)
    grey = (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]).round().astype(int)
    return [int(v) for v in grey.T.flatten()]


def reference_path(game: str) -> Path:
    return REFERENCES / f"{game}.json"


def update(games: list[str]) -> None:
    out_dir = Path("/tmp/rehab-screenshots")
    out_dir.mkdir(exist_ok=True)
    for game in games:
        thumb = render(game, out_dir / f"{game}.png")
        reference_path(game).write_text(json.dumps({"size": THUMBNAIL, "moment_s": MOMENT_S, "grey": thumb}))
        print(f"{game}: reference written; look at {out_dir / f'{game}.png'}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    from rehab.engine.game import available_games

    update(sys.argv[1:] or sorted(available_games()))
