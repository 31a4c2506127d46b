"""The card that ends every guided session: what was done, and any safety words, in the patient's
own terms (no command-line options, no angle names).

The cards are built by pure functions; the session runner shows its closing card
(``rehab.engine.message_card``) after the last thing it stores, so whatever the patient does with
the card (or a power cut while it is up) loses nothing. ``show_problem`` puts a command's error on
its window, where the patient is looking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rehab.engine.message_card import Card

if TYPE_CHECKING:
    from rehab.app.progression import Change
    from rehab.app.session_runner import ExerciseResult, SessionResult
    from rehab.engine.display import Display

_TITLES = {
    "completed": "Session complete",
    "stopped_for_pain": "We stopped to keep you safe",
    "stopped": "Session stopped",
    "not_started": "Rest today",
    "already_ended": "Nothing to carry on",
}


def end_card(result: SessionResult) -> Card:
    """The closing card of a session that ran (or was refused by the pain rule) to its end."""
    warning = result.screen_message or result.message
    lines: list[str] = []
    if result.status in ("completed", "stopped_for_pain", "stopped"):
        lines += [exercise_line(e) for e in result.exercises]
        lines += list(result.parts_done)
        lines += _pain_line(result.pain_before, result.pain_after)
        lines += [change_line(c) for c in result.changes]
        if result.status == "completed" and not lines:
            lines.append("There was nothing to do in today's plan.")
    return Card(_TITLES.get(result.status, "Session ended"), tuple(lines), warning)


def exercise_line(exercise: ExerciseResult) -> str:
    if exercise.skipped:
        return f"{exercise.name}: not done today ({exercise.skipped})."
    if exercise.reps == 0:
        return f"{exercise.name}: no movements counted."
    reps = "1 movement" if exercise.reps == 1 else f"{exercise.reps} movements"
    line = f"{exercise.name}: {reps}, {exercise.successes} reached your goal of {exercise.target_deg:.0f}°."
    if exercise.over_ceiling:
        line += f" {exercise.over_ceiling} went past your safe limit: go gently."
    return line


def _pain_line(before: float | None, after: float | None) -> Sequence[str]:
    if before is None and after is None:
        return []
    if after is None:
        return [f"Pain before: {before:g} out of 10."]
    if before is None:
        return [f"Pain after: {after:g} out of 10."]
    return [f"Pain: {before:g} before, {after:g} after (out of 10)."]


def change_line(change: Change) -> str:
    """A progression in plain words: the new goal, not the rule that moved it."""
    if change.field == "target_percent":
        return f"Well done: next time, {change.name} aims at {change.new:g}% of your comfortable range."
    return f"Well done: next time, {change.name} aims at {change.new:g}°."


def problem_card(message: str) -> Card:
    """A problem that stopped the program (a camera that will not open, no plan): the one-line
    message the terminal gets, as a sentence."""
    sentence = message[:1].upper() + message[1:]
    if not sentence.endswith((".", "!", "?")):
        sentence += "."
    return Card("We had to stop", (sentence, "Everything you did before this is saved."))


def show_problem(display: Display, message: str) -> None:
    """``message`` on the window until the patient closes it (the terminal prints it too)."""
    from rehab.core.clock import RealClock
    from rehab.engine.message_card import show_card

    show_card(display, RealClock(), problem_card(message))
