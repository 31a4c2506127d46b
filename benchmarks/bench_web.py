"""Web app numbers (issue #15) against a real ``rehab clinic serve`` on loopback, on SQLite and (when
Debian's PostgreSQL binaries are installed) on PostgreSQL:

1. ``GET /caseload`` of a physio with 200 patients, each with a year of daily sessions (goal: under
   300 ms);
2. ``GET /patients/{id}`` of one of them (goal: under 500 ms);
3. each page's weight: its HTML, stylesheets and scripts, raw and gzip as sent, in all;
4. the audit rows one caseload view writes (goal: one).

Times are to the full response (body read, gzip undone) of ``REQUESTS`` requests after ``WARM_UP``
ones, one at a time from this process with a session cookie from the login form; the client shares
the 2 cores with the server (and PostgreSQL). A time goal passes on the p95. Beside the times: the
CPU the server's process used per request (from /proc; PostgreSQL's own processes not counted).

The data. ``TEMPLATES`` patients get a year of history from ``rehab.sim.history.make_history``
(mixed and physical kinds, each with its own seed) in a home store of their own, are linked with a
pairing code through the API, and pushed by the real ``home_sync.sync``. Every other patient is a copy
of one of them: every row gets a new uuid (and so does every reference to one), the patient's id,
and for some patients dates moved back by a few days (so the caseload has some idle for a while).
The copies are stored as a push stores new rows: ``home_rows`` with the columns ``api_sync`` writes,
``plans.record_home_plan`` for plan rows, ``facts.refresh`` for the session facts, a receipt per 500
rows, the device's ``last_seen`` and an audit row. Pushing 199 patient-years through ``store_batch``
row by row takes 1.7 s each on SQLite and 3.7 s on PostgreSQL (20 minutes for both engines) for the
same rows; a check compares a copy's facts with its template's.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests.clinic_fixtures is imported from the repository root
    sys.path.insert(0, str(ROOT))

PATIENTS = 200
REQUESTS = 20
WARM_UP = 2
PHYSIO = "physio@clinic.test"
#: the patients whose year goes through the real home sync: (history kind, seed)
TEMPLATES = (("mixed", 1), ("physical", 2), ("mixed", 3))
#: days a copy's history is moved back, in turn (3 or more: no session for that long, an idle alert)
SHIFTS = (0, 0, 1, 0, 2, 0, 0, 4, 0, 9)
CASELOAD_GOAL_S = 0.3
PATIENT_PAGE_GOAL_S = 0.5
#: rows a push carries at most (home_sync.BATCH_ROWS): one receipt each, as the real pushes leave
BATCH_ROWS = 500
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"')


def say(text: str) -> None:
    print(f"bench web: {text}", file=sys.stderr, flush=True)


def patient_id(index: int) -> str:
    return f"P-W{index + 1:03d}"


# -- the data ---------------------------------------------------------------------------------------


def year_home(folder: Path, patient: str, kind: str, seed: int, last_day: date) -> Path:
    """A home store holding a year of ``patient``'s history, ending on ``last_day``."""
    from progress.store import DB_FILENAME, Store
    from rehab.sim.history import make_history

    folder.mkdir(parents=True)
    store = Store.open(folder / DB_FILENAME)
    try:
        store.db.conn.execute("PRAGMA synchronous=OFF")  # filling the history is set-up, not measured
        make_history(store, patient, last_day - timedelta(days=364), days=365, kind=kind, seed=seed)
    finally:
        store.close()
    return folder / DB_FILENAME


def link_and_sync(server: Any, folder: Path, patient: str) -> tuple[float, int]:
    """Links the home as ``rehab link`` does (a pairing code through the API) and runs the real
    ``home_sync.sync``: (seconds, rows sent)."""
    from progress.store import DB_FILENAME, Store
    from rehab.app.clinic_client import ClinicClient
    from rehab.app.clinic_link import ClinicLink, save_link
    from rehab.app.home_sync import prepare_for, sync
    from rehab.app.linking import open_client

    with ClinicClient(server.url) as client:
        paired = client.pair(server.pairing_code(patient), f"home of {patient}")
    link = ClinicLink(
        url=server.url,
        device_token=str(paired["device_token"]),
        device_id=str(paired["device_id"]),
        patient_id=patient,
        linked_at=_now().isoformat(timespec="seconds"),
    )
    store = Store.open(folder / DB_FILENAME)
    try:
        store.ensure_patient(patient, link.linked_at)
        save_link(folder, link)
        prepare_for(store, link)
        with open_client(link) as client:
            started = time.perf_counter()
            result = sync(store, link, client, _now)
            return time.perf_counter() - started, result.rows_sent
    finally:
        store.close()


