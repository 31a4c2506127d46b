"""What the caseload shows of each patient, and the alerts that put a patient at the top of it.

Pure functions over plain values: each patient's session facts (``clinic.facts``), the current plan
version and the patient's devices go in with today's date, one ``CaseloadRow`` comes out. Nothing here
reads the database or a clock, so every rule is tested with hand-made facts whose answers are known.

The rules (issue #15):

- pain: in the last guided session pain rose from before to after (or to its highest during) by the
  plan's ``[safety] pain_stop_rise`` or more (2 points when there is no plan); or pain before the
  last session is that much above pain before the one until then;
- no session for ``IDLE_DAYS`` days or more (or none yet, that long after the patient was added);
- range of motion falling over the last ``ROM_SESSIONS`` sessions of a movement, each lower than
  the one before, by ``ROM_FALL_MIN_DEG`` or more in all (less is within the camera's error);
- reps past the plan's safety ceiling, and device failures (lost, unplugged...), in the last
  ``RECENT_DAYS`` days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import fmean
from typing import Any, NamedTuple

from rehab.core.motions import split_name

#: days without a session that make an alert
IDLE_DAYS = 3
#: sessions of one movement whose best peaks must each fall for the range-of-motion alert
ROM_SESSIONS = 3
#: the least fall over those sessions that counts: a smaller one is within the camera's error
ROM_FALL_MIN_DEG = 5.0
#: the pain rise that makes an alert when no plan says otherwise (the plans' own default)
DEFAULT_PAIN_RISE = 2.0
#: how far back ceiling and device problems still make an alert
RECENT_DAYS = 7
#: the days of facts a row needs before the patient's last session (and before today): the
#: movement trend looks a week back, the pain trend two, and a movement's last 3 sessions are in it
WINDOW_DAYS = 35

#: alert kinds, most urgent first (the order badges are shown in)
KINDS = ("pain", "ceiling", "rom", "device", "idle")
#: kinds about the patient's safety (red badges); the others are amber
SAFETY_KINDS = ("pain", "ceiling", "rom")


class Fact(NamedTuple):
    """One synced session as the caseload reads it (a subset of a ``session_facts`` row).

    Immutable like the other values here, but a named tuple rather than a frozen dataclass: a
    caseload of 200 patients makes some 20,000 of these a view, and a tuple is made 4 times faster."""

    uuid: str
    day: str  # YYYY-MM-DD
    started_at: str = ""
    kind: str = "physical"
    game: str | None = None
    movement: str | None = None
    status: str | None = None
    visit_uuid: str | None = None
    reps: int = 0
    best_peak_deg: float | None = None
    over_ceiling: int = 0
    pain_before: float | None = None
    pain_after: float | None = None
    pain_max_during: float | None = None
    device_problems: int = 0

    @property
    def order(self) -> tuple[str, str, str]:
        return (self.day, self.started_at or "", self.uuid)


@dataclass(frozen=True)
class PlanInfo:
    """What the caseload needs of the current plan version."""

    sessions_per_week: int | None = None
    movements: tuple[str, ...] = ()  # angle names prescribed, e.g. knee_flexion_right
    pain_rise: float = DEFAULT_PAIN_RISE


@dataclass(frozen=True)
class DeviceInfo:
    name: str
    last_seen: str | None
    revoked: bool = False


@dataclass(frozen=True)
class Alert:
    kind: str  # one of KINDS
    text: str  # one plain sentence

    @property
    def severity(self) -> str:
        return "alert" if self.kind in SAFETY_KINDS else "warn"


@dataclass(frozen=True)
class Trend:
    """A movement's latest best peak against the one about a week before it."""

    movement: str
    latest_deg: float
    latest_day: str
    before_deg: float | None = None
    before_day: str | None = None

    @property
    def change(self) -> float | None:
        return None if self.before_deg is None else self.latest_deg - self.before_deg

    @property
    def arrow(self) -> str:
        change = self.change
        if change is None or abs(change) < 1:
            return "→"
        return "↑" if change > 0 else "↓"

    @property
    def text(self) -> str:
        """'98°, up 4° since 23 Nov': the words carry the direction, not only the arrow or a colour."""
        change = self.change
        if change is None or self.before_day is None:
            return f"{self.latest_deg:.0f}° ({short_date(self.latest_day)}; none a week before)"
        if abs(change) < 1:
            return f"{self.latest_deg:.0f}°, steady since {short_date(self.before_day)}"
        way = "up" if change > 0 else "down"
        return f"{self.latest_deg:.0f}°, {way} {abs(change):.0f}° since {short_date(self.before_day)}"


