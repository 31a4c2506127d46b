"""A patient's synced home rows, rebuilt as a home progress store, so the server runs the very report
code the home runs (``progress.reports``): the same numbers on both sides, one implementation.

The home sends each row without its integer ids, its foreign keys named by the parent's UUID
(``session_uuid``, ``set_uuid``, ``plan_uuid``), bytes as ``{"$b64": ...}`` and JSON columns as
JSON values (rehab/app/sync/rows.py). Here new integer ids are made in an in-memory store, and each
parent UUID is mapped back to its parent's new id. Columns the home sent that this version's store
does not know (a newer home) are left out rather than refused: a report must still be possible.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from progress.store import Store

#: parents before children, so every parent UUID is known when its children arrive
KINDS = (
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
)

#: body key naming a parent by UUID -> (the home column, the parent's kind)
PARENTS = {
    "plan_uuid": ("plan_id", "plans"),
    "session_uuid": ("session_id", "sessions"),
    "set_uuid": ("set_id", "sets"),
}

#: columns the home keeps as JSON text; the sync sends them as JSON values
JSON_COLUMNS = {"plans": ("body",), "sessions": ("summary",), "outcome_responses": ("answers",)}

#: the order rows are given new ids in, where the store's reads break ties by id (the home's own
#: insertion order is not sent; these keys give the same order for everything a report reads)
ORDER = {"plans": ("version",), "visits": ("started_at",), "sessions": ("started_at",)}


@dataclass(frozen=True)
class HomeRow:
    """One synced row as the server keeps it (a home_rows row, its body parsed)."""

    kind: str
    uuid: str
    seq: int
    body: Mapping[str, Any]


def read_rows(conn: sa.Connection, patient_id: str) -> list[HomeRow]:
    """Every row the patient's homes have pushed (the latest version of each)."""
    result = conn.execute(
        sa.text("select kind, uuid, seq, body from home_rows where patient_id = :patient"), {"patient": patient_id}
    )
    return [HomeRow(kind, uuid, int(seq or 0), json.loads(body)) for kind, uuid, seq, body in result]


def materialize(conn: sa.Connection, patient_id: str, secret: bytes | None = None) -> Store:
    """The patient's home rows as an in-memory progress store (``Store.memory()``) for the reports.

    ``secret`` becomes the store's pseudonym secret, so the server's pseudonyms stay the same from
    one report to the next (a fresh store would draw a new one each time)."""
    store = store_from_rows(patient_id, read_rows(conn, patient_id))
    if secret is not None:
        store.db.execute("update meta set value = ? where key = 'pseudonym_secret'", [secret.hex()])
        store.db.conn.commit()
    return store


def store_from_rows(patient_id: str, rows: Iterable[HomeRow], created_at: str | None = None) -> Store:
    """Builds the store from rows in any order; rows of kinds a report does not read are skipped."""
    store = Store.memory()
    by_kind: dict[str, list[HomeRow]] = {kind: [] for kind in KINDS}
    for row in rows:
        if row.kind in by_kind:
            by_kind[row.kind].append(row)
    first = created_at or _earliest(by_kind)
    store.db.execute("insert into patients (id, created_at) values (?, ?)", [patient_id, first])
    ids: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        ids[kind] = _insert_kind(store, kind, _ordered(kind, by_kind[kind]), patient_id, ids)
    store.db.conn.commit()
    return store


def _earliest(by_kind: Mapping[str, list[HomeRow]]) -> str:
    """The patient's first day at home, as near as the rows tell (reports do not show it)."""
    times = [
        str(r.body[key]) for r in by_kind["visits"] + by_kind["sessions"] for key in ("started_at",) if r.body.get(key)
    ]
    return min(times) if times else "1970-01-01T00:00:00+00:00"


def _ordered(kind: str, rows: list[HomeRow]) -> list[HomeRow]:
    keys = ORDER.get(kind, ())
    return sorted(rows, key=lambda r: (*(_sortable(r.body.get(k)) for k in keys), r.seq, r.uuid))


def _sortable(value: Any) -> tuple[int, str]:
    return (0, "") if value is None else (1, f"{value:020d}" if isinstance(value, int) else str(value))


def _insert_kind(
    store: Store, kind: str, rows: list[HomeRow], patient_id: str, ids: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Inserts one kind's rows and returns their UUID -> new id (visits keep their UUID as id)."""
    columns = set(store.db.table(kind).columns_dict)
    made: dict[str, Any] = {}
    for row in rows:
        values = _columns(kind, row, patient_id, ids)
        values = {k: v for k, v in values.items() if k in columns and k != "id"}
        if kind == "visits":
            values["id"] = row.uuid
        elif "uuid" in columns:
            values["uuid"] = row.uuid
        names = ", ".join(f'"{k}"' for k in values)
        marks = ", ".join("?" for _ in values)
        cursor = store.db.conn.execute(f'insert into "{kind}" ({names}) values ({marks})', list(values.values()))
        made[row.uuid] = row.uuid if kind == "visits" else cursor.lastrowid
    return made


def _columns(kind: str, row: HomeRow, patient_id: str, ids: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A body turned back into the home table's columns."""
    values: dict[str, Any] = {}
    for key, value in row.body.items():
        if key in PARENTS:
            column, parent = PARENTS[key]
            values[column] = None if value is None else ids.get(parent, {}).get(value)
        elif isinstance(value, dict) and set(value) == {"$b64"}:
            values[key] = base64.b64decode(value["$b64"])
        elif key in JSON_COLUMNS.get(kind, ()) and value is not None and not isinstance(value, str):
            values[key] = json.dumps(value, sort_keys=True)
        else:
            values[key] = value
    values["patient_id"] = patient_id  # the server's word: rows carry no patient id of their own
    return values
