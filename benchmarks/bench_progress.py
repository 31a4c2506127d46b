"""Progress store and report numbers (issue 8): angle samples inserted per second, the PDF for a year of
daily sessions of 60 reps, and a FHIR export of 10,000 observations."""

from __future__ import annotations

import math
import tempfile
import time
from datetime import date
from pathlib import Path


def angle_samples_per_s(sets: int = 200, samples_per_set: int = 1800) -> dict[str, float]:
    """30 Hz angles, one minute per set, stored per set into a file database (WAL, committed each set)."""
    from progress.store import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.sqlite3")
        session_id = store.start_session(
            "P-B", "2026-01-01T10:00:00+00:00", "lift", "elbow_flexion_left", "left", "sim:", 120.0
        )
        t = [i / 30 for i in range(samples_per_set)]
        values = [60 + 50 * math.sin(x) for x in t]
        started = time.perf_counter()
        for index in range(sets):
            set_id = store.start_set(session_id, index + 1, "elbow_flexion_left", 10, 0.0)
            store.add_stream(session_id, "elbow_flexion_left", "deg", t, values, set_id=set_id)
        elapsed = time.perf_counter() - started
        store.close()
    total = sets * samples_per_set
    return {
        "samples": total,
        "seconds": round(elapsed, 3),
        "samples_per_s": round(total / elapsed),
        "goal_samples_per_s": 50_000,
    }


def year_reports() -> dict[str, object]:
    from progress.reports.export import export
    from progress.store import Store
    from rehab.sim.history import fill_history

    store = Store.memory()
    started = time.perf_counter()
    fill_history(store, "P-Y", date(2025, 1, 1), 365, reps_per_session=60, miss_rate=0.0)
    fill_s = time.perf_counter() - started
    results: dict[str, object] = {"sessions": 365, "reps": 365 * 60, "fill_store_s": round(fill_s, 2)}
    with tempfile.TemporaryDirectory() as folder:
        for fmt, name in (("pdf", "year.pdf"), ("html", "year.html"), ("csv", "csv"), ("fhir", "year.json")):
            started = time.perf_counter()
            done = export(store, "P-Y", fmt, Path(folder) / name, "2026-01-01T00:00:00+00:00")
            results[f"{fmt}_s"] = round(time.perf_counter() - started, 3)
            if fmt == "pdf":
                results["pdf_bytes"] = (Path(folder) / name).stat().st_size
            if fmt == "fhir":
                results["fhir_year_detail"] = done.detail
    results["goal_pdf_s"] = 5.0
    return results


def fhir_10k_observations() -> dict[str, object]:
    """27 months of daily sessions with pain before and after: about 10,000 Observations."""
    from progress.reports.export import export
    from progress.store import Store
    from rehab.sim.history import fill_history

    store = Store.memory()
    fill_history(store, "P-F", date(2024, 1, 1), 3340, reps_per_session=2, miss_rate=0.0)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        done = export(store, "P-F", "fhir", Path(folder) / "bundle.json", "2026-01-01T00:00:00+00:00")
        elapsed = time.perf_counter() - started
    return {"detail": done.detail, "seconds": round(elapsed, 3), "goal_s": 3.0}


def run() -> dict[str, object]:
    return {"angle_insert": angle_samples_per_s(), "year_reports": year_reports(), "fhir_10k": fhir_10k_observations()}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
