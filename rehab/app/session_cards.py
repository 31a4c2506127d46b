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

from rehab.core.i18n import N_, _, ngettext
from rehab.engine.message_card import Card

if TYPE_CHECKING:
    from rehab.app.progression import Change
    from rehab.app.session_runner import ExerciseResult, SessionResult
    from rehab.engine.display import Display

_TITLES = {
    "completed": N_("Session complete"),
    "stopped_for_pain": N_("We stopped to keep you safe"),
    "stopped": N_("Session stopped"),
    "not_started": N_("Rest today"),
    "already_ended": N_("Nothing to carry on"),
}
#: a session that ran to its end without doing any of its exercises is not "complete"
NOTHING_DONE = N_("Your exercises could not be done today")


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
            lines.append(_("There was nothing to do in today's plan."))
    title = _TITLES.get(result.status, N_("Session ended"))
    if result.status == "completed" and result.exercises and all(e.skipped for e in result.exercises):
        title = NOTHING_DONE if not result.parts_done else title
    return Card(_(title), tuple(lines), warning)


def exercise_line(exercise: ExerciseResult) -> str:
    if exercise.skipped:
        return _("{exercise}: not done today ({why}).").format(exercise=exercise.name, why=exercise.skipped)
    if exercise.reps == 0:
        return _("{exercise}: no movements counted.").format(exercise=exercise.name)
    # two counts, two plural forms (French: "8 mouvements, 1 a atteint...", "5 ont atteint...")
    done = ngettext("{exercise}: {count} movement,", "{exercise}: {count} movements,", exercise.reps)
    reached = ngettext(
        "{reached} reached your goal of {goal}°.", "{reached} reached your goal of {goal}°.", exercise.successes
    )
    line = " ".join(
        (
            done.format(exercise=exercise.name, count=exercise.reps),
            reached.format(reached=exercise.successes, goal=f"{exercise.target_deg:.0f}"),
        )
    )
    if exercise.over_ceiling:
        past = ngettext(
            "{count} went past your safe limit: go gently.",
            "{count} went past your safe limit: go gently.",
            exercise.over_ceiling,
        )
        line += " " + past.format(count=exercise.over_ceiling)
    return line


def _pain_line(before: float | None, after: float | None) -> Sequence[str]:
    if before is None and after is None:
        return []
    if after is None:
        return [_("Pain before: {before} out of 10.").format(before=f"{before:g}")]
    if before is None:
        return [_("Pain after: {after} out of 10.").format(after=f"{after:g}")]
    return [_("Pain: {before} before, {after} after (out of 10).").format(before=f"{before:g}", after=f"{after:g}")]


def change_line(change: Change) -> str:
    """A progression in plain words: the new goal, not the rule that moved it."""
    if change.field == "target_percent":
        words = _("Well done: next time, {exercise} aims at {percent}% of your comfortable range.")
        return words.format(exercise=change.name, percent=f"{change.new:g}")
    return _("Well done: next time, {exercise} aims at {goal}°.").format(exercise=change.name, goal=f"{change.new:g}")


def problem_card(message: str) -> Card:
    """A problem that stopped the program (a camera that will not open, no plan): the one-line
    message the terminal gets, as a sentence."""
    sentence = message[:1].upper() + message[1:]
    if not sentence.endswith((".", "!", "?")):
        sentence += "."
    return Card(_("We had to stop"), (sentence, _("Everything you did before this is saved.")))


def show_problem(display: Display, message: str) -> None:
    """``message`` on the window until the patient closes it (the terminal prints it too)."""
    from rehab.core.clock import RealClock
    from rehab.engine.message_card import show_card

    show_card(display, RealClock(), problem_card(message))
