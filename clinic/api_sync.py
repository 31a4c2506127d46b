"""``/api/v1/sync``: homes push their rows and pull their plans and messages (device tokens only).

A push is one transaction: every row of the batch is stored, or none is. A batch is recognised by
its id (``sync_receipts``), so a batch sent twice, or retried after the connection dropped at any
byte, stores each row once. A row is upserted by its uuid; a later version of a row (a session that
ended, more answers) carries a greater outbox ``seq`` and replaces the body, an older one does not.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from clinic import auth, db, facts, plans, tables

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])

#: at most this many rows a batch: a batch is one transaction and one request of at most 5 MB
MAX_ROWS = 500
#: the biggest integer both engines store (a home's outbox sequence)
_INT64 = 2**63 - 1

Kind = Literal[
    "plans",
    "visits",
    "sessions",
    "sets",
    "reps",
    "ratings",
    "calibrations",
    "device_events",
    "streams",
    "outcome_responses",
    "messages_read",
]
Uuid = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", to_lower=True
    ),
]
Time = Annotated[str, StringConstraints(min_length=1, max_length=64)]
#: the caller, who must hold a home device's token
Device = Annotated[auth.Principal, Depends(auth.device)]


class SyncRow(BaseModel):
    """One home row: its table, its uuid, its outbox sequence, the home clock's time and its columns."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Kind
    uuid: Uuid
    seq: int = Field(ge=0, le=_INT64)
    client_time: Time
    body: dict[str, Any]


class PushBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    batch_id: Uuid
    device_time: Time
    rows: list[SyncRow] = Field(max_length=MAX_ROWS)


class PushResult(BaseModel):
    batch_id: str
    rows: int
    new: int
    updated: int
    server_time: str
    replayed: bool = False


class PullResult(BaseModel):
    plans: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    plans_cursor: int
    messages_cursor: int
    server_time: str


class _Refused(Exception):
    """Ends a push's transaction (so nothing of the batch is written) with an HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message})


@router.post(
    "/push",
    response_model=PushResult,
    responses={409: {"description": "a row of another patient, or a batch id of another device"}},
)
def push(batch: PushBatch, request: Request, who: Device) -> Any:
    """Store a batch of the home's rows (at most 500), each exactly once, all or nothing."""
    engine = db.engine_of(request)
    try:
        with engine.begin() as conn:
            return store_batch(conn, who, batch, db.now_iso(conn))
    except _Refused as refused:
        return _error(refused.status, str(refused))
    except IntegrityError:
        pass  # another request stored the same batch or a same new row first: look again
    try:
        with engine.begin() as conn:
            replayed = _replayed(conn, who, batch, db.now_iso(conn))
    except _Refused as refused:
        return _error(refused.status, str(refused))
    if replayed is not None:
        return replayed
    return _error(409, "another push stored some of these rows at the same moment; send the batch again")


def _replayed(conn: Connection, who: auth.Principal, batch: PushBatch, now: str) -> PushResult | None:
    r = tables.sync_receipts
    receipt = conn.execute(sa.select(r).where(r.c.batch_id == batch.batch_id)).mappings().first()
    if receipt is None:
        return None
    if receipt["device_id"] != who.id:
        raise _Refused(409, f"batch {batch.batch_id} was sent by another device; give each batch a new id")
    first = json.loads(receipt["response"]) if receipt.get("response") else {}
    return PushResult(
        batch_id=batch.batch_id,
        rows=int(receipt["rows"]),
        new=int(first.get("new", 0)),
        updated=int(first.get("updated", 0)),
        server_time=now,
        replayed=True,
    )


def _stored(conn: Connection, uuids: list[str]) -> dict[str, tuple[str, str, int]]:
    """uuid -> (patient, kind, seq) of the rows of the batch the server already has."""
    h = tables.home_rows
    found: dict[str, tuple[str, str, int]] = {}
    query = sa.select(h.c.uuid, h.c.patient_id, h.c.kind, h.c.seq).where(h.c.uuid.in_(uuids))
    for row in conn.execute(query):
        found[str(row.uuid)] = (str(row.patient_id), str(row.kind), int(row.seq))
    return found