@dataclass(frozen=True)
class PainTrend:
    """Mean pain before sessions over the last 7 days against the 7 before them."""

    recent: float | None
    before: float | None

    @property
    def change(self) -> float | None:
        return None if self.recent is None or self.before is None else self.recent - self.before

    @property
    def arrow(self) -> str:
        """Empty without two weeks to compare: an arrow would claim a trend there is no data for."""
        change = self.change
        if change is None:
            return ""
        if abs(change) < 0.5:
            return "→"
        return "↑" if change > 0 else "↓"

    @property
    def text(self) -> str:
        if self.recent is None and self.before is None:
            return "no pain ratings in 14 days"
        if self.recent is None:
            return f"none this week ({self.before:.1f} the week before)"
        if self.before is None:
            return f"{self.recent:.1f} this week (none the week before)"
        change = self.recent - self.before
        words = "steady" if abs(change) < 0.5 else ("rising" if change > 0 else "falling")
        return f"{self.before:.1f} → {self.recent:.1f}, {words}"


@dataclass(frozen=True)
class CaseloadRow:
    patient_id: str
    physio: str
    team: str | None
    last_session: Fact | None
    days_since: int | None
    done_this_week: int
    sessions_per_week: int | None
    trends: tuple[Trend, ...]
    pain: PainTrend
    alerts: tuple[Alert, ...]
    devices: tuple[DeviceInfo, ...] = field(default=())

    @property
    def adherence_text(self) -> str:
        if self.sessions_per_week is None:
            return f"{self.done_this_week} (no plan)"
        return f"{self.done_this_week} of {self.sessions_per_week}"

    @property
    def adherence_ratio(self) -> float:
        if not self.sessions_per_week:
            return float(self.done_this_week)
        return self.done_this_week / self.sessions_per_week

    @property
    def idle(self) -> bool:
        return any(a.kind == "idle" for a in self.alerts)


# -- reading the inputs -----------------------------------------------------------------------------


def plan_info(body: Mapping[str, Any] | None, sessions_per_week: int | None = None) -> PlanInfo:
    """The prescribed movements, sessions a week and pain rule of a stored plan (``Plan.to_dict()``)."""
    if not body:
        return PlanInfo(sessions_per_week=sessions_per_week)
    movements = []
    for exercise in body.get("exercise") or ():
        if isinstance(exercise, Mapping) and exercise.get("movement"):
            side = exercise.get("side")
            movements.append(f"{exercise['movement']}_{side}" if side else str(exercise["movement"]))
    safety = body.get("safety")
    rise = safety.get("pain_stop_rise") if isinstance(safety, Mapping) else None
    per_week = sessions_per_week if sessions_per_week else body.get("sessions_per_week")
    return PlanInfo(
        sessions_per_week=int(per_week) if isinstance(per_week, int | float) and per_week else None,
        movements=tuple(dict.fromkeys(movements)),
        pain_rise=float(rise) if isinstance(rise, int | float) and rise > 0 else DEFAULT_PAIN_RISE,
    )


def movement_label(angle_name: str) -> str:
    """``knee_flexion_right`` -> 'knee flexion (right)'."""
    motion, side = split_name(angle_name)
    words = motion.replace("_", " ")
    return f"{words} ({side})" if side else words


def short_date(day: str) -> str:
    """'2026-11-30' -> '30 Nov' (the text the caseload shows)."""
    try:
        return date.fromisoformat(day[:10]).strftime("%-d %b")
    except ValueError:
        return day


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


# -- the row --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patient:
    id: str
    physio: str
    team: str | None
    created_at: str  # ISO time the patient was added


def caseload_row(
    patient: Patient, facts: Iterable[Fact], plan: PlanInfo | None, devices: Sequence[DeviceInfo], today: date
) -> CaseloadRow:
    """Everything the caseload shows of one patient; ``facts`` may be in any order."""
    plan = plan or PlanInfo()
    ordered = sorted((f for f in facts if f.day), key=lambda f: f.order)
    last = ordered[-1] if ordered else None
    days_since = (today - date.fromisoformat(last.day)).days if last else None
    guided = guided_sessions(ordered)  # once: the pain alert and the pain trend both read them
    alerts = patient_alerts(patient, ordered, guided, plan, devices, today)
    return CaseloadRow(
        patient_id=patient.id,
        physio=patient.physio,
        team=patient.team,
        last_session=last,
        days_since=days_since,
        done_this_week=guided_this_week(ordered, today),
        sessions_per_week=plan.sessions_per_week,
        trends=movement_trends(ordered, plan.movements),
        pain=pain_trend(guided, today),
        alerts=alerts,
        devices=tuple(devices),
    )


