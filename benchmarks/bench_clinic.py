"""Clinic sync numbers against a real ``rehab clinic serve`` on loopback, on SQLite and (when Debian's
PostgreSQL binaries are installed) on PostgreSQL:

1. one home syncing one guided session of 60 reps (goal under 200 ms),
2. 20 homes syncing one such session each at the same moment (goal p95 under 1 s on 2 cores),
3. the server database's growth for a patient-year of history, and that first whole-year sync,
4. after each: the home's rows against the server's ``home_rows`` (none lost, none doubled).

The session is a real one: ``rehab session start --input sim --headless`` runs a plan of 3 sets of
20 reps once, in a template home (about 20 s). Each measured session is a copy of it written into
the linked home's store (fresh ids; the store's own triggers give every row a new UUID and queue it,
in the order the real session queued its rows), because running the game for every repeat and
every one of the 20 homes would take minutes.

The 20 homes are threads of this process on the same cores as the server (and PostgreSQL), so
their times include the homes' own work (reading rows, JSON, HTTP) competing with the server's.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests.clinic_fixtures is imported from the repository root
    sys.path.insert(0, str(ROOT))

PATIENT = "P-BENCH"
YEAR_PATIENT = "P-YEAR"
HOMES = 20
REPEATS = 5
PHYSIO = "physio@clinic.test"
#: the plan the template session follows: 3 sets of 20 reps, no rests (a headless run needs none)
PLAN = """
schema = 1
title = "Elbow, 60 reps"
sessions_per_week = 5

[[exercise]]
name = "Elbow bend"
game = "lift"
movement = "elbow_flexion"
side = "left"
target_deg = 100
ceiling_deg = 140
sets = 3
reps = 20
rest_s = 0
"""
_CLI = "import sys; from rehab.app import cli; sys.exit(cli.main(sys.argv[1:]))"


def say(text: str) -> None:
    print(f"bench clinic: {text}", file=sys.stderr, flush=True)


def clock() -> datetime:
    return datetime.now().astimezone()


# -- the template session ----------------------------------------------------------------------------


def record_template(folder: Path) -> Path:
    """Runs one real guided session of 60 simulated reps in a home of its own; returns its store file."""
    from progress.store import DB_FILENAME

    folder.mkdir(parents=True)
    (folder / "plan.toml").write_text(PLAN, encoding="utf-8")
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    home = ["--home", str(folder / "home")]
    commands = [
        ["plan", "assign", str(folder / "plan.toml"), "--patient", PATIENT],
        ["session", "start", "--patient", PATIENT, "--input", "sim", "--headless", "--seed", "7"]
        + ["--pain-before", "2", "--pain-after", "2", "--pain-during", "2,2"],
    ]
    for command in commands:  # its talk goes to stderr: stdout is the benchmark's JSON only
        subprocess.run([sys.executable, "-c", _CLI, *home, *command], check=True, stdout=sys.stderr, env=env)
    return folder / "home" / DB_FILENAME


def template_rows(template: Path) -> dict[str, int]:
    """The template session's rows by table (the plan aside), as its outbox queued them."""
    with contextlib.closing(sqlite3.connect(template)) as conn:
        found = conn.execute(
            "select kind, count(distinct uuid) from sync_outbox where kind != 'plans' group by kind order by kind"
        )
        return {str(kind): int(n) for kind, n in found}


def copy_template_plan(template: Path, store: Any, patient_id: str) -> None:
    """The template's plan, as the home's plan version 1 (sent on the first sync)."""
    from progress.store import Store

    source = Store.open(template)
    try:
        (plan,) = source.plan_versions(PATIENT)
    finally:
        source.close()
    at = clock().isoformat(timespec="seconds")
    store.add_plan_version(patient_id, at, plan.effective_from, plan.sessions_per_week, plan.body)


def replay_session(template: Path, home_db: Path, patient_id: str) -> None:
    """Writes the template's guided session into the home's store as a new session of ``patient_id``.

    Rows go in the order the real session queued them; a row the real session changed later (a set
    ended, the session finished) is touched again at that point, so the outbox gets the same
    entries. Ids are new, the store's triggers give each row a fresh UUID, and the plan followed is
    the home's newest."""
    with contextlib.closing(sqlite3.connect(home_db, timeout=30)) as conn:
        conn.execute("attach database ? as t", [str(template)])
        with conn:
            (plan_id,) = conn.execute("select max(id) from main.plans where patient_id = ?", [patient_id]).fetchone()
            new_ids: dict[tuple[str, Any], Any] = {}  # (table, template id) -> new id
            outbox = conn.execute("select kind, uuid from t.sync_outbox where kind != 'plans' order by seq").fetchall()
            for kind, old_key in outbox:
                key = "id" if kind == "visits" else "uuid"
                (old_id,) = conn.execute(f"select id from t.{kind} where {key} = ?", [old_key]).fetchone()
                if (kind, old_id) in new_ids:  # changed again later: queue it again, as the update did
                    conn.execute(f"update main.{kind} set {key} = {key} where id = ?", [new_ids[kind, old_id]])
                    continue
                new_ids[kind, old_id] = _copy_row(conn, kind, old_id, patient_id, plan_id, new_ids)


