"""The web app for physiotherapists and clinicians, served by the clinic server itself.

Pages are rendered on the server (Jinja2) with a little JavaScript; every script, stylesheet and
chart library is served from this package or an installed one (plotly's own bundle): no CDN, so a
clinic without internet access works the same. ``install`` adds the pages and the static files.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

#: the web app's parts; one not written yet is skipped
PAGES = (
    "clinic.web.auth_pages",
    "clinic.web.caseload",
    "clinic.web.patient_pages",
    "clinic.web.live_page",
    "clinic.web.plan_editor",
    "clinic.web.admin_pages",
)
STATIC = Path(__file__).resolve().parent / "static"


def plotly_js() -> Path:
    """plotly.js as shipped inside the installed plotly wheel (served at /static/vendor/plotly.min.js)."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def install(app: FastAPI) -> None:
    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_bundle() -> FileResponse:
        # the same file until plotly is upgraded: browsers may keep it for a day
        return FileResponse(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for name in PAGES:
        if importlib.util.find_spec(name) is not None:
            app.include_router(importlib.import_module(name).router)