def _now() -> datetime:
    return datetime.now().astimezone()


def synced_rows(engine: Any, patient: str) -> list[dict[str, Any]]:
    """The rows a patient's home pushed, as the server holds them, oldest outbox entry first."""
    import sqlalchemy as sa

    from clinic.tables import home_rows as h

    query = sa.select(h.c.kind, h.c.uuid, h.c.seq, h.c.client_time, h.c.body).where(h.c.patient_id == patient)
    with engine.connect() as conn:
        found = conn.execute(query.order_by(h.c.seq)).mappings().all()
    return [{**row, "body": json.loads(row["body"])} for row in found]


def copy_rows(rows: list[dict[str, Any]], source: str, patient: str, shift_days: int) -> list[dict[str, Any]]:
    """The rows with new uuids everywhere they appear, ``patient`` for ``source``, dates moved back."""
    renamed = {str(row["uuid"]): str(uuid.uuid4()) for row in rows}
    shift = timedelta(days=shift_days)

    def remap(value: Any) -> Any:
        if isinstance(value, str):
            if value in renamed:
                return renamed[value]
            if value == source:
                return patient
            if shift and _DATE.match(value):
                return (date.fromisoformat(value[:10]) - shift).isoformat() + value[10:]
            return value
        if isinstance(value, dict):
            return {key: remap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [remap(item) for item in value]
        return value

    return [{**row, "uuid": renamed[str(row["uuid"])], "body": remap(row["body"])} for row in rows]


def store_copy(engine: Any, rows: list[dict[str, Any]], patient: str, device_id: str) -> None:
    """The rows as a home's first push leaves them on the server (all new): ``clinic.api_sync``
    ``store_batch`` writes the same columns, one row at a time."""
    import sqlalchemy as sa

    from clinic import api_sync, facts, plans, tables
    from clinic.audit import record
    from clinic.db import now_iso

    with engine.begin() as conn:
        now = now_iso(conn)
        conn.execute(
            sa.insert(tables.home_rows),
            [
                {
                    "uuid": row["uuid"],
                    "patient_id": patient,
                    "kind": row["kind"],
                    "device_id": device_id,
                    "body": json.dumps(row["body"]),
                    "seq": row["seq"],
                    "client_time": row["client_time"],
                    "received_at": now,
                    "session_uuid": api_sync._session_of(row["body"]),
                }
                for row in rows
            ],
        )
        for row in rows:
            if row["kind"] == "plans":
                plans.record_home_plan(conn, patient, device_id, row["uuid"], row["body"], now)
        facts.refresh(conn, facts.touched_sessions((r["kind"], r["uuid"], r["body"]) for r in rows), now)
        for start in range(0, len(rows), BATCH_ROWS):
            count = len(rows[start : start + BATCH_ROWS])
            conn.execute(
                sa.insert(tables.sync_receipts).values(
                    batch_id=str(uuid.uuid4()),
                    device_id=device_id,
                    received_at=now,
                    rows=count,
                    response=json.dumps({"new": count, "updated": 0}),
                )
            )
            record(conn, f"device:{device_id}", f"push {count} rows", patient, f"{count} new, 0 updated")
        conn.execute(sa.update(tables.devices).where(tables.devices.c.id == device_id).values(last_seen=now))


def device_in_database(engine: Any, patient: str) -> str:
    """A device of the patient made with the clinic library, as ``rehab clinic pair`` plus ``POST
    /pair`` make it (the API pairs 10 homes an hour from one address)."""
    from clinic.auth import cli_principal
    from clinic.pairing import new_code, pair

    with engine.begin() as conn:
        code = new_code(conn, cli_principal(), patient)
        return str(pair(conn, code.code, f"home of {patient}").device_id)


def _fact_values(engine: Any, patient: str) -> list[tuple[Any, ...]]:
    """A patient's session facts without their ids, in order: equal for a copy and its template."""
    import sqlalchemy as sa

    from clinic.tables import session_facts as f

    skip = {"uuid", "patient_id", "visit_uuid", "plan_uuid", "updated_at"}
    columns = [c for c in f.c if c.name not in skip]
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(*columns).where(f.c.patient_id == patient)))