def _copy_row(
    conn: sqlite3.Connection, kind: str, old_id: Any, patient_id: str, plan_id: Any, new_ids: dict[Any, Any]
) -> Any:
    row = conn.execute(f"select * from t.{kind} where id = ?", [old_id]).fetchone()
    names = [d[0] for d in conn.execute(f"select * from t.{kind} limit 0").description]
    values = dict(zip(names, row, strict=True))
    values.pop("uuid", None)  # the insert trigger makes a new one
    if kind == "visits":
        values["id"] = str(uuid.uuid4())  # a visit's id is its UUID (VisitStore.start_visit)
    else:
        values.pop("id")
    parents = {"session_id": "sessions", "set_id": "sets", "visit_id": "visits"}
    for column, value in list(values.items()):
        if column == "patient_id":
            values[column] = patient_id
        elif column == "plan_id" and value is not None:
            values[column] = plan_id
        elif column in parents and value is not None:
            values[column] = new_ids[parents[column], value]
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cursor = conn.execute(f"insert into main.{kind} ({columns}) values ({marks})", list(values.values()))
    return values["id"] if kind == "visits" else cursor.lastrowid


# -- homes ------------------------------------------------------------------------------------------


class Home(NamedTuple):  # not a dataclass: run.py loads this file without registering it as a module
    folder: Path
    db: Path
    link: Any  # ClinicLink


def new_home(folder: Path, url: str, paired: dict[str, Any]) -> Home:
    """A home store linked as ``rehab link`` links it (the link file, the patient, ``prepare_for``)."""
    from progress.store import DB_FILENAME, Store
    from rehab.app.clinic_link import ClinicLink, save_link
    from rehab.app.home_sync import prepare_for

    link = ClinicLink(
        url=url,
        device_token=str(paired["device_token"]),
        device_id=str(paired["device_id"]),
        patient_id=str(paired["patient_id"]),
        linked_at=clock().isoformat(timespec="seconds"),
    )
    store = Store.open(folder / DB_FILENAME)
    try:
        store.ensure_patient(link.patient_id, link.linked_at)
        save_link(folder, link)
        prepare_for(store, link)
    finally:
        store.close()
    return Home(folder, folder / DB_FILENAME, link)


def pair_through_api(url: str, code: str, name: str) -> dict[str, Any]:
    from rehab.app.clinic_client import ClinicClient

    with ClinicClient(url) as client:
        return client.pair(code, name)


def pair_in_database(engine: Any, patient_id: str, name: str) -> dict[str, Any]:
    """A device token made straight in the server's database with the clinic library, as
    ``rehab clinic pair`` plus ``POST /pair`` would: the API lets one address pair 10 homes an
    hour (clinic/ratelimit.py PAIRING), and every home here comes from 127.0.0.1."""
    from clinic.auth import cli_principal
    from clinic.pairing import new_code, pair

    with engine.begin() as conn:
        code = new_code(conn, cli_principal(), patient_id)
        made = pair(conn, code.code, name)
    return {"device_token": made.device_token, "device_id": made.device_id, "patient_id": made.patient_id}


def timed_sync(home: Home) -> tuple[float, int, int]:
    """One ``home_sync.sync`` (store opened before, closed after the clock); (seconds, rows, batches)."""
    from progress.store import Store
    from rehab.app.home_sync import sync
    from rehab.app.linking import open_client

    store = Store.open(home.db)
    try:
        with open_client(home.link) as client:
            started = time.perf_counter()
            result = sync(store, home.link, client, clock)
            elapsed = time.perf_counter() - started
    finally:
        store.close()
    return elapsed, result.rows_sent, result.batches


