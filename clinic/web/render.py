"""Server-rendered pages: Jinja2 templates with autoescaping on (user text is always escaped), one
base layout, and the few values every page needs (the user, the CSRF token, the navigation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).resolve().parent
#: autoescape on for every template: notes, names and messages are user text
ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
templates = Jinja2Templates(env=ENV)


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``name`` rendered with ``context`` and the signed-in user (``request.state.web``), if any."""
    web = getattr(request.state, "web", None)
    base = {"user": web.who if web else None, "csrf": web.csrf if web else "", "path": request.url.path}
    response = templates.TemplateResponse(request, name, {**base, **context}, status_code=status)
    # patients' data must not stay in the browser's cache: the back button after logout, or the next
    # user of a shared clinic computer, would show it again without asking the server
    response.headers["Cache-Control"] = "no-store"
    return response