def build(server: Any, engine: Any, folder: Path) -> dict[str, object]:
    """The physio, PATIENTS patients, their years of sessions; what it took."""
    started = time.perf_counter()
    server.physio(PHYSIO)
    for index in range(PATIENTS):
        server.patient(patient_id(index), PHYSIO)
    today = datetime.now(timezone.utc).date()
    synced: list[dict[str, object]] = []
    templates: list[tuple[str, list[dict[str, Any]]]] = []
    for index, (kind, seed) in enumerate(TEMPLATES):
        patient = patient_id(index)
        home = year_home(folder / patient, patient, kind, seed, today)
        seconds, sent = link_and_sync(server, home.parent, patient)
        synced.append({"patient": patient, "kind": kind, "rows_sent": sent, "sync_s": round(seconds, 2)})
        templates.append((patient, synced_rows(engine, patient)))
    say(f"{len(TEMPLATES)} patient-years pushed by the home sync; copying them for {PATIENTS - len(TEMPLATES)} more")
    copied = time.perf_counter()
    for index in range(len(TEMPLATES), PATIENTS):
        patient = patient_id(index)
        source, rows = templates[index % len(templates)]
        shift = SHIFTS[index % len(SHIFTS)]
        store_copy(engine, copy_rows(rows, source, patient, shift), patient, device_in_database(engine, patient))
    copy_s = time.perf_counter() - copied
    same = all(
        _fact_values(engine, patient_id(index)) == _fact_values(engine, templates[index % len(templates)][0])
        for index in range(len(TEMPLATES), len(TEMPLATES) + len(SHIFTS))
        if SHIFTS[index % len(SHIFTS)] == 0
    )
    return {
        "patients": PATIENTS,
        "synced_by_home_sync": synced,
        "copies": PATIENTS - len(TEMPLATES),
        "copy_s_per_patient": round(copy_s / (PATIENTS - len(TEMPLATES)), 3),
        "copies_have_their_templates_facts": same,
        "counts": _counts(engine),
        "database_bytes": database_bytes(server.db_url, engine),
        "build_s": round(time.perf_counter() - started, 1),
    }


def _counts(engine: Any) -> dict[str, int]:
    import sqlalchemy as sa

    from clinic import tables

    found = {}
    with engine.connect() as conn:
        for table in (tables.home_rows, tables.session_facts, tables.plan_versions, tables.devices):
            found[table.name] = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    return found


def database_bytes(db_url: str, engine: Any) -> int:
    """SQLite: the file and its WAL after a checkpoint; PostgreSQL: ``pg_database_size``."""
    from sqlalchemy import text

    from clinic.config import sqlite_path

    path = sqlite_path(db_url)
    if path is None:
        with engine.connect() as conn:
            return int(conn.execute(text("select pg_database_size(current_database())")).scalar_one())
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


# -- the measurements -------------------------------------------------------------------------------


def web_login(url: str, email: str) -> Any:
    """An httpx client holding the session cookie of a login through the login form."""
    import httpx

    from tests.clinic_fixtures import PASSWORD

    client = httpx.Client(base_url=url, timeout=120)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/caseload"})
    if answer.status_code != 303:
        client.close()
        raise RuntimeError(f"web login of {email}: {answer.status_code} {answer.text[:200]}")
    return client


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user and system) a process used so far (Linux's /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_page(client: Any, server: Any, path: str, goal_s: float) -> dict[str, object]:
    """WARM_UP then REQUESTS GETs of ``path``: times to the full response, the server's CPU each."""
    first: list[float] = []
    for _ in range(WARM_UP):
        first.append(_get(client, path)[0])
    before = cpu_seconds(server.process.pid)
    times = [_get(client, path)[0] for _ in range(REQUESTS)]
    after = cpu_seconds(server.process.pid)
    ordered = sorted(times)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank
    cpu = None if before is None or after is None else round((after - before) / REQUESTS * 1000, 1)
    return {
        "requests": REQUESTS,
        "warm_up_ms": [round(t * 1000, 1) for t in first],
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "min_ms": round(ordered[0] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "server_cpu_ms_per_request": cpu,
        "goal_ms": round(goal_s * 1000),
        "pass": p95 < goal_s,
    }


def _get(client: Any, path: str) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = client.get(path)
    answer.read()
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:200]}")
    return elapsed, answer


