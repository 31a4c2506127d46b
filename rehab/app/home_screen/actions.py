"""What the home screen starts, run on its own window: today's guided session (fresh, or carried
on as ``rehab session start --resume`` does), breathing (as ``rehab play breathe``), the camera
check and linking to the clinic (as ``rehab link``). Each returns one plain sentence when it could
not be done; none raises to the screen."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from progress.store import DB_FILENAME, Store
from rehab.app.clinic_link import LinkError, load_link
from rehab.app.home_screen.facts import HomeFacts, read_facts
from rehab.app.home_screen.notices import Notice
from rehab.app.home_screen.settings import HomeSettings, apply_look, save_settings
from rehab.core.clock import Clock, RealClock, SimulatedClock
from rehab.core.errors import RehabError
from rehab.core.i18n import N_, _
from rehab.engine.display import Display
from rehab.engine.message_card import Card

#: pain questions asked on the window, as ``rehab session start`` asks them there
PAIN_QUESTIONS = {
    "before": N_("How much pain do you have now?"),
    "during": N_("How is your pain now?"),
    "after": N_("How much pain do you have now, after the session?"),
}


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class HomeServices:
    """The home's store, link and settings files behind the screens. ``input_url`` overrides the
    settings' input (``sim`` for a demonstration or a test); ``real_time`` False runs what the
    screen starts on a simulated clock (tests)."""

    def __init__(self, home: Path, input_url: str = "", real_time: bool = True, today: date | None = None) -> None:
        from rehab.app.home import prepared_home

        self.home = prepared_home(home)
        self.store = Store.open(self.home / DB_FILENAME)
        self.input_url = input_url
        self.real_time = real_time
        self.today = today

    def close(self) -> None:
        self.store.close()

    def link(self) -> Any:
        try:
            return load_link(self.home)
        except LinkError:
            return None  # a damaged link reads as none here; 'rehab sync' says what is wrong

    def read_facts(self, settings: HomeSettings) -> HomeFacts:
        return read_facts(self.store, settings, self.link(), now_iso(), self.today or date.today())

    def save_settings(self, settings: HomeSettings) -> None:
        save_settings(self.home, settings)
        apply_look(settings)

    def add_patient(self, patient_id: str) -> None:
        self.store.ensure_patient(patient_id, now_iso())

    def mark_read(self, notice: Notice) -> None:
        if notice.kind == "message":
            self.store.mark_shown([notice.ref], now_iso())

    def clock(self) -> Clock:
        return RealClock() if self.real_time else SimulatedClock()

    def input_for(self, settings: HomeSettings, plan_input: str | None = None) -> str:
        if self.input_url:
            return self.input_url
        if settings.input == "keyboard":
            return "keyboard:"
        if settings.input == "plan" and plan_input:
            return plan_input
        return "webcam:0"


@dataclass(frozen=True)
class Outcome:
    problem: str = ""
    message: str = ""
    #: a card the action showed on the window (what the patient was told), for the record
    card: Card | None = None


def sentence(message: str) -> str:
    """A message from the library as one sentence on screen: a capital and a full stop."""
    words = message.strip()
    words = words[:1].upper() + words[1:]
    return words if words.endswith((".", "!", "?")) else words + "."


def run_session(
    services: HomeServices, display: Display, settings: HomeSettings, patient: str, mode: str, measured_since: str = ""
) -> Outcome:
    """``mode``: session (nothing to carry on), session_resume (Yes), session_fresh (No: the
    session cut short is closed as interrupted, as a session too old to resume is, and today's
    starts from the beginning). ``measured_since``: the first run measured the patient's ranges
    from then on; the session uses them instead of measuring again."""
    from rehab.app.plan_versions import current_plan
    from rehab.app.session_runner import SessionContext, close_stale
    from rehab.app.session_runner import run_session as run_guided
    from rehab.app.session_sources import source_opener
    from rehab.engine.game import available_games
    from rehab.engine.play import SceneTimes
    from rehab.engine.rating_screen import ask_on_screen

    store = services.store
    opened: list[Any] = []
    ctx: SessionContext | None = None
    try:
        if mode == "session_fresh":
            after_everything = datetime.fromisoformat(now_iso()) + timedelta(seconds=1)
            close_stale(store, patient, after_everything, now_iso())
        assigned = current_plan(store, patient)
        first = assigned.plan.exercise[0].input if assigned and assigned.plan.exercise else None
        url = services.input_for(settings, first)
        real = services.real_time

        def ask_pain(moment: str, hand: Callable[[float], float] | None) -> float | None:
            # a live session's physio may message, pause or end during the question
            around = ctx.live.between.around if ctx is not None and ctx.live is not None else None
            return ask_on_screen(display, services.clock(), _(PAIN_QUESTIONS[moment]), hand=hand, around=around)

        ctx = SessionContext(
            store=store,
            games=available_games(),
            open_source=source_opener(url, True, opened, 0),
            display=display,
            make_clock=services.clock,
            ask_pain=ask_pain,
            now_iso=now_iso,
            today=(services.today or date.today()).isoformat(),
            say=lambda line: None,  # the window says it on its cards; there is no terminal to read
            scenes=SceneTimes(summary_s=2.0) if real else SceneTimes(0.5, 0.5, 0.0),
            input_url=url,
            read_line=None,
            card_s=math.inf,
            reuse_calibrations_since=measured_since,
            live=_live_link(services.home, patient),
        )
        run_guided(ctx, patient, resume=mode == "session_resume")
    except RehabError as error:
        return Outcome(sentence(str(error)))
    finally:
        if ctx is not None and ctx.live is not None:
            ctx.live.close()
        for source in opened:
            source.close()
        display.forget_quit()
    _sync_quietly(services)
    return Outcome()


def _live_link(home: Any, patient: str) -> Any:
    """A linked home's live link, for the linked patient only (the patient is asked before anything
    is sent); None otherwise."""
    from rehab.app.clinic_link import LinkError, load_link
    from rehab.app.live_share import LiveShare

    try:
        link = load_link(home)
    except LinkError:
        return None
    return LiveShare.for_link(link) if link is not None and link.patient_id == patient else None


def _sync_quietly(services: HomeServices) -> None:
    """A linked home sends the session now; offline, it waits (and says nothing: it is normal)."""
    from rehab.app.home_screen.clinic import sync_quietly

    sync_quietly(services.home, services.store)


def relax(services: HomeServices, display: Display, settings: HomeSettings, patient: str) -> Outcome:
    """The breathing game, as ``rehab play breathe`` plays it: for the plan's breathing minutes,
    else the game's own length; its closing question is asked either way."""
    from rehab.app.free_play import PlayRequest, chosen_game, play_on, prescribed
    from rehab.app.plan_versions import current_plan

    try:
        assigned = current_plan(services.store, patient)
    except (RehabError, KeyError, TypeError, ValueError):
        assigned = None
    breathing = assigned.plan.breathing if assigned else None
    request = PlayRequest(
        game="breathe",
        patient=patient,
        input=services.input_for(settings),
        home=str(services.home),
        seconds=breathing.minutes * 60 if breathing else None,
        window=services.real_time,
        sound=settings.sound,
    )
    try:
        info = chosen_game(request)
        play_on(display, request, info, prescribed(request, info), say=lambda line: None)
    except RehabError as error:
        return Outcome(sentence(str(error)))
    finally:
        display.forget_quit()
        apply_look(settings)
    _sync_quietly(services)
    return Outcome()


def link(services: HomeServices, address: str, code: str) -> Outcome:
    """What ``rehab link ADDRESS CODE`` does; its refusal as one sentence for the screen."""
    from rehab.app.home_screen.clinic import link_home

    try:
        made = link_home(services.home, services.store, address, code)
    except RehabError as error:
        return Outcome(problem=sentence(str(error)))
    return Outcome(message=_("This home now sends your sessions to {address}.").format(address=made.url))