def check_rows(home: Home, engine: Any) -> dict[str, int]:
    """The home's rows of its patient against the server's ``home_rows`` of that patient."""
    from sqlalchemy import select

    from clinic.tables import home_rows
    from progress.store import Store
    from progress.store.schema import SYNCED_TABLES

    store = Store.open(home.db)
    try:
        waiting = store.pending_count(int(store.sync_state().get("acked_seq", "0")))
        mine: set[tuple[str, str]] = set()
        for kind in SYNCED_TABLES:
            key = "id" if kind == "visits" else "uuid"
            for (row_key,) in store.db.conn.execute(f"select {key} from {kind}").fetchall():
                if store.patient_of(kind, row_key) == home.link.patient_id:
                    mine.add((kind, str(row_key)))
    finally:
        store.close()
    with engine.connect() as conn:
        query = select(home_rows.c.kind, home_rows.c.uuid).where(home_rows.c.patient_id == home.link.patient_id)
        theirs = [(str(kind), str(key)) for kind, key in conn.execute(query)]
    stored = set(theirs)
    return {
        "home_rows": len(mine),
        "server_rows": len(theirs),
        "lost": len(mine - stored),
        "doubled": len(theirs) - len(stored),
        "unknown_on_server": len(stored - mine),  # on the server, not at home (none expected)
        "waiting_at_home": waiting,
    }


