"""Live sessions (issue #18) against a real ``rehab clinic serve`` on loopback: SQLite (one process
relays in memory) and, when Debian's PostgreSQL is installed, PostgreSQL (every frame also goes
through LISTEN/NOTIFY, as it does between server processes).

1. ``latency``: one home streaming 30 frames a second with the real sender
   (``rehab.app.live_share.LiveShare``: its thread, its queue, JSON as sent) to one viewer on the
   browser's WebSocket (a websockets client with a login session's cookie: the browser's socket,
   without the drawing). Latency is the viewer's arrival time minus the home's wall clock stamped
   in the frame (``at``); goal: p95 <= 100 ms. Then 20 messages from the viewer, each timed until
   the home's sender holds it (stored and audited on the way); goal: each within a second.
2. ``sessions_50``: 50 homes at 30 Hz, one viewer each, for ``SECONDS`` s, homes and viewers as
   asyncio tasks of this one process (so the client side shares the 2 cores with the server, and
   with PostgreSQL). Goal: p95 <= 150 ms and no backlog: every frame arrives, and the last
   second's p95 is within the goal too (a growing queue would be worst at the end). Beside it: the
   server process's CPU (from /proc; PostgreSQL's own processes not counted), this client
   process's, and the bytes of a frame as relayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests.clinic_fixtures is imported from the repository root
    sys.path.insert(0, str(ROOT))

HZ = 30.0
SECONDS = 10.0
SESSIONS = 50
LATENCY_GOAL_MS = 100.0
MANY_GOAL_MS = 150.0
#: the physio's actions timed from the browser's socket to the home (each stored on the way)
ACTIONS = 20
ACTION_GOAL_MS = 1000.0


def say(text: str) -> None:
    print(f"bench_live: {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def skeleton_frames(count: int) -> list[dict[str, Any]]:
    """A simulated patient's elbow bends as the game sends them (2D landmarks and the angle)."""
    from rehab.engine.live import landmarks_2d
    from rehab.sim.poses import SimulatedSession

    poses = list(SimulatedSession(exercise="elbow_flexion", side="left").frames())
    frames = []
    for n in range(count):
        pose = poses[n % len(poses)]
        frames.append(
            {
                "type": "frame",
                "t": round(n / HZ, 3),
                "landmarks": landmarks_2d(pose),
                "angle": {"name": "elbow_flexion_left", "value": 40.0, "goal": 100.0, "ceiling": 150.0},
                "scene": "play",
                "reps": 2,
                "reps_planned": 8,
                "device": "webcam:0: tracking",
                "set": "Biceps curl, set 1 of 3",
            }
        )
    return frames


def setup(server: Any, patients: int) -> tuple[list[str], list[str]]:
    """``patients`` patients of one physio, each with a device token, and a viewer cookie each."""
    from clinic.db import create_engine
    from clinic.web import sessions

    server.physio("physio@live.test", "team")
    tokens = []
    for n in range(patients):
        server.patient(f"L{n:03d}", "physio@live.test")
        tokens.append(_device_token(server, f"L{n:03d}"))
    engine = create_engine(server.db_url)
    with engine.begin() as conn:
        import sqlalchemy as sa

        user_id = conn.execute(sa.text("select id from users where email = 'physio@live.test'")).scalar_one()
        cookies = [sessions.start(conn, int(user_id)) for _ in range(patients)]
    engine.dispose()
    return tokens, cookies


def _device_token(server: Any, patient: str) -> str:
    """A device token as pairing makes one, written straight to the database: the pairing API allows
    10 an hour per address, and 50 homes here come from one."""
    import uuid

    import sqlalchemy as sa

    from clinic.auth import new_token
    from clinic.db import create_engine

    token, digest = new_token()
    engine = create_engine(server.db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "insert into devices (id, patient_id, name, token_hash, created_at) "
                "values (:id, :p, 'bench home', :h, '2026-12-01T00:00:00+00:00')"
            ),
            {"id": uuid.uuid4().hex, "p": patient, "h": digest},
        )
    engine.dispose()
    return token


