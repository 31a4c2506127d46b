"""A home's side of a live session (issue #18): asks the patient, then streams to the clinic.

``LiveShare`` is the ``rehab.engine.live.LiveChannel`` of a linked home. The game loop only puts
messages in memory (``send``) and takes the physio's actions (``take_actions``): a thread of its
own owns the WebSocket to the clinic server (``/api/v1/live/home``, with the home's device token,
as sync), sends what waits, and reconnects with a growing wait when the line drops. Frames wait in a
short queue that drops the oldest, so a slow or cut line never holds the game up and never grows the
memory; reps, pain and scenes wait in a longer one and reach the physio once the line is back.

Nothing is sent before the patient says yes, and nothing after they press L or say no, until they
press L again (``start_sharing``: a new connection). No camera image is ever sent: the messages carry
landmarks, angles and what the scenes say. ``between`` (a ``rehab.engine.live.LiveBreak``) applies
the physio's actions during the screens between sets.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from rehab.app.clinic_link import ClinicLink
from rehab.engine.live import LiveAction, LiveBreak

#: the clinic's WebSocket for homes (clinic.live.HOME_PATH; the home never imports the clinic)
HOME_PATH = "/api/v1/live/home"
#: frames waiting at most; older ones are dropped (a frame is 1.5 kB, a third of a second at 30 Hz)
FRAMES_WAITING = 10
#: reps, pain answers, scenes and answers to actions waiting at most while the line is down
OTHERS_WAITING = 1000
#: a message when nothing else was sent for this long, so the clinic knows the home is there
BEAT_S = 1.0
FIRST_RETRY_S, LONGEST_RETRY_S = 0.5, 10.0


def websocket_url(url: str) -> str:
    """``https://clinic`` -> ``wss://clinic/api/v1/live/home`` (through the same TLS and proxy)."""
    base = url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base[len("https://") :] + HOME_PATH
    if base.startswith("http://"):
        return "ws://" + base[len("http://") :] + HOME_PATH
    return base + HOME_PATH


