"""News for the home screen: messages from the physiotherapist and plan changes that sync brought,
each shown until the patient has read it."""

from __future__ import annotations

from dataclasses import dataclass

from progress.store import Store
from rehab.app.home_sync import FROM_CLINIC
from rehab.core.i18n import N_, _


@dataclass(frozen=True)
class Notice:
    kind: str  # message or plan
    text: str
    #: the store's message id, or the plan version number
    ref: int
    #: marked for the catalog; shown through ``notice_title`` in the patient's language
    title: str = N_("A message from your physiotherapist")


def unread_notices(store: Store, patient_id: str, seen_plan_version: int) -> list[Notice]:
    notices = [Notice("message", m.text, m.id) for m in store.messages(unshown_only=True)]
    row = store.latest_plan_version(patient_id)
    if row is not None and row.version > seen_plan_version and str(row.body.get("reason", "")).startswith(FROM_CLINIC):
        why = str(row.body.get("reason", ""))[len(FROM_CLINIC) :].lstrip(": ").strip()
        first = len(store.plan_versions(patient_id)) == 1
        if first:
            said = (
                _("Your physiotherapist sent your exercise plan: {why}")
                if why
                else _("Your physiotherapist sent your exercise plan.")
            )
            title = N_("Your exercise plan is here")
        else:
            said = (
                _("Your physiotherapist changed your plan: {why}")
                if why
                else _("Your physiotherapist changed your plan.")
            )
            title = N_("Your plan has changed")
        notices.append(Notice("plan", said.format(why=why), row.version, title))
    return notices


def notice_title(notice: Notice) -> str:
    return _(notice.title)
