"""A patient's plan versions, read and written through the store: what ``rehab plan`` and a guided
session share. A new version never overwrites an old one; a session remembers the one it followed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from progress.store import PlanVersionRow, Store
from rehab.app.plans import Plan, from_dict
from rehab.app.progression import Change


@dataclass(frozen=True)
class AssignedPlan:
    version: int
    row_id: int
    plan: Plan
    reason: str


def plan_body(plan: Plan, reason: str, changes: list[Change] | None = None) -> dict[str, Any]:
    """What a plan version stores: the plan itself, why this version exists, and the goals the
    reports chart (degrees per movement, where the target is in degrees)."""
    goals = {e.angle_name: e.target_deg for e in plan.exercise if e.target_deg is not None}
    return {
        "plan": plan.to_dict(),
        "reason": reason,
        "goals_deg": goals,
        "changes": [c.__dict__ for c in changes or []],
    }


def assign(
    store: Store,
    patient_id: str,
    plan: Plan,
    created_at: str,
    today: str,
    reason: str,
    changes: list[Change] | None = None,
) -> int:
    """Store a new plan version for the patient (old versions are kept); returns its number."""
    plan = replace(plan, patient=patient_id)
    body = plan_body(plan, reason, changes)
    return store.add_plan_version(patient_id, created_at, today, plan.sessions_per_week, body)


def current_plan(store: Store, patient_id: str) -> AssignedPlan | None:
    """The patient's newest plan version, or None before the first is assigned."""
    row = store.latest_plan_version(patient_id)
    return _assigned(row) if row is not None else None


def plan_by_id(store: Store, plan_id: int) -> AssignedPlan | None:
    """The plan version a stored session followed (``SessionRow.plan_id``), if it is still there."""
    row = store.plan_version_by_id(plan_id)
    return _assigned(row) if row is not None else None


def _assigned(row: PlanVersionRow) -> AssignedPlan:
    plan = from_dict(row.body["plan"], f"plan version {row.version}")
    return AssignedPlan(row.version, row.id, plan, row.body.get("reason", ""))
