"""What clinic sync needs from the store (schema 5): the outbox of changed rows, each row as the
clinic receives it, the sync bookkeeping, and the physio's messages.

The outbox is filled by SQLite triggers (``schema._v5_triggers``), so no write path can forget to
queue its row; a row changed five times is queued five times and sent once, at its newest.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from typing import Any

from progress.store.base import StoreBase
from progress.store.rows import MessageRow, OutboxRow
from progress.store.schema import SYNCED_TABLES
from rehab.core.errors import StoreError

#: integer foreign key -> (the new name, the parent table): a clinic knows rows by UUID only
_PARENTS = {
    "session_id": ("session_uuid", "sessions"),
    "set_id": ("set_uuid", "sets"),
    "plan_id": ("plan_uuid", "plans"),
}
#: how to find the patient a synced row belongs to: through its own column, or its session's
_PATIENT_OF = {
    **{kind: f"select patient_id from {kind} where uuid = ?" for kind in ("plans", "sessions", "ratings")},
    **{kind: f"select patient_id from {kind} where uuid = ?" for kind in ("calibrations", "outcome_responses")},
    "visits": "select patient_id from visits where id = ?",
    **{
        kind: f"select s.patient_id from {kind} x join sessions s on s.id = x.session_id where x.uuid = ?"
        for kind in ("sets", "reps", "device_events", "streams")
    },
}
#: columns that hold JSON text, sent as JSON values
_JSON_COLUMNS = {("plans", "body"), ("sessions", "summary"), ("outcome_responses", "answers")}


class SyncStore(StoreBase):
    def outbox_after(self, seq: int, limit: int) -> list[OutboxRow]:
        """Queued changes after ``seq`` (the last one the clinic acknowledged), oldest first."""
        rows = self._query("select seq, kind, uuid from sync_outbox where seq > ? order by seq limit ?", [seq, limit])
        return [OutboxRow(**row) for row in rows]

    def requeue_everything(self) -> int:
        """Queue every synced row again, oldest first (a home linked to another clinic sends its
        whole history there); returns how many rows were queued."""
        with self.transaction("requeue for the clinic"):
            before = self.db.conn.total_changes
            for table in SYNCED_TABLES:
                key = "id" if table == "visits" else "uuid"
                self.db.conn.execute(
                    f"insert into sync_outbox (kind, uuid) select '{table}', {key} from {table} order by rowid"
                )
            return self.db.conn.total_changes - before

    def pending_count(self, acked_seq: int) -> int:
        """How many distinct rows wait to be sent."""
        (row,) = self._query(
            "select count(*) as n from (select distinct kind, uuid from sync_outbox where seq > ?)", [acked_seq]
        )
        return int(row["n"])

    def forget_outbox_through(self, seq: int) -> None:
        """Drop queue entries the clinic has acknowledged (the sequence keeps counting up)."""
        self._write("delete from sync_outbox where seq <= ?", [seq])

    def row_for_sync(self, kind: str, uuid: str) -> dict[str, Any] | None:
        """The row's columns as the clinic receives them: no integer ids, each integer foreign key
        replaced by the parent's UUID, JSON columns as JSON, bytes as ``{"$b64": ...}``; None when
        the row is gone."""
        if kind not in SYNCED_TABLES:
            raise StoreError(f"{kind!r} is not a synced table; synced: {', '.join(SYNCED_TABLES)}")
        key = "id" if kind == "visits" else "uuid"
        rows = self._query(f"select * from {kind} where {key} = ?", [uuid])
        if not rows:
            return None
        row = rows[0]
        body: dict[str, Any] = {"uuid": uuid}
        for column, value in row.items():
            if column in ("id", "uuid"):
                continue
            if column in _PARENTS:
                name, parent = _PARENTS[column]
                body[name] = self._parent_uuid(parent, value)
            elif (kind, column) in _JSON_COLUMNS:
                body[column] = None if value is None else json.loads(value)
            elif isinstance(value, bytes):
                body[column] = {"$b64": base64.b64encode(value).decode("ascii")}
            else:
                body[column] = value
        if kind == "plans":
            body.update(self._plan_origin(row))
        return body

    def patient_of(self, kind: str, uuid: str) -> str | None:
        """The patient a synced row belongs to (None when the row is gone): a home linked to one
        patient sends that patient's rows only, whoever else uses this machine."""
        if kind not in _PATIENT_OF:
            raise StoreError(f"{kind!r} is not a synced table; synced: {', '.join(SYNCED_TABLES)}")
        found = self.db.conn.execute(_PATIENT_OF[kind], [uuid]).fetchone()
        return None if found is None else str(found[0])

    def _parent_uuid(self, table: str, row_id: int | None) -> str | None:
        if row_id is None:
            return None
        found = self.db.conn.execute(f"select uuid from {table} where id = ?", [row_id]).fetchone()
        return None if found is None else str(found[0])

    def _plan_origin(self, row: dict[str, Any]) -> dict[str, Any]:
        """Where a plan version came from, and the clinic's newest version this home knew when it
        was made: the clinic tells a plan changed at home meanwhile from one made after its own."""
        clinic_version = json.loads(row["body"]).get("clinic_version")
        if clinic_version is not None:
            return {"origin": "server", "based_on_server_version": clinic_version}
        (known,) = self.db.conn.execute(
            "select max(json_extract(body, '$.clinic_version')) from plans where patient_id = ? and id < ?",
            [row["patient_id"], row["id"]],
        ).fetchone()
        return {"origin": "home", "based_on_server_version": known}

    def unsynced_plan_versions(self, patient_id: str, acked_seq: int) -> list[int]:
        """Versions made at home that the clinic has not acknowledged yet (a conflict if the clinic
        assigns a plan meanwhile)."""
        rows = self._query(
            "select distinct p.version from plans p join sync_outbox o on o.kind = 'plans' and o.uuid = p.uuid "
            "where p.patient_id = ? and o.seq > ? and json_extract(p.body, '$.clinic_version') is null "
            "order by p.version",
            [patient_id, acked_seq],
        )
        return [int(row["version"]) for row in rows]

    # -- bookkeeping ----------------------------------------------------------------------------

    def sync_state(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self._query("select key, value from sync_state")}

    def set_sync_state(self, key: str, value: str | None) -> None:
        """Set one bookkeeping value (None removes it)."""
        if value is None:
            self._write("delete from sync_state where key = ?", [key])
        else:
            self._write("insert or replace into sync_state (key, value) values (?, ?)", [key, value])

    def update_sync_state(self, values: dict[str, str | None]) -> None:
        """Several bookkeeping values in one commit."""
        with self.transaction("sync state"):
            for key, value in values.items():
                self.set_sync_state(key, value)

    # -- the physio's messages ------------------------------------------------------------------

    def add_messages(self, messages: Iterable[tuple[int, str, str | None]], received_at: str) -> int:
        """Store messages ``(server id, text, created_at)`` received from the clinic; one received
        twice is kept once. Returns how many were new."""
        with self.transaction("messages"):
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "insert or ignore into messages (server_id, text, created_at, received_at) values (?, ?, ?, ?)",
                [(server_id, text, created_at, received_at) for server_id, text, created_at in messages],
            )
            return self.db.conn.total_changes - before

    def messages(self, unshown_only: bool = False) -> list[MessageRow]:
        where = "where shown_at is null" if unshown_only else ""
        return [MessageRow(**row) for row in self._query(f"select * from messages {where} order by created_at, id")]

    def mark_shown(self, ids: Sequence[int], at: str) -> None:
        with self.transaction("messages shown"):
            self.db.conn.executemany(
                "update messages set shown_at = coalesce(shown_at, ?) where id = ?", [(at, i) for i in ids]
            )