class LiveShare:
    """One session's live link to the clinic: ``start()`` after the patient agrees, ``close()`` at
    the end. ``sent``, ``dropped`` and ``problem`` say how it went."""

    def __init__(self, url: str, token: str, ssl_context: Any = None) -> None:
        self.url = websocket_url(url)
        self._token = token
        self._ssl = ssl_context
        self._sharing = False
        #: set to end the sender's thread; each start has its own (an old thread may still be closing)
        self._closing = threading.Event()
        self._lock = threading.Condition()
        self._frames: deque[dict[str, Any]] = deque()
        self._others: deque[dict[str, Any]] = deque(maxlen=OTHERS_WAITING)
        self._actions: deque[LiveAction] = deque()
        self._thread: threading.Thread | None = None
        self.set_label = ""
        self.sent = 0
        self.dropped = 0
        self.connected = False
        self.problem = ""
        #: the physio's actions during rests and pain questions (one per session)
        self.between = LiveBreak(self)

    @classmethod
    def for_link(cls, link: ClinicLink) -> LiveShare:
        from rehab.app.linking import tls_verify

        verify = tls_verify(link.cafile)
        ssl_context = verify if not isinstance(verify, bool) else None
        return cls(link.url, link.device_token, ssl_context)

    # the game's side (never blocks)

    @property
    def sharing(self) -> bool:
        return self._sharing

    def start(self) -> None:
        """The patient said yes (or pressed L after saying no or stopping): connect and send from now
        on. Never blocks: a thread still closing the last connection ends on its own."""
        if self._sharing:
            return
        self._sharing = True
        self._closing = closing = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(closing,), name="live share", daemon=True)
        self._thread.start()

    def start_sharing(self) -> None:
        self.start()

    def send(self, message: dict[str, Any]) -> None:
        if message.get("type") == "scene" and message.get("set"):
            self.set_label = str(message["set"])  # kept, not sent: frames name the set once shared
        if not self._sharing:
            return
        message["at"] = time.time()  # the home's wall clock: the benchmark measures the delay with it
        with self._lock:
            if message.get("type") == "frame":
                message.setdefault("set", self.set_label)
                if len(self._frames) >= FRAMES_WAITING:
                    self._frames.popleft()
                    self.dropped += 1
                self._frames.append(message)
            else:
                self._others.append(message)
            self._lock.notify()

    @property
    def waiting_actions(self) -> list[LiveAction]:
        """The physio's actions received and not yet taken by the game."""
        return list(self._actions)

    def take_actions(self) -> list[LiveAction]:
        taken = []
        while self._actions:
            taken.append(self._actions.popleft())
        return taken

    def put_back(self, actions: list[LiveAction]) -> None:
        self._actions.extendleft(reversed(actions))

    def stop_sharing(self) -> None:
        """The patient pressed L (or the session ended): say so to the physio, then send nothing more."""
        if not self._sharing:
            return
        self.send({"type": "sharing", "sharing": False})
        self._sharing = False
        self._closing.set()
        with self._lock:
            self._lock.notify()

    def close(self, timeout_s: float = 2.0) -> None:
        self.stop_sharing()
        self._closing.set()
        with self._lock:
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(timeout_s)

    # the sender's thread

    def _waiting(self, closing: threading.Event) -> list[dict[str, Any]]:
        """Everything queued, the important messages first; waits up to a beat when nothing is."""
        with self._lock:
            if not self._frames and not self._others and not closing.is_set():
                self._lock.wait(BEAT_S)
            found = list(self._others) + list(self._frames)
            self._others.clear()
            self._frames.clear()
            return found

    def _run(self, closing: threading.Event) -> None:
        from websockets.exceptions import InvalidStatus, WebSocketException
        from websockets.sync.client import connect

        delay = FIRST_RETRY_S
        while not closing.is_set():
            try:
                with connect(
                    self.url,
                    additional_headers={"Authorization": f"Bearer {self._token}"},
                    ssl=self._ssl,
                    open_timeout=5,
                    close_timeout=1,
                    max_size=2**16,
                ) as socket:
                    self.connected, self.problem, delay = True, "", FIRST_RETRY_S
                    threading.Thread(target=self._receive, args=(socket,), name="live actions", daemon=True).start()
                    self._send_until_closed(socket, closing)
                    return
            except InvalidStatus as refused:
                self.problem = f"the clinic refused live sharing (HTTP {refused.response.status_code})"
                if self._closing is closing:  # not a later start's
                    self._sharing = False  # another try would be refused the same way
                return
            except (OSError, TimeoutError, WebSocketException) as error:
                self.problem = (
                    f"live sharing lost the clinic ({str(error).splitlines()[0][:120] or type(error).__name__})"
                )
            finally:
                if self._closing is closing:  # a later start's connection is its own
                    self.connected = False
            closing.wait(delay)
            delay = min(delay * 2, LONGEST_RETRY_S)

    def _send_until_closed(self, socket: Any, closing_event: threading.Event) -> None:
        last = time.monotonic()
        while True:
            closing = closing_event.is_set()
            batch = self._waiting(closing_event)
            for message in batch:
                socket.send(json.dumps(message, separators=(",", ":")))
                self.sent += 1
            if batch:
                last = time.monotonic()
            elif time.monotonic() - last >= BEAT_S:
                socket.send('{"type":"beat"}')
                last = time.monotonic()
            if closing and not batch:
                return

    def _receive(self, socket: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            for text in socket:
                action = parse_action(text)
                if action is not None:
                    self._actions.append(action)
        except ConnectionClosed:
            pass


def parse_action(text: str | bytes) -> LiveAction | None:
    """The clinic's ``{"type": "action", ...}`` as plain data; anything else is None."""
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("type") != "action":
        return None
    try:
        value = float(body["value"]) if body.get("value") is not None else math.nan
        return LiveAction(
            id=int(body.get("id") or 0),
            kind=str(body.get("kind") or ""),
            text=str(body.get("text") or "")[:200],
            value=value,
            reason=str(body.get("reason") or ""),
        )
    except (TypeError, ValueError):
        return None


def offer(
    live: LiveShare, display: Any, make_clock: Callable[[], Any], timeout_s: float, say: Callable[[str], None]
) -> bool:
    """Asks the patient on screen whether to share this session live; starts sharing on yes."""
    from rehab.engine.director import run_scenes
    from rehab.engine.live import ConsentScene

    question = ConsentScene(timeout_s)
    run_scenes(make_clock(), display, question)
    if hasattr(display, "forget_quit"):
        display.forget_quit()  # Esc answered no; it does not stop the session
    if question.answer:
        live.start()
        say("Sharing this session live with your physio (press L in the game to stop).")
        return True
    say("This session is not shared live.")
    return False
