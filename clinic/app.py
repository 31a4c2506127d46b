"""The clinic's ASGI application: the API routers that are installed, JSON errors for everything,
and a request body limit.

Every error a client can get is ``{"error": "one plain sentence"}`` with its status: our own errors,
unknown routes (404), wrong methods (405), bodies that do not validate (422), bodies too large (413)
and bugs (500, with the traceback in the server's log only). Only the OpenAPI JSON is served; the
interactive docs pages load scripts from a CDN, which the project does not use (issue #15).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic.config import ClinicConfig
from clinic.db import engine_for
from clinic.errors import ClinicError
from rehab.core.errors import NotFoundError, RehabError
from rehab.core.version import __version__

#: the API's parts; one not written yet (or left out of an installation) is skipped
ROUTERS = (
    "clinic.api_accounts",
    "clinic.api_patients",
    "clinic.api_sync",
    "clinic.api_plans",
    "clinic.api_reports",
    "clinic.live",
)
API = "/api/v1"
log = logging.getLogger("clinic")

_REASONS = {404: "there is no such endpoint", 405: "this endpoint does not take that method"}


def create_app(config: ClinicConfig) -> FastAPI:
    """The app on ``config``'s database (its schema is not upgraded here: ``clinic.server`` does)."""
    app = FastAPI(
        title="rehab clinic",
        version=__version__,
        openapi_url=f"{API}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.config = config
    app.state.engine = engine_for(config)
    for name in ROUTERS:
        if importlib.util.find_spec(name) is not None:
            app.include_router(importlib.import_module(name).router)
    from clinic import web

    web.install(app)
    _install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1000)  # plotly's bundle: 4.8 MB, 1.4 MB gzipped
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    return app


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RehabError, _rehab_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _bug)


def _for_people(request: Request) -> bool:
    """A web page's request (answered with an HTML page), not the API's or an EHR's (JSON)."""
    path = request.url.path
    return not (path.startswith(("/api/", "/fhir/")) or path == "/fhir")


def _answer(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if not _for_people(request):
        return error(status, message, headers)
    from clinic.web.render import page

    return page(request, "error.html", status=status, status_code=status, message=message)


async def _rehab_error(request: Request, exc: Exception) -> Response:
    location = getattr(exc, "location", None)
    if location and _for_people(request):  # a page that needs a login: go and log in
        return RedirectResponse(location, status_code=303)
    status = exc.status if isinstance(exc, ClinicError) else 404 if isinstance(exc, NotFoundError) else 400
    return _answer(request, status, str(exc) or "the request was refused")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    # Starlette's own 404/405 details are bare status phrases ("Not Found"): say what they mean
    message = _REASONS.get(exc.status_code) if detail in ("Not Found", "Method Not Allowed") else detail
    return _answer(request, exc.status_code, message or "the request was refused", getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return _answer(request, 422, describe_validation(exc.errors()))


def describe_validation(errors: Any) -> str:
    """Pydantic's list of problems as one sentence: 'the request is not valid: body.email: Field required'."""
    parts = []
    for problem in list(errors)[:3]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {problem.get('msg', 'not valid')}")
    more = "" if len(list(errors)) <= 3 else f" (and {len(list(errors)) - 3} more)"
    return "the request is not valid: " + "; ".join(parts) + more


async def _bug(request: Request, exc: Exception) -> Response:
    log.error("error in %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(request, 500, "the server failed on this request; it is in the server's log")


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses bodies over ``max_bytes`` with 413: at once from Content-Length, else while reading
    (a chunked body cannot say its size in advance). FastAPI turns an exception raised while it
    reads a body into its own 400, so a body found too large mid-way is remembered, and whatever
    answer the app then starts is replaced by the 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refusal()(scope, receive, send)
            return
        request = _Counted(self.max_bytes, receive, send, self._refusal())
        try:
            await self.app(scope, request.receive, request.send)
        except _TooLarge:
            if not request.started:
                await self._refusal()(scope, receive, send)

    def _refusal(self) -> JSONResponse:
        limit_mb = self.max_bytes / (1024 * 1024)
        return error(413, f"the request body is larger than the server takes ({limit_mb:g} MB)")


class _Counted:
    """One request's receive and send, counting the body and swapping the answer for a 413."""

    def __init__(self, max_bytes: int, receive: Receive, send: Send, refusal: JSONResponse) -> None:
        self.max_bytes, self._receive, self._send, self.refusal = max_bytes, receive, send, refusal
        self.seen = 0
        self.too_large = False
        self.started = False

    async def receive(self) -> Message:
        message = await self._receive()
        self.seen += len(message.get("body", b""))
        if self.seen > self.max_bytes:
            self.too_large = True
            raise _TooLarge
        return message

    async def send(self, message: Message) -> None:
        if not self.too_large:
            self.started = self.started or message["type"] == "http.response.start"
            await self._send(message)
            return
        if message["type"] == "http.response.start" and not self.started:
            self.started = True
            await self._send({"type": "http.response.start", "status": 413, "headers": self.refusal.raw_headers})
            await self._send({"type": "http.response.body", "body": self.refusal.body})
