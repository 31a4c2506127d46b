"""Live sessions behind a TLS proxy (issue #18): Debian's nginx terminates TLS in front of
``rehab clinic serve`` on loopback, as docs/clinic.md describes, and both WebSockets (the home's
and the physio's browser's, with its ``Origin``) go through it. Skipped, saying why, where nginx is
not installed (``make test`` installs it as root: the ``proxy`` target)."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect
from websockets.typing import Origin

from clinic.web import sessions
from rehab.app.live_share import LiveShare
from tests.clinic_fixtures import (
    ClinicServer,
    _wait_until_answering,
    actions_reaching_home,
    free_port,
    self_signed_certificate,
)
from tests.test_live_sessions import MESSAGE, clinic_with_patient, receive_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

#: the proxy's configuration as docs/clinic.md gives it, with this test's ports and files
CONFIG = """
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $host:$server_port;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1h;
        }}
    }}
}}
"""


def _nginx(folder: Path, upstream: str, cert: Path, key: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(CONFIG.format(folder=folder, port=port, cert=cert, key=key, upstream=upstream))
    log = folder / "nginx.out"
    with log.open("wb") as out:
        process = subprocess.Popen([NGINX, "-c", str(config), "-p", str(folder)], stdout=out, stderr=subprocess.STDOUT)
    url = f"https://127.0.0.1:{port}"
    _wait_until_answering(url, process, folder / "error.log", verify=ssl.create_default_context(cafile=str(cert)))
    return url, process


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (make test installs nginx-light as root)")
def test_live_session_through_an_nginx_tls_proxy(clinic_server: ClinicServer, tmp_path: Path) -> None:
    token, cookie = clinic_with_patient(clinic_server)
    cert, key = self_signed_certificate(tmp_path)
    url, proxy = _nginx(tmp_path, clinic_server.url, cert, key)
    trusted = ssl.create_default_context(cafile=str(cert))
    try:
        seen: list[dict[str, Any]] = []
        host = url.split("://", 1)[1]
        # the browser's socket carries its page's Origin: the server checks it against the Host the
        # proxy passes on, so a proxy that rewrote Host would lock every physio out
        with connect(
            f"wss://{host}/patients/P1/live/socket",
            additional_headers={"Cookie": f"{sessions.COOKIE}={cookie}"},
            origin=Origin(url),
            ssl=trusted,
        ) as viewer:
            receive_until(viewer, lambda m: m == {"type": "status", "home": "waiting"}, seen)
            live = LiveShare(url, token, trusted)
            live.start()
            try:
                for t in range(3):
                    live.send({"type": "frame", "t": float(t), "landmarks": [[0.5, 0.1 * t, 0.9]] * 33})
                got = receive_until(viewer, lambda m: m["type"] == "frame" and m["t"] == 2.0, seen)
                assert got["landmarks"][0] == [0.5, 0.2, 0.9]
                viewer.send(json.dumps({"type": "action", "kind": "message", "text": MESSAGE}))
                assert [(a.kind, a.text) for a in actions_reaching_home(live)] == [("message", MESSAGE)]
            finally:
                live.close()
            receive_until(viewer, lambda m: m.get("home") == "lost" or m.get("sharing") is False, seen)
    finally:
        proxy.terminate()
        proxy.wait()