def _add_checks(total: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    return {key: total.get(key, 0) + value for key, value in more.items()}


# -- the measurements -------------------------------------------------------------------------------


def one_home(server: Any, engine: Any, folder: Path, template: Path) -> dict[str, object]:
    """One home paired through the API; first sync; then REPEATS times: a new 60-rep session, synced."""
    server.patient(PATIENT, PHYSIO)
    home = new_home(folder, server.url, pair_through_api(server.url, server.pairing_code(PATIENT), "bench home"))
    _with_store(home, lambda store: copy_template_plan(template, store, PATIENT))
    first_s, first_rows, _ = timed_sync(home)
    times, rows, batches = [], set(), set()
    for _ in range(REPEATS):
        replay_session(template, home.db, PATIENT)
        elapsed, sent, pushes = timed_sync(home)
        times.append(elapsed)
        rows.add(sent)
        batches.add(pushes)
    check = check_rows(home, engine)
    return {
        "first_sync_s": round(first_s, 4),
        "first_sync_rows": first_rows,
        "repeats": REPEATS,
        "sync_s_median": round(statistics.median(times), 4),
        "sync_s_each": [round(t, 4) for t in times],
        "rows_per_sync": sorted(rows),
        "batches_per_sync": sorted(batches),
        "goal_s": 0.2,
        "check": check,
    }


def many_homes(server: Any, engine: Any, folder: Path, template: Path) -> dict[str, object]:
    """HOMES homes (device tokens made in the database), each with one new 60-rep session, all
    calling ``sync`` from their own thread at the same moment (a barrier)."""
    homes = []
    for index in range(HOMES):
        patient_id = f"P-MANY-{index + 1:02d}"
        server.patient(patient_id, PHYSIO)
        home = new_home(folder / patient_id, server.url, pair_in_database(engine, patient_id, f"home {index + 1}"))
        _with_store(home, lambda store, p=patient_id: copy_template_plan(template, store, p))
        timed_sync(home)  # the plan: the outbox is empty before the session
        replay_session(template, home.db, patient_id)
        homes.append(home)
    barrier = threading.Barrier(HOMES)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * HOMES
    rows: list[int] = [0] * HOMES
    errors: list[str] = []

    def one(index: int) -> None:
        from progress.store import Store
        from rehab.app.home_sync import sync
        from rehab.app.linking import open_client

        home = homes[index]
        store = Store.open(home.db)  # a store's connection belongs to the thread that opened it
        try:
            with open_client(home.link) as client:
                barrier.wait()
                started = time.perf_counter()
                result = sync(store, home.link, client, clock)
                spans[index] = (started, time.perf_counter())
                rows[index] = result.rows_sent
        except Exception as error:  # reported, never hidden
            errors.append(f"{home.link.patient_id}: {type(error).__name__}: {error}")
        finally:
            store.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(HOMES)]
    server_cpu, clients_cpu = cpu_seconds(server.process.pid), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server_cpu = _minus(cpu_seconds(server.process.pid), server_cpu)
    clients_cpu = time.process_time() - clients_cpu
    times = [end - start for start, end in spans]
    check: dict[str, int] = {}
    for home in homes:
        check = _add_checks(check, check_rows(home, engine))
    ordered = sorted(times)
    return {
        "homes": HOMES,
        "rows_per_home": sorted(set(rows)),
        "sync_s_p50": round(statistics.median(ordered), 3),
        "sync_s_p95": round(ordered[math.ceil(0.95 * len(ordered)) - 1], 3),  # nearest rank
        "sync_s_max": round(ordered[-1], 3),
        "wall_s": round(max(end for _, end in spans) - min(start for start, _ in spans), 3),
        # CPU used meanwhile by the server's process (PostgreSQL's own processes not counted) and by
        # this process, whose 20 client threads share the same 2 cores and one interpreter lock
        "server_process_cpu_s": None if server_cpu is None else round(server_cpu, 2),
        "clients_cpu_s": round(clients_cpu, 2),
        "goal_p95_s": 1.0,
        "errors": errors,
        "check": check,
    }


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user and system) a process used so far (Linux's /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _minus(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


def patient_year(server: Any, engine: Any, folder: Path) -> dict[str, object]:
    """A year of mixed history (make_history), linked through the API and synced whole at once."""
    from progress.store import DB_FILENAME, Store
    from rehab.sim.history import make_history

    folder.mkdir(parents=True)
    store = Store.open(folder / DB_FILENAME)
    try:
        store.db.conn.execute("PRAGMA synchronous=OFF")  # filling the history is set-up, not measured
        make_history(store, YEAR_PATIENT, date(2025, 1, 1), days=365, kind="mixed")
    finally:
        store.close()
    server.patient(YEAR_PATIENT, PHYSIO)
    paired = pair_through_api(server.url, server.pairing_code(YEAR_PATIENT), "year home")
    home = new_home(folder, server.url, paired)
    before = database_bytes(server.db_url, engine)
    elapsed, sent, batches = timed_sync(home)
    after = database_bytes(server.db_url, engine)
    check = check_rows(home, engine)
    return {
        "rows_sent": sent,  # a row changed again after its first batch is sent again (stored once)
        "batches": batches,
        "home_store_bytes": home.db.stat().st_size,
        "server_bytes_before": before,
        "server_bytes_after": after,
        "bytes_per_patient_year": after - before,
        "bytes_per_row": round((after - before) / max(check["server_rows"], 1)),
        "first_sync_s": round(elapsed, 2),
        "check": check,
    }


def database_bytes(db_url: str, engine: Any) -> int:
    """SQLite: the file and its WAL after a checkpoint; PostgreSQL: ``pg_database_size``."""
    from sqlalchemy import text

    from clinic.config import sqlite_path

    path = sqlite_path(db_url)
    if path is None:
        with engine.connect() as conn:
            return int(conn.execute(text("select pg_database_size(current_database())")).scalar_one())
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            say("the SQLite checkpoint was blocked by a reader; the WAL is counted as it is")
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _with_store(home: Home, action: Any) -> None:
    from progress.store import Store

    store = Store.open(home.db)
    try:
        action(store)
    finally:
        store.close()


def measure(db_url: str, folder: Path, template: Path) -> dict[str, object]:
    """All the measurements on one fresh database, against one server."""
    from clinic.config import ClinicConfig
    from clinic.db import open_database
    from tests.clinic_fixtures import start_clinic_server

    server = start_clinic_server(db_url, folder / "server")
    engine = open_database(ClinicConfig(db_url=db_url))
    try:
        server.physio(PHYSIO)
        results: dict[str, object] = {}
        say("one home, one 60-rep session")
        results["one_home"] = one_home(server, engine, folder / "one", template)
        say(f"{HOMES} homes at once")
        results["many_homes"] = many_homes(server, engine, folder / "many", template)
        say("a patient-year")
        results["patient_year"] = patient_year(server, engine, folder / "year")
        checks = [results[name]["check"] for name in ("one_home", "many_homes", "patient_year")]  # type: ignore[index]
        results["lost"] = sum(int(check["lost"]) for check in checks)
        results["doubled"] = sum(int(check["doubled"]) for check in checks)
        results["goal_lost_doubled"] = 0
        return results
    finally:
        engine.dispose()
        server.stop()


def run() -> dict[str, object]:
    from tests.clinic_fixtures import PostgresMissing, start_postgres

    results: dict[str, object] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="rehab-bench-clinic-") as name:
        folder = Path(name)
        say("recording the template session (a real guided session of 60 simulated reps)")
        started = time.perf_counter()
        template = record_template(folder / "template")
        results["template_session"] = {
            "record_s": round(time.perf_counter() - started, 1),
            "rows": template_rows(template),
        }
        say("SQLite")
        results["sqlite"] = measure(f"sqlite:///{folder / 'sqlite' / 'clinic.sqlite3'}", folder / "sqlite", template)
        try:
            postgres = start_postgres()
        except PostgresMissing as missing:
            results["postgresql"] = f"skipped: {missing}"
            return results
        except RuntimeError as failed:
            results["postgresql"] = f"skipped: {failed}"
            return results
        try:
            say("PostgreSQL")
            results["postgresql"] = measure(postgres.create_database("clinic_bench"), folder / "postgresql", template)
        finally:
            postgres.stop()
    return results
