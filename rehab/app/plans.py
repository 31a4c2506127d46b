"""Exercise plans: what a physiotherapist prescribes, read from TOML into frozen dataclasses.

A plan is safety-critical input written by hand, so validation is strict: unknown fields are
refused (a typo such as ``ceilng_deg`` must not silently drop a safety limit; the closest allowed
name is suggested), every number has an allowed range, games and movements must exist, and each
problem names the file, the line, the field and what is allowed, once: what only follows from a
problem already reported is left out. tomllib reports lines only for syntax errors, so
``_LineIndex`` finds the line of a key or table itself.

The same validator reads a plan back from the store (a dict, no file), so a stored plan passes
the same checks, with two exceptions that keep a patient's history readable: the installed games
are not consulted (a session refuses a plan whose game is gone, ``games_not_installed``), and a
target raised past the progression's goal by ``rehab plan override`` is accepted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import tomllib

from rehab.core import errors
from rehab.core.ids import RULE as PATIENT_ID_RULE
from rehab.core.ids import is_patient_id
from rehab.core.motions import MOTIONS, NORMAL_ROM_DEG

SCHEMA = 1
#: the movements a plan may name: those rehab can measure, plus those a device or game may add
KNOWN_MOTIONS: tuple[str, ...] = tuple(MOTIONS)
#: unsided movements have no left/right; everything else must say which side
UNSIDED: frozenset[str] = frozenset(m.name for m in MOTIONS.values() if not m.sided)
URL = re.compile(r"^(sim|[a-z][a-z0-9+-]*:.*)$")
#: the validated questionnaires a plan may schedule (rehab/core/questionnaires/ holds them; listed
#: here rather than imported so a plan names them even where that package is not installed)
OUTCOME_MEASURE_IDS: tuple[str, ...] = ("oks", "koos_ps", "quickdash", "ndi", "phq9", "gad7", "pss10")


@dataclass(frozen=True)
class Progression:
    """Raise the target by ``step_percent`` after ``every_sessions`` sessions in a row with every
    prescribed rep done and successful (and no pain rise), never past the cap."""

    every_sessions: int
    step_percent: float
    #: the cap, in the target's unit: ``max_deg`` for a target in degrees, ``max_percent`` otherwise
    max_deg: float | None = None
    max_percent: float | None = None
    #: a therapist can freeze progression without deleting the rule
    enabled: bool = True

    @property
    def cap(self) -> float:
        value = self.max_deg if self.max_deg is not None else self.max_percent
        assert value is not None
        return value


@dataclass(frozen=True)
class ExercisePlan:
    name: str
    game: str
    movement: str  # motion without side, e.g. shoulder_flexion
    sets: int
    reps: int
    ceiling_deg: float
    side: str | None = None
    input: str | None = None
    hold_s: float = 1.0
    rest_s: float = 30.0
    #: exactly one of these: degrees, or percent of the range calibrated at the start of the session
    target_deg: float | None = None
    target_percent: float | None = None
    calibrate: bool = True
    progression: Progression | None = None

    @property
    def angle_name(self) -> str:
        return f"{self.movement}_{self.side}" if self.side else self.movement

    @property
    def target(self) -> float:
        value = self.target_deg if self.target_deg is not None else self.target_percent
        assert value is not None
        return value

    @property
    def target_unit(self) -> str:
        return "deg" if self.target_deg is not None else "percent"

    def with_target(self, value: float) -> ExercisePlan:
        """The same exercise with a new target in its own unit."""
        if self.target_deg is not None:
            return replace(self, target_deg=value)
        return replace(self, target_percent=value)

    def target_text(self) -> str:
        if self.target_deg is not None:
            return f"{self.target_deg:g}°"
        return f"{self.target_percent:g}% of the calibrated range"


@dataclass(frozen=True)
class Breathing:
    game: str
    minutes: float
    breaths_per_min: float = 6.0


@dataclass(frozen=True)
class ExposureStep:
    description: str
    #: move on to the next step once distress (SUDS 0-100) has fallen to this or below
    suds_move_on: float


@dataclass(frozen=True)
class Exposure:
    game: str
    step: tuple[ExposureStep, ...]
    #: distress at or above this ends the exposure and steps back down
    suds_stop: float = 80.0
    minutes_per_step: float = 3.0


@dataclass(frozen=True)
class Safety:
    #: end the session when pain rises this many points (0-10) above the rating before it
    pain_stop_rise: float = 2.0
    #: do not start a session when pain before is above this
    max_pain_before: float = 7.0


@dataclass(frozen=True)
class OutcomeSchedule:
    """A questionnaire the patient answers at home, asked at the start of a guided session when
    the last answer is ``every_days`` old or more (or there is none yet)."""

    measure: str
    every_days: int


@dataclass(frozen=True)
class Plan:
    title: str
    sessions_per_week: int
    patient: str = ""
    schema: int = SCHEMA
    notes: str = ""
    safety: Safety = field(default_factory=Safety)
    exercise: tuple[ExercisePlan, ...] = ()
    breathing: Breathing | None = None
    exposure: Exposure | None = None
    outcome_measures: tuple[OutcomeSchedule, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The plan as TOML-shaped data (absent optional fields left out), for the store."""
        data: dict[str, Any] = _drop_none(asdict(self))
        if not data["outcome_measures"]:  # plans stored before outcome measures existed read the same
            del data["outcome_measures"]
        return data

    def games(self) -> list[str]:
        named = [e.game for e in self.exercise]
        named += [m.game for m in (self.breathing, self.exposure) if m is not None]
        return list(dict.fromkeys(named))

    def with_exercise(self, index: int, exercise: ExercisePlan) -> Plan:
        exercises = list(self.exercise)
        exercises[index] = exercise
        return replace(self, exercise=tuple(exercises))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) for v in value]
    return value