def ws_base(url: str) -> str:
    return "ws://" + url.split("://", 1)[1]


def one_home(server: Any, token: str, cookie: str) -> dict[str, object]:
    """The real sender at 30 Hz to one viewer: latency from the home's clock to the viewer's."""
    from websockets.sync.client import connect

    from clinic.web import sessions
    from rehab.app.live_share import LiveShare

    count = int(SECONDS * HZ)
    frames = skeleton_frames(count)
    delays: list[float] = []
    sizes: list[int] = []
    with connect(
        f"{ws_base(server.url)}/patients/L000/live/socket",
        additional_headers={"Cookie": f"{sessions.COOKIE}={cookie}"},
    ) as viewer:

        def read() -> None:
            with contextlib.suppress(Exception):
                for text in viewer:
                    message = json.loads(text)
                    if message.get("type") == "frame":
                        delays.append((time.time() - message["at"]) * 1000)
                        sizes.append(len(text))
                        if len(delays) >= count:
                            return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        live = LiveShare(server.url, token)
        live.start()
        start = time.perf_counter()
        for n, frame in enumerate(frames):
            time.sleep(max(0.0, start + n / HZ - time.perf_counter()))
            live.send(frame)
        reader.join(10)
        actions_ms = []
        for n in range(ACTIONS):  # the physio's message, from the browser's socket to the home's queue
            began = time.perf_counter()
            viewer.send(json.dumps({"type": "action", "kind": "message", "text": f"message {n}"}))
            while len(live.waiting_actions) <= n and time.perf_counter() - began < 5.0:
                time.sleep(0.0005)
            actions_ms.append((time.perf_counter() - began) * 1000)
        live.close()
    warm = delays[int(HZ) :]  # the first second includes connecting
    p95 = percentile(warm, 0.95)
    return {
        "frames_sent": count,
        "frames_received": len(delays),
        "latency_ms_p50": round(percentile(warm, 0.5), 1),
        "latency_ms_p95": round(p95, 1),
        "latency_ms_max": round(max(warm), 1) if warm else None,
        "bytes_per_frame": round(statistics.mean(sizes)) if sizes else None,
        "goal_ms": LATENCY_GOAL_MS,
        "action_to_home_ms_p50": round(percentile(actions_ms, 0.5), 1),
        "action_to_home_ms_max": round(max(actions_ms), 1),
        "action_goal_ms": ACTION_GOAL_MS,
        "pass": p95 <= LATENCY_GOAL_MS and max(actions_ms) <= ACTION_GOAL_MS,
    }


