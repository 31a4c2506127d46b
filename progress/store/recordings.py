"""What the devices did while a game was played: status events, and compact streams of samples."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Mapping, Sequence

from progress.store.base import StoreBase
from progress.store.rows import Stream
from rehab.core.errors import StoreError
from rehab.core.types import DeviceStatus

#: stream name -> unit, for the streams that are not joint angles in degrees
STREAM_UNITS: dict[str, str] = {"breathing_rate": "1/min"}

#: channel name -> (seconds, values), as a play records them
Channels = Mapping[str, tuple[Sequence[float], Sequence[float]]]


class RecordingStore(StoreBase):
    def add_device_event(self, session_id: int, status: DeviceStatus) -> None:
        self.add_recording(session_id, {}, [status])

    def device_events(self, session_id: int) -> list[DeviceStatus]:
        rows = self._query("select * from device_events where session_id = ? order by t, id", [session_id])
        return [DeviceStatus(t=r["t"], device=r["device"], kind=r["kind"], detail=r["detail"]) for r in rows]

    def add_stream(
        self,
        session_id: int,
        name: str,
        unit: str,
        t: Sequence[float],
        values: Sequence[float],
        set_id: int | None = None,
    ) -> int:
        """Store one stream of samples (e.g. a set's elbow angle at 30 Hz) as two packed arrays in one row.

        One row per set instead of one per sample keeps a year of 30 Hz angles to tens of megabytes
        and makes inserting them a single write.
        """
        with self.transaction("stream"):
            return self._insert_stream(session_id, name, unit, t, values, set_id)

    def add_recording(
        self,
        session_id: int,
        channels: Channels,
        events: Sequence[DeviceStatus],
        set_id: int | None = None,
        set_end: float | None = None,
    ) -> None:
        """Everything one play recorded, in one commit: each channel as a stream (unit from
        ``STREAM_UNITS``, degrees otherwise), each device event, and the end of its set when given."""
        with self.transaction("recording" if set_end is None else "recording and set end"):
            for name, (t, values) in channels.items():
                self._insert_stream(session_id, name, STREAM_UNITS.get(name, "deg"), t, values, set_id)
            self.db.conn.executemany(
                "insert into device_events (session_id, t, device, kind, detail) values (?, ?, ?, ?, ?)",
                [(session_id, e.t, e.device, e.kind, e.detail) for e in events],
            )
            if set_id is not None and set_end is not None:
                self.db.conn.execute("update sets set t_end = ? where id = ?", [set_end, set_id])

    def streams(self, session_id: int, name: str | None = None) -> list[Stream]:
        where, params = "session_id = ?", [session_id]
        if name is not None:
            where, params = where + " and name = ?", [session_id, name]  # type: ignore[list-item]
        rows = self._query(f"select name, unit, set_id, t, value from streams where {where} order by id", params)
        return [Stream(r["name"], r["unit"], r["set_id"], _unpack("d", r["t"]), _unpack("f", r["value"])) for r in rows]

    def _insert_stream(
        self, session_id: int, name: str, unit: str, t: Sequence[float], values: Sequence[float], set_id: int | None
    ) -> int:
        """One stream row, inside the caller's transaction."""
        if len(t) != len(values):
            raise StoreError(f"stream {name}: {len(t)} timestamps but {len(values)} values")
        cursor = self.db.conn.execute(
            "insert into streams (session_id, set_id, name, unit, count, t, value) values (?, ?, ?, ?, ?, ?, ?)",
            [session_id, set_id, name, unit, len(t), _pack("d", t), _pack("f", values)],
        )
        return int(cursor.lastrowid or 0)


def _pack(typecode: str, values: Sequence[float]) -> bytes:
    packed = array(typecode, values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def _unpack(typecode: str, blob: bytes) -> tuple[float, ...]:
    unpacked = array(typecode)
    unpacked.frombytes(blob)
    if sys.byteorder != "little":
        unpacked.byteswap()
    return tuple(unpacked)
