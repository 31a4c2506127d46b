"""Outcome questionnaires answered at home: which are due, asking them, storing and scoring them.

The plan says which measures and how often (``Plan.outcome_measures``); a guided session asks the
due ones after the pain before (``ask_due_outcomes``), and ``rehab outcomes answer`` asks one now.
A questionnaire is asked on the game window (``rehab.engine.questionnaire_scene``) or, with no
window, in the terminal (``ask_in_terminal``), and the same rules run both.

Fail safe, every answer kept: the response is started in the store when the first question shows,
each answer is committed the moment it is given (a kill loses at most the question on screen),
leaving early ends it ``stopped`` with whatever score the measure's missing-answer rule allows, and
a response a crash left in progress is closed the same way before the next one is asked.

Measures whose wording rehab does not ship are asked only when the clinic has put its licensed
wording file at ``<data home>/questionnaires/<measure>.toml``; a patient never sees "Question 1"
placeholders.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from progress.store import OutcomeResponseRow, Store
from rehab.app.plans import Plan
from rehab.core.errors import RehabError
from rehab.core.questionnaires import Instrument, ItemTextError, instrument, score, with_item_text
from rehab.engine.questionnaire_scene import SAFETY_TEXT, QuestionnaireState, no_hand

if TYPE_CHECKING:
    from rehab.app.session_runner import SessionContext
    from rehab.core.clock import Clock
    from rehab.engine.display import Display

#: the folder of the data home where a clinic puts its licensed wording, one ``<measure>.toml`` each
WORDING_FOLDER = "questionnaires"
DOCS = "docs/outcome_measures.md"

#: reads one line typed by the patient; None at the end of input (Ctrl-D, a closed pipe)
ReadLine = Callable[[str], "str | None"]


class WordingMissing(RehabError):
    """A measure whose wording is neither shipped nor supplied by the clinic: it is not asked."""


@dataclass(frozen=True)
class OutcomeResult:
    measure: str
    #: completed, stopped (left early, answers kept), not_started (left at the intro), not_installed
    status: str
    response_id: int | None = None
    total: float | None = None
    band: str | None = None
    flags: tuple[str, ...] = ()
    answers: dict[str, int] = field(default_factory=dict)
    message: str = ""


def due_outcomes(plan: Plan, responses: Sequence[OutcomeResponseRow], today: str | date) -> list[str]:
    """The plan's measures due ``today``: never completed, or last completed ``every_days`` ago or more.

    A response left early (``stopped``) or cut by a crash does not count: the measure is asked again."""
    day = date.fromisoformat(today) if isinstance(today, str) else today
    due = []
    for schedule in plan.outcome_measures:
        done = [r.at[:10] for r in responses if r.measure == schedule.measure and r.status == "completed"]
        if not done or (day - date.fromisoformat(max(done))).days >= schedule.every_days:
            due.append(schedule.measure)
    return due


def wording_path(wording_dir: Path, measure: str) -> Path:
    return wording_dir / f"{measure}.toml"


def wording_dir_of(store: Store) -> Path | None:
    """``<data home>/questionnaires``: the data home is the folder that holds the database."""
    return store.path.parent / WORDING_FOLDER if store.path is not None else None


def patient_instrument(measure: str, wording_dir: Path | None) -> Instrument:
    """The measure as the patient will see it: the clinic's wording file when there is one (also a
    translation of a shipped measure), else the shipped wording; WordingMissing when neither exists,
    ItemTextError when the clinic's file cannot be used."""
    base = instrument(measure)
    path = wording_path(wording_dir, measure) if wording_dir is not None else None
    if path is not None and path.exists():
        return with_item_text(base, path)
    if base.text_shipped:
        return base
    where = f" (the clinic's licensed wording goes in {path})" if path is not None else ""
    raise WordingMissing(f"{base.short_title} item wording not installed{where}: see {DOCS}")