async def _many(server: Any, tokens: list[str], cookies: list[str]) -> dict[str, object]:
    from websockets.asyncio.client import connect

    from clinic.web import sessions

    count = int(SECONDS * HZ)
    texts = [json.dumps(f, separators=(",", ":")) for f in skeleton_frames(int(HZ))]
    delays: list[list[tuple[float, float]]] = [[] for _ in tokens]  # (sent at, delay ms)
    viewers = [
        await connect(
            f"{ws_base(server.url)}/patients/L{n:03d}/live/socket",
            additional_headers={"Cookie": f"{sessions.COOKIE}={cookie}"},
        )
        for n, cookie in enumerate(cookies)
    ]
    homes = [
        await connect(f"{ws_base(server.url)}/api/v1/live/home", additional_headers={"Authorization": f"Bearer {t}"})
        for t in tokens
    ]

    async def watch(n: int) -> None:
        with contextlib.suppress(Exception):
            async for text in viewers[n]:
                if text.startswith('{"type":"frame"'):
                    sent = float(text.rsplit('"at":', 1)[1].rstrip("}"))
                    delays[n].append((sent, (time.time() - sent) * 1000))
                    if len(delays[n]) >= count:
                        return

    async def stream(n: int) -> None:
        start = time.perf_counter()
        for k in range(count):
            await asyncio.sleep(max(0.0, start + k / HZ + n / (HZ * len(tokens)) - time.perf_counter()))
            await homes[n].send(texts[k % len(texts)][:-1] + f',"at":{time.time()}}}')

    pid = server.process.pid
    cpu_before, wall_before, mine_before = _cpu(pid), time.perf_counter(), time.process_time()
    watchers = [asyncio.create_task(watch(n)) for n in range(len(tokens))]
    await asyncio.gather(*(stream(n) for n in range(len(tokens))))
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.gather(*watchers), timeout=15)
    cpu_after, wall = _cpu(pid), time.perf_counter() - wall_before
    client_cpu = time.process_time() - mine_before
    for socket in homes + viewers:
        await socket.close()
    every = [d for per in delays for _sent, d in per]
    first_sent = min((s for per in delays for s, _d in per), default=0.0)
    last_sent = max((s for per in delays for s, _d in per), default=0.0)
    first_second = [d for per in delays for s, d in per if 1.0 <= s - first_sent < 2.0]
    last_second = [d for per in delays for s, d in per if s >= last_sent - 1.0]
    steady = [d for per in delays for s, d in per if s - first_sent >= 2.0]
    received = len(every)
    p95 = percentile(every, 0.95)
    # a backlog would grow to the end: every frame arrived, and the last second is within the goal
    no_backlog = received == count * len(tokens) and percentile(last_second, 0.95) <= MANY_GOAL_MS
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {
        "sessions": len(tokens),
        "frames_sent": count * len(tokens),
        "frames_received": received,
        "latency_ms_p50": round(percentile(every, 0.5), 1),
        "latency_ms_p95": round(p95, 1),
        "latency_ms_p95_first_second": round(percentile(first_second, 0.95), 1),
        "latency_ms_p95_last_second": round(percentile(last_second, 0.95), 1),
        "latency_ms_p95_after_2_s": round(percentile(steady, 0.95), 1),
        "server_cpu_share_of_one_core": round(cpu / wall, 2) if cpu is not None else None,
        "server_cpu_us_per_frame": round(cpu / (count * len(tokens)) * 1e6, 1) if cpu is not None else None,
        "client_cpu_share_of_one_core": round(client_cpu / wall, 2),
        "bytes_per_frame": len(texts[0]) + len(',"at":1796669708.3260767'),
        "no_backlog": no_backlog,
        "goal_ms": MANY_GOAL_MS,
        "pass": no_backlog and p95 <= MANY_GOAL_MS,
    }


def _cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(db_url: str, folder: Path) -> dict[str, object]:
    from tests.clinic_fixtures import start_clinic_server

    server = start_clinic_server(db_url, folder)
    try:
        tokens, cookies = setup(server, SESSIONS)
        say("one home at 30 Hz")
        results: dict[str, object] = {"latency": one_home(server, tokens[0], cookies[0])}
        say(f"{SESSIONS} homes at 30 Hz, one viewer each")
        results["sessions_50"] = asyncio.run(_many(server, tokens, cookies))
        return results
    finally:
        server.stop()


def run() -> dict[str, object]:
    import os

    from tests.clinic_fixtures import PostgresMissing, start_postgres

    results: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "goals": {"latency_ms_p95": LATENCY_GOAL_MS, "sessions_50_latency_ms_p95": MANY_GOAL_MS},
    }
    with tempfile.TemporaryDirectory(prefix="rehab-bench-live-") as name:
        folder = Path(name)
        say("SQLite")
        results["sqlite"] = measure(f"sqlite:///{folder / 'sqlite' / 'clinic.sqlite3'}", folder / "sqlite")
        try:
            postgres = start_postgres()
        except (PostgresMissing, RuntimeError) as missing:
            results["postgresql"] = f"skipped: {missing}"
            return results
        try:
            say("PostgreSQL")
            results["postgresql"] = measure(postgres.create_database("clinic_bench_live"), folder / "postgresql")
        finally:
            postgres.stop()
    sqlite = results["sqlite"]
    assert isinstance(sqlite, dict)
    results["latency_ms_p95"] = sqlite["latency"]["latency_ms_p95"]
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