def patient_alerts(
    patient: Patient,
    ordered: Sequence[Fact],
    guided: Sequence[Guided],
    plan: PlanInfo,
    devices: Sequence[DeviceInfo],
    today: date,
) -> tuple[Alert, ...]:
    """Every alert for one patient, most urgent kind first (``ordered``: oldest session first;
    ``guided``: ``guided_sessions(ordered)``)."""
    found = [
        *pain_alerts(guided, plan.pain_rise),
        *recent_count_alert(ordered, today, "ceiling", lambda f: f.over_ceiling),
        *rom_alerts(ordered),
        *recent_count_alert(ordered, today, "device", lambda f: f.device_problems),
        *idle_alerts(patient, ordered, devices, today),
    ]
    return tuple(sorted(found, key=lambda a: KINDS.index(a.kind)))


def sort_rows(rows: Iterable[CaseloadRow]) -> list[CaseloadRow]:
    """Patients with alerts first (safety alerts before the others, more before fewer), then by id."""

    def key(row: CaseloadRow) -> tuple[int, int, int, str]:
        safety = sum(1 for a in row.alerts if a.severity == "alert")
        return (0 if row.alerts else 1, -safety, -len(row.alerts), row.patient_id)

    return sorted(rows, key=key)


# -- guided sessions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guided:
    """One guided session (a visit: its exercises are sessions of their own) or one free session."""

    key: str
    day: str
    started_at: str
    pain_before: float | None
    pain_peak: float | None  # the highest of pain after and pain during


def guided_sessions(ordered: Sequence[Fact]) -> list[Guided]:
    """Sessions grouped by visit, oldest first: pain before is asked once at the start of a visit and
    pain after once at its end, so they sit on different sessions of it."""
    groups: dict[str, list[Fact]] = {}
    for fact in ordered:
        groups.setdefault(fact.visit_uuid or fact.uuid, []).append(fact)
    found = []
    for key, parts in groups.items():
        befores = [f.pain_before for f in parts if f.pain_before is not None]
        afters = [f.pain_after for f in parts if f.pain_after is not None]
        peaks = afters + [f.pain_max_during for f in parts if f.pain_max_during is not None]
        found.append(
            Guided(
                key=key,
                day=parts[0].day,
                started_at=parts[0].started_at,
                pain_before=befores[0] if befores else None,
                pain_peak=max(peaks) if peaks else None,
            )
        )
    return sorted(found, key=lambda g: (g.day, g.started_at, g.key))


def guided_this_week(ordered: Sequence[Fact], today: date) -> int:
    """Guided sessions (distinct visits) this ISO week, Monday to Sunday; free play does not count."""
    monday = today - timedelta(days=today.weekday())
    first, last = monday.isoformat(), (monday + timedelta(days=6)).isoformat()
    return len({f.visit_uuid for f in ordered if f.visit_uuid and first <= f.day <= last})


# -- the alerts ------------------------------------------------------------------------------------------


def pain_alerts(guided: Sequence[Guided], rise: float) -> list[Alert]:
    """Pain up by ``rise`` or more within the last rated session, else since the session before it
    (``guided``: oldest first)."""
    rated = [g for g in guided if g.pain_before is not None or g.pain_peak is not None]
    if not rated:
        return []
    last = rated[-1]
    if last.pain_before is not None and last.pain_peak is not None and last.pain_peak - last.pain_before >= rise:
        when = short_date(last.day)
        return [Alert("pain", f"pain {last.pain_before:g} → {last.pain_peak:g} in the last session ({when})")]
    befores = [g for g in rated if g.pain_before is not None]
    if len(befores) >= 2 and last.pain_before is not None and befores[-1] is last:
        previous = befores[-2]
        assert previous.pain_before is not None
        if last.pain_before - previous.pain_before >= rise:
            return [
                Alert(
                    "pain",
                    f"pain before the session {previous.pain_before:g} → {last.pain_before:g} "
                    f"({short_date(previous.day)} → {short_date(last.day)})",
                )
            ]
    return []


def rom_alerts(ordered: Sequence[Fact]) -> list[Alert]:
    """Each movement whose best peak fell in each of its last ``ROM_SESSIONS`` sessions."""
    by_movement: dict[str, list[Fact]] = {}
    for fact in ordered:
        if fact.movement and fact.best_peak_deg is not None and fact.kind != "mental":
            by_movement.setdefault(fact.movement, []).append(fact)
    found = []
    for movement, sessions in sorted(by_movement.items()):
        peaks = [f.best_peak_deg for f in sessions[-ROM_SESSIONS:] if f.best_peak_deg is not None]
        if len(peaks) < ROM_SESSIONS:
            continue
        falling = all(later < earlier for earlier, later in zip(peaks, peaks[1:], strict=False))
        if falling and peaks[0] - peaks[-1] >= ROM_FALL_MIN_DEG:
            steps = " → ".join(f"{p:.0f}°" for p in peaks)
            found.append(Alert("rom", f"{movement_label(movement)} falling: {steps}"))
    return found


