"""Home sync under faults, against a real clinic server on SQLite and on PostgreSQL: the server down,
a connection cut in the middle of a push, an answer lost after the server committed, the server
killed with SIGKILL in the middle of a multi-batch upload, two homes of one patient, and a home
shared with a patient who is not linked.

Whatever happens, the end is the same and is checked on the server's own database (``home_rows``):
every synced row of the linked patient is there exactly once, at its newest version, and nothing else.

A small threaded TCP proxy (``FaultyProxy``) sits between the home and the server where a test needs
to break a connection at a chosen byte. It relays HTTP/1.1 one request at a time (httpx does not
pipeline) and counts the pushes, so a fault is put on "the 2nd push".
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import sqlalchemy as sa

from progress.store import DB_FILENAME, Store
from progress.store.schema import SYNCED_TABLES
from rehab.app.cli import main
from rehab.app.clinic_client import ClinicClient, ClinicUnreachable
from rehab.app.clinic_link import ClinicLink, load_link, save_link
from rehab.app.home_sync import SyncResult, retry_delay, status, sync
from rehab.app.linking import local_now as clock
from rehab.sim.history import make_history
from tests.clinic_fixtures import (
    _SERVE,
    ADMIN_EMAIL,
    ClinicServer,
    _wait_until_answering,
    free_port,
    login,
)

PATIENT = "P-0042"
OTHER_PATIENT = "P-0007"  # uses the same machine, is not linked
PHYSIO = "ana@clinic.test"
#: a plan the physio assigns on the server (test 5: both homes pull it and push it back as theirs)
PLAN_TOML = """
schema = 1
title = "Elbow, weeks 1-4"
sessions_per_week = 5

[[exercise]]
name = "Lift"
game = "lift"
movement = "elbow_flexion"
side = "left"
target_deg = 100
ceiling_deg = 140
sets = 1
reps = 5
rest_s = 0
"""

Row = tuple[str, str]  # (kind, uuid): a synced home row as the server names it


# -- the home ---------------------------------------------------------------------------------------


def rehab(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``rehab --home HOME ARGS...`` through the real command line: (exit status, stdout, stderr)."""
    code = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def link_home(server: ClinicServer, home: Path, capsys: pytest.CaptureFixture[str]) -> ClinicLink:
    """``rehab link URL CODE`` with a fresh pairing code for PATIENT (which syncs at once)."""
    code, out, err = rehab(home, "link", server.url, server.pairing_code(PATIENT), capsys=capsys)
    assert code == 0, (out, err)
    link = load_link(home)
    assert link is not None and link.patient_id == PATIENT
    return link


def play(home: Path, patient: str, capsys: pytest.CaptureFixture[str]) -> str:
    """One simulated free-play session (``rehab play lift --input sim``); a linked home syncs after it."""
    code, out, err = rehab(home, "play", "lift", "--input", "sim", "--patient", patient, capsys=capsys)
    assert code == 0, (out, err)
    return out


def fill_history(home: Path, days: int) -> None:
    """Weeks of PATIENT's guided sessions written straight into the home's store (queued, not synced)."""
    store = Store.open(home / DB_FILENAME)
    try:
        make_history(store, PATIENT, date(2026, 1, 5), days, kind="physical")
    finally:
        store.close()


def resume_and_end_first_visit(home: Path) -> str:
    """The home's oldest guided session resumed and ended again (a later version of a row the server
    may have already); returns its id (a visit's id is its uuid)."""
    store = Store.open(home / DB_FILENAME)
    try:
        (visit_id,) = store.db.conn.execute("select id from visits order by rowid limit 1").fetchone()
        store.reopen_visit(visit_id)
        store.end_visit(visit_id, clock().isoformat(timespec="seconds"), "completed")
        return str(visit_id)
    finally:
        store.close()


def sync_through(home: Path, url: str) -> SyncResult:
    """One sync of the home (``home_sync.sync``, as ``rehab sync`` runs it) with the server at ``url``:
    the link's token and device, another address (a proxy, a restarted server)."""
    link = load_link(home)
    assert link is not None
    store = Store.open(home / DB_FILENAME)
    try:
        with ClinicClient(url, link.device_token) as client:
            return sync(store, link, client, clock)
    finally:
        store.close()


