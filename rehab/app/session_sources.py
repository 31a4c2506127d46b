"""Where a guided session's phases get their input: a simulated patient made afresh for each phase
(doing what the plan prescribes), or one live device (camera, IMU, headset, keyboard) opened once and
lent to every phase, so a camera is not reopened between sets. Used by ``rehab session start`` and the
home screen."""

from __future__ import annotations

from rehab.core.errors import UsageError


def source_opener(url: str, window: bool, opened: list, seed: int):  # type: ignore[no-untyped-def,type-arg]
    """Simulated input starts afresh for every phase (a new simulated patient's movements); a real
    device is opened once and shared by every phase, so a camera is not reopened between sets."""

    live: dict[str, object] = {}

    def open_for(info, exercise, phase_seed: int):  # type: ignore[no-untyped-def]
        from devices.replay import ReplaySource

        side = (exercise.side if exercise is not None else None) or "left"
        if url in ("sim", "sim:"):
            source = ReplaySource(_simulated(info, exercise, side, seed + phase_seed), url=f"sim:{info.name}")
            opened.append(source)
            return source
        if url not in live:
            live[url] = _open_live(url, window, info, exercise)
            opened.append(live[url])
        return _Shared(live[url])

    return open_for


def _simulated(info, exercise, side: str, seed: int):  # type: ignore[no-untyped-def]
    """For a prescribed movement, a simulated patient doing what the plan asks (the reps, the hold,
    around the goal, within the ceiling); otherwise the game's own simulated player."""
    if exercise is None or info.kind != "physical":
        return info.simulate(side, seed)
    from rehab.engine.exercise import Exercise
    from rehab.sim.patients import prescribed_patient

    game_exercise = Exercise.for_game(info, side)
    rest = game_exercise.rest_deg
    # a goal in percent is set after calibration: the simulated patient aims at 80% of the ceiling
    goal = exercise.target_deg if exercise.target_deg is not None else rest + 0.8 * (exercise.ceiling_deg - rest)
    return prescribed_patient(
        game_exercise.angle_name,
        rest,
        goal,
        exercise.ceiling_deg,
        exercise.reps,
        exercise.hold_s,
        signed=info.signed,
        seed=seed,
    )


class _Shared:
    """A live source lent to one phase: closing it is left to the end of the session."""

    def __init__(self, source) -> None:  # type: ignore[no-untyped-def]
        self._source = source
        self.url = getattr(source, "url", "")

    def poll(self, now: float):  # type: ignore[no-untyped-def]
        return self._source.poll(now)

    def status_events(self):  # type: ignore[no-untyped-def]
        return self._source.status_events()

    def close(self) -> None:
        pass


def _open_live(url: str, window: bool, info, exercise):  # type: ignore[no-untyped-def]
    from devices.base import open_source

    if url.startswith("keyboard"):
        if not window:
            raise UsageError("keyboard input needs a window (keys come from the game window)")
        from devices.keyboard import KeyboardSource
        from rehab.engine.exercise import Exercise

        game = Exercise.for_game(info, (exercise.side if exercise else None) or "left")
        ceiling = exercise.ceiling_deg if exercise else game.target_deg * 1.2
        return KeyboardSource(game.angle_name, game.rest_deg, ceiling * 1.1, game.signed)
    from devices.camera import CameraUnavailable
    from rehab.app.input_problems import camera_problem

    try:
        return open_source(url)
    except CameraUnavailable as error:
        raise UsageError(camera_problem(url, error)) from error
    except OSError as error:
        raise UsageError(f"cannot open {url}: {error}") from error
