"""The physio's actions at home (issue #18), in the game a patient plays: a real guided session runs
headless on simulated poses with the real sender (``rehab.app.live_share.LiveShare``) connected to a
real ``rehab clinic serve`` (SQLite and PostgreSQL), and the physio acts over the browser's socket
with a login session's cookie, as in ``tests/test_live_sessions.py`` (whose helpers are used here).

- pause: the game is paused (its state, the frames the physio gets) under a card saying the physio
  paused, checked pixel for pixel in the frame; the patient carries on with P;
- between sets: a message shows at once on the rest screen and over the pain question, pause holds
  the rest, end stops the session at once (during a rest, and during a pain question with every
  answer already given kept), and a target sent during the rest judges the next set;
- opting in later: a patient who said no sends nothing until they press L, then the physio gets
  frames and the LIVE badge shows.

The game is held at a frame while the physio acts: each action has reached the home's sender before
the next frame, so what a frame shows never depends on a clock. ``REHAB_SHOTS=folder`` saves the
frames looked at.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame
import pytest
import sqlalchemy as sa
from websockets.sync.client import ClientConnection

from clinic.db import create_engine
from clinic.live import actions as live_actions
from progress.store import DB_FILENAME, Store
from rehab.app.live_share import LiveShare
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text
from rehab.app.session_runner import SessionResult, run_session
from rehab.core.clock import SimulatedClock
from rehab.core.i18n import _
from rehab.engine.live import PHYSIO_PAUSED, SHARE_HINT
from rehab.engine.palette import PALETTE
from rehab.engine.rating_screen import ask_on_screen
from rehab.engine.scenes import Round, pause_banner_layout
from tests.clinic_fixtures import ClinicServer
from tests.screen_text import PatientAtWindow, shows_at
from tests.test_live_sessions import (
    LIVE_RED,
    PATIENCE_S,
    PLAN,
    clinic_with_patient,
    context,
    drain,
    message_drawn,
    open_viewer,
    receive_until,
)

#: two sets of two reps with a rest between them, so that there is a rest and a pain question
TWO_SETS = PLAN.replace("sets = 1", "sets = 2").replace("reps = 6", "reps = 2").replace("rest_s = 0", "rest_s = 10")
#: the same without the rest: the pain question comes straight before the second set
TWO_SETS_NO_REST = TWO_SETS.replace("rest_s = 10", "rest_s = 0")
MESSAGE = "breathe out as you lift"
#: past every peak of the simulated patient (at most 133 degrees), within the plan's ceiling
NEW_TARGET = 145.0
#: above the new target, under the plan's 150
NEW_CEILING = 148.0
ENTER = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN)
KEY_P = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_p)
KEY_L = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_l)
RIGHT = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RIGHT)


@pytest.fixture(autouse=True)
def _headless_and_closed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    yield
    pygame.display.quit()


@pytest.fixture
def rounds(monkeypatch: pytest.MonkeyPatch) -> list[Round]:
    """Every round the session plays, as it is made: the test reads the game's state from it."""
    made: list[Round] = []
    original = Round.__init__

    def record(self: Round, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Round, "__init__", record)
    return made


def sets(rounds: list[Round]) -> list[Round]:
    """The rounds that are the plan's sets (the calibration before them is not shared)."""
    return [r for r in rounds if r.live is not None]


def home(tmp_path: Path, plan: str = PLAN) -> Store:
    store = Store.open(tmp_path / "home" / DB_FILENAME)
    assign(store, "P1", parse_text(plan), "2026-11-02T09:00:00+00:00", "2026-11-02", "plan")
    return store


def act(viewer: ClientConnection, live: LiveShare, **action: Any) -> None:
    """The physio acts; the game is held until the action has reached the home's sender."""
    before = len(live.waiting_actions)
    viewer.send(json.dumps({"type": "action", **action}))
    deadline = time.monotonic() + PATIENCE_S
    while len(live.waiting_actions) <= before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(live.waiting_actions) > before, f"the {action['kind']} never reached the home"


