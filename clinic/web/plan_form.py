"""The plan editor's form: what a physio sees and types, kept as text, and its way to and from the
plan's own TOML shape.

A field is named by the path ``rehab plan validate`` names it by (``exercise[2].sets``,
``safety.pain_stop_rise``, ``exposure.step[3].suds_move_on``), so each problem the validator finds
is shown at its field. Two fields stand for a pair of plan keys: ``exercise[N].target`` with its
unit select is ``target_deg`` or ``target_percent``, and ``exercise[N].progression.max`` is
``max_deg`` or ``max_percent`` in the target's unit.

Values stay text until the plan is built: a blank field is left out of the plan (so the validator
says "missing", or uses its default), a number is a number, and anything else goes in as text, so a
wrong value is refused by the validator with its own sentence rather than by a second set of rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rehab.app.plans import KNOWN_MOTIONS, OUTCOME_MEASURE_IDS, SCHEMA, Problem

#: rows of one kind the form holds at most: far more than any plan, and bounded work per request
MAX_ROWS = 30
ABOUT_KEYS = ("title", "sessions_per_week", "notes")
SAFETY_KEYS = ("pain_stop_rise", "max_pain_before")
EXERCISE_KEYS: tuple[str, ...] = ("name", "game", "movement", "side", "input", "sets", "reps", "hold_s", "rest_s")
EXERCISE_KEYS += ("target", "target_unit", "ceiling_deg", "calibrate")
PROGRESSION_KEYS = ("every_sessions", "step_percent", "max", "enabled")
BREATHING_KEYS = ("game", "minutes", "breaths_per_min")
EXPOSURE_KEYS = ("game", "suds_stop", "minutes_per_step")
STEP_KEYS = ("description", "suds_move_on")
MEASURE_KEYS = ("measure", "every_days")
#: the plan's numbers (the rest of the keys are text, a choice or a checkbox)
NUMBERS = frozenset(
    ("sessions_per_week", "sets", "reps", "hold_s", "rest_s", "target", "ceiling_deg", "every_sessions")
    + ("step_percent", "max", "minutes", "breaths_per_min", "suds_stop", "minutes_per_step", "suds_move_on")
    + ("every_days", "pain_stop_rise", "max_pain_before")
)
UNITS = ("deg", "percent")

Fields = Mapping[str, str]

#: what a newly added row starts with: the validator's defaults shown, the prescription left blank
NEW_EXERCISE: Fields = {"hold_s": "1", "rest_s": "30", "target_unit": "deg", "calibrate": "true"}
NEW_PROGRESSION: Fields = {"enabled": "true"}
NEW_BREATHING: Fields = {"breaths_per_min": "6"}
NEW_EXPOSURE: Fields = {"suds_stop": "80", "minutes_per_step": "3"}


@dataclass(frozen=True)
class ExerciseRow:
    fields: Fields
    #: the progression rule's fields, None when the exercise has none
    progression: Fields | None = None


@dataclass(frozen=True)
class PlanForm:
    """Every field of the editor as text, and which optional parts and rows are there."""

    about: Fields = field(default_factory=dict)
    safety: Fields = field(default_factory=dict)
    exercises: tuple[ExerciseRow, ...] = ()
    breathing: Fields | None = None
    exposure: Fields | None = None
    steps: tuple[Fields, ...] = ()
    measures: tuple[Fields, ...] = ()
    reason: str = ""
    #: the plan version the form was opened from (0: none), to notice a version made meanwhile
    based_on: int = 0

    def names(self) -> set[str]:
        """Every field name the form shows: where a validator problem can be shown."""
        found = {*ABOUT_KEYS, "reason", *(f"safety.{k}" for k in SAFETY_KEYS)}
        for i, row in enumerate(self.exercises, start=1):
            found |= {f"exercise[{i}].{k}" for k in EXERCISE_KEYS}
            if row.progression is not None:
                found |= {f"exercise[{i}].progression.{k}" for k in PROGRESSION_KEYS}
        if self.breathing is not None:
            found |= {f"breathing.{k}" for k in BREATHING_KEYS}
        if self.exposure is not None:
            found |= {f"exposure.{k}" for k in EXPOSURE_KEYS}
            for i in range(1, len(self.steps) + 1):
                found |= {f"exposure.step[{i}].{k}" for k in STEP_KEYS}
        for i in range(1, len(self.measures) + 1):
            found |= {f"outcome_measures[{i}].{k}" for k in MEASURE_KEYS}
        return found

    def groups(self) -> set[str]:
        """The fieldsets a problem about a whole part (no single field) is shown in."""
        found = {"exercise", "safety", "breathing", "exposure", "exposure.step", "outcome_measures"}
        for i, row in enumerate(self.exercises, start=1):
            found.add(f"exercise[{i}]")
            if row.progression is not None:
                found.add(f"exercise[{i}].progression")
        found |= {f"exposure.step[{i}]" for i in range(1, len(self.steps) + 1)}
        found |= {f"outcome_measures[{i}]" for i in range(1, len(self.measures) + 1)}
        return found


def field_id(name: str) -> str:
    """The HTML id of a field or fieldset: ``exercise[2].sets`` -> ``f-exercise-2-sets``."""
    return "f-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# -- from a plan ------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    """A plan value as the text of its field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _tables(value: Any) -> list[Mapping[str, Any]]:
    """The tables of an array of tables; a malformed one (refused by the validator) reads as none."""
    return [item for item in value if isinstance(item, Mapping)][:MAX_ROWS] if isinstance(value, list) else []


