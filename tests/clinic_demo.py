"""A demo clinic for the web app's end-to-end browser test and its screenshots (docs/make_web_screenshots.py).

Everything goes through the real paths: accounts and patients through the server's API, homes
linked with ``rehab link`` and pushed with ``rehab sync``, sessions written into each home's own
store by ``rehab.sim.history.make_history`` (plus one guided session with pain rising). Nothing is
written into the clinic's database directly, so the caseload's alerts are the server's own reading
of what the homes sent.

``build_caseload`` makes what the test needs: two patients of one physio whose homes give two real
alerts (pain up by 3 in today's session; no session for 4 days), and a physio of another team.
``add_showcase`` adds the rest of a realistic caseload for the screenshots.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from progress.store import DB_FILENAME, Store
from rehab.app.cli import main
from rehab.app.plans import fill_patient, template_text
from rehab.core.types import RepMetrics
from rehab.sim.history import make_history
from tests.clinic_fixtures import ClinicServer

PHYSIO = "ana.berg@clinic.test"
PHYSIO_TEAM = "knee"
OTHER_PHYSIO = "bo.lind@clinic.test"
OTHER_TEAM = "shoulder"
CLINICIAN = "cleo.marsh@clinic.test"
#: the physio's patient whose pain rose by 3 in today's guided session
PAIN_PATIENT = "P-0101"
#: the physio's patient whose last session was 4 days ago
IDLE_PATIENT = "P-0102"
#: the other team's patient (the physio may not open it)
OTHER_PATIENT = "P-0201"
#: the physio's patient added today, no home yet: no alert (its id sorts first: alerts must lift the others)
NEW_PATIENT = "P-0100"
#: the plan the showcase writes for NEW_PATIENT at the clinic (one of rehab's own templates)
NEW_PATIENT_PLAN = "after-knee-replacement"
#: the showcase's: six weeks of knee, breathing and exposure sessions to today
MIXED_PATIENT = "P-0103"
#: the painful session's ratings and its knee peaks (lower than the days before: it hurt)
PAIN_BEFORE, PAIN_AFTER = 2.0, 5.0
PAINFUL_PEAKS = (97.8, 99.1, 96.4, 95.2, 93.7, 92.9)
KNEE = "knee_flexion_right"
IDLE_DAYS_AGO = 4


@dataclass(frozen=True)
class DemoClinic:
    server: ClinicServer
    today: date  # the server's and the homes' UTC day (both read the wall clock)
    homes: dict[str, Path]  # patient id -> the home folder linked to that patient


def rehab(home: Path, *args: str) -> str:
    """One ``rehab --home HOME ...`` command, in this process; its printed output (fails when it fails)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["--home", str(home), *args])
    if status != 0:
        raise RuntimeError(f"rehab {' '.join(args)} exited {status}: {out.getvalue()}")
    return out.getvalue()


@contextlib.contextmanager
def home_store(home: Path) -> Iterator[Store]:
    store = Store.open(home / DB_FILENAME)
    try:
        yield store
    finally:
        store.close()


def linked_home(server: ClinicServer, patient_id: str, home: Path, name: str, fill: Callable[[Store], object]) -> Path:
    """A home linked to the patient with ``rehab link``, its store filled by ``fill``, pushed with ``rehab sync``."""
    rehab(home, "link", server.url, server.pairing_code(patient_id), "--name", name)
    with home_store(home) as store:
        fill(store)
    rehab(home, "sync")
    return home


def add_painful_session(store: Store, patient_id: str, day: date) -> int:
    """Today's guided session: one knee exercise, pain 2 before and 5 after; returns the session id."""
    at = f"{day.isoformat()}T10:15:00+00:00"
    latest = store.latest_plan_version(patient_id)
    plan_id = latest.id if latest else None
    visit = store.start_visit(patient_id, at, plan_id)
    session = store.start_session(
        patient_id, at, "lift", KNEE, "right", "sim:knee", 110.0, plan_id=plan_id, kind="physical", visit_id=visit
    )
    store.start_set(session, 1, KNEE, len(PAINFUL_PEAKS), 0.0)
    store.add_rating(patient_id, at, "pain", PAIN_BEFORE, session, 0.0, "before")
    for index, peak in enumerate(PAINFUL_PEAKS, start=1):
        store.add_rep(
            session,
            RepMetrics(
                index=index,
                t_start=5.0 * index,
                t_end=5.0 * index + 3.5,
                start_deg=5.0,
                peak_deg=peak,
                rom_deg=peak - 5.0,
                hold_s=1.2,
                duration_s=3.5,
                peak_velocity_dps=85.0,
                target_deg=110.0,
                success=False,
                smoothness_sparc=-2.1,
            ),
        )
    store.add_rating(patient_id, at, "pain", PAIN_AFTER, session, 300.0, "after")
    ended = f"{day.isoformat()}T10:40:00+00:00"
    store.finish_session(session, ended)
    store.end_visit(visit, ended, "completed")
    return session