def home_rows(home: Path, patient: str = PATIENT) -> dict[Row, dict[str, Any]]:
    """The patient's synced rows in the home's store, each with the body a push sends of it now."""
    store = Store.open(home / DB_FILENAME)
    try:
        rows: dict[Row, dict[str, Any]] = {}
        for table in SYNCED_TABLES:
            key = "id" if table == "visits" else "uuid"
            for (row_uuid,) in store.db.conn.execute(f"select {key} from {table}").fetchall():
                if store.patient_of(table, row_uuid) == patient:
                    body = store.row_for_sync(table, row_uuid)
                    assert body is not None
                    rows[(table, row_uuid)] = body
        return rows
    finally:
        store.close()


def waiting_rows(home: Path) -> int:
    """What ``rehab sync --status`` counts as waiting to be sent."""
    store = Store.open(home / DB_FILENAME)
    try:
        return status(store, load_link(home)).waiting_rows
    finally:
        store.close()


# -- the server's database --------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerRow:
    kind: str
    uuid: str
    patient_id: str
    device_id: str
    body: dict[str, Any]


def query(db_url: str, sql: str) -> list[Any]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)).all())
    finally:
        engine.dispose()


def server_rows(server: ClinicServer) -> list[ServerRow]:
    """Every row of ``home_rows`` on the server's database (not through its API)."""
    found = query(server.db_url, "select kind, uuid, patient_id, device_id, body from home_rows")
    return [ServerRow(kind, uuid, patient, device, json.loads(body)) for kind, uuid, patient, device, body in found]


def receipts(server: ClinicServer) -> list[str]:
    """The batch ids in ``sync_receipts`` (one per batch the server stored), oldest first."""
    return [batch for (batch,) in query(server.db_url, "select batch_id from sync_receipts order by received_at")]


def assert_every_row_once(server: ClinicServer, expected: dict[Row, dict[str, Any]]) -> None:
    """The server holds exactly these rows: each uuid once (set and count), of its kind, for PATIENT,
    with the home's newest body (an older version winning would be a lost update)."""
    stored = server_rows(server)
    uuids = [row.uuid for row in stored]
    assert len(uuids) == len(set(uuids)), "a row is stored twice on the server"
    assert len(stored) == len(expected), f"{len(stored)} rows on the server, {len(expected)} at home"
    missing = set(expected) - {(row.kind, row.uuid) for row in stored}
    extra = {(row.kind, row.uuid) for row in stored} - set(expected)
    assert not missing and not extra, (
        f"missing on the server: {sorted(missing)[:5]}; not from home: {sorted(extra)[:5]}"
    )
    assert {row.patient_id for row in stored} <= {PATIENT}
    stale = [(row.kind, row.uuid) for row in stored if row.body != expected[(row.kind, row.uuid)]]
    assert not stale, f"{len(stale)} rows on the server are not the home's newest version, e.g. {stale[:3]}"


# -- servers ----------------------------------------------------------------------------------------


@pytest.fixture
def clinic(clinic_server: ClinicServer) -> ClinicServer:
    """The running server (SQLite, PostgreSQL) with a physio and PATIENT."""
    clinic_server.physio(PHYSIO)
    clinic_server.patient(PATIENT, PHYSIO)
    return clinic_server


