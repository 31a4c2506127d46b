"""Sync a home with its clinic: push every row changed since the clinic's last acknowledgement, then
pull the plan versions and messages made on the server.

Offline is normal. Sessions never wait for the server; rows stay in the store's outbox until a push
is acknowledged, so nothing is lost whatever fails. A batch is named by its device and its outbox
range, so a batch resent after a cut connection is recognised by the server and stored once. After
a failure the next automatic try waits (30 s, doubling to an hour); ``rehab sync`` tries at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from progress.store import MessageRow, Store
from rehab.app.clinic_client import ClinicClient, ClinicRefused, ClinicUnreachable
from rehab.app.clinic_link import ClinicLink
from rehab.app.plan_versions import plan_body
from rehab.app.plans import from_dict
from rehab.core.errors import RehabError

#: rows a push sends at most (the server takes 500 a batch, in one transaction)
BATCH_ROWS = 500
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
#: the reason a plan version received from the clinic is stored with; the server knows it by it
FROM_CLINIC = "from the clinic"
#: names a batch by its device and outbox range: the same range resent is the same batch
_BATCH_NAMESPACE = uuid.UUID("5b0c1f0e-7a43-4c55-9d1e-2f7b8a0c6d11")


@dataclass(frozen=True)
class SyncResult:
    rows_sent: int
    batches: int
    plan_versions: list[int] = field(default_factory=list)  # home versions made from the clinic's
    messages: list[MessageRow] = field(default_factory=list)  # new messages from the physio
    notes: list[str] = field(default_factory=list)  # what the patient should know (a replaced plan)


@dataclass(frozen=True)
class SyncStatus:
    link: ClinicLink | None
    waiting_rows: int
    last_success_at: str | None
    last_attempt_at: str | None
    last_error: str | None
    next_try_at: str | None
    failures: int


def retry_delay(failures: int) -> timedelta:
    """How long the automatic sync waits after ``failures`` failed tries in a row."""
    return min(FIRST_RETRY * 2 ** max(failures - 1, 0), LONGEST_RETRY)


def status(store: Store, link: ClinicLink | None) -> SyncStatus:
    state = store.sync_state()
    return SyncStatus(
        link=link,
        waiting_rows=_waiting(store, link, int(state.get("acked_seq", "0"))) if link else 0,
        last_success_at=state.get("last_success_at"),
        last_attempt_at=state.get("last_attempt_at"),
        last_error=state.get("last_error"),
        next_try_at=state.get("next_try_at"),
        failures=int(state.get("failures", "0")),
    )


def _waiting(store: Store, link: ClinicLink, acked: int) -> int:
    """The rows a push will send: the linked patient's queued after the acknowledgement (another
    patient's rows on this machine, or rows since removed, are never sent, so they do not wait)."""
    queued = {(entry.kind, entry.uuid) for entry in store.outbox_after(acked, -1)}  # SQLite: -1, no limit
    return sum(store.patient_of(kind, row_uuid) == link.patient_id for kind, row_uuid in queued)


def due(store: Store, now: datetime) -> bool:
    """Whether an automatic sync (after a session) should try now, or wait out its backoff."""
    next_try = store.sync_state().get("next_try_at")
    return next_try is None or datetime.fromisoformat(next_try) <= now


def sync(store: Store, link: ClinicLink, client: ClinicClient, clock: Callable[[], datetime]) -> SyncResult:
    """Push, then pull. On failure the backoff is written down and the error raised again; rows
    acknowledged before the failure stay acknowledged."""
    attempt = clock()
    try:
        rows_sent, batches = _push_all(store, link, client, clock)
        result = _pull(store, link, client, clock)
    except (ClinicUnreachable, ClinicRefused) as error:
        failures = int(store.sync_state().get("failures", "0")) + 1
        store.update_sync_state(
            {
                "last_attempt_at": _iso(attempt),
                "last_error": str(error),
                "failures": str(failures),
                "next_try_at": _iso(attempt + retry_delay(failures)),
            }
        )
        raise
    store.update_sync_state(
        {
            "last_attempt_at": _iso(attempt),
            "last_success_at": _iso(clock()),
            "last_error": None,
            "failures": None,
            "next_try_at": None,
        }
    )
    return SyncResult(rows_sent, batches, result.plan_versions, result.messages, result.notes)


def prepare_for(store: Store, link: ClinicLink) -> bool:
    """Called on linking: a home linked to another server or patient than before sends its whole
    history there and starts its cursors over. True when the history was queued again."""
    state = store.sync_state()
    before = (state.get("server"), state.get("patient_id"))
    if before == (link.url, link.patient_id):
        return False
    fresh = before != (None, None)
    if fresh:
        store.requeue_everything()
    store.update_sync_state(
        {
            "server": link.url,
            "patient_id": link.patient_id,
            "plans_cursor": None,
            "messages_cursor": None,
            "failures": None,
            "next_try_at": None,
            "last_error": None,
        }
    )
    return fresh


