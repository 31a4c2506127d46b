"""News for the home screen: messages from the physiotherapist and plan changes that sync brought,
each shown until the patient has read it."""

from __future__ import annotations

from dataclasses import dataclass

from progress.store import Store
from rehab.app.home_sync import FROM_CLINIC


@dataclass(frozen=True)
class Notice:
    kind: str  # message or plan
    text: str
    #: the store's message id, or the plan version number
    ref: int
    title: str = "A message from your physiotherapist"


def unread_notices(store: Store, patient_id: str, seen_plan_version: int) -> list[Notice]:
    notices = [Notice("message", m.text, m.id) for m in store.messages(unshown_only=True)]
    row = store.latest_plan_version(patient_id)
    if row is not None and row.version > seen_plan_version and str(row.body.get("reason", "")).startswith(FROM_CLINIC):
        why = str(row.body.get("reason", ""))[len(FROM_CLINIC) :].lstrip(": ").strip()
        first = len(store.plan_versions(patient_id)) == 1
        said = "Your physiotherapist sent your exercise plan" if first else "Your physiotherapist changed your plan"
        title = "Your exercise plan is here" if first else "Your plan has changed"
        notices.append(Notice("plan", said + (f": {why}" if why else "."), row.version, title))
    return notices


def notice_title(notice: Notice) -> str:
    return notice.title