def kill_9(server: ClinicServer) -> None:
    """SIGKILL to the server's process: no shutdown, no rollback by the server itself."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)


@pytest.fixture
def restart(tmp_path: Path) -> Iterator[Callable[[ClinicServer], ClinicServer]]:
    """``restart(old)``: ``rehab clinic serve`` again on the database of a server that is down (killed,
    stopped), as an operator starts it again: on a new free port, the admin already there. Every
    server started here is stopped at the end of the test."""
    started: list[ClinicServer] = []

    def start_again(old: ClinicServer) -> ClinicServer:
        assert old.process.poll() is not None, "the old server still runs"
        port = free_port()
        folder = tmp_path / f"clinic-server-again-{len(started) + 1}"
        folder.mkdir(parents=True)
        log = folder / "clinic-server.log"
        argv = ["--home", str(folder / "server-home"), "clinic", "serve", "--port", str(port), "--db", old.db_url]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, *argv], stdout=out, stderr=subprocess.STDOUT, env=env
            )
        url = f"http://127.0.0.1:{port}"
        server = ClinicServer(url, old.db_url, "", process, log)
        started.append(server)
        _wait_until_answering(url, process, log)
        return dataclasses.replace(server, admin_token=login(url, ADMIN_EMAIL))

    yield start_again
    for server in started:
        server.stop()


# -- a proxy that breaks connections where a test says -----------------------------------------------


@dataclass(frozen=True)
class Cut:
    """Forward the push's head and ``keep(body size)`` bytes of its body, call ``then`` (e.g. kill
    the server), then close both sides: the home never gets an answer."""

    keep: Callable[[int], int]
    then: Callable[[], None] = lambda: None
    wait_s: float = 0.2  # before ``then``: the server reads what came and waits for the rest


@dataclass(frozen=True)
class LoseAnswer:
    """Forward the whole push, wait for the server's whole answer (it has committed), then close the
    home's side without passing it on."""


@dataclass
class Exchange:
    """One push that went through the proxy: what the home sent and what it was answered (None: nothing)."""

    request: dict[str, Any]
    answer: dict[str, Any] | None = None


@dataclass
class FaultyProxy:
    """Listens on a loopback port and relays every connection to ``target`` (host, port); the n-th
    push (POST /api/v1/sync/push, counted from 1) gets ``faults[n]`` when there is one."""

    target: tuple[str, int]
    faults: dict[int, Cut | LoseAnswer] = field(default_factory=dict)
    pushes: list[Exchange] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)  # a proxy bug must fail the test
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()
        assert not self.errors, f"the proxy failed: {self.errors!r}"

    def batch_ids(self) -> list[str]:
        return [str(push.request["batch_id"]) for push in self.pushes]

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=30)
        except OSError:
            client.close()  # the server is down: the home sees the connection closed
            return
        try:
            from_client, from_server = client.makefile("rb"), upstream.makefile("rb")
            while (request := _read_http(from_client)) is not None:
                head, body = request
                fault, exchange = None, None
                if head.startswith(b"POST /api/v1/sync/push "):
                    with self._lock:
                        exchange = Exchange(json.loads(body))
                        self.pushes.append(exchange)
                        fault = self.faults.get(len(self.pushes))
                if isinstance(fault, Cut):
                    upstream.sendall(head + body[: fault.keep(len(body))])
                    time.sleep(fault.wait_s)
                    fault.then()
                    return
                upstream.sendall(head + body)
                answer = _read_http(from_server)
                if answer is None or isinstance(fault, LoseAnswer):
                    return
                if exchange is not None:
                    exchange.answer = json.loads(answer[1])
                client.sendall(answer[0] + answer[1])
        except (ConnectionError, TimeoutError):
            pass  # a side went away (a killed server): close the other
        except BaseException as error:  # kept for the test to fail on
            self.errors.append(error)
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


