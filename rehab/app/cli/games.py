"""``rehab games``: the games installed, with the movements they train and the inputs they take."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults()


def run(args: argparse.Namespace) -> int:
    from rehab.engine.game import available_games

    games = available_games()
    width = max((len(name) for name in games), default=4)
    for name, spec in sorted(games.items()):
        print(f"{name:<{width}}  {spec.description}")
        print(f"{'':<{width}}  movements: {', '.join(spec.movements)}; inputs: {', '.join(spec.inputs)}")
    return 0
