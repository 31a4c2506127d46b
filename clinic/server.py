"""Running the clinic server: uvicorn on the app, the schema upgraded first, TLS when asked.

Plain HTTP is served only on a loopback address (this machine alone can reach it): anywhere else
tokens and patients' data would cross the network readable, so a public address needs
``--certfile/--keyfile``, or ``--insecure-http`` when a TLS proxy in front of it does the encryption.
"""

from __future__ import annotations

import gc
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from clinic.config import ClinicConfig
from clinic.errors import ClinicError
from rehab.core.errors import NotFoundError, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@dataclass(frozen=True)
class ServeOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    certfile: Path | None = None
    keyfile: Path | None = None
    insecure_http: bool = False


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def check_options(options: ServeOptions) -> None:
    """Refuses, before anything starts, TLS half given, missing files and plain HTTP on the network."""
    if (options.certfile is None) != (options.keyfile is None):
        raise UsageError("give both --certfile and --keyfile for TLS, or neither")
    for path in (options.certfile, options.keyfile):
        if path is not None and not path.is_file():
            raise NotFoundError(f"{path}: no such file")
    if not 0 <= options.port <= 65535:
        raise UsageError(f"port {options.port} is not a TCP port (0-65535)")
    tls = options.certfile is not None
    if not tls and not options.insecure_http and not is_loopback(options.host):
        raise ClinicError(
            f"refusing plain HTTP on {options.host}: tokens and patient data would cross the network unencrypted; "
            "give --certfile and --keyfile, or --insecure-http when a TLS proxy sits in front"
        )


def serve(config: ClinicConfig, options: ServeOptions) -> None:
    """Upgrades the schema, then serves until interrupted."""
    import uvicorn

    from clinic.app import create_app
    from clinic.db import upgrade

    check_options(options)
    app = create_app(config)
    upgrade(app.state.engine)
    # the modules and objects made so far live as long as the server: out of the collector's full
    # passes, which otherwise walked them all every other caseload view (some 70 ms each time)
    gc.freeze()
    uvicorn.run(
        app,
        host=options.host,
        port=options.port,
        ssl_certfile=str(options.certfile) if options.certfile else None,
        ssl_keyfile=str(options.keyfile) if options.keyfile else None,
        proxy_headers=False,  # client addresses feed the rate limits: never take them from a header
        log_level="info",
    )