def _check_owners(stored: dict[str, tuple[str, str, int]], patient_id: str, batch: PushBatch) -> None:
    for row in batch.rows:
        known = stored.get(row.uuid)
        if known is not None and known[0] != patient_id:
            raise _Refused(409, f"row {row.uuid} belongs to another patient; nothing of the batch was stored")
        if known is not None and known[1] != row.kind:
            raise _Refused(409, f"row {row.uuid} is stored as {known[1]}, not {row.kind}; nothing was stored")


def store_batch(conn: Connection, who: auth.Principal, batch: PushBatch, now: str) -> PushResult:
    """The push itself, inside the caller's transaction; raises _Refused to write nothing."""
    replayed = _replayed(conn, who, batch, now)
    if replayed is not None:
        return replayed
    patient_id = who.patient_id
    if patient_id is None:  # a device token is always bound to its patient
        raise _Refused(403, "this token is not a home device's")
    stored = _stored(conn, sorted({row.uuid for row in batch.rows}))
    _check_owners(stored, patient_id, batch)
    new = updated = 0
    for row in batch.rows:
        changed = _upsert(conn, who.id, patient_id, row, stored.get(row.uuid), now)
        new += changed == "new"
        updated += changed == "updated"
        stored[row.uuid] = (patient_id, row.kind, max(row.seq, stored.get(row.uuid, ("", "", -1))[2]))
        if row.kind == "plans":
            plans.record_home_plan(conn, patient_id, who.id, row.uuid, row.body, now)
    # the caseload's per-session facts, for every session this batch changed
    facts.refresh(conn, facts.touched_sessions((r.kind, r.uuid, r.body) for r in batch.rows), now)
    result = PushResult(batch_id=batch.batch_id, rows=len(batch.rows), new=new, updated=updated, server_time=now)
    conn.execute(
        sa.insert(tables.sync_receipts).values(
            batch_id=batch.batch_id,
            device_id=who.id,
            received_at=now,
            rows=len(batch.rows),
            response=result.model_dump_json(include={"new", "updated"}),
        )
    )
    _seen(conn, who, now)
    detail = f"batch {batch.batch_id}: {new} new, {updated} updated"
    auth.audit(conn, who, f"push {len(batch.rows)} rows", patient_id, detail)
    return result


def _upsert(
    conn: Connection, device_id: str, patient_id: str, row: SyncRow, known: tuple[str, str, int] | None, now: str
) -> str:
    """'new', 'updated' or '' (an older or the same version of a row the server has)."""
    h = tables.home_rows
    values = {
        "device_id": device_id,
        "body": json.dumps(row.body),
        "seq": row.seq,
        "client_time": row.client_time,
        "received_at": now,  # the server's clock beside the home's: a home clock can be wrong
        "session_uuid": _session_of(row.body),
    }
    if known is None:
        conn.execute(sa.insert(h).values(uuid=row.uuid, patient_id=patient_id, kind=row.kind, **values))
        return "new"
    if row.seq > known[2]:
        conn.execute(sa.update(h).where(h.c.uuid == row.uuid).values(**values))
        return "updated"
    return ""


def _session_of(body: dict[str, Any]) -> str | None:
    parent = body.get("session_uuid")
    return parent if isinstance(parent, str) and parent else None


def _seen(conn: Connection, who: auth.Principal, now: str) -> None:
    d = tables.devices
    conn.execute(sa.update(d).where(d.c.id == who.id).values(last_seen=now))


@router.get("/pull", response_model=PullResult)
def pull(
    request: Request,
    who: Device,
    plans_after: Annotated[int, Query(ge=0, le=_INT64)] = 0,
    messages_after: Annotated[int, Query(ge=0, le=_INT64)] = 0,
) -> Any:
    """The plan versions assigned on the server and the physio's messages newer than the cursors."""
    patient_id = who.patient_id
    if patient_id is None:
        return _error(403, "this token is not a home device's")
    with db.engine_of(request).begin() as conn:
        now = db.now_iso(conn)
        versions = plans.plan_versions(conn, patient_id, origin="server", after=plans_after)
        notes = plans.messages(conn, patient_id, after=messages_after)
        _seen(conn, who, now)
        auth.audit(conn, who, "pull", patient_id, f"{len(versions)} plan versions, {len(notes)} messages")
    return PullResult(
        plans=[v.to_json() for v in versions],
        messages=[m.to_json() for m in notes],
        plans_cursor=max([plans_after] + [v.id for v in versions]),
        messages_cursor=max([messages_after] + [m.id for m in notes]),
        server_time=now,
    )