def paused_card_drawn(frame: pygame.Surface) -> bool:
    """The pause banner says the physio paused, every row pixel for pixel on the opaque banner."""
    rows = pause_banner_layout(frame.get_size(), _(PHYSIO_PAUSED))
    return all(shows_at(frame, r.words, r.size, r.color, PALETTE.panel, r.rect[:2]) for r in rows)


def break_message_drawn(frame: pygame.Surface) -> bool:
    """The physio's message over a rest or a pain question: against the screen's bottom edge."""
    from rehab.engine.live import message_band_rows

    return message_drawn(frame, MESSAGE, message_band_rows(frame.get_size(), MESSAGE, at_bottom=True))


def sender_without_a_line() -> LiveShare:
    """The real sender, started, its clinic a free port nobody listens on: tests put the physio's
    actions in its queue as its receiving thread would."""
    from tests.clinic_fixtures import free_port

    live = LiveShare(f"http://127.0.0.1:{free_port()}", "token")
    live.start()
    return live


def command_line_pain_question(live: LiveShare, display: PatientAtWindow) -> float | None:
    """``rehab session start``'s pain question during the session, on ``display``, under the live
    link's ``LiveBreak``; the answer (None when skipped)."""
    import argparse

    from rehab.app.cli.session import _pain_asker

    args = argparse.Namespace(pain_before=None, pain_after=None, pain_during=None)
    return _pain_asker(args, False, [display], [live.between])("during", None)


def save_shot(frame: pygame.Surface, tmp_path: Path, name: str) -> None:
    pygame.image.save(frame, str(tmp_path / name))
    if os.environ.get("REHAB_SHOTS"):
        pygame.image.save(frame, str(Path(os.environ["REHAB_SHOTS"]) / name))


def session(
    server: ClinicServer,
    tmp_path: Path,
    watch: Callable[[int, Any], None],
    plan: str = PLAN,
    ask_pain: Callable[..., float | None] | None = None,
    display: PatientAtWindow | None = None,
) -> tuple[SessionResult, Store, LiveShare, list[dict[str, Any]]]:
    """A guided session on the linked home of P1, the physio watching: ``watch(frame, scene)`` is
    called at every frame, ``scene`` holding the viewer, the sender, the display and what was seen."""
    token, cookie = clinic_with_patient(server)
    store = home(tmp_path, plan)
    live = LiveShare(server.url, token)
    seen: list[dict[str, Any]] = []
    with open_viewer(server.url, cookie) as viewer:
        assert json.loads(viewer.recv(timeout=PATIENCE_S)) == {"type": "status", "home": "waiting"}
        shown = display or PatientAtWindow(press_from=1)
        world = type("World", (), {"viewer": viewer, "live": live, "display": shown, "seen": seen})()

        def each_frame(frame: int) -> None:
            drain(viewer, seen)
            watch(frame, world)

        shown.watch = each_frame
        ctx = context(store, shown, live)
        if ask_pain is not None:
            ctx.ask_pain = ask_pain
        try:
            result = run_session(ctx, "P1")
        finally:
            live.close()
        if live.sent:
            receive_until(viewer, lambda m: m["type"] == "sharing" and m["sharing"] is False, seen)
    return result, store, live, seen


