"""Live remote sessions (issue #18): a home streams its session, the physio watches and acts.

Two WebSockets meet here. The home connects to ``/api/v1/live/home`` with its device token, as sync
does, and sends small JSON messages: ``frame`` (2D landmarks, the angle with its goal and ceiling,
the scene, the set, the device), ``rep``, ``pain``, ``scene`` and ``beat``. A browser connects to
``/patients/{id}/live/socket`` with the web app's session cookie, for a patient its user may see
(the patient page's rule); it receives the home's messages and ``{"type": "status", "home":
"connected" | "lost" | "waiting"}``, and a physio who may change the patient sends actions
(a message, a target or ceiling for the rest of the set, pause, resume, end), each stored in
``live_actions`` and audited before it is relayed to the home.

A browser's socket lives no longer than its login session: every ``RECHECK_S`` seconds, and on
every message it sends, the session (``clinic.web.sessions``) and the right to the patient are
checked again; when the session has ended (logout, a disabled account, the idle timeout, 12 hours)
the socket is closed with the code 4401, when the right has gone with 4403, each with a sentence
the page shows instead of reconnecting. Watching a session that is streaming counts as activity
for the idle timeout (the check marks the login session seen); an open page with no home
connected does not.

No camera image ever reaches this server: the home sends landmarks and angles only.

The relay is a ``Hub`` per server process. On PostgreSQL, every message also goes through
``NOTIFY`` on one channel and every process ``LISTEN``s, so a home and a browser connected to
different server processes (behind one proxy) still meet. A viewer that falls behind loses its
oldest frames, never the server's memory: nothing waits on a slow browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from clinic import auth, db, tables
from clinic.auth import Principal
from clinic.errors import ClinicError
from rehab.core.errors import RehabError

router = APIRouter(include_in_schema=False)
log = logging.getLogger("clinic.live")

HOME_PATH = "/api/v1/live/home"
#: the PostgreSQL channel every server process listens on
CHANNEL = "rehab_live"
#: seconds before a lost connection to PostgreSQL is made again
RECONNECT_S = 1.0
#: notifications sent in one statement at most
NOTIFY_BATCH = 200
#: what a home may send; anything else is dropped
HOME_TYPES = frozenset({"frame", "rep", "pain", "scene", "beat", "action_done", "sharing"})
#: the largest message a home may send (a frame is about 1.5 kB)
MAX_MESSAGE_BYTES = 16_000
#: messages a browser may have waiting before its oldest frames are dropped
VIEWER_BACKLOG = 60
#: a home silent this long (no frame, no beat) is shown as lost, even before its socket closes
SILENT_S = 5.0
#: how a frame's JSON starts (the home writes it compact, its type first): frames are what may be dropped
FRAME_PREFIX = '{"type":"frame"'
#: seconds between two checks of a watching browser's login session and right to the patient
RECHECK_S = 5.0
ACTION_KINDS = ("message", "target", "ceiling", "pause", "resume", "end")
MESSAGE_MAX = 200
REASON_MAX = 300


# -- the relay ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Viewer:
    """One browser's socket and what waits to be sent to it (frames dropped oldest first)."""

    socket: WebSocket
    waiting: deque[str] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: int = 0

    def put(self, text: str, droppable: bool) -> None:
        if len(self.waiting) >= VIEWER_BACKLOG:
            oldest = next((i for i, m in enumerate(self.waiting) if m.startswith(FRAME_PREFIX)), None)
            self.dropped += 1
            if oldest is None and droppable:
                return
            if oldest is not None:
                del self.waiting[oldest]
        self.waiting.append(text)
        self.ready.set()

    async def run(self) -> None:
        while True:
            await self.ready.wait()
            self.ready.clear()
            while self.waiting:
                await self.socket.send_text(self.waiting.popleft())


