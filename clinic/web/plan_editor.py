"""The plan editor (``/patients/{id}/plan``): a form over the same plan as the TOML files, checked
by the same validator as ``rehab plan validate``, saved as the patient's next version with a reason.

The form is written out as TOML (``plan_toml``) and handed to ``clinic.plans.check_plan``: the
very code the API's POST /api/v1/patients/{id}/plans and the command line use, so no rule lives
twice. Nothing is saved while any problem remains; each is shown at its field. Adding or removing a
row re-renders the form and saves nothing. The current version downloads as TOML, and a TOML file
uploads into the form (checked, shown, not saved).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import tomllib
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Connection
from starlette.datastructures import UploadFile

from clinic import db, plans
from clinic.api_plans import PLAN_MAX_CHARS
from clinic.auth import Principal, audit, patient_access
from clinic.errors import NotFound
from clinic.web import plan_form
from clinic.web.deps import Csrf, WebUser, may_see, staff
from clinic.web.patient_pages import patient_url
from clinic.web.plan_form import PlanForm, Shown
from clinic.web.plan_toml import dumps
from clinic.web.render import page
from rehab.app.plans import PlanError, Problem, fill_patient, template_names, template_summary, template_text

router = APIRouter(include_in_schema=False)

#: a plan is written by a physio (own and team's patients), as through the API; a clinician and an
#: admin read it (prescribing is a physio's work)
Writer = Annotated[Principal, Depends(staff("physio"))]
#: the longest reason kept with a version, as the API allows
REASON_MAX = 500
#: the longest file taken by the import (a plan is a few kilobytes)
UPLOAD_MAX_BYTES = 4 * PLAN_MAX_CHARS


# -- what the page shows -------------------------------------------------------------------------------


def _measure_titles() -> dict[str, str]:
    from rehab.core.questionnaires import INSTRUMENTS

    return {key: str(getattr(found, "title", key)) for key, found in INSTRUMENTS.items()}


def _templates() -> list[tuple[str, str]]:
    return [(name, template_summary(name)) for name in template_names()]


def _origin(version: plans.PlanVersion) -> str:
    where = "at the clinic" if version.origin == "server" else "at home"
    reason = f": {version.reason}" if version.reason else ""
    return f"version {version.version} of {version.effective_from}, made {where} by {version.created_by}{reason}"


def _render(
    request: Request,
    patient_id: str,
    form: PlanForm,
    status: int = 200,
    found: Shown | None = None,
    **context: Any,
) -> HTMLResponse:
    defaults: dict[str, Any] = {"source": "", "template": "", "focus": "", "notice": "", "has_version": False}
    return page(
        request,
        "plan_edit.html",
        status=status,
        **(defaults | context),
        patient_id=patient_id,
        url=patient_url(patient_id),
        form=form,
        found=found or Shown(),
        choices=plan_form.choices(plans.installed_games(), _measure_titles()),
        templates=_templates(),
        fid=plan_form.field_id,
        reason_max=REASON_MAX,
    )


def _newest(conn: Connection, patient_id: str) -> plans.PlanVersion | None:
    versions = plans.plan_versions(conn, patient_id)
    return versions[-1] if versions else None


def _template_form(name: str, patient_id: str, based_on: int) -> PlanForm:
    if name not in template_names():
        raise NotFound(f"there is no plan template named {name!r}")
    return plan_form.from_plan(tomllib.loads(fill_patient(template_text(name), patient_id)), based_on)


# -- the editor ------------------------------------------------------------------------------------


@router.get("/patients/{patient_id}/plan", response_class=HTMLResponse)
def edit_plan(patient_id: str, request: Request, who: Writer, template: str = "") -> HTMLResponse:
    """The form filled from the patient's newest plan version (the one the home follows), or from a
    template when asked (or when there is no version yet)."""
    may_see(request, who, patient_id, write=True)
    with db.engine_of(request).begin() as conn:
        newest = _newest(conn, patient_id)
        based_on = newest.version if newest else 0
        if template:
            form = _template_form(template, patient_id, based_on)
            source = f"the template “{template_summary(template)}”"
        elif newest is not None:
            form, source = plan_form.from_plan(newest.plan, based_on), _origin(newest)
        else:
            form, source = PlanForm(exercises=(plan_form.ExerciseRow(plan_form.NEW_EXERCISE),)), ""
        audit(conn, who, "web view plan", patient_id, f"template {template}" if template else None)
    return _render(request, patient_id, form, source=source, template=template, has_version=newest is not None)


def _posted(form: Any) -> dict[str, str]:
    """The posted text fields (an uploaded file is read on its own)."""
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _problems(form: PlanForm, patient_id: str) -> tuple[Any, Shown]:
    """The plan the form makes, or None and every problem at its field (the reason included)."""
    text = dumps(plan_form.to_plan(form, patient_id))
    checked = None
    problems: list[Problem] = []
    try:
        checked = plans.check_plan(text, patient_id)
    except PlanError as error:
        problems = error.problems
    found = plan_form.shown(form, problems)
    reason = form.reason.strip()
    if not reason:
        message = "Give a reason for this version: the team reads it in the plan history, and the home with the plan."
        found = plan_form.with_problem(found, "reason", message)
    elif len(reason) > REASON_MAX:
        found = plan_form.with_problem(
            found, "reason", f"A reason is at most {REASON_MAX} characters; this one has {len(reason)}."
        )
    if len(text) > PLAN_MAX_CHARS:
        found = plan_form.with_problem(found, "exercise", f"The plan is longer than {PLAN_MAX_CHARS} characters.")
    return (None if found else checked), found


@router.post("/patients/{patient_id}/plan", dependencies=[Csrf])
async def save_plan(patient_id: str, request: Request, who: Writer) -> Response:
    """Save the form as the next version (303 to the patient page), or show it again: with a row
    added or removed (``action``), or with every problem at its field (422), nothing saved."""
    may_see(request, who, patient_id, write=True)
    posted = _posted(await request.form())
    form = plan_form.from_form(posted)
    action = posted.get("action", "save")
    if action != "save":
        changed, focus = plan_form.apply_action(form, action)
        return _render(request, patient_id, changed, focus=focus, has_version=form.based_on > 0)
    plan, found = _problems(form, patient_id)
    with db.engine_of(request).begin() as conn:
        patient_access(conn, who, patient_id, write=True)
        if plan is None:
            audit(conn, who, "web view plan", patient_id, f"plan refused: {len(found.summary)} problems")
            return _render(request, patient_id, form, 422, found, focus="problems", has_version=form.based_on > 0)
        newest = _newest(conn, patient_id)
        if newest is not None and newest.version != form.based_on:
            # a version made since the form was opened (a progression at home, a colleague's edit)
            # would be replaced unseen: say so, and let a second save replace it knowingly
            text = f"Version {newest.version} was made after you opened this plan ({_origin(newest)}). "
            text += "Look at it in the plan history; save again to replace it with this form."
            moved = Shown(summary=((text, ""),))
            audit(conn, who, "web view plan", patient_id, f"plan refused: version {newest.version} made meanwhile")
            again = replace(form, based_on=newest.version)
            return _render(request, patient_id, again, 409, moved, focus="problems", has_version=True)
        now = db.now_iso(conn)
        reason = form.reason.strip()
        version = plans.assign_plan(conn, patient_id, plan, reason, who.name, now, now[:10])
        audit(conn, who, f"assign plan v{version.version}", patient_id, reason)
    return RedirectResponse(f"{patient_url(patient_id)}?saved=plan-{version.version}#plans", status_code=303)


async def _upload_text(upload: Any) -> tuple[str, str]:
    """The uploaded file's name and text; ValueError (one sentence) when there is none or it is unreadable."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValueError("Choose a TOML plan file to import.")
    data = await upload.read(UPLOAD_MAX_BYTES + 1)
    if len(data) > UPLOAD_MAX_BYTES:
        raise ValueError(f"{upload.filename} is too large for a plan (more than {UPLOAD_MAX_BYTES // 1000} kB).")
    try:
        return upload.filename, data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{upload.filename} is not UTF-8 text, so it is not a plan file.") from None


