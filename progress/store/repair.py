"""``rehab db repair``: make a store usable again without losing a row.

What it repairs is what a kill could leave before upgrades were atomic: a store half-upgraded
(part of a migration's tables or columns there, its version number not), which every command then
refused. The store is rebuilt: a fresh one at the current schema, built in a private temporary file,
receives every row of every table the two share (ids included, so references hold), the row counts
are compared, the old file is kept under a ``.before-repair-STAMP`` name and the new one renamed
into place. A kill at any moment leaves the old store or the new one. An empty (zero-byte) file,
which holds nothing, is removed so the next session creates a new store.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from progress.store.connection import connect, open_database
from progress.store.schema import InterruptedUpgradeError, migrate
from rehab.core.errors import StoreError
from rehab.core.private_files import check_output, private_temp


@dataclass(frozen=True)
class RepairResult:
    """What ``repair`` did: ``nothing`` (the store opens), ``removed-empty`` or ``rebuilt``."""

    action: str
    rows_before: dict[str, int] = field(default_factory=dict)
    rows_after: dict[str, int] = field(default_factory=dict)
    kept_as: Path | None = None  # the old file, untouched, for a rebuilt store
    left_out: tuple[str, ...] = ()  # tables unknown to this schema: their rows are in kept_as only


def repair(path: Path, stamp: str) -> RepairResult:
    """Repair the store at ``path``; ``stamp`` (e.g. the time) names the copy of the old file."""
    wal = path.with_name(path.name + "-wal")
    if path.stat().st_size == 0 and not (wal.exists() and wal.stat().st_size):
        path.unlink()
        return RepairResult("removed-empty")
    db = open_database(path)  # refuses, unchanged, a file that is newer or not a database
    try:
        migrate(db, path)
        return RepairResult("nothing")
    except InterruptedUpgradeError:
        pass
    finally:
        db.close()
    return _rebuild(path, path.with_name(f"{path.name}.before-repair-{stamp}"))


def _rebuild(path: Path, kept_as: Path) -> RepairResult:
    check_output(kept_as)  # never overwrite an earlier repair's copy
    with private_temp(path) as temp:
        new = connect(temp)
        try:
            migrate(sqlite_utils.Database(new), temp)
            new.execute("ATTACH DATABASE ? AS old", [str(path)])
            before, after, left_out = _copy_rows(new)
            new.commit()
            new.execute("DETACH DATABASE old")
            new.execute("PRAGMA journal_mode=WAL")
        except BaseException:
            new.rollback()
            raise
        finally:
            new.close()
        lost = {t: (n, after.get(t, 0)) for t, n in before.items() if t not in left_out and after.get(t, 0) < n}
        if lost:
            raise StoreError(f"repair would lose rows ({lost}); the store was left as it was")
        _refuse_if_in_use(path)
        _keep_old(path, kept_as)
        os.replace(temp, path)
    return RepairResult("rebuilt", before, after, kept_as, left_out)


def _copy_rows(new: sqlite3.Connection) -> tuple[dict[str, int], dict[str, int], tuple[str, ...]]:
    """Every row of every table both schemas have, with the columns both have; the row counts of
    the old tables before and of the new ones after, and the old tables left out."""
    ours = _tables(new, "main")
    theirs = _tables(new, "old")
    before = {t: _count(new, "old", t) for t in theirs}
    for table in (t for t in ours if t in theirs):
        columns = [c for c in _columns(new, "main", table) if c in set(_columns(new, "old", table))]
        if table == "meta" and before[table]:
            new.execute("delete from main.meta")  # the old pseudonym secret keeps pseudonyms stable
        if table == "sync_outbox":
            # the copies just made were queued again by the sync triggers; the old queue, with the
            # sequence numbers the clinic acknowledged, is the true one
            new.execute("delete from main.sync_outbox")
        names = ", ".join(f'"{c}"' for c in columns)
        new.execute(f'insert into main."{table}" ({names}) select {names} from old."{table}"')
    after = {t: _count(new, "main", t) for t in ours if t in theirs}
    return before, after, tuple(t for t in theirs if t not in ours)


def _tables(conn: sqlite3.Connection, schema: str) -> list[str]:
    rows = conn.execute(f"select name from {schema}.sqlite_master where type = 'table' and name not like 'sqlite_%'")
    return [name for (name,) in rows]


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'pragma {schema}.table_info("{table}")')]


def _count(conn: sqlite3.Connection, schema: str, table: str) -> int:
    return int(conn.execute(f'select count(*) from {schema}."{table}"').fetchone()[0])


def _refuse_if_in_use(path: Path) -> None:
    """A write-ahead log still there belongs to a process that has the store open: replacing the
    file under it would lose what it writes next."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise StoreError(f"{path} is in use (its write-ahead log is open); close every rehab and run repair again")


def _keep_old(path: Path, kept_as: Path) -> None:
    """The old file stays, byte for byte, under ``kept_as`` (a second name for it when possible)."""
    try:
        os.link(path, kept_as)
    except OSError:
        shutil.copy2(path, kept_as)
    os.chmod(kept_as, 0o600)