class Hub:
    """One server process's live sessions: its homes' and viewers' sockets, and (on PostgreSQL) the
    channel to the other processes."""

    def __init__(self, pg_url: str | None) -> None:
        self.origin = uuid.uuid4().hex
        self.pg_url = pg_url
        self.viewers: dict[str, set[Viewer]] = {}
        self.homes: dict[str, WebSocket] = {}
        #: patient -> monotonic time of the last message from its home, through any process
        self.heard: dict[str, float] = {}
        self.shown: dict[str, str] = {}  # patient -> the status last told its viewers here
        self._notify: Any = None
        #: payloads for the other processes, sent by one task in batches (one round trip for many)
        self._outbox: deque[str] = deque()
        self._outbox_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.relayed = 0

    async def start(self) -> None:
        if self.pg_url is not None:
            # listening before the first socket is taken: nothing sent to it from elsewhere is missed
            first = await self._listening()
            self._tasks.append(asyncio.create_task(self._listen_forever(first)))
            self._tasks.append(asyncio.create_task(self._publisher()))
        self._tasks.append(asyncio.create_task(self._watch()))

    # home -> viewers

    async def from_home(self, patient_id: str, text: str) -> None:
        self._deliver_viewers(patient_id, text)
        await self._publish("v", patient_id, text)

    def _deliver_viewers(self, patient_id: str, text: str) -> None:
        self.heard[patient_id] = time.monotonic()
        if text.startswith('{"type":"status"'):
            self.shown[patient_id] = json.loads(text)["home"]
        elif self.shown.get(patient_id) != "connected":
            self._status(patient_id, "connected")
        droppable = text.startswith(FRAME_PREFIX)
        for viewer in self.viewers.get(patient_id, ()):
            viewer.put(text, droppable)
            self.relayed += 1

    def _status(self, patient_id: str, status: str) -> None:
        self.shown[patient_id] = status
        message = status_message(status)
        for viewer in self.viewers.get(patient_id, ()):
            viewer.put(message, False)

    # viewers -> home

    async def to_home(self, patient_id: str, text: str) -> None:
        self._deliver_home(patient_id, text)
        await self._publish("h", patient_id, text)

    def _deliver_home(self, patient_id: str, text: str) -> None:
        home = self.homes.get(patient_id)
        if home is not None:
            asyncio.get_running_loop().create_task(_send_quietly(home, text))

    # the other server processes

    async def _publish(self, direction: str, patient_id: str, text: str) -> None:
        """Queued for the other processes: the socket that sent it never waits on the database."""
        if self.pg_url is None:
            return
        self._outbox.append(json.dumps([self.origin, direction, patient_id]) + "\n" + text)
        self._outbox_ready.set()

    async def _publisher(self) -> None:
        """Sends what is queued, up to ``NOTIFY_BATCH`` notifications in one statement (a
        transaction: they arrive together, in order), so 50 homes at 30 Hz are 1500 notifications a
        second but only as many round trips as the database keeps up with."""
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox:
                batch = [self._outbox.popleft() for _ in range(min(NOTIFY_BATCH, len(self._outbox)))]
                query = "SELECT " + ", ".join("pg_notify(%s, %s)" for _ in batch)
                params = [value for payload in batch for value in (CHANNEL, payload)]
                try:
                    if self._notify is None or self._notify.closed:
                        import psycopg

                        self._notify = await psycopg.AsyncConnection.connect(str(self.pg_url), autocommit=True)
                    await self._notify.execute(query, params)
                except Exception as error:  # the database went away: this process still relays its own
                    log.warning("live relay to other server processes failed (%s); connecting again", error)
                    self._notify = None
                    await asyncio.sleep(RECONNECT_S)

    async def _listening(self) -> Any:
        import psycopg

        connection = await psycopg.AsyncConnection.connect(str(self.pg_url), autocommit=True)
        await connection.execute(f"LISTEN {CHANNEL}")
        return connection

    async def _listen_forever(self, connection: Any) -> None:
        """Listens for the other processes; a lost database connection is made again (what was sent
        in between is lost, as frames may be: the next ones arrive)."""
        while True:
            try:
                if connection is None:
                    connection = await self._listening()
                await self._listen(connection)
            except Exception as error:
                log.warning("live relay from other server processes failed (%s); listening again", error)
            with contextlib.suppress(Exception):
                if connection is not None:
                    await connection.close()
            connection = None
            await asyncio.sleep(RECONNECT_S)

    async def _listen(self, connection: Any) -> None:
        own = json.dumps([self.origin])[:-1]
        async for note in connection.notifies():
            if note.payload.startswith(own):
                continue  # this process's own, delivered here already
            head, _, text = note.payload.partition("\n")
            try:
                _origin, direction, patient_id = json.loads(head)
            except (ValueError, TypeError):
                continue  # not one of ours (anyone may NOTIFY on a channel)
            if direction == "v":
                self._deliver_viewers(patient_id, text)
            else:
                self._deliver_home(patient_id, text)

    async def _watch(self) -> None:
        """A home that went silent (a cut line that has not closed its socket yet) is shown lost."""
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for patient_id, status in list(self.shown.items()):
                if status == "connected" and now - self.heard.get(patient_id, -math.inf) > SILENT_S:
                    self._status(patient_id, "lost")

    def status_of(self, patient_id: str) -> str:
        if patient_id in self.homes:
            return "connected"
        return self.shown.get(patient_id, "waiting")

    def add_viewer(self, patient_id: str, viewer: Viewer) -> None:
        self.viewers.setdefault(patient_id, set()).add(viewer)

    def remove_viewer(self, patient_id: str, viewer: Viewer) -> None:
        found = self.viewers.get(patient_id)
        if found is not None:
            found.discard(viewer)
            if not found:
                del self.viewers[patient_id]


