"""Everything the home screen says about the patient, read from the store in one go (when the home
screen opens and after each thing it starts): who, today's session, a session to carry on, news
and progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from progress.store import Store
from rehab.app.clinic_link import ClinicLink
from rehab.app.home_screen.notices import Notice, unread_notices
from rehab.app.home_screen.progress_view import Progress, read_progress
from rehab.app.home_screen.settings import HomeSettings
from rehab.app.home_screen.today import TodayPlan, can_resume, today_plan


@dataclass(frozen=True)
class HomeFacts:
    patient: str  # "" before the first run names one
    today: TodayPlan = TodayPlan(False)
    resumable: bool = False
    notices: tuple[Notice, ...] = ()
    progress: Progress = field(default_factory=lambda: Progress((), 0, 0))
    link: ClinicLink | None = None


def choose_patient(store: Store, settings: HomeSettings, link: ClinicLink | None) -> str:
    """The patient this home is for: the linked one, else the one the first run named, else the
    only (or newest) patient in the store; "" when the store has none (the first run comes next)."""
    known = [p.id for p in store.patients()]
    for candidate in (link.patient_id if link else "", settings.patient):
        if candidate and candidate in known:
            return candidate
    return known[-1] if known else ""


def read_facts(store: Store, settings: HomeSettings, link: ClinicLink | None, now_iso: str, today: date) -> HomeFacts:
    patient = choose_patient(store, settings, link)
    if not patient:
        return HomeFacts("", link=link)
    return HomeFacts(
        patient,
        today_plan(store, patient),
        can_resume(store, patient, now_iso),
        tuple(unread_notices(store, patient, settings.seen_plan_version)),
        read_progress(store, patient, today),
        link,
    )
