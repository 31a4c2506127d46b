"""The first run's measurement: the patient's comfortable range of each movement the plan asks to
calibrate, measured on the home screen's window as a guided session measures it (three movements
as far as is comfortable, never past the safety ceiling), and stored. A first session started
from the same home screen before anything else is done uses these instead of measuring again.

With no plan yet (the home is not linked, or the clinic has sent none) there is nothing to
measure: the first session measures when the plan comes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rehab.app.home_screen.actions import HomeServices, Outcome, now_iso, sentence
from rehab.app.home_screen.settings import HomeSettings, apply_look
from rehab.app.plans import ExercisePlan
from rehab.core.errors import RehabError
from rehab.core.i18n import _
from rehab.engine.display import Display


@dataclass(frozen=True)
class Measured(Outcome):
    #: when the first measurement was stored ("" when none was): a session may reuse from then on
    since: str = ""


def movements_to_measure(services: HomeServices, patient: str) -> list[ExercisePlan]:
    """The plan's exercises whose range a session calibrates, each movement once."""
    from rehab.app.home_screen.today import calibrated_movements
    from rehab.app.plan_versions import current_plan

    try:
        assigned = current_plan(services.store, patient)
    except (RehabError, KeyError, TypeError, ValueError):
        return []
    return calibrated_movements(assigned.plan) if assigned else []


def measure_movements(services: HomeServices, display: Display, settings: HomeSettings, patient: str) -> Measured:
    """Each movement's comfortable range, stored as a calibration; one plain sentence when a
    movement could not be seen (the ones measured before it are kept)."""
    from rehab.app.session_sources import source_opener
    from rehab.engine.calibration import measure_range
    from rehab.engine.game import available_games
    from rehab.engine.play import SceneTimes

    games, since = available_games(), ""
    opened: list[Any] = []
    # one opener per input: a camera is opened once and shared by every movement, as in a session
    openers: dict[str, Any] = {}
    scenes = SceneTimes(summary_s=2.0) if services.real_time else SceneTimes(0.5, 0.5, 0.0)
    try:
        for index, exercise in enumerate(movements_to_measure(services, patient)):
            info = games.get(exercise.game)
            if info is None:
                continue  # the plan names a game this home lacks: the session says so
            url = services.input_for(settings, exercise.input)
            opener = openers.setdefault(url, source_opener(url, services.real_time, opened, 0))
            source = opener(info, exercise, index * 100 + 1)
            started = now_iso()
            measured = measure_range(
                source, info, exercise.side or "left", exercise.ceiling_deg, services.clock(), display, scenes,
                exercise.name,
            )  # fmt: skip
            if measured is None:
                return Measured(_("We could not see the movement: your first session will measure it."), since=since)
            services.store.add_calibration(
                patient, now_iso(), exercise.angle_name, round(measured.start_deg, 1), round(measured.peak_deg, 1), url
            )
            since = since or started
    except RehabError as error:
        return Measured(sentence(str(error)), since=since)
    finally:
        _close(opened)
        display.forget_quit()
        apply_look(settings)
    return Measured(since=since)


def _close(opened: list[Any]) -> None:
    for source in opened:
        source.close()