def status_message(status: str) -> str:
    return json.dumps({"type": "status", "home": status}, separators=(",", ":"))


async def _send_quietly(socket: WebSocket, text: str) -> None:
    with contextlib.suppress(Exception):  # the home has just gone: it hears nothing more
        await socket.send_text(text)


_hub_lock = asyncio.Lock()


async def hub_of(app: FastAPI) -> Hub:
    """The process's hub, started by the first live socket (on PostgreSQL it listens from then on)."""
    async with _hub_lock:
        hub: Hub | None = getattr(app.state, "live_hub", None)
        if hub is None:
            hub = Hub(_pg_url(app.state.engine))
            await hub.start()
            app.state.live_hub = hub
        return hub


def _pg_url(engine: sa.Engine) -> str | None:
    if engine.dialect.name != "postgresql":
        return None
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


# -- the home's socket --------------------------------------------------------------------------


def _device(engine: sa.Engine, token: str) -> Principal | None:
    with engine.begin() as conn:
        who = auth.lookup(conn, token)
        if who is None or who.kind != "device" or who.patient_id is None:
            return None
        auth.audit(conn, who, "live share", who.patient_id, "the home started sharing a session live")
        return who


@router.websocket(HOME_PATH)
async def home_socket(socket: WebSocket) -> None:
    """The home's side: its device token in ``Authorization: Bearer``, as sync; else refused (403)."""
    scheme, _, token = socket.headers.get("authorization", "").partition(" ")
    engine = db.engine_of(socket)
    who = await run_in_threadpool(_device, engine, token.strip()) if scheme.lower() == "bearer" else None
    if who is None or who.patient_id is None:
        await socket.close(code=1008, reason="this needs a linked home's device token")
        return
    patient_id = who.patient_id
    hub = await hub_of(socket.app)
    await socket.accept()
    old = hub.homes.get(patient_id)
    if old is not None:  # the same home reconnecting before its old socket was noticed closed
        with contextlib.suppress(Exception):
            await old.close()
    hub.homes[patient_id] = socket
    await hub.from_home(patient_id, status_message("connected"))
    try:
        while True:
            text = await socket.receive_text()
            if len(text) <= MAX_MESSAGE_BYTES and _home_type(text) in HOME_TYPES:
                await hub.from_home(patient_id, text)
    except WebSocketDisconnect:
        pass
    finally:
        if hub.homes.get(patient_id) is socket:
            del hub.homes[patient_id]
            await hub.from_home(patient_id, status_message("lost"))


def _home_type(text: str) -> str:
    try:
        message = json.loads(text)
    except ValueError:
        return ""
    kind = message.get("type") if isinstance(message, dict) else None
    return kind if isinstance(kind, str) else ""


# -- the browser's socket -----------------------------------------------------------------------


def _viewer(engine: sa.Engine, cookie: str, patient_id: str) -> Principal | None:
    """The signed-in user if they may see the patient (audited); None otherwise."""
    from clinic.web import sessions

    with engine.begin() as conn:
        found = sessions.resume(conn, cookie) if cookie else None
        if found is None:
            return None
        try:
            auth.patient_access(conn, found.who, patient_id)
        except RehabError:
            return None
        auth.audit(conn, found.who, "view live", patient_id)
        return found.who


def may_act(conn: sa.Connection, who: Principal, patient_id: str) -> bool:
    """Only a physio acts on a session (their own patients and their team's), as they write plans."""
    if who.role != "physio":
        return False
    try:
        auth.patient_access(conn, who, patient_id, write=True)
    except RehabError:
        return False
    return True