def _shown(data: Mapping[str, Any], keys: Iterable[str]) -> dict[str, str]:
    return {key: _show(data.get(key)) for key in keys if key in data}


def _exercise_of(data: Mapping[str, Any]) -> ExerciseRow:
    unit = "percent" if "target_percent" in data and "target_deg" not in data else "deg"
    fields = _shown(data, ("name", "game", "movement", "side", "input", "sets", "reps", "hold_s", "rest_s"))
    fields |= _shown(data, ("ceiling_deg",))
    fields |= {"target": _show(data.get(f"target_{unit}")), "target_unit": unit}
    fields["calibrate"] = "" if data.get("calibrate") is False else "true"
    progression = None
    if "progression" in data:
        rule = _mapping(data["progression"])
        other = "max_deg" if unit == "percent" else "max_percent"
        goal = rule.get(f"max_{unit}", rule.get(other))
        progression = _shown(rule, ("every_sessions", "step_percent"))
        progression |= {"max": _show(goal), "enabled": "" if rule.get("enabled") is False else "true"}
    return ExerciseRow(fields, progression)


def from_plan(data: Mapping[str, Any], based_on: int = 0) -> PlanForm:
    """The form filled from a plan's TOML-shaped data (a stored version, a template, an upload)."""
    exposure = _mapping(data["exposure"]) if "exposure" in data else None
    return PlanForm(
        about=_shown(data, ABOUT_KEYS),
        safety=_shown(_mapping(data.get("safety")), SAFETY_KEYS),
        exercises=tuple(_exercise_of(e) for e in _tables(data.get("exercise"))),
        breathing=_shown(_mapping(data["breathing"]), BREATHING_KEYS) if "breathing" in data else None,
        exposure=_shown(exposure, EXPOSURE_KEYS) if exposure is not None else None,
        steps=tuple(_shown(s, STEP_KEYS) for s in _tables(exposure.get("step"))) if exposure is not None else (),
        measures=tuple(_shown(m, MEASURE_KEYS) for m in _tables(data.get("outcome_measures"))),
        based_on=based_on,
    )


# -- from a posted form ------------------------------------------------------------------------------

_ROW = re.compile(r"^(exercise|exposure\.step|outcome_measures)\[(\d{1,4})\]\.(.+)$")


def _rows(form: Mapping[str, str], kind: str) -> list[dict[str, str]]:
    """The posted rows of one kind, in the order of their numbers (gaps closed), at most MAX_ROWS."""
    found: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        match = _ROW.match(name)
        if match and match.group(1) == kind:
            found.setdefault(int(match.group(2)), {})[match.group(3)] = value
    return [found[index] for index in sorted(found)][:MAX_ROWS]


def _prefixed(form: Mapping[str, str], prefix: str, keys: Iterable[str]) -> dict[str, str]:
    return {key: form[prefix + key] for key in keys if prefix + key in form}