@router.post("/patients/{patient_id}/plan/import", dependencies=[Csrf])
async def import_plan(patient_id: str, request: Request, who: Writer) -> Response:
    """Fill the form from an uploaded TOML plan, checked as ``rehab plan validate`` checks it; the
    problems are shown at their fields and nothing is saved until the physio saves the form."""
    may_see(request, who, patient_id, write=True)
    raw = await request.form()
    form = plan_form.from_form(_posted(raw))
    has_version = form.based_on > 0
    try:
        name, text = await _upload_text(raw.get("plan_file"))
        data = tomllib.loads(text)
    except ValueError as problem:  # tomllib.TOMLDecodeError is a ValueError too
        message = str(problem) if not isinstance(problem, tomllib.TOMLDecodeError) else _syntax(problem)
        found = plan_form.with_problem(Shown(), "plan_file", message)
        return _render(request, patient_id, form, 422, found, focus="problems", has_version=has_version)
    imported = plan_form.from_plan(data, form.based_on)
    imported = replace(imported, reason=form.reason)
    try:
        plans.check_plan(text, patient_id)
        found = Shown()
    except PlanError as error:
        found = plan_form.shown(imported, error.problems, with_lines=True)
    with db.engine_of(request).begin() as conn:
        audit(conn, who, "web view plan", patient_id, f"imported {name[:100]}, not saved")
    count = len(found.summary)
    notice = f"Imported {name}. Nothing is saved until you save the form"
    notice += f"; fix the {count} problem{'s' if count != 1 else ''} first." if count else "."
    status = 422 if found else 200
    return _render(request, patient_id, imported, status, found, notice=notice, has_version=has_version)