# -- problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str
    message: str
    allowed: str = ""

    def format(self, source: str) -> str:
        where = f"{source}, line {self.line}" if self.line else source
        allowed = f"; allowed: {self.allowed}" if self.allowed else ""
        return f"{where}: {self.field}: {self.message}{allowed}"


class PlanError(errors.PlanError):
    """A plan that must not be used. ``str()`` lists every problem, one a line."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        # in file order, so the therapist can work down the file
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        super().__init__("\n".join(p.format(source) for p in self.problems))


# -- finding lines --------------------------------------------------------------------------

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"'-]+?)\s*=")


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in dotted.split(".")]


class _LineIndex:
    """Maps a field path such as ``("exercise", 1, "sets")`` to the line that defines it.

    Good enough for the plans people write (tables, arrays of tables, dotted keys); for anything
    it cannot place it falls back to the nearest enclosing table's header line.
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        counts: dict[tuple[Any, ...], int] = {}
        current: tuple[Any, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            array = _ARRAY_HEADER.match(line)
            table = None if array else _TABLE_HEADER.match(line)
            if array or table:
                raw = _parts((array or table).group(1))  # type: ignore[union-attr]
                current = self._resolve(raw[:-1], counts) + (raw[-1],)
                if array:
                    counts[current] = counts.get(current, -1) + 1
                    current = current + (counts[current],)
                self.lines.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                self.lines.setdefault(current + tuple(_parts(key.group(1))), number)

    @staticmethod
    def _resolve(parts: list[str], counts: dict[tuple[Any, ...], int]) -> tuple[Any, ...]:
        path: tuple[Any, ...] = ()
        for part in parts:
            path = path + (part,)
            if path in counts:
                path = path + (counts[path],)
        return path

    def line(self, path: tuple[Any, ...]) -> int:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        # nothing of the path is written (a missing top-level field, or no [[exercise]] at all):
        # top-level fields belong at the top of the file, so that is where the therapist looks
        return 1


# -- validation -----------------------------------------------------------------------------


def _label(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _unknown(what: str, value: str, choices: Collection[str]) -> tuple[str, str]:
    """The message and what is allowed for a name that is none of ``choices``: the closest one when
    there is one (a typo is the usual cause), else the whole list."""
    close = difflib.get_close_matches(value, list(choices), n=1)
    if close:
        return f"unknown {what} {value!r}; did you mean {close[0]!r}?", ""
    return f"unknown {what} {value!r}", ", ".join(choices)


class _Checker:
    """Collects every problem in one pass, so the therapist fixes a plan in one round; a problem
    that only follows from one already reported is left out, so one mistake reads as one line."""

    def __init__(self, index: _LineIndex | None) -> None:
        self.index = index
        self.problems: list[Problem] = []
        #: fields a misspelt key was taken for: "missing" there would only repeat the typo
        self.suggested: set[tuple[Any, ...]] = set()

    def problem(self, path: tuple[Any, ...], message: str, allowed: str = "") -> None:
        line = self.index.line(path) if self.index else None
        self.problems.append(Problem(line, _label(path), message, allowed))

    def missing(self, path: tuple[Any, ...], key: str, allowed: str) -> None:
        if path + (key,) not in self.suggested:
            self.problem(path + (key,), "missing", allowed)

    def table(self, data: Any, path: tuple[Any, ...], fields: Mapping[str, str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.problem(path, f"expected a table, got {data!r}", "a [table]")
            return {}
        for key in data:
            if key in fields:
                continue
            close = difflib.get_close_matches(str(key), [f for f in fields if f not in data], n=1)
            if close:
                self.suggested.add(path + (close[0],))
                self.problem(path + (key,), f"unknown field; did you mean {close[0]!r}?")
            else:
                self.problem(path + (key,), "unknown field", ", ".join(fields))
        return data

    def number(
        self,
        data: Mapping[str, Any],
        path: tuple[Any, ...],
        key: str,
        low: float,
        high: float,
        default: float | None = None,
        whole: bool = False,
        unit: str = "",
    ) -> float | None:
        kind = "a whole number" if whole else "a number"
        allowed = f"{kind} from {low:g} to {high:g}{unit}"
        if key not in data:
            if default is None:
                self.missing(path, key, allowed)
            return default
        value = data[key]
        ok_type = isinstance(value, int) if whole else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok_type or not (low <= value <= high):
            self.problem(path + (key,), f"{value!r} is not allowed", allowed)
            return default
        return float(value)

    def text(
        self,
        data: Mapping[str, Any],
        path: tuple[Any, ...],
        key: str,
        default: str | None = None,
        allowed: str = "text",
    ) -> str | None:
        if key not in data:
            if default is None:
                self.missing(path, key, allowed)
            return default
        value = data[key]
        if not isinstance(value, str):
            self.problem(path + (key,), f"{value!r} is not text", allowed)
            return default
        return value

    def flag(self, data: Mapping[str, Any], path: tuple[Any, ...], key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(path + (key,), f"{value!r} is not allowed", "true or false")
            return default
        return value


_PLAN_FIELDS = dict.fromkeys(
    (
        "schema",
        "title",
        "patient",
        "sessions_per_week",
        "notes",
        "safety",
        "exercise",
        "breathing",
        "exposure",
        "outcome_measures",
    ),
    "",
)
_SAFETY_FIELDS = {"pain_stop_rise": "", "max_pain_before": ""}
_EXERCISE_FIELDS = dict.fromkeys(
    (
        "name",
        "game",
        "movement",
        "side",
        "input",
        "sets",
        "reps",
        "hold_s",
        "rest_s",
        "target_deg",
        "target_percent",
        "ceiling_deg",
        "calibrate",
        "progression",
    ),
    "",
)
_PROGRESSION_FIELDS = dict.fromkeys(("every_sessions", "step_percent", "max_deg", "max_percent", "enabled"), "")
_BREATHING_FIELDS = {"game": "", "minutes": "", "breaths_per_min": ""}
_EXPOSURE_FIELDS = {"game": "", "step": "", "suds_stop": "", "minutes_per_step": ""}
_STEP_FIELDS = {"description": "", "suds_move_on": ""}
_OUTCOME_FIELDS = {"measure": "", "every_days": ""}
_PARTS = (("exercise",), ("breathing",), ("exposure",))


def validate(
    data: Mapping[str, Any], index: _LineIndex | None = None, games: Mapping[str, str] | None = None
) -> tuple[Plan | None, list[Problem]]:
    """A plan from TOML-shaped data, or the problems that stop it being one.

    ``games`` maps each installed game to the movement it is played with. A plan file is checked
    against it, so a game that is not installed is refused like any other mistake. A stored plan is
    read back without it (None): a game removed since must not make the patient's history
    unreadable, and a session refuses such a plan itself (``games_not_installed``).
    """
    check = _Checker(index)
    top = check.table(dict(data), (), _PLAN_FIELDS)
    schema = check.number(top, (), "schema", SCHEMA, SCHEMA, default=SCHEMA, whole=True)
    title = check.text(top, (), "title", allowed="a short description of the plan") or ""
    patient = check.text(top, (), "patient", default="") or ""
    if patient and not is_patient_id(patient):
        check.problem(
            ("patient",), f"{ascii(patient)} is not a pseudonymous id", f'{PATIENT_ID_RULE}, or "" for a template'
        )
    per_week = check.number(top, (), "sessions_per_week", 1, 14, whole=True)
    notes = check.text(top, (), "notes", default="") or ""
    safety = _safety(check, top.get("safety", {}))
    exercises = _exercises(check, top.get("exercise", []), games)
    breathing = _breathing(check, top["breathing"], games) if "breathing" in top else None
    exposure = _exposure(check, top["exposure"], games) if "exposure" in top else None
    outcomes = _outcome_measures(check, top.get("outcome_measures", []))
    # a misspelt or malformed part is already reported; "prescribes nothing" would only repeat it
    empty = top.get("exercise", []) == [] and "breathing" not in top and "exposure" not in top
    if empty and not check.suggested.intersection(_PARTS):
        check.problem(
            ("exercise",), "the plan prescribes nothing", "at least one [[exercise]], [breathing] or [exposure]"
        )
    if check.problems or per_week is None:
        return None, check.problems
    plan = Plan(
        title=title,
        sessions_per_week=int(per_week),
        patient=patient,
        schema=int(schema or SCHEMA),
        notes=notes,
        safety=safety,
        exercise=tuple(exercises),
        breathing=breathing,
        exposure=exposure,
        outcome_measures=outcomes,
    )
    return plan, []


def _safety(check: _Checker, raw: Any) -> Safety:
    path = ("safety",)
    data = check.table(raw, path, _SAFETY_FIELDS)
    rise = check.number(data, path, "pain_stop_rise", 1, 5, default=2.0, unit=" points (0-10 scale)")
    before = check.number(data, path, "max_pain_before", 0, 10, default=7.0, unit=" (0-10 scale)")
    return Safety(pain_stop_rise=rise or 2.0, max_pain_before=7.0 if before is None else before)


def _game(check: _Checker, data: dict[str, Any], path: tuple[Any, ...], games: Mapping[str, str] | None) -> str | None:
    """The part's game, refused (None) when installed games are known and it is not one of them."""
    game = check.text(data, path, "game", allowed="a game name (see 'rehab games')")
    if game is None or games is None or game in games:
        return game
    message, allowed = _unknown("game", game, sorted(games))
    check.problem(path + ("game",), message, allowed if games else "no game is installed (see 'rehab games')")
    return None


def _exercises(check: _Checker, raw: Any, games: Mapping[str, str] | None) -> list[ExercisePlan]:
    if not isinstance(raw, list):
        check.problem(("exercise",), "must be a list of [[exercise]] tables", "[[exercise]] tables")
        return []
    found = (_exercise(check, item, ("exercise", i), games) for i, item in enumerate(raw))
    return [exercise for exercise in found if exercise is not None]


def _exercise(check: _Checker, raw: Any, path: tuple[Any, ...], games: Mapping[str, str] | None) -> ExercisePlan | None:
    before = len(check.problems)
    data = check.table(raw, path, _EXERCISE_FIELDS)
    name = check.text(data, path, "name", allowed='a name the patient will see, e.g. "Arm raise"')
    game = _game(check, data, path, games)
    movement, side = _movement_and_side(check, data, path)
    if games is not None and game is not None and movement is not None and games.get(game, movement) != movement:
        played = games[game]
        check.problem(
            path + ("movement",), f"game {game!r} is played with {played}, not {movement}", f"{played}, or another game"
        )
    url = check.text(data, path, "input", default="") or None
    if url is not None and not URL.match(url):
        check.problem(path + ("input",), f"{url!r} is not an input URL", "sim, webcam:0, witmotion:/dev/ttyUSB0, ...")
    sets = check.number(data, path, "sets", 1, 10, whole=True)
    reps = check.number(data, path, "reps", 1, 50, whole=True)
    hold = check.number(data, path, "hold_s", 0, 30, default=1.0, unit=" s")
    rest = check.number(data, path, "rest_s", 0, 600, default=30.0, unit=" s")
    limits = _limits(check, data, path, movement)
    calibrate = check.flag(data, path, "calibrate", True)
    if limits.unit == "percent" and not calibrate:
        check.problem(path + ("calibrate",), "a percentage target needs a calibration", "true, or use target_deg")
    progression = None
    if "progression" in data:
        progression = _progression(check, data["progression"], path + ("progression",), limits)
    if len(check.problems) > before:
        return None
    assert name is not None and game is not None and movement is not None and limits.target is not None
    assert sets is not None and reps is not None and limits.ceiling is not None
    return ExercisePlan(
        name=name,
        game=game,
        movement=movement,
        side=side,
        input=url,
        sets=int(sets),
        reps=int(reps),
        hold_s=hold if hold is not None else 1.0,
        rest_s=rest if rest is not None else 30.0,
        target_deg=limits.target if limits.unit == "deg" else None,
        target_percent=limits.target if limits.unit == "percent" else None,
        ceiling_deg=limits.ceiling,
        calibrate=calibrate,
        progression=progression,
    )


def _movement_and_side(check: _Checker, data: dict[str, Any], path: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """The movement, and a side exactly when the movement has one (None for what is wrong)."""
    movement = check.text(data, path, "movement", allowed=", ".join(KNOWN_MOTIONS))
    if movement is not None and movement not in KNOWN_MOTIONS:
        check.problem(path + ("movement",), *_unknown("movement", movement, KNOWN_MOTIONS))
        movement = None
    side = check.text(data, path, "side", default="") or None
    if movement is not None:
        if movement in UNSIDED and side is not None:
            check.problem(path + ("side",), f"{movement} has no side", "leave 'side' out for this movement")
        elif movement not in UNSIDED and side not in ("left", "right"):
            if side is None:
                check.missing(path, "side", '"left" or "right" (the patient\'s side)')
            else:
                check.problem(path + ("side",), f"{side!r} is not allowed", '"left" or "right" (the patient\'s side)')
    return movement, side


@dataclass(frozen=True)
class _Limits:
    """An exercise's ceiling and target, each None when it is wrong (and so already reported).

    ``unit`` is the target's unit as written (``deg`` or ``percent``; None unless exactly one target
    is given). When target and ceiling disagree, that one problem is reported and both are None
    here, so the progression's goal is not refused again for the same mistake.
    """

    highest_deg: float
    ceiling: float | None
    unit: str | None
    target: float | None


def _limits(check: _Checker, data: dict[str, Any], path: tuple[Any, ...], movement: str | None) -> _Limits:
    normal = NORMAL_ROM_DEG.get(movement or "")
    highest = normal if normal is not None else 180.0
    span = f"° (normal range of {movement})" if normal is not None else "°"
    ceiling = check.number(data, path, "ceiling_deg", 1, highest, unit=span)
    unit = _target_unit(check, data, path)
    if unit == "percent":
        target = check.number(data, path, "target_percent", 10, 100, unit="% of the calibrated range")
        return _Limits(highest, ceiling, unit, target)
    if unit is None:
        return _Limits(highest, ceiling, None, None)
    target = check.number(data, path, "target_deg", 1, highest, unit=span)
    if target is not None and ceiling is not None and target > ceiling:
        check.problem(
            path + ("target_deg",),
            f"{target:g} is above the safety ceiling (ceiling_deg = {ceiling:g})",
            f"a number from 1 to {ceiling:g}° (up to the ceiling)",
        )
        return _Limits(highest, None, unit, None)
    return _Limits(highest, ceiling, unit, target)


def _target_unit(check: _Checker, data: dict[str, Any], path: tuple[Any, ...]) -> str | None:
    """``deg`` or ``percent`` for the one target given; None (reported) for none or both."""
    given = [key for key in ("target_deg", "target_percent") if key in data]
    if len(given) == 1:
        return "deg" if given == ["target_deg"] else "percent"
    misspelt = {path + ("target_deg",), path + ("target_percent",)} & check.suggested
    if given or not misspelt:
        check.problem(
            path + ("target_deg",),
            "give exactly one target",
            "target_deg (degrees) or target_percent (of the calibrated range)",
        )
    return None


def _progression(check: _Checker, raw: Any, path: tuple[Any, ...], limits: _Limits) -> Progression | None:
    data = check.table(raw, path, _PROGRESSION_FIELDS)
    every = check.number(data, path, "every_sessions", 1, 20, whole=True)
    step = check.number(data, path, "step_percent", 1, 20, unit="% per step")
    enabled = check.flag(data, path, "enabled", True)
    goal = _goal(check, data, path, limits)
    if every is None or step is None or goal is None:
        return None
    in_degrees = limits.unit == "deg"
    return Progression(int(every), step, goal if in_degrees else None, None if in_degrees else goal, enabled)


def _goal(check: _Checker, data: dict[str, Any], path: tuple[Any, ...], limits: _Limits) -> float | None:
    """The cap the target progresses towards, in the target's unit: from the target to the ceiling."""
    if limits.unit is None:
        return None  # no single target, already reported: which cap belongs is unknown
    key, other = ("max_deg", "max_percent") if limits.unit == "deg" else ("max_percent", "max_deg")
    if other in data:
        check.problem(path + (other,), f"the target is in {'degrees' if key == 'max_deg' else 'percent'}", key)
        if key not in data:
            return None
    if limits.unit == "percent":
        goal = check.number(data, path, key, 10, 100, unit="%")
        top, sign = 100.0, "%"
    else:
        goal = check.number(data, path, key, 1, limits.highest_deg, unit="° (at most the ceiling)")
        top, sign = limits.ceiling if limits.ceiling is not None else limits.highest_deg, "°"
    low = limits.target if limits.target is not None else 1.0
    allowed = f"a number from {low:g} to {top:g}{sign} (from the target up to the ceiling)"
    if goal is not None and limits.ceiling is not None and key == "max_deg" and goal > limits.ceiling:
        check.problem(
            path + (key,), f"{goal:g} is above the safety ceiling (ceiling_deg = {limits.ceiling:g})", allowed
        )
        return None
    # a file only: in the store, 'plan override' may have set the target past the goal on purpose
    # (progression then simply stops), and a stored plan must stay readable
    in_file = check.index is not None
    if in_file and goal is not None and limits.target is not None and goal < limits.target:
        check.problem(path + (key,), f"{goal:g} is below the target ({limits.target:g}{sign})", allowed)
        return None
    return goal


def _breathing(check: _Checker, raw: Any, games: Mapping[str, str] | None) -> Breathing | None:
    path = ("breathing",)
    data = check.table(raw, path, _BREATHING_FIELDS)
    game = _game(check, data, path, games)
    minutes = check.number(data, path, "minutes", 1, 60, unit=" minutes")
    pace = check.number(data, path, "breaths_per_min", 3, 20, default=6.0, unit=" breaths a minute")
    if game is None or minutes is None:
        return None
    return Breathing(game, minutes, pace or 6.0)


def _exposure(check: _Checker, raw: Any, games: Mapping[str, str] | None) -> Exposure | None:
    path = ("exposure",)
    data = check.table(raw, path, _EXPOSURE_FIELDS)
    game = _game(check, data, path, games)
    stop = check.number(data, path, "suds_stop", 10, 100, default=80.0, unit=" (SUDS 0-100)")
    minutes = check.number(data, path, "minutes_per_step", 0.5, 30, default=3.0, unit=" minutes")
    raw_steps = data.get("step", [])
    if not isinstance(raw_steps, list) or not raw_steps:
        if path + ("step",) not in check.suggested:
            check.problem(path + ("step",), "the hierarchy is empty", "one [[exposure.step]] per step, easiest first")
        raw_steps = []
    steps = []
    for i, raw_step in enumerate(raw_steps):
        step_path = path + ("step", i)
        step = check.table(raw_step, step_path, _STEP_FIELDS)
        text = check.text(step, step_path, "description", allowed="what the patient faces at this step")
        move_on = check.number(step, step_path, "suds_move_on", 0, 100, unit=" (SUDS 0-100)")
        if move_on is not None and stop is not None and move_on >= stop:
            check.problem(
                step_path + ("suds_move_on",), f"{move_on:g} is not below suds_stop ({stop:g})", f"0 to {stop - 1:g}"
            )
        if text is not None and move_on is not None:
            steps.append(ExposureStep(text, move_on))
    if game is None or not steps:
        return None
    return Exposure(game, tuple(steps), stop or 80.0, minutes or 3.0)


def _outcome_measures(check: _Checker, raw: Any) -> tuple[OutcomeSchedule, ...]:
    path = ("outcome_measures",)
    if not isinstance(raw, list):
        check.problem(path, "must be a list of [[outcome_measures]] tables", "[[outcome_measures]] tables")
        return ()
    found: dict[str, OutcomeSchedule] = {}
    for i, item in enumerate(raw):
        where = path + (i,)
        data = check.table(item, where, _OUTCOME_FIELDS)
        measure = check.text(data, where, "measure", allowed=", ".join(OUTCOME_MEASURE_IDS))
        if measure is not None and measure not in OUTCOME_MEASURE_IDS:
            check.problem(where + ("measure",), *_unknown("outcome measure", measure, OUTCOME_MEASURE_IDS))
            measure = None
        elif measure is not None and measure in found:
            check.problem(where + ("measure",), f"{measure!r} is scheduled twice", "each measure once")
            measure = None
        every = check.number(data, where, "every_days", 1, 365, whole=True, unit=" days")
        if measure is not None and every is not None:
            found[measure] = OutcomeSchedule(measure, int(every))
    return tuple(found.values())


# -- files ----------------------------------------------------------------------------------


def parse_text(text: str, source: str = "<plan>", games: Mapping[str, str] | None = None) -> Plan:
    """Parse and validate a plan; raises PlanError naming the source, line, field and what is allowed.

    ``games`` (installed game -> the movement it is played with) also refuses games that are not
    installed and movements a game cannot be played with; None leaves games unchecked.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise PlanError(source, [Problem(line, "TOML syntax", message, "TOML (https://toml.io)")]) from error
    plan, problems = validate(data, _LineIndex(text), games)
    if plan is None:
        raise PlanError(source, problems)
    return plan


def load(path: Path, games: Mapping[str, str] | None = None) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanError(str(path), [Problem(None, "file", f"cannot be read ({error.strerror})")]) from error
    except UnicodeDecodeError as error:
        raise PlanError(str(path), [Problem(None, "file", "is not UTF-8 text", "a UTF-8 TOML file")]) from error
    return parse_text(text, path.name, games)


def from_dict(data: Mapping[str, Any], source: str = "stored plan") -> Plan:
    plan, problems = validate(data)
    if plan is None:
        raise PlanError(source, problems)
    return plan


def games_not_installed(plan: Plan, installed: Collection[str]) -> str:
    """One plain line naming the games the plan needs that are not installed, or "" when all are.

    A stored plan can name a game removed since it was assigned. A session must refuse it rather
    than skip that part: skipping the only exercise would end "completed" with nothing done.
    """
    missing = [game for game in plan.games() if game not in installed]
    if not missing:
        return ""
    names = ", ".join(repr(game) for game in missing)
    which = f"game {names}, which is" if len(missing) == 1 else f"games {names}, which are"
    known = ", ".join(sorted(installed)) or "none"
    return (
        f"the plan needs {which} not installed (installed: {known}); install it, or ask your "
        "physiotherapist to assign a plan without it"
    )


# -- templates ------------------------------------------------------------------------------


def template_names() -> list[str]:
    from importlib.resources import files

    folder = files("rehab.app.plan_templates")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def template_text(name: str) -> str:
    from importlib.resources import files

    if name not in template_names():
        raise KeyError(name)
    return (files("rehab.app.plan_templates") / f"{name}.toml").read_text(encoding="utf-8")


def template_summary(name: str) -> str:
    return parse_text(template_text(name), f"{name}.toml").title


def fill_patient(text: str, patient: str) -> str:
    """The template's text with its ``patient = ""`` line filled in; comments and layout kept."""
    pattern = re.compile(r'^patient\s*=\s*".*"\s*$', re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(f'patient = "{patient}"', text, count=1)
    return f'patient = "{patient}"\n' + text
