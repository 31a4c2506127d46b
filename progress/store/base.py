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

    def _not_a_database(self, error: sqlite3.DatabaseError) -> StoreError:
        return StoreError(f"{self.path}: not a rehab database ({error})")