# -- push -------------------------------------------------------------------------------------------


def _push_all(store: Store, link: ClinicLink, client: ClinicClient, clock: Callable[[], datetime]) -> tuple[int, int]:
    sent = batches = 0
    while True:
        acked = int(store.sync_state().get("acked_seq", "0"))
        entries = store.outbox_after(acked, BATCH_ROWS)
        if not entries:
            return sent, batches
        first, last = entries[0].seq, entries[-1].seq
        rows = _rows(store, link, entries, _iso(clock()))
        if rows:
            batch_id = uuid.uuid5(_BATCH_NAMESPACE, f"{link.device_id}:{first}:{last}")
            client.push({"batch_id": str(batch_id), "device_time": _iso(clock()), "rows": rows})
            sent, batches = sent + len(rows), batches + 1
        # acknowledged (or nothing of this patient's in it): never sent again
        store.set_sync_state("acked_seq", str(last))
        store.forget_outbox_through(last)


def _rows(store: Store, link: ClinicLink, entries: list[Any], now: str) -> list[dict[str, Any]]:
    """The batch: each changed row once at its newest, this patient's only, as the clinic takes it."""
    newest: dict[tuple[str, str], int] = {}
    for entry in entries:
        newest[(entry.kind, entry.uuid)] = entry.seq
    rows = []
    for (kind, row_uuid), seq in sorted(newest.items(), key=lambda item: item[1]):
        if store.patient_of(kind, row_uuid) != link.patient_id:
            continue  # another patient on this machine, or a row since removed
        body = store.row_for_sync(kind, row_uuid)
        if body is not None:
            rows.append({"kind": kind, "uuid": row_uuid, "seq": seq, "client_time": now, "body": body})
    return rows


# -- pull -------------------------------------------------------------------------------------------


def _pull(store: Store, link: ClinicLink, client: ClinicClient, clock: Callable[[], datetime]) -> SyncResult:
    state = store.sync_state()
    plans_after = int(state.get("plans_cursor") or 0)
    messages_after = int(state.get("messages_cursor") or 0)
    answer = client.pull(plans_after, messages_after)
    now = _iso(clock())
    made, notes = [], []
    # only the newest: the versions before it were replaced before this home could follow them
    # (a conflict on the server sends the clinic's plan again as a newer version)
    versions = sorted(answer.get("plans", []), key=lambda v: int(v["version"]))[-1:]
    for version in versions:
        stored, note = _store_clinic_plan(store, link.patient_id, version, now)
        made += [stored] if stored is not None else []
        notes += [note] if note else []
    fresh = [(int(m["id"]), str(m["text"]), str(m.get("created_at") or "") or None) for m in answer.get("messages", [])]
    store.add_messages(fresh, now)
    new_ids = {server_id for server_id, _, _ in fresh}
    messages = [m for m in store.messages(unshown_only=True) if m.server_id in new_ids]
    store.update_sync_state(
        {
            "plans_cursor": str(int(answer.get("plans_cursor", plans_after))),
            "messages_cursor": str(int(answer.get("messages_cursor", messages_after))),
        }
    )
    return SyncResult(0, 0, made, messages, notes)


def _store_clinic_plan(
    store: Store, patient_id: str, version: dict[str, Any], now: str
) -> tuple[int | None, str | None]:
    """Stores a plan version assigned on the server as the home's newest, so the next session
    follows it; (None, why) for one already stored or one this home cannot read."""
    number = int(version["version"])
    known = store.plan_versions(patient_id)
    if any(row.body.get("clinic_version") == number for row in known):
        return None, None  # stored on an earlier pull that was cut before its cursor was saved
    try:
        plan = from_dict(version["body"], f"the clinic's plan version {number}")
    except (RehabError, ValueError, KeyError, TypeError) as error:
        return None, f"the clinic's plan version {number} could not be used here: {error}"
    reason = f"{FROM_CLINIC}: {version.get('reason') or 'assigned by your physiotherapist'}"
    body = plan_body(plan, reason) | {"clinic_version": number}
    effective = str(version.get("effective_from") or now[:10])
    home_version = store.add_plan_version(patient_id, now, effective, plan.sessions_per_week, body)
    latest_home = known[-1] if known else None
    note = None
    if latest_home is not None and "clinic_version" not in latest_home.body:
        note = (
            f"your plan changed here (version {latest_home.version}) was replaced by the clinic's; "
            "both are kept and your physiotherapist sees the change"
        )
    return home_version, note


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
