"""One patient's period, read for reports: each table once, whatever the number of sessions.

A period is a pair of ISO dates, inclusive, compared with the date part of each row's wall-clock time.
"""

from __future__ import annotations

from progress.store.base import StoreBase
from progress.store.rows import RatingRow, SessionRow, StoredRep
from progress.store.sessions import SESSION_COLUMNS, stored_rep

_IN_PERIOD = "s.patient_id = ? and substr(s.started_at, 1, 10) between ? and ?"


class PeriodStore(StoreBase):
    def sessions_between(self, patient_id: str, first_day: str, last_day: str) -> list[SessionRow]:
        columns = ", ".join("s." + c.strip() for c in SESSION_COLUMNS.split(","))
        rows = self._query(
            f"select {columns} from sessions s where {_IN_PERIOD} order by s.started_at, s.id",
            [patient_id, first_day, last_day],
        )
        return [SessionRow(**row) for row in rows]

    def reps_between(self, patient_id: str, first_day: str, last_day: str) -> list[StoredRep]:
        """Reps of the period's sessions, in session then rep order."""
        rows = self._query(
            f"select r.* from reps r join sessions s on s.id = r.session_id where {_IN_PERIOD} "
            "order by s.started_at, s.id, r.rep_index",
            [patient_id, first_day, last_day],
        )
        return [stored_rep(row) for row in rows]

    def prescribed_reps_between(self, patient_id: str, first_day: str, last_day: str) -> dict[int, int]:
        """Session id -> reps its sets prescribed, for the period's sessions that had sets."""
        rows = self._query(
            "select t.session_id, sum(coalesce(t.prescribed_reps, 0)) as reps from sets t "
            f"join sessions s on s.id = t.session_id where {_IN_PERIOD} group by t.session_id",
            [patient_id, first_day, last_day],
        )
        return {int(row["session_id"]): int(row["reps"]) for row in rows}

    def ratings_between(self, patient_id: str, first_day: str, last_day: str) -> list[RatingRow]:
        rows = self._query(
            "select * from ratings where patient_id = ? and substr(at, 1, 10) between ? and ? order by at, t, id",
            [patient_id, first_day, last_day],
        )
        return [RatingRow(**row) for row in rows]