def _same_origin(socket: WebSocket) -> bool:
    """A browser always sends Origin: it must be this server (another site cannot ride the cookie)."""
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    host = socket.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


@dataclass(frozen=True)
class Ending:
    """Why the server closes a browser's socket: a close code (4000-4999 are the application's) and
    the sentence sent as the close's reason (the page shows its own words for each code)."""

    code: int
    reason: str


#: the login session has ended (logout, a disabled account, the idle timeout, the 12 hours)
SIGNED_OUT = Ending(4401, "You have been signed out. Sign in again to keep watching.")
#: still signed in, but no longer allowed to see this patient
NO_ACCESS = Ending(4403, "You may no longer see this patient.")


@dataclass(frozen=True)
class Watcher:
    """What a browser's socket was opened with: enough to check its login session again."""

    engine: sa.Engine
    cookie: str
    patient_id: str


def _check(conn: sa.Connection, watcher: Watcher, touch: bool) -> Principal | Ending:
    """The signed-in user if their login session is still valid and they may still see the patient;
    ``touch`` marks the session seen (activity for the idle timeout)."""
    from clinic.web import sessions

    found = sessions.resume(conn, watcher.cookie, touch=touch) if watcher.cookie else None
    if found is None:
        return SIGNED_OUT
    try:
        auth.patient_access(conn, found.who, watcher.patient_id)
    except RehabError:
        return NO_ACCESS
    return found.who


def _recheck(watcher: Watcher, touch: bool) -> Principal | Ending:
    with watcher.engine.begin() as conn:
        return _check(conn, watcher, touch)


@router.websocket("/patients/{patient_id}/live/socket")
async def viewer_socket(socket: WebSocket, patient_id: str) -> None:
    """A browser watching a patient's live session: a signed-in user who may see the patient, for as
    long as they are signed in and may (checked every ``RECHECK_S`` seconds and on every message)."""
    from clinic.web import sessions

    cookie = socket.cookies.get(sessions.COOKIE, "")
    engine = db.engine_of(socket)
    allowed = await run_in_threadpool(_viewer, engine, cookie, patient_id) if _same_origin(socket) else None
    if allowed is None:
        await socket.close(code=1008, reason="you may not watch this patient")
        return
    watcher = Watcher(engine, cookie, patient_id)
    hub = await hub_of(socket.app)
    await socket.accept()
    viewer = Viewer(socket)
    viewer.put(status_message(hub.status_of(patient_id)), False)
    hub.add_viewer(patient_id, viewer)
    tasks = [
        asyncio.create_task(viewer.run()),
        asyncio.create_task(_read(socket, hub, viewer, watcher)),
        asyncio.create_task(_keep_checking(hub, watcher)),
    ]
    ending: Ending | None = None
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:  # the browser went (None), its socket failed, or its login ended (an Ending)
            error = task.exception()
            if error is not None:
                log.info("live viewer of %s stopped: %s: %s", patient_id, type(error).__name__, error)
            elif isinstance(task.result(), Ending):
                ending = task.result()
    finally:
        hub.remove_viewer(patient_id, viewer)  # nothing more is relayed to it from here on
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if ending is not None:
        log.info("live viewer of %s closed: %s", patient_id, ending.reason)
        with contextlib.suppress(Exception):  # the browser may have gone at the same moment
            await socket.close(code=ending.code, reason=ending.reason)


async def _read(socket: WebSocket, hub: Hub, viewer: Viewer, watcher: Watcher) -> Ending | None:
    """The browser's messages, each answered; the Ending when the login session has ended."""
    try:
        while True:
            said = await socket.receive_text()
            answer = await _act(hub, watcher, said)
            if isinstance(answer, Ending):
                return answer
            viewer.put(answer, False)
    except WebSocketDisconnect:
        return None


async def _keep_checking(hub: Hub, watcher: Watcher) -> Ending:
    """Checks the login session every ``RECHECK_S`` seconds until it has ended. While the home is
    streaming, watching is activity: the check marks the session seen, so a physio watching a long
    session without a click stays signed in (logout, a disabled account and the 12 hours still end
    it); with no home connected the idle timeout runs as on any other page. A check the database
    cannot answer is tried again at the next one (no login can end without the database meanwhile:
    the first check that gets through finds the idle timeout or the 12 hours that have passed)."""
    while True:
        await asyncio.sleep(RECHECK_S)
        streaming = hub.status_of(watcher.patient_id) == "connected"
        try:
            found = await run_in_threadpool(_recheck, watcher, streaming)
        except sa.exc.SQLAlchemyError as error:
            log.warning("live viewer's login check failed (%s); trying again", str(error).splitlines()[0])
            continue
        if isinstance(found, Ending):
            return found