def _posted_exercise(row: Mapping[str, str]) -> ExerciseRow:
    fields = {key: row[key] for key in EXERCISE_KEYS if key in row}
    fields["calibrate"] = "true" if row.get("calibrate") == "true" else ""  # an unticked box sends nothing
    progression = None
    if "progression" in row:  # the hidden marker of a rule on the form
        progression = {key: row[f"progression.{key}"] for key in PROGRESSION_KEYS if f"progression.{key}" in row}
        progression["enabled"] = "true" if row.get("progression.enabled") == "true" else ""
    return ExerciseRow(fields, progression)


def from_form(form: Mapping[str, str]) -> PlanForm:
    """The form as posted: the fields of the rows and parts it showed (hidden markers say which)."""
    based_on = form.get("based_on", "")
    return PlanForm(
        about=_prefixed(form, "", ABOUT_KEYS),
        safety=_prefixed(form, "safety.", SAFETY_KEYS),
        exercises=tuple(_posted_exercise(row) for row in _rows(form, "exercise")),
        breathing=_prefixed(form, "breathing.", BREATHING_KEYS) if "breathing" in form else None,
        exposure=_prefixed(form, "exposure.", EXPOSURE_KEYS) if "exposure" in form else None,
        steps=tuple(_rows(form, "exposure.step")) if "exposure" in form else (),
        measures=tuple(_rows(form, "outcome_measures")),
        reason=form.get("reason", ""),
        based_on=int(based_on) if based_on.isdigit() and len(based_on) < 10 else 0,
    )


# -- to a plan ---------------------------------------------------------------------------------------

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$")


def number(text: str) -> int | float | str:
    """A field's number: whole when written whole, else a decimal (a comma taken for the point);
    anything else stays text, which the validator refuses at the field as it refuses it in a file."""
    cleaned = text.strip()
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".", 1)
    if re.fullmatch(r"[+-]?\d+", cleaned):
        # past 18 digits it is no prescription: kept as typed, so the refusal quotes it as typed
        return int(cleaned) if len(cleaned.lstrip("+-")) <= 18 else text.strip()
    if _DECIMAL.match(cleaned):
        value = float(cleaned)
        if math.isfinite(value):
            return value
    return text.strip()


def _put(out: dict[str, Any], key: str, fields: Fields, name: str | None = None) -> None:
    """``fields[name]`` into ``out[key]`` as a number or text; a blank field is left out."""
    text = fields.get(name or key, "").replace("\r\n", "\n").strip()
    if text:
        out[key] = number(text) if (name or key) in NUMBERS else text


def _exercise(row: ExerciseRow) -> dict[str, Any]:
    fields = row.fields
    unit = fields.get("target_unit") if fields.get("target_unit") in UNITS else "deg"
    out: dict[str, Any] = {}
    for key in ("name", "game", "movement", "side", "input", "sets", "reps", "hold_s", "rest_s"):
        _put(out, key, fields)
    _put(out, f"target_{unit}", fields, "target")
    _put(out, "ceiling_deg", fields)
    out["calibrate"] = fields.get("calibrate") == "true"
    if row.progression is not None:
        rule: dict[str, Any] = {}
        for key in ("every_sessions", "step_percent"):
            _put(rule, key, row.progression)
        _put(rule, f"max_{unit}", row.progression, "max")
        rule["enabled"] = row.progression.get("enabled") == "true"
        out["progression"] = rule
    return out