def _syntax(error: tomllib.TOMLDecodeError) -> str:
    return f"The file is not valid TOML ({error}); fix it in a text editor, or check it with 'rehab plan validate'."


@router.get("/patients/{patient_id}/plan.toml")
def export_plan(patient_id: str, request: Request, who: WebUser) -> Response:
    """The newest plan version as a TOML file: what ``rehab plan validate`` and the import read."""
    may_see(request, who, patient_id)
    with db.engine_of(request).begin() as conn:
        newest = _newest(conn, patient_id)
        if newest is None:
            raise NotFound(f"patient {patient_id!r} has no plan yet")
        audit(conn, who, "web export plan", patient_id, f"version {newest.version}")
    head = f"# Plan version {newest.version} of patient {patient_id}, from {newest.effective_from}"
    head += f" ({'the clinic' if newest.origin == 'server' else 'home'})\n"
    body = head + dumps(_tidy({**newest.plan, "patient": patient_id}))
    filename = f"plan-{_safe(patient_id)}-v{newest.version}.toml"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, media_type="application/toml; charset=utf-8", headers=headers)


#: the order a physio reads a plan in (what the templates use); keys not listed follow in their own order
KEY_ORDER: tuple[str, ...] = ("schema", "title", "patient", "sessions_per_week", "notes", "safety", "name", "game")
KEY_ORDER += ("movement", "side", "input", "sets", "reps", "hold_s", "rest_s", "target_deg", "target_percent")
KEY_ORDER += ("ceiling_deg", "calibrate")


def _tidy(value: Any) -> Any:
    """A stored plan for reading: keys in the templates' order, 90.0 written 90 (the validator reads
    a whole number wherever it reads a number, so the plan is the same)."""
    if isinstance(value, dict):
        rank = {key: i for i, key in enumerate(KEY_ORDER)}
        keys = sorted(value, key=lambda k: rank.get(k, len(rank)))
        return {key: _tidy(value[key]) for key in keys}
    if isinstance(value, list):
        return [_tidy(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:64]