def _error(sentence: str) -> str:
    return json.dumps({"type": "error", "error": sentence})


@dataclass(frozen=True)
class Action:
    kind: str
    text: str | None
    value: float | None
    reason: str | None


def parse_action(said: str) -> Action:
    """A browser's action, checked; ClinicError with one sentence when it is not acceptable."""
    try:
        body = json.loads(said)
    except ValueError as error:
        raise ClinicError("the action is not JSON") from error
    if not isinstance(body, dict) or body.get("type") != "action" or body.get("kind") not in ACTION_KINDS:
        raise ClinicError(f"an action is one of: {', '.join(ACTION_KINDS)}")
    kind = str(body["kind"])
    text = str(body.get("text") or "").strip() or None
    reason = str(body.get("reason") or "").strip() or None
    value: float | None = None
    if kind == "message" and (text is None or len(text) > MESSAGE_MAX):
        raise ClinicError(f"write a message of 1 to {MESSAGE_MAX} characters")
    if kind in ("target", "ceiling"):
        try:
            value = float(str(body.get("value")))
        except (TypeError, ValueError) as error:
            raise ClinicError(f"give the new {kind} in degrees") from error
        if not (math.isfinite(value) and -180.0 <= value <= 180.0):
            raise ClinicError(f"the {kind} must be between -180 and 180 degrees")
        if reason is None:
            raise ClinicError(f"give a reason for changing the {kind}: it is stored with the change")
    if reason is not None and len(reason) > REASON_MAX:
        raise ClinicError(f"the reason is longer than {REASON_MAX} characters")
    return Action(kind, text, value, reason)


def _store(watcher: Watcher, action: Action) -> int | str | Ending:
    """The action's id once stored and audited; the Ending when the login session (or the right to
    the patient) has gone; a sentence when the user may see the patient but not act."""
    with watcher.engine.begin() as conn:
        who = _check(conn, watcher, touch=True)
        if isinstance(who, Ending):
            return who
        if not may_act(conn, who, watcher.patient_id):
            return "only the patient's physio can act on a live session"
        row = conn.execute(
            sa.insert(tables.live_actions).values(
                patient_id=watcher.patient_id,
                user_id=who.user_id,
                kind=action.kind,
                text=action.text,
                value=action.value,
                reason=action.reason,
                created_at=db.now_iso(conn),
            )
        )
        key = row.inserted_primary_key
        assert key is not None
        action_id = int(key[0])
        detail = action.kind + (f" {action.value:g}" if action.value is not None else "")
        reason = f": {action.reason}" if action.reason else ""
        auth.audit(conn, who, "live action", watcher.patient_id, detail + reason)
        return action_id


async def _act(hub: Hub, watcher: Watcher, said: str) -> str | Ending:
    """A browser's message answered: the action sent on, an error, or the Ending of its socket.
    The login session is checked first, whatever the message (and again as the action is stored)."""
    who = await run_in_threadpool(_recheck, watcher, True)
    if isinstance(who, Ending):
        return who
    try:
        action = parse_action(said)
    except ClinicError as error:
        return _error(str(error))
    stored = await run_in_threadpool(_store, watcher, action)
    if isinstance(stored, Ending):
        return stored
    if isinstance(stored, str):
        return _error(stored)
    message = {"type": "action", "id": stored, "kind": action.kind}
    message.update({k: v for k, v in (("text", action.text), ("value", action.value), ("reason", action.reason)) if v})
    text = json.dumps(message, separators=(",", ":"))
    await hub.to_home(watcher.patient_id, text)
    return json.dumps({**message, "type": "action_sent"})


def actions(engine: sa.Engine, patient_id: str) -> list[dict[str, Any]]:
    """The actions stored for a patient, oldest first (the tests and the page read them)."""
    a = tables.live_actions
    with engine.begin() as conn:
        rows = conn.execute(sa.select(a).where(a.c.patient_id == patient_id).order_by(a.c.id)).mappings()
        return [dict(r) for r in rows]