def done_actions(seen: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    return [(m["kind"], m["applied"]) for m in seen if m["type"] == "action_done"]


# -- pause, in the game ---------------------------------------------------------------------------


def test_live_pause_from_the_physio_pauses_the_game_until_the_patient_carries_on(
    clinic_server: ClinicServer, tmp_path: Path, rounds: list[Round]
) -> None:
    held: dict[str, Any] = {}

    def watch(frame: int, world: Any) -> None:
        state = sets(rounds)[-1] if sets(rounds) else None
        playing = state is not None and state.since_start > state.lead_in + 1.0
        if "sent_at" not in held and playing and any(m["type"] == "frame" and m["landmarks"] for m in world.seen):
            assert state is not None
            held["reps_before"] = len(state.result.reps)
            act(world.viewer, world.live, kind="pause")
            held["sent_at"] = frame
        elif "sent_at" in held and "paused_at" not in held:
            assert state is not None and state.paused, "the game did not pause on the frame after the action"
            held["paused_at"] = frame
            assert paused_card_drawn(world.display.last)
        elif "paused_at" in held and "resume_at" not in held:
            assert state is not None and state.paused  # paused until the patient says otherwise
            assert paused_card_drawn(world.display.last)
            if frame - held["paused_at"] >= 120:  # two seconds of the game's time
                held["shot"] = world.display.last.copy()
                held["reps_paused"] = len(state.result.reps)
                world.display.event = KEY_P  # the patient carries on
                held["resume_at"] = frame
        elif "resume_at" in held and "carried_on" not in held:
            world.display.event = ENTER  # one P only: a second would pause again
            if frame > held["resume_at"] + 1:
                assert state is not None and not state.paused
                assert not paused_card_drawn(world.display.last)
                held["carried_on"] = frame

    result, store, _live, seen = session(clinic_server, tmp_path, watch)
    assert "carried_on" in held, f"the pause never came or never ended: {held}"
    assert held["paused_at"] == held["sent_at"] + 1
    save_shot(held["shot"], tmp_path, "live_paused_by_physio.png")
    assert paused_card_drawn(held["shot"]) and held["shot"].get_at((20, 70))[:3] == LIVE_RED
    # no rep is counted while paused; the physio was told the pause was applied and saw it
    assert held["reps_paused"] == held["reps_before"]
    assert done_actions(seen) == [("pause", True)]
    scenes = [m["scene"] for m in seen if m["type"] == "frame"]
    assert "paused" in scenes and scenes[-1] == "play"
    # after P the game went on to the end of the set, reps counted again
    assert result.status == "completed"
    assert len(sets(rounds)[-1].result.reps) > held["reps_paused"]
    store.close()


def test_live_pause_before_play_holds_the_instructions_until_the_patient_carries_on(
    clinic_server: ClinicServer, tmp_path: Path, rounds: list[Round]
) -> None:
    """A pause sent while the set's instructions show holds them (play does not start) under the
    physio's paused card; after P the countdown and play follow."""
    held: dict[str, Any] = {}

    def watch(frame: int, world: Any) -> None:
        state = sets(rounds)[-1] if sets(rounds) else None
        if state is None:
            return
        if "paused_at" not in held and state.start is not None and state.since_start < 0.2:
            act(world.viewer, world.live, kind="pause")
            held["paused_at"] = frame
            held["lead_in_left"] = state.lead_in - state.since_start
        elif "paused_at" in held and "resume_at" not in held:
            assert state.paused and paused_card_drawn(world.display.last)
            assert state.lead_in - state.since_start == pytest.approx(held["lead_in_left"], abs=0.02)
            if frame - held["paused_at"] == 2:
                save_shot(world.display.last, tmp_path, "live_paused_during_instructions.png")
            if frame - held["paused_at"] >= 120:
                world.display.event = KEY_P
                held["resume_at"] = frame
        elif "resume_at" in held and "carried_on" not in held:
            world.display.event = ENTER
            if frame > held["resume_at"] + 1:
                assert not state.paused
                held["carried_on"] = frame
                held["reps_then"] = len(state.result.reps)

    result, store, _live, seen = session(clinic_server, tmp_path, watch)
    assert "carried_on" in held, f"the pause never came or never ended: {held}"
    assert held["reps_then"] == 0
    assert done_actions(seen) == [("pause", True)]
    assert result.status == "completed" and sets(rounds)[-1].result.reps
    store.close()


def test_live_resume_from_the_physio_carries_the_game_on(
    clinic_server: ClinicServer, tmp_path: Path, rounds: list[Round]
) -> None:
    """The physio's resume lifts their own pause, with no key pressed at home: during the set's
    instructions (which then run on to the countdown and play) and in play (reps are counted again).
    A resume with nothing paused is answered 'not applied: nothing is paused'. Every action is
    stored in ``live_actions``."""
    held: dict[str, Any] = {}

    def watch(frame: int, world: Any) -> None:
        state = sets(rounds)[-1] if sets(rounds) else None
        if state is None:
            return
        drawn = world.display.last
        if "paused_at" not in held and state.start is not None and state.since_start < 0.2:
            act(world.viewer, world.live, kind="pause")
            held["paused_at"] = frame
            held["lead_in_left"] = state.lead_in - state.since_start
        elif "paused_at" in held and "resumed_at" not in held:
            assert state.paused and paused_card_drawn(drawn)
            assert state.lead_in - state.since_start == pytest.approx(held["lead_in_left"], abs=0.02)
            if frame - held["paused_at"] >= 60:
                act(world.viewer, world.live, kind="resume")
                held["resumed_at"] = frame
        elif "resumed_at" in held and "instructions_on" not in held:
            assert not state.paused and not paused_card_drawn(drawn), "the resume did not lift the pause"
            held["instructions_on"] = frame
        elif "instructions_on" in held and "play_paused_at" not in held:
            if state.since_start > state.lead_in + 1.0 and state.result.reps:
                held["reps_before"] = len(state.result.reps)
                act(world.viewer, world.live, kind="pause")
                held["play_paused_at"] = frame
        elif "play_paused_at" in held and "play_resumed_at" not in held:
            assert state.paused and paused_card_drawn(drawn)
            if frame - held["play_paused_at"] >= 120:  # two seconds of the game's time
                held["reps_paused"] = len(state.result.reps)
                act(world.viewer, world.live, kind="resume")
                held["play_resumed_at"] = frame
        elif "play_resumed_at" in held and "carried_on" not in held:
            assert not state.paused and not paused_card_drawn(drawn), "the resume did not lift the pause"
            act(world.viewer, world.live, kind="resume")  # nothing is paused now
            held["carried_on"] = frame

    result, store, _live, seen = session(clinic_server, tmp_path, watch)
    assert "carried_on" in held, f"a pause never came or never ended: {held}"
    # lifted on the frame after each resume, with no key pressed at home
    assert held["instructions_on"] == held["resumed_at"] + 1
    assert held["carried_on"] == held["play_resumed_at"] + 1
    # no rep while paused; reps counted again after the resume, to the end of the set
    assert held["reps_paused"] == held["reps_before"]
    assert result.status == "completed"
    assert len(sets(rounds)[-1].result.reps) > held["reps_paused"]
    kinds = ["pause", "resume", "pause", "resume", "resume"]
    assert done_actions(seen) == list(zip(kinds, [True, True, True, True, False], strict=True))
    assert [m["note"] for m in seen if m["type"] == "action_done"][-1] == "nothing is paused"
    scenes = [m["scene"] for m in seen if m["type"] == "frame"]
    assert "paused" in scenes and scenes[-1] == "play"
    engine = create_engine(clinic_server.db_url)
    try:
        stored = live_actions(engine, "P1")
    finally:
        engine.dispose()
    assert [row["kind"] for row in stored] == kinds
    store.close()


# -- between sets: the rest and the pain question -------------------------------------------------


def test_live_message_pause_and_target_during_a_rest(
    clinic_server: ClinicServer, tmp_path: Path, rounds: list[Round]
) -> None:
    """A message shows on the rest screen on the next frame; pause holds the rest (its seconds stand
    still) until P; a new target and ceiling sent during the rest hold for the next set."""
    step: dict[str, Any] = {}

    def watch(frame: int, world: Any) -> None:
        resting = any(m.get("scene") == "rest" for m in world.seen if m["type"] == "scene")
        if resting and "message_at" not in step:
            act(world.viewer, world.live, kind="message", text=MESSAGE)
            reason = "steady: try further"
            act(world.viewer, world.live, kind="target", value=NEW_TARGET, reason=reason)
            act(world.viewer, world.live, kind="ceiling", value=NEW_CEILING, reason=reason)
            step["message_at"] = frame
        elif "message_at" in step and "message_seen" not in step:
            assert break_message_drawn(world.display.last), "the message did not show on the rest's next frame"
            step["message_seen"] = frame
            save_shot(world.display.last, tmp_path, "live_message_during_rest.png")
            act(world.viewer, world.live, kind="pause")
            step["pause_at"] = frame
        elif "pause_at" in step and "resume_at" not in step:
            assert paused_card_drawn(world.display.last), "the rest was not paused at once"
            assert len(sets(rounds)) == 1  # the next set has not started
            if frame - step["pause_at"] == 1:
                save_shot(world.display.last, tmp_path, "live_paused_during_rest.png")
            if frame - step["pause_at"] >= 60 * 15:  # longer than the 10 s rest
                world.display.event = KEY_P
                step["resume_at"] = frame
        elif "resume_at" in step and "carried_on" not in step:
            world.display.event = ENTER
            if len(sets(rounds)) == 2:
                step["carried_on"] = frame

    result, store, _live, seen = session(clinic_server, tmp_path, watch, plan=TWO_SETS)
    assert "carried_on" in step, f"the rest never came, or never ended: {step}"
    assert step["message_seen"] == step["message_at"] + 1
    # the rest went on after P (10 s of it were left): the second set started well after
    assert step["carried_on"] - step["resume_at"] >= 60 * 9
    assert result.status == "completed"
    # the message and the pause were applied during the rest; the target and ceiling when the next set began
    assert done_actions(seen) == [("message", True), ("pause", True), ("target", True), ("ceiling", True)]
    first, second = sets(rounds)
    assert first.exercise.target_deg == 100.0 and second.exercise.target_deg == NEW_TARGET
    assert first.exercise.ceiling_deg == 150.0 and second.exercise.ceiling_deg == NEW_CEILING
    assert second.result.reps and not any(r.success for r in second.result.reps)
    set_two = [m for m in seen if m["type"] == "frame" and m["set"].endswith("set 2 of 2")]
    assert set_two and all(m["angle"]["goal"] == NEW_TARGET for m in set_two)
    assert all(m["angle"]["ceiling"] == NEW_CEILING for m in set_two)
    # none of it reached the first set
    set_one = [m for m in seen if m["type"] == "frame" and m["set"].endswith("set 1 of 2")]
    assert set_one and all(m["angle"]["goal"] == 100.0 and m["angle"]["ceiling"] == 150.0 for m in set_one)
    store.close()


def test_live_end_during_a_rest_stops_at_once_and_keeps_the_first_set(
    clinic_server: ClinicServer, tmp_path: Path, rounds: list[Round]
) -> None:
    step: dict[str, Any] = {}

    def watch(frame: int, world: Any) -> None:
        resting = any(m.get("scene") == "rest" for m in world.seen if m["type"] == "scene")
        if resting and "end_at" not in step:
            act(world.viewer, world.live, kind="end")
            step["end_at"] = frame
        step["last"] = frame

    result, store, _live, seen = session(clinic_server, tmp_path, watch, plan=TWO_SETS)
    assert "end_at" in step
    # the closing card came at once (it takes keys after half a second), not after the 600 frames of rest
    assert step["last"] - step["end_at"] < 60
    assert result.status == "stopped" and "Your physio ended the session" in result.message
    assert done_actions(seen) == [("end", True)]
    assert len(sets(rounds)) == 1
    visit = store.visits("P1")[-1]
    assert (visit.status, visit.stop_reason) == ("stopped", "ended_by_physio")
    (row,) = store.sessions("P1")
    assert len(store.reps(row.id)) == 2 and row.status == "in_progress"  # kept, and today's can go on
    store.close()


def test_live_end_during_a_pain_question_keeps_every_answer_given(
    clinic_server: ClinicServer, tmp_path: Path, rounds: list[Round]
) -> None:
    """The pain questions are asked on screen as at home (``ask_on_screen`` under the session's
    ``LiveBreak``): the patient answers the first (Enter: 0), the physio's message shows over the
    second, and their end ends it at once; the session stops with the first answer and the first
    set kept. No rest follows the question, so nothing after it could notice the end instead."""
    display = PatientAtWindow(press_from=1)
    step: dict[str, Any] = {}
    live_of: list[LiveShare] = []

    def ask_pain(moment: str, hand: Any) -> float | None:
        step["asking"] = moment
        if moment == "during":
            display.press_from = None  # the patient reads the question, and does not answer yet
            pygame.event.clear()
        live = live_of[0]
        return ask_on_screen(display, SimulatedClock(60), f"Pain {moment}?", hand=hand, around=live.between.around)

    def watch(frame: int, world: Any) -> None:
        if not live_of:
            live_of.append(world.live)
        if step.get("asking") == "during" and "message_at" not in step:
            act(world.viewer, world.live, kind="message", text=MESSAGE)
            step["message_at"] = frame
        elif "message_at" in step and "end_at" not in step:
            assert break_message_drawn(world.display.last), "the message did not show over the question"
            save_shot(world.display.last, tmp_path, "live_message_over_pain_question.png")
            act(world.viewer, world.live, kind="end")
            step["end_at"] = frame
            display.press_from = frame + 2  # Enter again: it closes the closing card
        step["last"] = frame

    # the first frame (the consent question) comes before any pain question: the live link is known
    result, store, _live, seen = session(
        clinic_server, tmp_path, watch, plan=TWO_SETS_NO_REST, ask_pain=ask_pain, display=display
    )
    assert "end_at" in step, f"the pain question during the session never came: {step}"
    assert step["last"] - step["end_at"] < 60  # the closing card, closed by Enter after half a second
    assert result.status == "stopped" and "Your physio ended the session" in result.message
    assert done_actions(seen) == [("message", True), ("end", True)]
    visit = store.visits("P1")[-1]
    assert (visit.status, visit.stop_reason) == ("stopped", "ended_by_physio")
    pains = [(r.moment, r.value) for r in store.ratings("P1", "pain")]
    assert pains == [("before", 0.0)]  # the answer given is kept; the question cut short is not one
    (row,) = store.sessions("P1")
    assert len(store.reps(row.id)) == 2 and len(sets(rounds)) == 1
    store.close()


# -- opting in later ------------------------------------------------------------------------------


def test_live_patient_who_said_no_shares_from_the_moment_they_press_l(
    clinic_server: ClinicServer, tmp_path: Path, rounds: list[Round]
) -> None:
    display = PatientAtWindow(press_from=1, event=RIGHT)  # "No", then Enter
    step: dict[str, Any] = {}

    def watch(frame: int, world: Any) -> None:
        if frame == 1:
            display.event = ENTER
        state = sets(rounds)[-1] if sets(rounds) else None
        playing = state is not None and state.since_start > state.lead_in + 2.0
        if playing and "l_at" not in step:
            live = world.live
            # two seconds into play, nothing has left the home, and the game says how to share
            assert not live.sharing and live.sent == 0 and not live.connected
            assert not [m for m in world.seen if m["type"] != "status"]
            hint = _(SHARE_HINT)
            save_shot(world.display.last, tmp_path, "live_share_hint.png")
            assert shows_at(world.display.last, hint, 28, PALETTE.text, PALETTE.panel, (12, 66))
            assert world.display.last.get_at((20, 70))[:3] != LIVE_RED
            display.event = KEY_L
            step["l_at"] = frame
        elif "l_at" in step and "frame_seen" not in step:
            display.event = ENTER  # one L only: a second would stop sharing again
            if not world.live.sharing:
                return  # the L posted with this frame is read by the game's next one
            # the game is held until a skeleton it sent reaches the physio
            got = receive_until(world.viewer, lambda m: m["type"] == "frame" and m["landmarks"], world.seen)
            step["frame_seen"] = got
            step["badge_shot"] = world.display.last.copy()

    result, store, live, seen = session(clinic_server, tmp_path, watch, display=display)
    assert "frame_seen" in step, f"sharing never started: {step}"
    save_shot(step["badge_shot"], tmp_path, "live_shared_after_l.png")
    assert step["badge_shot"].get_at((20, 70))[:3] == LIVE_RED
    assert result.status == "completed"
    frame = step["frame_seen"]
    assert frame["set"] == "Biceps curl, set 1 of 1" and frame["scene"] == "play" and len(frame["landmarks"]) == 33
    assert {"type": "status", "home": "connected"} in seen
    engine = create_engine(clinic_server.db_url)
    with engine.begin() as conn:
        shared = conn.execute(sa.text("select count(*) from audit_log where action = 'live share'")).scalar_one()
    engine.dispose()
    assert shared == 1
    assert math.isfinite(frame["angle"]["value"])
    store.close()


# -- the command line's pain question is asked under the session's LiveBreak ------------------------


def test_live_cli_pain_question_shows_the_message_and_ends_with_the_physio(tmp_path: Path) -> None:
    """``rehab session start`` in a window asks about pain on the window: the physio's message shows
    over that question and their end closes it at once (the sender is real, its line down: the
    actions are put in its queue as its receiving thread puts them)."""
    from rehab.engine.live import LiveAction

    live = sender_without_a_line()
    seen: dict[str, Any] = {}

    def watch(frame: int) -> None:
        if frame == 2:
            live.put_back([LiveAction(1, "message", text=MESSAGE)])
        elif frame == 3:
            seen["message"] = break_message_drawn(display.last)
            live.put_back([LiveAction(2, "end")])
        seen["frames"] = frame
        if frame == 120:  # never reached when the end acts: Esc, so that the test ends anyway
            display.press_from, display.event = frame, pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE)

    display = PatientAtWindow(watch=watch)
    try:
        answer = command_line_pain_question(live, display)
    finally:
        live.close()
    assert seen["message"], "the physio's message did not show over the pain question"
    assert answer is None and live.between.ended and seen["frames"] <= 5


