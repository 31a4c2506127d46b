"""Ratings (pain, SUDS, stress) and calibrations: what the patient says and what their range was."""

from __future__ import annotations

from typing import Any

from progress.store.base import StoreBase
from progress.store.rows import CalibrationRow, RatingRow
from rehab.core.errors import StoreError

#: rating kind -> (lowest, highest) on its scale
RATING_SCALES: dict[str, tuple[float, float]] = {"pain": (0, 10), "suds": (0, 100), "stress": (0, 10)}


class RatingStore(StoreBase):
    def add_rating(
        self,
        patient_id: str,
        at: str,
        kind: str,
        value: float,
        session_id: int | None = None,
        t: float | None = None,
        moment: str = "diary",
    ) -> None:
        """Pain (0-10), SUDS (0-100) or stress (0-10), inside a session or on its own."""
        if kind not in RATING_SCALES:
            raise StoreError(f"unknown rating {kind!r}; known: {', '.join(RATING_SCALES)}")
        low, high = RATING_SCALES[kind]
        if not low <= value <= high:
            raise StoreError(f"{kind} rating {value} is outside {low}-{high}")
        with self.transaction(f"{kind} rating"):
            self._insert_patient(patient_id, at)
            self.db.conn.execute(
                "insert into ratings (patient_id, session_id, at, t, kind, value, moment) values (?, ?, ?, ?, ?, ?, ?)",
                [patient_id, session_id, at, t, kind, value, moment],
            )

    def ratings(self, patient_id: str, kind: str | None = None) -> list[RatingRow]:
        where, params = "patient_id = ?", [patient_id]
        if kind is not None:
            where, params = where + " and kind = ?", [*params, kind]
        return _ratings(self._query(f"select * from ratings where {where} order by at, t, id", params))

    def session_ratings(self, session_ids: list[int], kind: str, moment: str) -> list[RatingRow]:
        """The ratings of one kind at one moment given in any of these sessions, oldest first."""
        marks = ", ".join("?" * len(session_ids))
        return _ratings(
            self._query(
                f"select * from ratings where kind = ? and moment = ? and session_id in ({marks}) order by at, t, id",
                [kind, moment, *session_ids],
            )
        )

    def add_calibration(
        self, patient_id: str, at: str, movement: str, rest_deg: float, max_deg: float, input_url: str
    ) -> None:
        with self.transaction("calibration"):
            self._insert_patient(patient_id, at)
            self.db.conn.execute(
                "insert into calibrations (patient_id, at, movement, rest_deg, max_deg, input) "
                "values (?, ?, ?, ?, ?, ?)",
                [patient_id, at, movement, rest_deg, max_deg, input_url],
            )

    def calibrations(self, patient_id: str) -> list[CalibrationRow]:
        rows = self._query("select * from calibrations where patient_id = ? order by at, id", [patient_id])
        return [CalibrationRow(**row) for row in rows]

    def latest_calibration(self, patient_id: str, movement: str, since: str) -> CalibrationRow | None:
        """The newest calibration of a movement made at or after ``since`` (an ISO time), if any."""
        rows = self._query(
            "select * from calibrations where patient_id = ? and movement = ? and at >= ? order by at desc, id desc "
            "limit 1",
            [patient_id, movement, since],
        )
        return CalibrationRow(**rows[0]) if rows else None


def _ratings(rows: list[dict[str, Any]]) -> list[RatingRow]:
    return [RatingRow(**row) for row in rows]
