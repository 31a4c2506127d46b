"""The connection every part of the store shares, and the two ways it talks to SQLite.

All SQL of rehab lives in this package. Statements are written out here rather than built by
sqlite-utils at run time: sqlite-utils reads the schema before most writes, which tripled the
statements a guided session sent; the schema itself is still created with it (``schema.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from rehab.core.errors import StoreError
from rehab.core.ids import check_patient_id


class StoreBase:
    db: sqlite_utils.Database
    path: Path | None

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name (the typed rows are built from them)."""
        cursor = self.db.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement and commit it now; returns the new row's id for an insert."""
        with self.db.conn:
            cursor = self.db.conn.execute(sql, params)
        return int(cursor.lastrowid or 0)

    def _check_new_patient(self, patient_id: str) -> None:
        """A new patient's id must follow the one id rule (``rehab.core.ids``); a patient stored
        before the rule keeps working."""
        if not self.db.conn.execute("select 1 from patients where id = ?", [patient_id]).fetchone():
            check_patient_id(patient_id)

    def _insert_patient(self, patient_id: str, created_at: str) -> None:
        """Add the patient if new, in the caller's transaction: every patient row goes in here."""
        self._check_new_patient(patient_id)
        self.db.conn.execute("insert or ignore into patients (id, created_at) values (?, ?)", [patient_id, created_at])

    def _not_a_database(self, error: sqlite3.DatabaseError) -> StoreError:
        return StoreError(f"{self.path}: not a rehab database ({error})")