def page_weight(client: Any, path: str) -> dict[str, object]:
    """The page's HTML and every stylesheet and script it links, raw and as sent (gzip), as a first
    visit with an empty cache fetches them."""
    _, answer = _get(client, path)
    parts = {"html": _weight(answer)}
    for asset in _ASSET.findall(answer.text):
        parts[asset] = _weight(_get(client, asset)[1])
    return {
        "parts": parts,
        "total_raw_bytes": sum(p["raw_bytes"] for p in parts.values()),
        "total_sent_bytes": sum(p["sent_bytes"] for p in parts.values()),
    }


def _weight(answer: Any) -> dict[str, Any]:
    return {
        "raw_bytes": len(answer.content),
        "sent_bytes": answer.num_bytes_downloaded,  # the body as it came over the wire
        "encoding": answer.headers.get("content-encoding", "identity"),  # gzip from 1000 bytes up
    }


def audit_rows_per_view(client: Any, engine: Any) -> int:
    """The audit rows one caseload view adds (counted in the database around one GET)."""
    import sqlalchemy as sa

    from clinic.tables import audit_log

    def count() -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one())

    before = count()
    _get(client, "/caseload")
    return count() - before


def measure(db_url: str, folder: Path) -> dict[str, object]:
    """Builds the caseload on one fresh database, then measures its pages through one server."""
    from clinic.config import ClinicConfig
    from clinic.db import open_database
    from tests.clinic_fixtures import start_clinic_server

    server = start_clinic_server(db_url, folder / "server")
    engine = open_database(ClinicConfig(db_url=db_url))
    try:
        results: dict[str, object] = {"data": build(server, engine, folder / "homes")}
        say("measuring the pages")
        page_of = f"/patients/{patient_id(0)}"
        with contextlib.closing(web_login(server.url, PHYSIO)) as client:
            shown = len(re.findall(r'data-patient="', _get(client, "/caseload")[1].text))
            results["caseload"] = {"patients_shown": shown, **timed_page(client, server, "/caseload", CASELOAD_GOAL_S)}
            results["patient_page"] = {
                "path": page_of,
                **timed_page(client, server, page_of, PATIENT_PAGE_GOAL_S),
            }
            views = audit_rows_per_view(client, engine)
            results["audit_rows_per_caseload_view"] = {"rows": views, "goal": 1, "pass": views == 1}
            results["page_weight"] = {
                "caseload": page_weight(client, "/caseload"),
                "patient": page_weight(client, page_of),
            }
        return results
    finally:
        engine.dispose()
        server.stop()


def machine() -> dict[str, object]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), "cpu_model": model, "load_average_at_start": load}


def run() -> dict[str, object]:
    from tests.clinic_fixtures import PostgresMissing, start_postgres

    results: dict[str, object] = {
        "machine": machine(),
        "goals": {
            "caseload_p95_ms": round(CASELOAD_GOAL_S * 1000),
            "patient_page_p95_ms": round(PATIENT_PAGE_GOAL_S * 1000),
            "audit_rows_per_caseload_view": 1,
            "page_weight": "reported",
        },
    }
    with tempfile.TemporaryDirectory(prefix="rehab-bench-web-") as name:
        folder = Path(name)
        say("SQLite")
        results["sqlite"] = measure(f"sqlite:///{folder / 'sqlite' / 'clinic.sqlite3'}", folder / "sqlite")
        try:
            postgres = start_postgres()
        except (PostgresMissing, RuntimeError) as missing:
            results["postgresql"] = f"skipped: {missing}"
            return _summary(results)
        try:
            say("PostgreSQL")
            results["postgresql"] = measure(postgres.create_database("clinic_bench_web"), folder / "postgresql")
        finally:
            postgres.stop()
    return _summary(results)


def _summary(results: dict[str, object]) -> dict[str, object]:
    """Pass or fail per goal and engine, in one place."""
    verdicts: dict[str, object] = {}
    for engine in ("sqlite", "postgresql"):
        found = results.get(engine)
        if isinstance(found, dict):
            verdicts[engine] = {
                "caseload": found["caseload"]["pass"],
                "patient_page": found["patient_page"]["pass"],
                "audit_rows_per_caseload_view": found["audit_rows_per_caseload_view"]["pass"],
            }
    return {**results, "pass": verdicts}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