class StoreSink:
    """Stores a questionnaire as it is answered: started at the first question, one commit an answer."""

    def __init__(
        self,
        store: Store,
        patient: str,
        measure: str,
        now_iso: Callable[[], str],
        visit_id: str | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.store, self.patient, self.measure = store, patient, measure
        self.now_iso, self.visit_id, self.say = now_iso, visit_id, say
        self.response_id: int | None = None

    def begin(self) -> None:
        if self.response_id is None:
            self.response_id = self.store.start_outcome(self.patient, self.now_iso(), self.measure, self.visit_id)

    def answer(self, key: str, value: int) -> None:
        self.begin()
        assert self.response_id is not None
        self.store.record_answer(self.response_id, key, value)

    def safety(self, text: str) -> None:
        # the terminal (and the log it may go to) gets the same words as the card on screen
        self.say(text)


#: runs one questionnaire with a sink and returns its state at the end (on screen or in the terminal)
Asker = Callable[[Instrument, StoreSink], QuestionnaireState]


def ask_outcome(store: Store, patient: str, measure: Instrument, asker: Asker, sink: StoreSink) -> OutcomeResult:
    """Ask ``measure`` with ``asker``, storing every answer through ``sink``, and close the response:
    completed when every question was answered, else stopped, scored as far as the rule allows."""
    state = asker(measure, sink)
    if sink.response_id is None:
        return OutcomeResult(measure.id, "not_started", message=f"{measure.short_title}: not answered")
    status = "completed" if state.complete else "stopped"
    result = score(measure, state.answers)
    store.finish_outcome(sink.response_id, status, result.total, result.band, result.flags)
    return OutcomeResult(
        measure.id,
        status,
        sink.response_id,
        result.total,
        result.band,
        result.flags,
        dict(state.answers),
        describe(measure, status, result.total, result.band),
    )


def describe(measure: Instrument, status: str, total: float | None, band: str | None) -> str:
    """One line for the terminal and the CLI: "PHQ-9: completed, 12 points (moderate)"."""
    shown = "no score (too many questions unanswered)" if total is None else f"{total:g} {measure.unit}"
    if total is not None and band:
        shown += f" ({band})"
    how = "completed" if status == "completed" else "stopped early, answers kept"
    return f"{measure.short_title}: {how}, {shown}"


def close_unfinished(store: Store, patient: str) -> list[int]:
    """Responses a crash or a kill left in progress, ended ``stopped`` with their answers scored."""
    closed = []
    for row in store.outcome_responses(patient):
        if row.status != "in_progress":
            continue
        result = score(instrument(row.measure), row.answers)
        store.finish_outcome(row.id, "stopped", result.total, result.band, result.flags)
        closed.append(row.id)
    return closed


def on_screen(display: Display, clock: Clock, hand: Callable[[float], float] = no_hand) -> Asker:
    """Asks on the window: keys, clicks and a hand held on an answer (``hand``: time -> hand level)."""

    def ask(measure: Instrument, sink: StoreSink) -> QuestionnaireState:
        from rehab.engine.director import run_scenes
        from rehab.engine.questionnaire_scene import QuestionnaireScene

        scene = QuestionnaireScene(measure, sink, hand)
        report = run_scenes(clock, display, scene)
        if report.quit and display.quit_presses == 1:  # Esc left the questionnaire; a closed window ends all
            display.forget_quit()
        return scene.state

    return ask


def in_terminal(read_line: ReadLine, say: Callable[[str], None] = print) -> Asker:
    def ask(measure: Instrument, sink: StoreSink) -> QuestionnaireState:
        return ask_in_terminal(measure, sink, read_line, say)

    return ask


def ask_in_terminal(
    measure: Instrument, sink: StoreSink, read_line: ReadLine, say: Callable[[str], None] = print
) -> QuestionnaireState:
    """One question at a time with numbered answers. A wrong answer asks again; "b" goes back; an
    empty line or the end of input stops, keeping every answer given."""
    state = QuestionnaireState(measure)
    say(f"{measure.title}. {measure.intro}")
    state.begin()
    sink.begin()
    shown = -1
    while state.phase == "question":
        item = state.item
        if state.index != shown:
            shown = state.index
            say(f"Question {state.index + 1} of {len(measure.items)}: {item.text}")
            for choice in item.choices:
                say(f"  {choice.value}  {choice.label}")
        line = read_line("Your answer (its number; b: back; empty line: stop): ")
        if line is None or not line.strip():
            state.leave()
            break
        typed = line.strip().lower()
        if typed in ("b", "back"):
            state.back()
            shown = -1
            continue
        if not (typed.lstrip("-").isdigit() and state.point_at_value(int(typed))):
            say(f"  Please type one of {', '.join(str(c.value) for c in item.choices)}.")
            continue
        given = state.answer(state.cursor or 0)
        assert given is not None
        sink.answer(*given)
        if state.phase == "safety":
            sink.safety(SAFETY_TEXT)
            read_line("Press Enter to go on. ")
            state.acknowledge()
    return state


def scripted(answers: Sequence[int | str]) -> ReadLine:
    """A patient who types ``answers`` in order, then nothing more (the end of input): for tests,
    simulated sessions and ``--answers``."""
    left = [str(a) for a in answers]

    def read_line(prompt: str) -> str | None:
        if prompt.startswith("Press Enter"):
            return ""  # a card read, not an answer: does not use one up
        return left.pop(0) if left else None

    return read_line


def ask_due_outcomes(
    ctx: SessionContext,
    patient_id: str,
    plan: Plan,
    visit_id: str | None,
    today: str,
    *,
    screen: bool | None = None,
    read_line: ReadLine | None = None,
    hand: Callable[[float], float] = no_hand,
) -> list[OutcomeResult]:
    """Ask the plan's due questionnaires at the start of a guided session, after the pain before.

    Uses ``ctx.store``, ``ctx.say``, ``ctx.now_iso``, ``ctx.display`` and ``ctx.make_clock``. Asked
    on ``ctx.display`` when ``screen`` (default: when it is a window, not headless); else in the
    terminal through ``read_line``; with neither, nothing is asked (a session is never blocked).
    Leaving one questionnaire early leaves the rest for next time. Never raises for a measure: one
    that cannot be asked is said and skipped."""
    from rehab.engine.display import HeadlessDisplay

    close_unfinished(ctx.store, patient_id)
    due = due_outcomes(plan, ctx.store.outcome_responses(patient_id), today)
    if screen is None:
        screen = not isinstance(ctx.display, HeadlessDisplay)
    if not due or (not screen and read_line is None):
        if due:
            ctx.say(f"Questionnaires due ({', '.join(due)}) not asked: no window and no terminal to ask them in.")
        return []
    asker = on_screen(ctx.display, ctx.make_clock(), hand) if screen else in_terminal(read_line or _eof, ctx.say)
    results: list[OutcomeResult] = []
    for measure_id in due:
        result = _ask_one(ctx, patient_id, measure_id, visit_id, asker)
        results.append(result)
        ctx.say(result.message)
        if result.status in ("stopped", "not_started"):
            break  # the patient chose to stop: the others wait for the next session
    return results


def _ask_one(ctx: SessionContext, patient: str, measure_id: str, visit_id: str | None, asker: Asker) -> OutcomeResult:
    try:
        measure = patient_instrument(measure_id, wording_dir_of(ctx.store))
    except (WordingMissing, ItemTextError) as error:
        return OutcomeResult(measure_id, "not_installed", message=str(error).splitlines()[0])
    sink = StoreSink(ctx.store, patient, measure_id, ctx.now_iso, visit_id, ctx.say)
    return ask_outcome(ctx.store, patient, measure, asker, sink)


def _eof(prompt: str) -> str | None:
    return None


def hand_pointer(source: object, stale_s: float = 0.5) -> Callable[[float], float]:
    """A hand level (``rehab.engine.ratings.hand_level``) from a pose source's newest frame: what a
    questionnaire on screen follows for hand-hover. NaN before the first pose and once none has come
    for ``stale_s`` (a camera lost mid-hold must not finish choosing an answer)."""
    from rehab.core.types import PoseFrame
    from rehab.engine.ratings import hand_level

    latest = [math.nan, -math.inf]  # level, when it was seen

    def level(now: float) -> float:
        frames = [s for s in source.poll(now) if isinstance(s, PoseFrame)]  # type: ignore[attr-defined]
        if frames:
            latest[0], latest[1] = hand_level(frames[-1]), now
        return latest[0] if now - latest[1] <= stale_s else math.nan

    return level