def _part(fields: Fields, keys: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        _put(out, key, fields)
    return out


def to_plan(form: PlanForm, patient_id: str) -> dict[str, Any]:
    """The plan's TOML-shaped data: what ``plan_toml.dumps`` writes and the validator reads."""
    plan: dict[str, Any] = {"schema": SCHEMA}
    _put(plan, "title", form.about)
    plan["patient"] = patient_id
    _put(plan, "sessions_per_week", form.about)
    _put(plan, "notes", form.about)
    plan["safety"] = _part(form.safety, SAFETY_KEYS)
    if form.exercises:
        plan["exercise"] = [_exercise(row) for row in form.exercises]
    if form.breathing is not None:
        plan["breathing"] = _part(form.breathing, BREATHING_KEYS)
    if form.exposure is not None:
        exposure = _part(form.exposure, EXPOSURE_KEYS)
        if form.steps:
            exposure["step"] = [_part(step, STEP_KEYS) for step in form.steps]
        plan["exposure"] = exposure
    if form.measures:
        plan["outcome_measures"] = [_part(m, MEASURE_KEYS) for m in form.measures]
    return plan


# -- adding and removing rows ------------------------------------------------------------------------


def _without(rows: tuple[Any, ...], number_text: str) -> tuple[Any, ...]:
    index = int(number_text) - 1
    return rows[:index] + rows[index + 1 :] if 0 <= index < len(rows) else rows


def _with_progression(rows: tuple[ExerciseRow, ...], number_text: str, rule: Fields | None) -> tuple[ExerciseRow, ...]:
    index = int(number_text) - 1
    if not 0 <= index < len(rows):
        return rows
    return rows[:index] + (replace(rows[index], progression=rule),) + rows[index + 1 :]


_ACTION = re.compile(r"^(add|remove)-(exercise|progression|breathing|exposure|step|measure)(?:-(\d{1,4}))?$")


def apply_action(form: PlanForm, action: str) -> tuple[PlanForm, str]:
    """The form with a row or part added or removed, and the id of the field to put the focus on
    (the new row's first field, or the button that adds another after a removal)."""
    match = _ACTION.match(action)
    if match is None:
        return form, ""
    verb, kind, number_text = match.groups()
    n = len(form.exercises)
    if verb == "add":
        if kind == "exercise" and n < MAX_ROWS:
            return replace(form, exercises=(*form.exercises, ExerciseRow(NEW_EXERCISE))), field_id(
                f"exercise[{n + 1}].name"
            )
        if kind == "progression" and number_text:
            rows = _with_progression(form.exercises, number_text, NEW_PROGRESSION)
            return replace(form, exercises=rows), field_id(f"exercise[{number_text}].progression.every_sessions")
        if kind == "breathing":
            return replace(form, breathing=form.breathing or NEW_BREATHING), field_id("breathing.game")
        if kind == "exposure":
            steps = form.steps or ({},)
            return replace(form, exposure=form.exposure or NEW_EXPOSURE, steps=steps), field_id("exposure.game")
        if kind == "step" and len(form.steps) < MAX_ROWS:
            return replace(form, steps=(*form.steps, {})), field_id(f"exposure.step[{len(form.steps) + 1}].description")
        if kind == "measure" and len(form.measures) < MAX_ROWS:
            added = len(form.measures) + 1
            return replace(form, measures=(*form.measures, {})), field_id(f"outcome_measures[{added}].measure")
        return form, ""
    if kind == "exercise" and number_text:
        return replace(form, exercises=_without(form.exercises, number_text)), "add-exercise"
    if kind == "progression" and number_text:
        return replace(form, exercises=_with_progression(form.exercises, number_text, None)), (
            f"add-progression-{number_text}"
        )
    if kind == "breathing":
        return replace(form, breathing=None), "add-breathing"
    if kind == "exposure":
        return replace(form, exposure=None, steps=()), "add-exposure"
    if kind == "step" and number_text:
        return replace(form, steps=_without(form.steps, number_text)), "add-step"
    if kind == "measure" and number_text:
        return replace(form, measures=_without(form.measures, number_text)), "add-measure"
    return form, ""


# -- problems at their fields ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A form's problems: one sentence per field, per fieldset, and every one in the summary."""

    at_field: Mapping[str, str] = field(default_factory=dict)
    at_group: Mapping[str, list[str]] = field(default_factory=dict)
    #: (sentence, id of the field or fieldset to jump to, or "" when it has none on the form)
    summary: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.summary)


_PAIRED = re.compile(r"^(exercise\[\d+\])\.(target_deg|target_percent|progression\.max_deg|progression\.max_percent)$")
_WORDS = {
    "exercise": "Exercise",
    "exposure": "Exposure",
    "step": "step",
    "outcome_measures": "Outcome measure",
    "breathing": "Breathing",
    "safety": "Safety",
}