_COUNT_WORDS = {
    "ceiling": lambda n, day: f"{n} rep{'s' if n != 1 else ''} past the ceiling on {day}",
    "device": lambda n, day: f"device lost or failed {times(n)} on {day}",
}


def recent_count_alert(ordered: Sequence[Fact], today: date, kind: str, count: Any) -> list[Alert]:
    """Reps past the ceiling, or device failures, in the last ``RECENT_DAYS`` days: the latest day's
    number, and the whole number when other days had some too."""
    since = (today - timedelta(days=RECENT_DAYS - 1)).isoformat()
    per_day: dict[str, int] = {}
    for fact in ordered:
        if fact.day >= since and count(fact):
            per_day[fact.day] = per_day.get(fact.day, 0) + int(count(fact))
    if not per_day:
        return []
    latest = max(per_day)
    text = _COUNT_WORDS[kind](per_day[latest], short_date(latest))
    total = sum(per_day.values())
    if total != per_day[latest]:
        text += f" ({total} in the last {RECENT_DAYS} days)"
    return [Alert(kind, text)]


def idle_alerts(patient: Patient, ordered: Sequence[Fact], devices: Sequence[DeviceInfo], today: date) -> list[Alert]:
    """No session for ``IDLE_DAYS`` days, with whether the home still syncs (a home that syncs and sends
    nothing means no exercise; one that is silent may be off or offline)."""
    home = _home_words(devices)
    if ordered:
        days = (today - date.fromisoformat(ordered[-1].day)).days
        return [Alert("idle", f"no session for {days} days{home}")] if days >= IDLE_DAYS else []
    try:
        added = date.fromisoformat(patient.created_at[:10])
    except ValueError:
        return []
    days = (today - added).days
    return [Alert("idle", f"no session yet, {days} days after being added{home}")] if days >= IDLE_DAYS else []


def _home_words(devices: Sequence[DeviceInfo]) -> str:
    active = [d for d in devices if not d.revoked]
    if not active:
        return "; no home linked"
    seen = [d.last_seen for d in active if d.last_seen]
    return f"; the home last synced on {short_date(max(seen))}" if seen else "; the home never synced"


# -- the trends ---------------------------------------------------------------------------------------------


def movement_trends(ordered: Sequence[Fact], prescribed: Sequence[str]) -> tuple[Trend, ...]:
    """Per prescribed movement (the movements done lately, without a plan that names any): the
    latest best peak against the one closest to a week before it (at least 5 days before)."""
    by_movement: dict[str, list[Fact]] = {}
    for fact in ordered:
        if fact.movement and fact.best_peak_deg is not None and fact.kind != "mental":
            by_movement.setdefault(fact.movement, []).append(fact)
    wanted = list(prescribed) or sorted(by_movement)
    found = []
    for movement in wanted:
        sessions = by_movement.get(movement)
        if not sessions:
            continue
        latest = sessions[-1]
        assert latest.best_peak_deg is not None
        latest_day = date.fromisoformat(latest.day)
        week = latest_day - timedelta(days=7)
        earlier = [f for f in sessions if (latest_day - date.fromisoformat(f.day)).days >= 5]
        before = min(earlier, key=lambda f: (abs((date.fromisoformat(f.day) - week).days), f.order), default=None)
        found.append(
            Trend(
                movement,
                latest.best_peak_deg,
                latest.day,
                before.best_peak_deg if before else None,
                before.day if before else None,
            )
        )
    return tuple(found)


def pain_trend(guided: Sequence[Guided], today: date) -> PainTrend:
    """Mean pain before sessions in the last 7 days (today included) against the 7 days before."""
    week_start = (today - timedelta(days=6)).isoformat()
    fortnight_start = (today - timedelta(days=13)).isoformat()
    recent, before = [], []
    for session in guided:
        if session.pain_before is None or session.day > today.isoformat():
            continue
        if session.day >= week_start:
            recent.append(session.pain_before)
        elif session.day >= fortnight_start:
            before.append(session.pain_before)
    return PainTrend(round(fmean(recent), 1) if recent else None, round(fmean(before), 1) if before else None)
