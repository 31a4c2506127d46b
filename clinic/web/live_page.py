"""The live page of a patient (``/patients/{id}/live``): the session at home as it happens.

The page is rendered here; ``static/live.js`` opens the browser's socket (``clinic.live``) and
draws the skeleton, the angle against its goal and ceiling, reps, pain, the scene, the device and
the connection. Who may open it is the patient page's rule; only a physio who may change the
patient gets the controls (and the server refuses actions from anyone else).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from clinic import db
from clinic.auth import audit
from clinic.live import may_act
from clinic.web.deps import WebUser, may_see
from clinic.web.patient_pages import patient_url
from clinic.web.render import page

router = APIRouter(include_in_schema=False)

#: said on the page, as on the patient's screen
PRIVACY = "No camera image leaves the patient's home: only landmarks and angles."


@router.get("/patients/{patient_id}/live", response_class=HTMLResponse)
def live_page(request: Request, patient_id: str, who: WebUser) -> HTMLResponse:
    may_see(request, who, patient_id)
    with db.engine_of(request).begin() as conn:
        acts = may_act(conn, who, patient_id)
        audit(conn, who, "open live page", patient_id)
    url = patient_url(patient_id)
    return page(
        request,
        "live.html",
        patient_id=patient_id,
        url=url,
        socket_path=f"{url}/live/socket",
        can_act=acts,
        privacy=PRIVACY,
    )