# -- the home screen's session: its pain question is asked under the session's LiveBreak ------------


def test_live_home_screen_session_ends_during_its_pain_question(
    clinic_server: ClinicServer, tmp_path: Path, rounds: list[Round], monkeypatch: pytest.MonkeyPatch
) -> None:
    """*Start today's session* on a linked home (``rehab.app.home_screen.actions.run_session``, its
    own pain questions on the window): the physio's end during the question before the second set
    stops the session there, with the first answer and the first set kept."""
    from datetime import date, datetime, timezone

    from rehab.app.clinic_link import ClinicLink, save_link
    from rehab.app.home_screen.actions import HomeServices
    from rehab.app.home_screen.actions import run_session as start_todays_session
    from rehab.app.home_screen.settings import HomeSettings
    from rehab.engine.rating_screen import RatingScene

    questions: list[RatingScene] = []
    asked = RatingScene.__init__

    def record(self: RatingScene, *args: Any, **kwargs: Any) -> None:
        asked(self, *args, **kwargs)
        questions.append(self)

    monkeypatch.setattr(RatingScene, "__init__", record)
    monkeypatch.setattr("rehab.app.home_screen.actions._sync_quietly", lambda services: None)
    token, cookie = clinic_with_patient(clinic_server)
    services = HomeServices(tmp_path / "home", input_url="sim", real_time=False)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    save_link(services.home, ClinicLink(clinic_server.url, token, "device", "P1", now))
    assign(services.store, "P1", parse_text(TWO_SETS_NO_REST), now, date.today().isoformat(), "plan")
    display = PatientAtWindow(press_from=1)  # Enter: yes to sharing, 0 to the first pain question
    step: dict[str, Any] = {}
    seen: list[dict[str, Any]] = []
    with open_viewer(clinic_server.url, cookie) as viewer:

        def watch(frame: int) -> None:
            drain(viewer, seen)
            first = sets(rounds)[0] if sets(rounds) else None
            if first is not None and first.result.ended and "quiet_at" not in step:
                display.press_from = None  # the patient reads the next question, and does not answer yet
                step["quiet_at"] = frame
            elif "quiet_at" in step and len(questions) == 2 and "end_at" not in step:
                assert questions[1].answer is None
                live = first.live.channel if first is not None and first.live is not None else None
                assert isinstance(live, LiveShare)
                act(viewer, live, kind="end")
                step["end_at"] = frame
                display.press_from = frame + 2  # Enter again: it closes the closing card
            step["last"] = frame

        display.watch = watch
        try:
            start_todays_session(services, display, HomeSettings(), "P1", "session")
        finally:
            visits = services.store.visits("P1")
            pains = [(r.moment, r.value) for r in services.store.ratings("P1", "pain")]
            reps = [len(services.store.reps(row.id)) for row in services.store.sessions("P1")]
            services.close()
    assert "end_at" in step, f"the question before the second set never came: {step}"
    assert step["last"] - step["end_at"] < 60  # the closing card, closed by Enter after half a second
    assert done_actions(seen) == [("end", True)]
    assert (visits[-1].status, visits[-1].stop_reason) == ("stopped", "ended_by_physio")
    assert pains == [("before", 0.0)] and reps == [2] and len(sets(rounds)) == 1


