"""Report data of issue #13: adherence in guided sessions, statuses, mental measures apart from
angles, outcome scores, the first page's glance. Each test builds the data that shows one mistake."""

from datetime import date, timedelta

import pytest

from progress.reports.data import STATUS_TEXT, load_report
from progress.store import Store
from rehab.core.types import RepMetrics
from rehab.sim.history import make_history

NOW = "2026-11-25T15:00:00+00:00"
MONDAY = date(2026, 11, 2)


def _rep(index: int, peak: float) -> RepMetrics:
    return RepMetrics(
        index=index,
        t_start=4.0 * index,
        t_end=4.0 * index + 3,
        start_deg=5.0,
        peak_deg=peak,
        rom_deg=peak - 5,
        hold_s=1.0,
        duration_s=3.0,
        peak_velocity_dps=100.0,
        target_deg=90.0,
        success=peak >= 90,
        smoothness_sparc=-1.7,
        compensations=(),
    )


def _guided(store: Store, patient: str, day: date, plan_id: int, parts: int, status: str = "completed") -> str:
    at = f"{day}T10:00:00+00:00"
    visit = store.start_visit(patient, at, plan_id)
    ids = []
    for part in range(parts):
        session = store.start_session(
            patient, at, "lift", "knee_flexion_right", "right", "sim:", 90.0, plan_id, "physical", visit
        )
        store.add_rep(session, _rep(1, 80.0 + part))
        ids.append(session)
    store.finish_unfinished(ids, at, "completed" if status == "completed" else "stopped")
    store.end_visit(
        visit, at, "completed" if status == "completed" else "stopped", None if status == "completed" else status
    )
    return visit


def _free_play(store: Store, patient: str, day: date, game: str = "lift", movement: str = "knee_flexion_right") -> int:
    at = f"{day}T18:00:00+00:00"
    session = store.start_session(patient, at, game, movement, "right", "sim:", 90.0)
    store.add_rep(session, _rep(1, 95.0))
    store.finish_session(session, at, "stopped")
    return session


def _plan(store: Store, patient: str, per_week: int, day: date = MONDAY) -> int:
    store.add_plan_version(patient, f"{day}T08:00:00+00:00", day.isoformat(), per_week, {"goals_deg": {}})
    return store.plan_versions(patient)[-1].id


def test_adherence_counts_guided_sessions_not_their_parts_nor_free_play():
    # wrong before: "21 sessions done of 13 prescribed (163%)" counted each stored part and free play
    store = Store.memory()
    plan = _plan(store, "P-1", 6)
    _guided(store, "P-1", MONDAY, plan, parts=3)
    _guided(store, "P-1", MONDAY + timedelta(days=2), plan, parts=3)
    _free_play(store, "P-1", MONDAY + timedelta(days=1))
    _free_play(store, "P-1", MONDAY + timedelta(days=3))
    data = load_report(store, "P-1", NOW, MONDAY, MONDAY + timedelta(days=6))
    adherence = data.adherence
    assert (adherence.prescribed, adherence.done, adherence.free_play_sessions) == (6, 2, 2)
    assert adherence.percent == pytest.approx(100 * 2 / 6)
    assert adherence.text() == "2 of 6 prescribed sessions done (33%)"
    assert [(w.week_start, w.prescribed, w.done) for w in adherence.weeks] == [(MONDAY, 6, 2)]
    assert data.glance.adherence == adherence


def test_adherence_above_prescribed_says_so_and_partial_weeks_are_prorated():
    store = Store.memory()
    plan = _plan(store, "P-2", 7)
    for offset in range(2, 7):  # Wednesday to Sunday, twice a day
        _guided(store, "P-2", MONDAY + timedelta(days=offset), plan, parts=1)
        _guided(store, "P-2", MONDAY + timedelta(days=offset), plan, parts=1)
    data = load_report(store, "P-2", NOW, MONDAY + timedelta(days=2), MONDAY + timedelta(days=6))
    assert data.adherence.prescribed == 5  # 5 of the week's 7 days: 7 * 5 / 7
    assert data.adherence.percent == pytest.approx(200.0)  # the real percent, not capped
    assert data.adherence.text().endswith("(200%): more than prescribed")


def test_every_status_is_read_from_its_guided_session():
    store = Store.memory()
    make_history(store, "P-K", date(2026, 9, 7), 21, kind="physical")
    data = load_report(store, "P-K", NOW)
    visits = {v.status for v in data.visits}
    assert visits == {"completed", "stopped_for_pain", "pain_too_high", "device_lost", "stopped_by_patient"}
    sessions = {s.status_key for s in data.sessions}
    assert sessions == {"completed", "stopped_for_pain", "device_lost", "stopped_by_patient", "free_play"}
    assert sessions | visits <= set(STATUS_TEXT)
    too_high = next(v for v in data.visits if v.status == "pain_too_high")
    assert too_high.session_ids == () and too_high.pain_before == 9.0
    stopped = next(v for v in data.visits if v.status == "stopped_for_pain")
    assert {s.status_key for s in data.sessions if s.session_id in stopped.session_ids} == {"stopped_for_pain"}
    assert data.adherence.stopped_for_safety == 3 and data.adherence.not_started == 1
    assert data.glance.stopped_for_safety == 3


