"""Two IMUs as one live joint input: ``joint:elbow_left?proximal=URL&distal=URL``.

The proximal sensor sits on the upper arm or thigh, the distal one on the forearm or shank; each is
opened by its own URL (any IMU scheme, e.g. ``witmotion:/dev/ttyUSB0``). Their samples are merged by
time and fed to a ``JointTracker``: conj(q_proximal) * q_distal, zeroed in the neutral pose.

Calibration: the first ``neutral`` seconds (default 1) of stillness after both sensors report are
the zero pose (moving while settling into the start position starts the hold again); ``calibrate()`` takes the next
``neutral`` seconds again (a game's "recalibrate" button). After a dropout of either sensor the
joint angles are NaN until a still hold in the start position re-zeros them (``recalibrate`` and
``recalibrated`` statuses; see ``devices.orientation.HeadingGuard``).

An inner URL that carries options of its own must have its ``&`` percent-encoded as ``%26`` (a
single ``?`` needs no encoding): ``proximal=witmotion:/dev/ttyUSB0?baud=115200%26rate=100``.
"""

from __future__ import annotations

from devices.base import Sample, Source, SourceUrl, UnknownSourceError, open_source
from devices.orientation import JOINTS, JointTracker, OrientationError
from rehab.core.types import DeviceStatus, ImuSample

OPTIONS = {"proximal", "distal", "neutral", "fusion"}


class JointSource:
    """A Source of the raw samples of both sensors, plus the joint angles they give."""

    def __init__(self, url: str, proximal: Source, distal: Source, tracker: JointTracker) -> None:
        self.url = url
        self.proximal = proximal
        self.distal = distal
        self.tracker = tracker
        tracker.device = url

    def poll(self, now: float) -> list[Sample]:
        batch = [(s, False) for s in self.proximal.poll(now)] + [(s, True) for s in self.distal.poll(now)]
        batch.sort(key=lambda item: item[0].t)  # stable: each sensor's own order is kept
        out: list[Sample] = []
        for sample, distal in batch:
            out.append(sample)
            if isinstance(sample, ImuSample):
                angles = self.tracker.update(sample, distal)
                if angles is not None:
                    out.append(angles)
        return out

    def status_events(self) -> list[DeviceStatus]:
        events = self.proximal.status_events() + self.distal.status_events() + self.tracker.take_events()
        return sorted(events, key=lambda e: e.t)

    def calibrate(self) -> None:
        """Take the next ``neutral`` seconds as the zero pose (the patient holds the start position)."""
        self.tracker.calibrate()

    def close(self) -> None:
        self.proximal.close()
        self.distal.close()


def open_joint(url: SourceUrl) -> JointSource:
    if url.target not in JOINTS:
        raise UnknownSourceError(
            f"joint: needs one of {', '.join(JOINTS)}, e.g. "
            "joint:elbow_left?proximal=witmotion:/dev/ttyUSB0&distal=witmotion:/dev/ttyUSB1"
        )
    unknown = sorted(set(url.options) - OPTIONS)
    if unknown:
        raise UnknownSourceError(
            f"joint: unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(OPTIONS))}"
            " (percent-encode & inside an inner URL as %26)"
        )
    inner = {}
    for role in ("proximal", "distal"):
        text = url.options.get(role)
        if not text:
            raise UnknownSourceError(f"joint: needs {role}=URL (the {role} IMU)")
        if "segment" in SourceUrl.parse(text).options:
            raise UnknownSourceError(f"joint: the {role} URL must not set segment= (the joint computes the angles)")
        inner[role] = text
    try:
        neutral = float(url.options.get("neutral", "1"))
        tracker = JointTracker(url.target, neutral_s=neutral, fusion=url.options.get("fusion", "auto"))
    except (ValueError, OrientationError) as error:
        raise UnknownSourceError(f"joint: {error}") from None
    proximal = open_source(inner["proximal"])
    try:
        distal = open_source(inner["distal"])
    except BaseException:
        proximal.close()
        raise
    return JointSource(f"joint:{url.target}", proximal, distal, tracker)