def test_live_target_sent_between_sets_never_reaches_another_exercise() -> None:
    """A target sent during a rest or a pain question carries the movement the physio last saw;
    the next set applies it only if it is the same movement."""
    from types import SimpleNamespace

    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.live import LiveAction, LiveRound

    exercise = Exercise.for_game(available_games()["lift"], "left", 2, 0.3, 100.0)
    changed: list[Exercise] = []
    state = SimpleNamespace(exercise=exercise, retarget=changed.append)
    live = LiveRound(LiveShare("http://127.0.0.1:9", "token"), exercise.rest_deg, 150.0)
    other = LiveAction(1, "target", value=120.0, movement="knee_flexion_left")
    applied, note = live.apply(state, 0.0, other)
    assert not applied and "another" in note and not changed
    same = LiveAction(2, "target", value=120.0, movement=exercise.angle_name)
    assert live.apply(state, 0.0, same) == (True, "")
    assert [e.target_deg for e in changed] == [120.0]


def test_live_pause_holds_the_pain_question_until_p(tmp_path: Path) -> None:
    """The physio's pause over the command line's pain question: the paused card shows, Enter does
    not answer while it does, and after P the question is answered as usual."""
    from rehab.engine.live import LiveAction

    live = sender_without_a_line()
    seen: dict[str, Any] = {"paused": 0}

    def watch(frame: int) -> None:
        if frame == 2:
            live.put_back([LiveAction(1, "pause")])
        elif 3 <= frame < 60:
            seen["paused"] += paused_card_drawn(display.last)
            display.press_from, display.event = frame, ENTER  # Enter while paused: no answer
        elif frame == 60:
            display.event = KEY_P
        elif frame == 61:
            display.event = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_UP)
        elif frame == 62:
            display.event = ENTER
        seen["frames"] = frame
        if frame == 200:  # never reached when P carries on: Esc, so that the test ends anyway
            display.event = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE)

    display = PatientAtWindow(watch=watch)
    try:
        answer = command_line_pain_question(live, display)
    finally:
        live.close()
    assert seen["paused"] == 57, "the paused card did not hold the question"
    assert answer == 1.0 and seen["frames"] < 70 and not live.between.ended