def form_name(problem_field: str) -> str:
    """The form field a validator path is shown at (the pairs of keys share one field)."""
    match = _PAIRED.match(problem_field)
    if match is None:
        return problem_field
    inner = "target" if match.group(2).startswith("target") else "progression.max"
    return f"{match.group(1)}.{inner}"


def describe(name: str) -> str:
    """A field path in words for the summary: ``exercise[2].sets`` -> "Exercise 2, sets"."""
    words = []
    for part in name.split("."):
        match = re.match(r"^([a-z_]+)\[(\d+)\]$", part)
        if match:
            words.append(f"{_WORDS.get(match.group(1), match.group(1))} {match.group(2)}")
        else:
            words.append(_WORDS.get(part, part.replace("_", " ")))
    text = ", ".join(words) if words else name
    return text[:1].upper() + text[1:]


def _parent(name: str) -> str:
    if name.endswith("]"):
        return name[: name.rindex("[")]
    return name.rsplit(".", 1)[0] if "." in name else ""


#: fields the form offers as a list: what is allowed is the list itself, not a sentence naming it
CHOSEN = frozenset(("game", "movement", "side", "measure", "target_unit"))


def sentence(problem: Problem, chosen: bool = False) -> str:
    """The problem as the form says it; for a select, "choose one" in place of the allowed names."""
    allowed = f" Allowed: {problem.allowed}." if problem.allowed else ""
    if chosen:
        allowed = " Choose one from the list."
    message = problem.message[:1].upper() + problem.message[1:]
    return f"{message}.{allowed}"


def shown(form: PlanForm, problems: Iterable[Problem], with_lines: bool = False) -> Shown:
    """Each problem at its field, or at the fieldset it is about, and all of them in the summary."""
    names, groups = form.names(), form.groups()
    at_field: dict[str, str] = {}
    at_group: dict[str, list[str]] = {}
    summary = []
    for problem in problems:
        name = form_name(problem.field)
        where = f"line {problem.line}: " if with_lines and problem.line else ""
        text = sentence(problem, chosen=name in names and name.rsplit(".", 1)[-1] in CHOSEN)
        summary.append((f"{where}{describe(name)}: {text}", _anchor(name, names, groups)))
        if name in names:
            at_field[name] = f"{at_field[name]} {text}" if name in at_field else text
            continue
        group = name
        while group and group not in groups:
            group = _parent(group)
        if group:
            at_group.setdefault(group, []).append(f"{describe(name)}: {text}" if group != name else text)
    return Shown(at_field, at_group, tuple(summary))


def _anchor(name: str, names: set[str], groups: set[str]) -> str:
    while name and name not in names and name not in groups:
        name = _parent(name)
    return field_id(name) if name else ""


def with_problem(found: Shown, name: str, text: str) -> Shown:
    """``found`` with one more problem of the editor's own (the reason) at field ``name``."""
    at_field = {**found.at_field, name: text}
    return replace(found, at_field=at_field, summary=(*found.summary, (f"{describe(name)}: {text}", field_id(name))))


# -- choices ---------------------------------------------------------------------------------------


Option = tuple[str, ...]  # (value, text shown) or (game, text shown, the movement it is played with)


@dataclass(frozen=True)
class Choices:
    """What the selects offer: the installed games a part can be played with, and their movements."""

    exercise_games: tuple[Option, ...]
    other_games: tuple[Option, ...]  # breathing, exposure and other games not played with a joint
    movements: tuple[Option, ...]
    measures: tuple[Option, ...]


def _words(name: str) -> str:
    return name.replace("_", " ")


def choices(installed: Mapping[str, str], measure_titles: Mapping[str, str]) -> Choices:
    """An exercise can only be a game played with a movement rehab measures (the validator refuses
    the rest, e.g. a breathing game as an exercise); the others are for breathing and exposure."""
    exercise = sorted((g, m) for g, m in installed.items() if m in KNOWN_MOTIONS)
    return Choices(
        exercise_games=tuple((g, g, m) for g, m in exercise),
        other_games=tuple((g, g) for g, m in sorted(installed.items()) if m not in KNOWN_MOTIONS),
        movements=tuple((m, _words(m)) for m in sorted({m for _, m in exercise})),
        measures=tuple((m, measure_titles.get(m, m)) for m in OUTCOME_MEASURE_IDS),
    )
