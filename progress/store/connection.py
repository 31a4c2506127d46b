"""Opening the store's file: created whole or not at all, refused unchanged when newer, patient when busy.

- A new store is built in a private temporary file next to its final name and linked into place
  only once complete, so a kill during creation leaves no store (or another process's whole one),
  never a half-made file that every command would then refuse.
- The schema version is read first through a read-only connection: a database written by a newer
  rehab is refused before anything could change it (no journal-mode switch, no WAL folded in).
- A zero-byte file is reported, not silently reused as new: it is not what rehab leaves behind.
- Another process holding the write lock is waited out (``PatientConnection``): the statement is
  retried while whoever listens is told, so a rep is never lost to a busy database.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from progress.store.schema import SCHEMA_VERSION, migrate, newer_schema
from rehab.core.errors import StoreError
from rehab.core.private_files import private_temp, replace_private

#: SQLite's primary result codes for "another connection holds the lock"
_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
#: a read-only connection found a hot journal it may not roll back (SQLITE_READONLY_ROLLBACK)
_READONLY_ROLLBACK = 776


@dataclass(frozen=True)
class StoreBusy:
    """What a patient is told while another program holds the database: a game can show
    ``message``; the command line prints it once per wait."""

    waited_s: float
    cleared: bool = False  # the write went through after the wait

    @property
    def message(self) -> str:
        if self.cleared:
            return f"progress database free again after {self.waited_s:.0f} s; everything was saved"
        return (
            f"progress database busy (another program is writing to it), waiting {self.waited_s:.0f} s; "
            "keep going, nothing is lost"
        )


BusyListener = Callable[[StoreBusy], None]


def tell_once_per_wait(say: Callable[[str], None]) -> BusyListener:
    """A listener for the command line: one line when a wait begins, none while it lasts or ends."""
    waiting = False

    def listen(status: StoreBusy) -> None:
        nonlocal waiting
        if status.cleared:
            waiting = False
        elif not waiting:
            waiting = True
            say(status.message)

    return listen


class StoreBusyError(StoreError):
    """The database stayed locked by another program for longer than rehab waits."""


class PatientConnection(sqlite3.Connection):
    """A connection that waits out another process's write lock instead of failing.

    Write transactions begin with ``BEGIN IMMEDIATE`` (``isolation_level``), so the lock is taken
    by the transaction's first statement or not at all: a statement refused as busy outside a
    transaction has done nothing and is simply run again. Each attempt waits ``attempt_s`` inside
    SQLite (its busy handler polls with a short bounded backoff); between attempts the listener
    hears how long the wait has lasted. After ``give_up_s`` the wait ends with ``StoreBusyError``.
    """

    attempt_s = 1.0
    give_up_s = 300.0
    busy_listener: BusyListener | None = None
    clock: Callable[[], float] = staticmethod(time.monotonic)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        return self._patiently(super().execute, sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
        rows = list(parameters)  # an iterator could not be run twice
        return self._patiently(super().executemany, sql, rows)

    def _patiently(self, run: Callable[[str, Any], sqlite3.Cursor], sql: str, parameters: Any) -> sqlite3.Cursor:
        started: float | None = None
        while True:
            try:
                cursor = run(sql, parameters)
            except sqlite3.OperationalError as error:
                if self.in_transaction or getattr(error, "sqlite_errorcode", 0) & 0xFF not in _BUSY_CODES:
                    raise
                started = self._waited(started)
                continue
            if started is not None:
                self._tell(StoreBusy(self.clock() - started + self.attempt_s, cleared=True))
            return cursor

    def _waited(self, started: float | None) -> float:
        """Note one more refused attempt; returns when the wait began (the first attempt's start)."""
        now = self.clock()
        started = now - self.attempt_s if started is None else started
        waited = now - started
        if waited >= self.give_up_s:
            raise StoreBusyError(
                f"the progress database has been locked by another program for {waited:.0f} s; "
                "close the other program (another rehab, a database browser) and start again"
            )
        self._tell(StoreBusy(waited))
        return started

    def _tell(self, status: StoreBusy) -> None:
        if self.busy_listener is not None:
            self.busy_listener(status)


def connect(path: Path) -> PatientConnection:
    connection = sqlite3.connect(
        path, timeout=PatientConnection.attempt_s, isolation_level="IMMEDIATE", factory=PatientConnection
    )
    assert isinstance(connection, PatientConnection)
    return connection


def open_database(path: Path) -> sqlite_utils.Database:
    """The store's file as a database ready to migrate: created atomically when missing,
    refused (unchanged) when empty, unreadable or newer than this rehab."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        create_atomically(path)
    refuse_empty(path)
    version = peek_version(path)
    if version is not None and version > SCHEMA_VERSION:
        raise newer_schema(path, version, "The file was not changed.")
    connection = connect(path)
    try:
        if version is None:  # a journal left by an interrupted write: SQLite rolls it back on this open
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise newer_schema(path, version, "Only an interrupted write's journal was rolled back.")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as error:
        connection.close()
        raise not_a_database(path, error) from error
    except StoreError:
        connection.close()
        raise
    return sqlite_utils.Database(connection)


def create_atomically(path: Path) -> None:
    """Build a complete store in a private temporary file, then link it to ``path``.

    ``os.link`` never replaces: if another process created the store meanwhile, its store is kept
    and this one dropped. A kill at any moment leaves no store or a whole one."""
    with private_temp(path) as temp:
        connection = connect(temp)
        try:
            migrate(sqlite_utils.Database(connection), temp)
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()  # the last connection folds the WAL in, so the file is whole
        try:
            os.link(temp, path)
        except FileExistsError:
            return
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(temp, path)
    _sync_folder(path.parent)


def refuse_empty(path: Path) -> None:
    """rehab never leaves a zero-byte store (creation is atomic): one is reported, not reused."""
    wal = path.with_name(path.name + "-wal")
    if path.stat().st_size == 0 and not (wal.exists() and wal.stat().st_size):
        raise StoreError(
            f"{path} is empty (0 bytes): it holds no data and is not a rehab database; "
            "run 'rehab db repair' to remove it (the next session creates a new one)"
        )


def peek_version(path: Path) -> int | None:
    """The schema version, read through a read-only connection that cannot change the file;
    None when a hot journal must be rolled back first (which needs a writer)."""
    try:
        reader = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise not_a_database(path, error) from error
    try:
        return int(reader.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorcode", 0) == _READONLY_ROLLBACK:
            return None
        raise not_a_database(path, error) from error
    except sqlite3.DatabaseError as error:
        raise not_a_database(path, error) from error
    finally:
        reader.close()


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that reads the file as it is, for backups and repairs (no upgrade, no WAL switch)."""
    refuse_empty(path)
    if peek_version(path) is None:
        return sqlite3.connect(path)  # the hot journal must be rolled back before anything is read
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def backup_to(source: sqlite3.Connection, out: Path) -> None:
    """Copy a live database to ``out`` with SQLite's online backup (safe while a game writes).

    The copy goes into a fresh owner-only file with an unpredictable name, created exclusively
    in ``out``'s folder (a symlink planted there is never followed), then is renamed into place:
    the backup appears whole or not at all."""
    with private_temp(out) as partial:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
        replace_private(partial, out)


def not_a_database(path: Path | None, error: sqlite3.Error) -> StoreError:
    return StoreError(f"{path}: not a rehab database ({error})")


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (a crash right after creation must not lose the link)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def row_counts(connection: sqlite3.Connection, tables: Sequence[str]) -> dict[str, int]:
    return {table: int(connection.execute(f'select count(*) from "{table}"').fetchone()[0]) for table in tables}