def _read_http(stream: BinaryIO) -> tuple[bytes, bytes] | None:
    """One HTTP/1.1 message (head with its blank line, body by Content-Length); None at end of stream."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = stream.readline()
        if not line:
            return None
        head += line
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        if name.strip().lower() == b"transfer-encoding":
            raise AssertionError("the proxy relays Content-Length bodies only")
    body = stream.read(length)
    return None if len(body) < length else (head, body)


@pytest.fixture
def proxy() -> Iterator[Callable[[ClinicServer], FaultyProxy]]:
    """``proxy(server)``: a FaultyProxy in front of that server, closed (and checked) at the end."""
    made: list[FaultyProxy] = []

    def start(server: ClinicServer) -> FaultyProxy:
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        made.append(FaultyProxy((host, int(port))))
        return made[-1]

    yield start
    for each in made:
        each.close()


# -- the tests --------------------------------------------------------------------------------------


def test_server_down_the_sync_says_so_in_plain_words_and_the_rows_arrive_once_when_it_is_back(
    clinic: ClinicServer, restart: Callable[[ClinicServer], ClinicServer], tmp_path: Path, capsys: Any
) -> None:
    """With the server down, a session is still kept, ``rehab sync`` exits 1 saying in plain words
    (no traceback) that the server could not be reached, how many rows wait and when the next
    automatic try is, and ``--status`` shows the failure and the count. When a server is back on the
    same database, one ``rehab sync`` sends what waited: every row is there once, the earlier
    session's rows (sent before the outage) not again."""
    home = tmp_path / "home"
    link_home(clinic, home, capsys)
    assert "sync: sent" in play(home, PATIENT, capsys)  # the first session reached the server
    before_outage = {(row.kind, row.uuid) for row in server_rows(clinic)}
    assert before_outage

    clinic.stop()
    after_session = play(home, PATIENT, capsys)  # the session is stored; its sync fails quietly
    assert "could not be reached" in after_session
    waiting = len(set(home_rows(home)) - before_outage)
    assert waiting > 0 and waiting_rows(home) == waiting

    code, out, err = rehab(home, "sync", capsys=capsys)
    store = Store.open(home / DB_FILENAME)
    try:
        state = status(store, load_link(home))
    finally:
        store.close()
    assert code == 1 and err == ""
    assert state.failures == 2 and state.last_attempt_at and state.next_try_at  # after the session, and now
    next_try = datetime.fromisoformat(state.next_try_at)
    assert next_try - datetime.fromisoformat(state.last_attempt_at) == retry_delay(2)
    lines = out.splitlines()
    assert 1 <= len(lines) <= 2 and all(line.startswith("sync: ") for line in lines), out
    assert f"the clinic server at {clinic.url} could not be reached" in out
    assert f"{waiting} rows are kept here and wait" in out
    assert f"next automatic try is after {next_try:%H:%M}" in out

    code, out, err = rehab(home, "sync", "--status", capsys=capsys)
    assert code == 0 and err == ""
    assert f"waiting to be sent: {waiting} rows" in out
    assert "failed: the clinic server at" in out and "could not be reached" in out
    assert f"next automatic try: after {next_try:%H:%M}" in out

    back = restart(clinic)  # the same database on another port: the home is told the new address
    link = load_link(home)
    assert link is not None
    save_link(home, dataclasses.replace(link, url=back.url))
    code, out, err = rehab(home, "sync", capsys=capsys)
    assert code == 0 and f"sync: sent {waiting} rows" in out, (out, err)
    assert_every_row_once(back, home_rows(home))
    assert len(receipts(back)) == 2  # the first session's batch, and the one that waited
    code, out, _ = rehab(home, "sync", "--status", capsys=capsys)
    assert "waiting to be sent: 0 rows" in out and "failed" not in out