def test_live_resume_lifts_the_pause_over_the_pain_question(tmp_path: Path) -> None:
    """The physio's pause over the command line's pain question, then their resume: the paused card
    goes with no key pressed at home, and the question is answered as usual; a second resume, with
    nothing paused, is answered not applied. The physio's page is told the question's scene."""
    from rehab.engine.live import LiveAction

    live = sender_without_a_line()
    seen: dict[str, Any] = {"paused": 0}

    def watch(frame: int) -> None:
        if frame == 2:
            live.put_back([LiveAction(1, "pause")])
        elif 3 <= frame < 60:
            seen["paused"] += paused_card_drawn(display.last)
            # Enter while paused: no answer; no key at all for the last frames before the resume
            display.press_from, display.event = (frame, ENTER) if frame < 57 else (None, ENTER)
        elif frame == 60:
            live.put_back([LiveAction(2, "resume")])  # taken by the next frame's update
        elif frame == 61:
            seen["lifted"] = not paused_card_drawn(display.last)
            live.put_back([LiveAction(3, "resume")])
            display.press_from = frame + 1
            display.event = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_UP)
        elif frame == 62:
            display.event = ENTER
        seen["frames"] = frame
        if frame == 200:  # never reached when the resume acts: Esc, so that the test ends anyway
            display.event = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE)

    display = PatientAtWindow(watch=watch)
    try:
        answer = command_line_pain_question(live, display)
        told = [dict(m) for m in live._others]
    finally:
        live.close()
    assert seen["paused"] == 57 and seen["lifted"], "the resume did not lift the paused card"
    assert answer == 1.0 and seen["frames"] < 70 and not live.between.ended
    done = [(m["kind"], m["applied"], m["note"]) for m in told if m["type"] == "action_done"]
    assert done == [("pause", True, ""), ("resume", True, ""), ("resume", False, "nothing is paused")]
    scenes = [m["scene"] for m in told if m["type"] == "scene"]
    assert scenes == ["rating", "paused", "rating"]
