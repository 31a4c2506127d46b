"""Live sessions through TLS (issue #18): the home's sender and the physio's browser socket reach a
``rehab clinic serve --certfile --keyfile`` over ``wss://``, the same TLS the sync uses; a home that
does not trust the server's certificate sends nothing and says why in one line."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from clinic.web import sessions
from rehab.app.live_share import LiveShare
from tests.clinic_fixtures import (
    ClinicServer,
    _wait_until_answering,
    actions_reaching_home,
    free_port,
    self_signed_certificate,
)
from tests.test_live_sessions import MESSAGE, PATIENCE_S, clinic_with_patient, receive_until


def _tls_server(db_url: str, folder: Path, cert: Path, key: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """``rehab clinic serve`` with TLS on the clinic's database (the accounts are already there)."""
    port = free_port()
    log = folder / "tls-server.log"
    code = "import sys; from rehab.app import cli; sys.exit(cli.main(sys.argv[1:]))"
    argv = ["--home", str(folder / "home"), "clinic", "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--db", db_url, "--certfile", str(cert), "--keyfile", str(key)]
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", code, *argv], stdout=out, stderr=subprocess.STDOUT)
    url = f"https://127.0.0.1:{port}"
    _wait_until_answering(url, process, log, verify=ssl.create_default_context(cafile=str(cert)))
    return url, process


def test_live_session_through_tls(clinic_server: ClinicServer, tmp_path: Path) -> None:
    token, cookie = clinic_with_patient(clinic_server)
    cert, key = self_signed_certificate(tmp_path)
    url, process = _tls_server(clinic_server.db_url, tmp_path, cert, key)
    trusted = ssl.create_default_context(cafile=str(cert))
    try:
        seen: list[dict[str, Any]] = []
        socket_url = "wss://" + url.split("://", 1)[1] + "/patients/P1/live/socket"
        headers = {"Cookie": f"{sessions.COOKIE}={cookie}"}
        with connect(socket_url, additional_headers=headers, ssl=trusted) as viewer:
            receive_until(viewer, lambda m: m == {"type": "status", "home": "waiting"}, seen)
            live = LiveShare(url, token, trusted)
            assert live.url.startswith("wss://")
            live.start()
            try:
                live.send({"type": "frame", "t": 1.0, "landmarks": [[0.5, 0.25, 0.9]] * 33})
                got = receive_until(viewer, lambda m: m["type"] == "frame", seen)
                assert got["landmarks"][0] == [0.5, 0.25, 0.9]
                viewer.send(json.dumps({"type": "action", "kind": "message", "text": MESSAGE}))
                assert [(a.kind, a.text) for a in actions_reaching_home(live)] == [("message", MESSAGE)]
            finally:
                live.close()

        # a home that does not trust this certificate (the system's CAs only) never gets through
        untrusting = LiveShare(url, token, ssl.create_default_context())
        untrusting.start()
        try:
            untrusting.send({"type": "frame", "t": 2.0, "landmarks": [[0.5, 0.5, 0.9]] * 33})
            deadline = time.monotonic() + PATIENCE_S
            while not untrusting.problem and time.monotonic() < deadline:
                time.sleep(0.05)
            assert untrusting.problem.startswith("live sharing lost the clinic (")
            assert "certificate" in untrusting.problem.lower() and "\n" not in untrusting.problem
            assert untrusting.sent == 0 and not untrusting.connected
        finally:
            untrusting.close()
    finally:
        process.terminate()
        process.wait()