def build_caseload(server: ClinicServer, folder: Path) -> DemoClinic:
    """Ana (knee team) with NEW_PATIENT (added today, no home) and two linked homes; Bo (shoulder team)
    with one patient and no home:

    - PAIN_PATIENT: 27 days of simulated knee sessions to yesterday, then today's guided session with
      pain 2 before and 5 after (the alert: up by 2 or more, there being no plan that says otherwise);
    - IDLE_PATIENT: 13 days of sessions ending IDLE_DAYS_AGO days ago, synced today (the alert: no
      session for 3 days or more, while the home syncs).
    """
    today = datetime.now(timezone.utc).date()
    server.physio(PHYSIO, PHYSIO_TEAM)
    server.physio(OTHER_PHYSIO, OTHER_TEAM)
    for patient in (NEW_PATIENT, PAIN_PATIENT, IDLE_PATIENT):
        server.patient(patient, PHYSIO)
    server.patient(OTHER_PATIENT, OTHER_PHYSIO)

    def pain_rising(store: Store) -> None:
        make_history(store, PAIN_PATIENT, today - timedelta(days=27), days=27, kind="physical", seed=3)
        add_painful_session(store, PAIN_PATIENT, today)

    def gone_quiet(store: Store) -> None:
        first = today - timedelta(days=12 + IDLE_DAYS_AGO)
        make_history(store, IDLE_PATIENT, first, days=13, kind="physical", seed=5)

    homes = {
        PAIN_PATIENT: linked_home(server, PAIN_PATIENT, folder / "home-0101", "kitchen laptop", pain_rising),
        IDLE_PATIENT: linked_home(server, IDLE_PATIENT, folder / "home-0102", "living room", gone_quiet),
    }
    return DemoClinic(server, today, homes)


def add_showcase(demo: DemoClinic, folder: Path) -> DemoClinic:
    """The rest of a realistic caseload for the screenshots: a clinician; a plan written at the clinic
    for NEW_PATIENT (from a template); MIXED_PATIENT with six weeks of knee, breathing and exposure
    sessions to today; and a home with a short history for the other team's patient."""
    server, today = demo.server, demo.today
    server.user(CLINICIAN, "clinician")
    server.patient(MIXED_PATIENT, PHYSIO)
    plan = fill_patient(template_text(NEW_PATIENT_PLAN), NEW_PATIENT)
    body = {"toml": plan, "reason": "first plan after surgery, from the clinic's template"}
    answer = server.request("POST", f"/api/v1/patients/{NEW_PATIENT}/plans", server.login(PHYSIO), json=body)
    if answer.status_code != 201:
        raise RuntimeError(f"the plan for {NEW_PATIENT} was refused: {answer.status_code} {answer.text}")

    def mixed(store: Store) -> None:
        make_history(store, MIXED_PATIENT, today - timedelta(days=41), days=42, kind="mixed", seed=7)

    def shoulder(store: Store) -> None:
        make_history(store, OTHER_PATIENT, today - timedelta(days=9), days=10, kind="physical", seed=11)

    homes = {
        **demo.homes,
        MIXED_PATIENT: linked_home(server, MIXED_PATIENT, folder / "home-0103", "tablet", mixed),
        OTHER_PATIENT: linked_home(server, OTHER_PATIENT, folder / "home-0201", "home pc", shoulder),
    }
    return DemoClinic(server, today, homes)


# -- what the homes hold, for a test to compare pages with ------------------------------------------


@dataclass(frozen=True)
class PeakPoint:
    """One session's best peak as its home stored it: the point a range-of-motion chart draws."""

    day: str  # YYYY-MM-DD
    started_at: str
    game: str
    status: str
    best_peak_deg: float


def peak_points(home: Path, patient_id: str, movement: str) -> list[PeakPoint]:
    """Every session of ``movement`` with reps in the home's store, oldest first: the home's own numbers."""
    points = []
    with home_store(home) as store:
        for session in store.sessions(patient_id):
            peaks = [r.peak_deg for r in store.reps(session.id) if r.peak_deg is not None]
            if session.movement == movement and session.kind != "mental" and peaks:
                points.append(
                    PeakPoint(session.started_at[:10], session.started_at, session.game, session.status, max(peaks))
                )
    return points


def last_session_day(home: Path, patient_id: str) -> date:
    with home_store(home) as store:
        return date.fromisoformat(store.sessions(patient_id)[-1].started_at[:10])