def test_a_mental_session_never_becomes_an_angle():
    # wrong before: a free breathing game (kind not marked) gave a "Breath" chart in degrees
    store = Store.memory()
    breathe = _free_play(store, "P-3", MONDAY, game="breathe", movement="breath")
    store.set_summary(breathe, {"breaths": 13, "mean_rate_bpm": 6.4, "pace_bpm": 6.0, "rate_by_minute_bpm": [8, 6.5]})
    _free_play(store, "P-3", MONDAY)
    data = load_report(store, "P-3", NOW)
    assert data.movements == ["knee_flexion_right"]
    mental = next(s for s in data.sessions if s.session_id == breathe)
    assert mental.kind == "mental" and mental.best_peak_deg is None and mental.reps == 0
    assert all(rep.session_id != breathe for rep in data.reps)
    assert [(m.breaths, m.mean_rate_bpm, m.pace_bpm) for m in data.mental] == [(13, 6.4, 6.0)]
    assert [g.movement for g in data.glance.movements] == ["knee_flexion_right"]
    # the breathing-rate chart has the session even without a stored stream (its minute rates)
    assert data.breathing[breathe] == ((30.0, 90.0), (8, 6.5))


def test_mental_measures_come_from_summaries_and_ratings():
    store = Store.memory()
    make_history(store, "P-M", date(2026, 9, 7), 14, kind="mental")
    data = load_report(store, "P-M", NOW)
    assert data.movements == [] and data.glance.movements == () and data.reps == ()
    breathing = [m for m in data.mental if m.game == "breathe"]
    exposure = [m for m in data.mental if m.game == "exposure"]
    assert breathing and exposure and len(data.breathing) == len(breathing)
    first = breathing[0]
    assert first.pace_bpm == 6.0 and first.breaths and first.mean_rate_bpm and first.stress_before is not None
    assert first.stress_after == first.stress_before - 2 and first.minutes == pytest.approx(6.0)
    assert all(m.suds_before == 40.0 and m.suds_after == 20.0 for m in exposure)
    assert all(m.suds_peak is not None and m.suds_peak > 40 and m.highest_level for m in exposure)


def test_outcome_scores_and_the_self_harm_flag_reach_the_glance():
    store = Store.memory()
    make_history(store, "P-X", date(2026, 9, 7), 42, kind="mixed")
    data = load_report(store, "P-X", NOW)
    measures = [o.measure for o in data.outcomes]
    assert measures.count("oks") == 2 and measures.count("phq9") == 3 and {"gad7", "pss10"} <= set(measures)
    oks = next(o for o in data.outcomes if o.measure == "oks")
    assert (oks.score_min, oks.score_max, oks.higher_is_better, oks.answered, oks.items) == (0, 48, True, 12, 12)
    phq9 = [o for o in data.outcomes if o.measure == "phq9"]
    assert phq9[0].items == 9 and phq9[0].loinc_total == "44261-6"
    assert [o.flags for o in phq9] == [(), ("self_harm_thoughts",), ()]
    assert data.glance.outcome_flags == (phq9[1],)


def test_the_glance_compares_baseline_with_latest_and_lists_plan_changes():
    store = Store.memory()
    make_history(store, "P-G", date(2026, 9, 7), 42, kind="physical")
    data = load_report(store, "P-G", NOW)
    knee = next(m for m in data.glance.movements if m.movement == "knee_flexion_right")
    assert knee.title == "Knee flexion, right" and knee.normal_deg == 135
    peaks = [s.best_peak_deg for s in data.sessions if s.movement == knee.movement and s.best_peak_deg is not None]
    assert knee.baseline_deg == sorted(peaks[:3])[1] and knee.latest_deg == sorted(peaks[-3:])[1]
    assert knee.change_deg == pytest.approx(knee.latest_deg - knee.baseline_deg) and knee.change_deg > 20
    assert knee.goal_deg == 105.0 and knee.goal_met is True
    assert knee.compensations.get("trunk_lean", 0) > 0 and knee.best_hold_s and knee.mean_sparc
    assert data.glance.pain_trend == "falling" and data.glance.pain_first > data.glance.pain_last
    assert data.glance.plan_title == "Knee rehabilitation after surgery" and data.glance.plan_version == 3
    events = data.glance.plan_events
    assert [e.version for e in events] == [1, 2, 3] and events[0].reason == "first plan after surgery"
    assert events[1].changes == ("Knee bend: target from 95° to 100° (target reached in 3 sessions in a row)",)


def test_the_old_history_puts_each_session_in_a_visit():
    from rehab.sim.history import fill_history

    store = Store.memory()
    ids = fill_history(store, "P-O", date(2026, 9, 1), 20, reps_per_session=3, mental_every=5)
    data = load_report(store, "P-O", NOW)
    assert len(data.visits) == len(ids) and all(v.status == "completed" for v in data.visits)
    assert data.adherence.done == len(ids) and data.adherence.free_play_sessions == 0