def test_a_push_cut_mid_body_stores_nothing_of_its_batch_and_the_retry_stores_every_row_once(
    clinic: ClinicServer, proxy: Callable[[ClinicServer], FaultyProxy], tmp_path: Path, capsys: Any
) -> None:
    """A connection closed after the push's head, after 1 byte of its body, after half and one byte
    short of the end: each time the sync fails as ClinicUnreachable, the server stores nothing of the
    batch (no row, no receipt) and the home still counts every row as waiting. The next sync, through
    a connection that holds, sends the same batch (same id) and every row is stored once."""
    home = tmp_path / "home"
    link_home(clinic, home, capsys)
    fill_history(home, days=14)
    expected = home_rows(home)
    assert 0 < len(expected) <= 500  # one batch

    cuts = [lambda size: 0, lambda size: 1, lambda size: size // 2, lambda size: size - 1]
    breaker = proxy(clinic)
    breaker.faults = {n: Cut(keep) for n, keep in enumerate(cuts, start=1)}
    for _ in cuts:
        with pytest.raises(ClinicUnreachable):
            sync_through(home, breaker.url)
        assert server_rows(clinic) == [] and receipts(clinic) == []
        assert waiting_rows(home) == len(expected)

    result = sync_through(home, breaker.url)
    assert (result.rows_sent, result.batches) == (len(expected), 1)
    assert len(set(breaker.batch_ids())) == 1 and len(breaker.pushes) == len(cuts) + 1
    assert breaker.pushes[-1].answer is not None and breaker.pushes[-1].answer["replayed"] is False
    assert_every_row_once(clinic, expected)
    assert receipts(clinic) == breaker.batch_ids()[:1]
    assert waiting_rows(home) == 0


def test_an_answer_lost_after_the_server_committed_is_replayed_and_no_row_is_stored_twice(
    clinic: ClinicServer, proxy: Callable[[ClinicServer], FaultyProxy], tmp_path: Path, capsys: Any
) -> None:
    """The server stores a batch but its answer never reaches the home (twice: the 1st batch, then
    the 2nd on the next try). The home's next sync sends the same batch id again and gets the
    server's replay receipt (``replayed``); no row is doubled and ``sync_receipts`` holds each
    batch once. A row of the 1st batch changed meanwhile (a guided session resumed and ended
    again) reaches the server at its newest: the replay does not keep the old version."""
    home = tmp_path / "home"
    link_home(clinic, home, capsys)
    fill_history(home, days=42)

    breaker = proxy(clinic)
    breaker.faults = {1: LoseAnswer(), 3: LoseAnswer()}
    with pytest.raises(ClinicUnreachable):
        sync_through(home, breaker.url)  # push 1: batch A stored, its answer lost
    assert len(receipts(clinic)) == 1 and len(server_rows(clinic)) > 0
    first_visit = resume_and_end_first_visit(home)
    assert ("visits", first_visit) in {(row.kind, row.uuid) for row in server_rows(clinic)}  # was in batch A
    with pytest.raises(ClinicUnreachable):
        sync_through(home, breaker.url)  # push 2: batch A again (replayed); push 3: batch B, answer lost
    result = sync_through(home, breaker.url)  # push 4: batch B again (replayed); then nothing waits
    assert result.batches == 1

    first, second = breaker.batch_ids()[0], breaker.batch_ids()[2]
    assert breaker.batch_ids() == [first, first, second, second]
    answers = [push.answer for push in breaker.pushes]
    assert answers[0] is None and answers[2] is None
    assert answers[1] is not None and answers[1]["replayed"] is True and answers[1]["rows"] > 0
    assert answers[3] is not None and answers[3]["replayed"] is True and answers[3]["rows"] > 0
    assert sorted(receipts(clinic)) == sorted([first, second])  # each batch once
    assert_every_row_once(clinic, home_rows(home))
    assert waiting_rows(home) == 0


def test_the_server_killed_with_sigkill_mid_batch_loses_and_doubles_nothing_after_a_restart(
    clinic: ClinicServer,
    proxy: Callable[[ClinicServer], FaultyProxy],
    restart: Callable[[ClinicServer], ClinicServer],
    tmp_path: Path,
    capsys: Any,
) -> None:
    """A history of three batches. The server is killed with SIGKILL when half of the 2nd batch's body
    has passed; restarted on the same database, it holds the 1st batch only. It is killed again just
    after the whole 2nd batch has passed (it may have committed it or not). After the second restart
    one sync sends what is missing: no row lost, none doubled, each batch received once."""
    home = tmp_path / "home"
    link_home(clinic, home, capsys)
    fill_history(home, days=70)
    expected = home_rows(home)

    breaker = proxy(clinic)
    breaker.faults = {2: Cut(lambda size: size // 2, then=lambda: kill_9(clinic))}
    with pytest.raises(ClinicUnreachable):
        sync_through(home, breaker.url)
    assert clinic.process.returncode == -signal.SIGKILL
    first_batch, second_batch = breaker.batch_ids()
    assert receipts(clinic) == [first_batch]  # nothing of the 2nd batch

    again = restart(clinic)
    assert receipts(again) == [first_batch]
    breaker = proxy(again)
    breaker.faults = {1: Cut(lambda size: size, then=lambda: kill_9(again), wait_s=0.05)}
    with pytest.raises(ClinicUnreachable):
        sync_through(home, breaker.url)
    assert breaker.batch_ids() == [second_batch]  # the same range is the same batch
    assert receipts(again)[0] == first_batch and set(receipts(again)) <= {first_batch, second_batch}

    last = restart(again)
    result = sync_through(home, last.url)
    assert result.batches == 2  # the 2nd batch again (stored now, or replayed), and the 3rd
    assert_every_row_once(last, expected)
    stored = receipts(last)
    assert len(stored) == len(set(stored)) == 3 and {first_batch, second_batch} < set(stored)
    assert waiting_rows(home) == 0


def test_two_homes_of_one_patient_both_reach_the_server_without_a_clash(
    clinic: ClinicServer, tmp_path: Path, capsys: Any
) -> None:
    """Two homes linked to one patient with two codes (each has its own session 1, and the plan
    the physio assigned pulled as its own plan version 1, pushed back as its own row) each play a
    session and sync, then sync again in the other order: no sync is refused (no 409), the server
    holds both homes' rows once, each under the device that sent it, and both sessions."""
    physio_token = clinic.login(PHYSIO)
    assigned = clinic.request(
        "POST", f"/api/v1/patients/{PATIENT}/plans", physio_token, json={"toml": PLAN_TOML, "reason": "first visit"}
    )
    assert assigned.status_code == 201, assigned.text
    home_a, home_b = tmp_path / "home-a", tmp_path / "home-b"
    link_a, link_b = link_home(clinic, home_a, capsys), link_home(clinic, home_b, capsys)
    assert link_a.device_id != link_b.device_id

    for home in (home_a, home_b):
        out = play(home, PATIENT, capsys)
        assert "sync: sent" in out and "refused" not in out and "409" not in out, out
    for home in (home_b, home_a):
        code, out, err = rehab(home, "sync", capsys=capsys)
        assert code == 0 and "the clinic is up to date" in out, (out, err)

    rows_a, rows_b = home_rows(home_a), home_rows(home_b)
    assert not set(rows_a) & set(rows_b)
    assert_every_row_once(clinic, rows_a | rows_b)
    device_of = {(row.kind, row.uuid): row.device_id for row in server_rows(clinic)}
    assert {device_of[row] for row in rows_a} == {link_a.device_id}
    assert {device_of[row] for row in rows_b} == {link_b.device_id}
    sessions = clinic.request("GET", f"/api/v1/patients/{PATIENT}/sessions", physio_token)
    assert sessions.status_code == 200, sessions.text
    listed = sessions.json()
    listed = listed["sessions"] if isinstance(listed, dict) else listed
    assert len(listed) == 2 and {session["game"] for session in listed} == {"lift"}


def test_a_home_shared_with_another_patient_sends_the_linked_patients_rows_only(
    clinic: ClinicServer, tmp_path: Path, capsys: Any
) -> None:
    """A store with two patients, P-0042 linked and P-0007 not, each with sessions from before the
    link and after it, some while the clinic is out of reach: P-0007's rows are never counted as
    waiting for the clinic, and once it is back the server has every row of P-0042 once and never
    one of P-0007's; nothing waits at home afterwards."""
    home = tmp_path / "home"
    play(home, OTHER_PATIENT, capsys)
    play(home, PATIENT, capsys)
    link = link_home(clinic, home, capsys)  # sends the history from before the link
    assert waiting_rows(home) == 0

    save_link(home, dataclasses.replace(link, url=f"http://127.0.0.1:{free_port()}"))  # nobody listens there
    assert "could not be reached" in play(home, PATIENT, capsys)
    on_server = {(row.kind, row.uuid) for row in server_rows(clinic)}
    unsent = len(set(home_rows(home)) - on_server)
    assert unsent > 0 and waiting_rows(home) == unsent
    after_other = play(home, OTHER_PATIENT, capsys)  # in the backoff: no try, P-0007's rows queued
    assert f"sync: {unsent} rows wait for the clinic" in after_other  # P-0007's are not the clinic's
    assert waiting_rows(home) == unsent

    save_link(home, link)
    code, out, err = rehab(home, "sync", capsys=capsys)
    assert code == 0, (out, err)
    others = home_rows(home, OTHER_PATIENT)
    assert len(others) > 0
    assert_every_row_once(clinic, home_rows(home, PATIENT))
    assert not {row_uuid for _, row_uuid in others} & {row.uuid for row in server_rows(clinic)}
    assert query(clinic.db_url, f"select id from patients where id = '{OTHER_PATIENT}'") == []
    assert waiting_rows(home) == 0
