"""The connection every part of the store shares, and the two ways it talks to SQLite.

All SQL of rehab lives in this package. Statements are written out here rather than built by
sqlite-utils at run time: sqlite-utils reads the schema before most writes, which tripled the
statements a guided session sent; the schema itself is still created with it (``schema.py``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from rehab.core.ids import check_patient_id

#: exit status of a process stopped by the crash-injection test hook below
CRASH_EXIT = 77
CRASH_AFTER_WRITE_ENV = "REHAB_CRASH_AFTER_WRITE"


class _CrashAfterWrite:
    """TEST HOOK, in the manner of SQLite's crash tests: with ``REHAB_CRASH_AFTER_WRITE=k`` in the
    environment, the process ends with ``os._exit(CRASH_EXIT)`` right after its k-th committed
    write, as a power cut or a kill would end it (no cleanup, no further statement). The variable is
    read once, when the store is first imported; unset (always, outside tests) it does nothing.
    ``tests/test_crash_injection.py`` runs a real guided session once for every k in turn."""

    def __init__(self, after: str | None) -> None:
        self.after = int(after) if after else 0
        self.writes = 0

    def committed(self, what: str) -> None:
        self.writes += 1
        if self.writes == self.after:
            sys.stderr.write(f"crash injected after store write {self.writes} ({what})\n")
            sys.stderr.flush()
            os._exit(CRASH_EXIT)


_crash_hook = _CrashAfterWrite(os.environ.get(CRASH_AFTER_WRITE_ENV))


class StoreBase:
    db: sqlite_utils.Database
    path: Path | None
    _open_transactions = 0

    @contextmanager
    def transaction(self, what: str = "write") -> Iterator[None]:
        """Every write of the store goes through here: one commit at the end of the outermost
        transaction, or none at all if it fails or the process dies first. A transaction opened
        inside another joins it, so a caller can make several writes one (a part's recording and
        its ratings; the closing pain rating, the end of the session and its progression)."""
        if self._open_transactions:
            self._open_transactions += 1
            try:
                yield
            finally:
                self._open_transactions -= 1
            return
        self._open_transactions = 1
        try:
            with self.db.conn:
                yield
        finally:
            self._open_transactions = 0
        _crash_hook.committed(what)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name (the typed rows are built from them)."""
        cursor = self.db.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement and commit it now (or with the transaction it is in); returns the new
        row's id for an insert."""
        with self.transaction(" ".join(sql.replace("(", " ").split()[:4])):
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
