"""``rehab clinic``: run the clinic server and manage it from the command line on the server.

The group is built from parts: this module's ``serve``, then each module of ``PARTS`` that exists
(accounts and patients; plans and messages; reports), each adding its sub-commands with
``add_commands(subparsers)`` and setting ``clinic_run``. Every sub-command takes ``--db URL``.
Only the standard library is imported at module level, so ``rehab --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util

PARTS = ("clinic.cli_accounts", "clinic.cli_plans", "clinic.cli_reports")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from clinic.config import add_db_argument

    actions = parser.add_subparsers(dest="clinic_action", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve",
        help="run the clinic server (HTTP API for homes, physios and clinicians)",
        description="Run the clinic server. The database schema is brought up to date first.",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1: this machine only)",
    )
    serve.add_argument("--port", type=int, default=8765, help="TCP port (default: 8765)")
    serve.add_argument("--certfile", metavar="FILE", help="TLS certificate (PEM), with --keyfile: serve HTTPS")
    serve.add_argument("--keyfile", metavar="FILE", help="TLS private key (PEM)")
    serve.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow plain HTTP on a non-loopback address (only behind a TLS-terminating proxy)",
    )
    add_db_argument(serve)
    serve.set_defaults(clinic_run=_serve)
    for name in PARTS:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).add_commands(actions)


def run(args: argparse.Namespace) -> int:
    return int(args.clinic_run(args))


def _serve(args: argparse.Namespace) -> int:
    from pathlib import Path

    from clinic.config import config_from_args
    from clinic.server import ServeOptions, serve

    options = ServeOptions(
        host=args.host,
        port=args.port,
        certfile=Path(args.certfile) if args.certfile else None,
        keyfile=Path(args.keyfile) if args.keyfile else None,
        insecure_http=args.insecure_http,
    )
    serve(config_from_args(args), options)
    return 0
