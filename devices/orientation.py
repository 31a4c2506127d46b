"""Orientation from IMU samples, and joint angles from one or two IMUs.

Quaternions are (w, x, y, z) and rotate sensor-frame vectors into the earth frame (NWU, z up).
Where a device reports its own fused angles or quaternion (WitMotion, BNO08x) those are used;
raw gyro/accel streams go through imufusion's AHRS with its gyroscope bias estimator, because a
cheap MEMS gyro drifts by several degrees a minute otherwise.

Angles are always relative to a neutral pose held at the start (``neutral_s`` seconds, averaged),
so strap rotation and sensor mounting drop out; only the axis convention in docs/devices.md
(x along the bone towards the hand or foot, z out of the skin) must hold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import imufusion
import numpy as np

from devices.base import Sample
from rehab.core.errors import UsageError
from rehab.core.types import DeviceStatus, ImuSample, JointAngles

Quat = tuple[float, float, float, float]
IDENTITY: Quat = (1.0, 0.0, 0.0, 0.0)


class OrientationError(UsageError, ValueError):
    """A segment, joint or fusion option that does not exist."""


# ---------------------------------------------------------------- quaternion algebra
def q_mul(a: Sequence[float], b: Sequence[float]) -> Quat:
    aw, ax, ay, az = a
    bw, bx, by, bz = b
    return (
        aw * bw - ax * bx - ay * by - az * bz,
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
    )


def q_conj(q: Sequence[float]) -> Quat:
    return (q[0], -q[1], -q[2], -q[3])


def q_normalize(q: Sequence[float]) -> Quat:
    n = math.sqrt(sum(c * c for c in q)) or 1.0
    return (q[0] / n, q[1] / n, q[2] / n, q[3] / n)


def q_axis_angle(axis: Sequence[float], degrees: float) -> Quat:
    half = math.radians(degrees) / 2
    n = math.sqrt(sum(c * c for c in axis))
    s = math.sin(half) / n
    return (math.cos(half), axis[0] * s, axis[1] * s, axis[2] * s)


def q_from_euler(roll: float, pitch: float, yaw: float) -> Quat:
    """Aerospace ZYX: yaw about z, then pitch about the new y, then roll about the new x (degrees)."""
    return q_mul(q_mul(q_axis_angle((0, 0, 1), yaw), q_axis_angle((0, 1, 0), pitch)), q_axis_angle((1, 0, 0), roll))


def q_to_matrix(q: Sequence[float]) -> np.ndarray:
    w, x, y, z = q_normalize(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def euler_zyx(q: Sequence[float]) -> tuple[float, float, float]:
    """(roll, pitch, yaw) in degrees, the inverse of ``q_from_euler``."""
    r = q_to_matrix(q)
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, -r[2, 0]))))
    if abs(r[2, 0]) > 1 - 1e-9:
        # gimbal lock (x straight up or down): only yaw - roll is defined; report it all as yaw
        return 0.0, pitch, math.degrees(math.atan2(-r[0, 1], r[1, 1]))
    roll = math.degrees(math.atan2(r[2, 1], r[2, 2]))
    yaw = math.degrees(math.atan2(r[1, 0], r[0, 0]))
    return roll, pitch, yaw


def euler_yzx(q: Sequence[float]) -> tuple[float, float, float]:
    """Joint sequence R = Ry(a) Rz(c) Rx(b): (a, c, b) in degrees: flexion about y first, the long-axis
    twist about x last, so a twisted forearm does not leak into elbow flexion."""
    r = q_to_matrix(q)
    c = math.degrees(math.asin(max(-1.0, min(1.0, r[1, 0]))))
    a = math.degrees(math.atan2(-r[2, 0], r[0, 0]))
    b = math.degrees(math.atan2(-r[1, 2], r[1, 1]))
    return a, c, b


def twist_deg(q: Sequence[float], axis: int) -> float:
    """Rotation about one sensor axis (1=x, 2=y, 3=z) in degrees, ignoring the swing around it."""
    angle = math.degrees(2 * math.atan2(q[axis], q[0]))
    return (angle + 180.0) % 360.0 - 180.0


def q_average(quats: Sequence[Sequence[float]]) -> Quat:
    """Mean of nearby quaternions (sign-aligned sum, normalised): good for a neutral pose held still."""
    ref = quats[0]
    total = [0.0, 0.0, 0.0, 0.0]
    for q in quats:
        sign = 1.0 if sum(a * b for a, b in zip(q, ref, strict=True)) >= 0 else -1.0
        for i in range(4):
            total[i] += sign * q[i]
    return q_normalize(total)


def tilt_from_gravity(accel: Sequence[float]) -> Quat:
    """The orientation (zero heading) whose sensor frame sees "up" along ``accel``."""
    n = math.sqrt(sum(a * a for a in accel)) or 1.0
    ax, ay, az = (a / n for a in accel)
    # rotate the measured up vector onto the earth's z: axis a x z, angle acos(a . z)
    axis = (ay, -ax, 0.0)
    if math.hypot(ay, ax) < 1e-9:
        return IDENTITY if az > 0 else (0.0, 1.0, 0.0, 0.0)
    return q_axis_angle(axis, math.degrees(math.acos(max(-1.0, min(1.0, az)))))


def up_in_sensor(q: Sequence[float]) -> np.ndarray:
    """The earth's "up" seen in the sensor frame: what an accelerometer at rest reads (unit)."""
    return q_to_matrix(q).T @ np.array([0.0, 0.0, 1.0])


def split_heading(q: Sequence[float]) -> tuple[Quat, Quat]:
    """q = heading * tilt: a rotation about the earth's vertical times the zero-heading orientation
    gravity alone fixes (``tilt_from_gravity``). Without a magnetometer only ``tilt`` is observable;
    ``heading`` is what a dropout loses."""
    tilt = tilt_from_gravity(up_in_sensor(q).tolist())
    return q_normalize(q_mul(q, q_conj(tilt))), tilt


def tilt_angle_deg(a: Sequence[float], b: Sequence[float]) -> float:
    """How far apart the inclinations of two orientations are (angle between their up vectors)."""
    return math.degrees(math.acos(max(-1.0, min(1.0, float(up_in_sensor(a) @ up_in_sensor(b))))))


def q_angle_deg(a: Sequence[float], b: Sequence[float]) -> float:
    """The rotation angle between two orientations, in degrees."""
    dot = abs(sum(x * y for x, y in zip(a, b, strict=True)))
    return math.degrees(2 * math.acos(min(1.0, dot)))


# ---------------------------------------------------------------- one device -> orientation
FUSION_MODES = ("auto", "device", "ahrs")

#: A silence longer than this (or than GAP_PERIODS sample intervals of a slow device) is a dropout:
#: the gyro did not see the rotation about the vertical that happened meanwhile, and gravity cannot
#: restore it. Bridging a gap g with the next gyro reading errs by about a*g^2/2 for an angular
#: acceleration a: for a brisk +-60 deg movement in 2 s (a ~ 600 deg/s^2) and g = 0.1 s that is 3 deg,
#: inside the 5 deg we accept; longer gaps cannot be bounded. At 100 Hz it is 10 missing samples, well
#: above read-time jitter, and below the 0.1 s first reconnection backoff plus reopening, so every
#: unplug/replug of a serial source counts. A reader that stalls as long is treated the same (safe).
GAP_S = 0.1
GAP_PERIODS = 3.0


class OrientationEstimator:
    """One device's orientation from its sample stream.

    ``fusion``: ``device`` uses only the device's own angles/quaternion, ``ahrs`` always fuses raw
    gyro/accel(/mag) with imufusion, ``auto`` uses the device's own when it has ever sent them.
    """

    def __init__(self, fusion: str = "auto", sample_rate: float = 100.0) -> None:
        if fusion not in FUSION_MODES:
            raise OrientationError(f"fusion must be one of {', '.join(FUSION_MODES)}, not {fusion!r}")
        self.fusion = fusion
        self.ahrs = imufusion.Ahrs()
        self.ahrs.set_settings(
            imufusion.AhrsSettings(
                sample_rate=sample_rate,
                convention=imufusion.CONVENTION_NWU,
                gain=0.5,
                gyroscope_range=2000.0,
                acceleration_rejection=10.0,
                magnetic_rejection=10.0,
                rejection_timeout=int(5 * sample_rate),
            )
        )
        self.bias = imufusion.Bias()
        # stationary below 3 deg/s for 3 s: the mean gyro reading then is bias, not motion
        self.bias.set_settings(
            imufusion.BiasSettings(sample_rate=sample_rate, stationary_threshold=3.0, stationary_period=3.0)
        )
        self._accel: np.ndarray | None = None
        self._mag: np.ndarray | None = None
        self._last_t: float | None = None
        self._device_seen = False
        self._quaternion_seen = False
        #: where the last orientation came from: "quaternion", "euler" or "ahrs"
        self.kind = ""
        self.default_dt = 1.0 / sample_rate
        #: dropouts seen so far (a tracker compares this with its own count), and the last one's length
        self.gaps = 0
        self.last_gap_s = 0.0
        self._last_any_t: float | None = None
        self._interval: float | None = None

    def gap_threshold(self) -> float:
        return max(GAP_S, GAP_PERIODS * (self._interval or 0.0))

    def _watch_gaps(self, t: float) -> None:
        last, self._last_any_t = self._last_any_t, t
        if last is None:
            return
        dt = t - last
        if dt > self.gap_threshold():
            self.gaps += 1
            self.last_gap_s = dt
            # start again from what gravity shows, with fresh readings: the accelerometer value from
            # before the gap is stale, and the old heading is gone whatever we do
            self._accel = self._mag = None
            self._last_t = None
        elif dt > 0:
            # typical spacing of distinct read stamps (several frames often share one read)
            self._interval = dt if self._interval is None else 0.95 * self._interval + 0.05 * dt

    def update(self, sample: ImuSample) -> Quat | None:
        """The orientation after this sample, or None when the sample does not move it on."""
        self._watch_gaps(sample.t)
        if self.fusion != "ahrs":
            if sample.quaternion is not None:
                self._device_seen = self._quaternion_seen = True
                self.kind = "quaternion"
                return q_normalize(sample.quaternion)
            if sample.euler_deg is not None and not self._quaternion_seen:
                # Euler angles lock at +-90 deg pitch (an arm hanging down): a device that also
                # sends quaternions (WitMotion 0x59) is followed by those alone
                self._device_seen = True
                self.kind = "euler"
                return q_from_euler(*sample.euler_deg)
        if sample.accel_g is not None:
            self._accel = np.array(sample.accel_g, dtype=float)
        if sample.mag is not None:
            self._mag = np.array(sample.mag, dtype=float)
        if self.fusion == "device" or (self.fusion == "auto" and self._device_seen):
            return None
        if sample.gyro_dps is None or self._accel is None:
            return None
        # dt from the read-time stamps; a gap (dropout, reconnect) is not one huge rotation step
        dt = self.default_dt if self._last_t is None else sample.t - self._last_t
        if not 0.0 < dt <= 0.5:
            dt = self.default_dt
        if self._last_t is None:
            # start from the tilt gravity shows; imufusion's own 3 s start-up would otherwise hold the
            # heading still and drift through the neutral pose a recording begins with
            self.ahrs.set_quaternion(np.array(tilt_from_gravity(self._accel.tolist()), dtype=float))
            self.ahrs.skip_startup()
        self._last_t = sample.t
        self.ahrs.set_sample_period(dt)
        gyro = self.bias.update(np.array(sample.gyro_dps, dtype=float))
        if self._mag is not None:
            self.ahrs.update(gyro, self._accel, self._mag)
        else:
            self.ahrs.update_no_magnetometer(gyro, self._accel)
        q = self.ahrs.get_quaternion()
        self.kind = "ahrs"
        return (float(q[0]), float(q[1]), float(q[2]), float(q[3]))


# ---------------------------------------------------------------- neutral calibration
#: how far a sensor may move during the neutral hold and still be holding still, degrees
NEUTRAL_HOLD_DEG = 3.0


class Neutral:
    """Averages the first ``seconds`` of a still hold to define the zero pose.

    A movement (more than NEUTRAL_HOLD_DEG from where the hold began) starts the hold again, so a
    patient still settling into the start position does not become the zero of every angle after.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.value: Quat | None = None
        self._start: float | None = None
        self._seen: list[Quat] = []
        self._kind = ""

    def offer(self, t: float, q: Quat) -> bool:
        """Feed one orientation; True once the neutral is known."""
        if self.value is not None:
            return True
        if self._seen and q_angle_deg(self._seen[0], q) > NEUTRAL_HOLD_DEG:
            self._start, self._seen = None, []  # moved: the start position is not held yet
        if self._start is None:
            self._start = t
        self._seen.append(q)
        if t - self._start >= self.seconds:
            self.value = q_average(self._seen)
            self._seen = []
        return self.value is not None

    def set(self, q: Quat) -> None:
        self.value = q

    def restart(self) -> None:
        """Forget the average so far (a dropout inside the neutral hold)."""
        self._start, self._seen = None, []

    def reset(self) -> None:
        """Calibrate again from the next orientations (an explicit recalibration)."""
        self.value = None
        self.restart()

    def restart_if_changed(self, kind: str) -> None:
        """A device whose orientation source changed mid-calibration (Euler frames, then its first
        quaternion) would mix two frames of reference into the average: start the average again."""
        if self.value is None and kind != self._kind:
            self._start, self._seen = None, []
        self._kind = kind


# ---------------------------------------------------------------- after a dropout
#: how much the orientation may move during a hold that counts as still (tremor, sensor noise)
STILL_DEG = 3.0
#: the inclination must be this close to the neutral one for a still hold to re-zero the heading
NEUTRAL_TILT_DEG = 10.0
#: a still hold at least this long (or ``neutral`` seconds if longer) re-zeros after a dropout
RECALIBRATE_HOLD_S = 1.0
RECALIBRATE_TEXT = "hold still in the start position"


class StillHold:
    """How long a set of orientations (one per sensor) has stayed within STILL_DEG of where the hold began."""

    def __init__(self) -> None:
        self._start = 0.0
        self._first: tuple[Quat, ...] | None = None
        self._seen: list[tuple[Quat, ...]] = []

    def reset(self) -> None:
        self._first, self._seen = None, []

    def offer(self, t: float, quats: tuple[Quat, ...]) -> float:
        """Feed the orientations at ``t``; the seconds they have been held still."""
        first = self._first
        if first is None or any(q_angle_deg(a, b) > STILL_DEG for a, b in zip(first, quats, strict=True)):
            self._start, self._first, self._seen = t, quats, []
        self._seen.append(quats)
        return t - self._start

    def mean(self) -> tuple[Quat, ...]:
        return tuple(q_average([qs[i] for qs in self._seen]) for i in range(len(self._seen[0])))


class HeadingGuard:
    """Tracks whether the rotation about the vertical is still known, for trackers.

    After a dropout (``OrientationEstimator.gaps`` moved on) every angle that depends on the heading is
    NaN and a ``recalibrate`` status asks the patient to hold still in the start position. A still hold
    of ``hold_s`` whose inclination matches the neutral one (within NEUTRAL_TILT_DEG for every sensor)
    re-learns the heading, assuming the patient is in the start position as asked, and ``recalibrated``
    follows. The inclination is never re-learnt: gravity kept it right.
    """

    def __init__(self, hold_s: float) -> None:
        self.hold_s = max(hold_s, RECALIBRATE_HOLD_S)
        self.ok = True
        self.device = ""
        self.events: list[DeviceStatus] = []
        self.hold = StillHold()
        self._gaps = 0

    def check(self, t: float, estimators: Sequence[OrientationEstimator], neutrals: Sequence[Neutral]) -> None:
        gaps = sum(e.gaps for e in estimators)
        if gaps == self._gaps:
            return
        self._gaps = gaps
        if any(n.value is None for n in neutrals):
            for neutral in neutrals:  # a dropout inside the first neutral hold: average again afterwards
                neutral.reset()
            return
        gap = max(e.last_gap_s for e in estimators)
        self.hold.reset()
        if self.ok:
            self.ok = False
            self.events.append(
                DeviceStatus(
                    t,
                    self.device,
                    "recalibrate",
                    f"{RECALIBRATE_TEXT}: rotation was lost in a {gap:.1f} s dropout; angles resume after "
                    f"{self.hold_s:.0f} s held still there",
                )
            )

    def still_in_neutral(self, t: float, quats: tuple[Quat, ...], neutrals: tuple[Quat, ...]) -> bool:
        held = self.hold.offer(t, quats)
        return held >= self.hold_s and all(
            tilt_angle_deg(q, n) <= NEUTRAL_TILT_DEG for q, n in zip(quats, neutrals, strict=True)
        )

    def recovered(self, t: float) -> None:
        self.ok = True
        self.hold.reset()
        self.events.append(DeviceStatus(t, self.device, "recalibrated", "start position taken as zero again"))

    def take_events(self) -> list[DeviceStatus]:
        events, self.events = self.events, []
        return events


def _with_confidence(t: float, values: dict[str, float], heading_free: frozenset[str], ok: bool) -> JointAngles:
    if not ok:
        values = {k: (v if k in heading_free else math.nan) for k, v in values.items()}
    return JointAngles(t, values, {k: 0.0 if math.isnan(v) else 1.0 for k, v in values.items()})


# ---------------------------------------------------------------- single-IMU segments
def _segment_angles(segment: str, rel: Quat, tilt_rel: Quat) -> dict[str, float]:
    """Angles of a segment from its rotation since neutral (``rel``) and the inclination change alone
    (``tilt_rel``, free of heading)."""
    if segment in ("forearm_left", "forearm_right"):
        side = segment.split("_")[1]
        twist = twist_deg(rel, 1)
        # x points to the hand: pronation turns the right forearm clockwise about x, the left counter-
        return {f"wrist_pronation_{side}": twist if side == "left" else -twist}
    _, _, yaw = euler_zyx(rel)
    # pitch and roll from the inclinations alone: the same as those of ``rel`` when the sensor was
    # level at neutral, and immune to a lost or drifting heading
    roll, pitch, _ = euler_zyx(tilt_rel)
    prefix = "cervical" if segment == "head" else "trunk"
    # x forward, y left, z up: +pitch nods forward, +roll tilts right, +yaw turns left
    return {f"{prefix}_rotation": -yaw, f"{prefix}_flexion": pitch, f"{prefix}_lateral_flexion": roll}


SEGMENTS = ("forearm_left", "forearm_right", "head", "trunk")
#: angles that gravity alone fixes, so they stay valid across a dropout
HEADING_FREE = frozenset({"cervical_flexion", "cervical_lateral_flexion", "trunk_flexion", "trunk_lateral_flexion"})


class _GuardedTracker:
    """What both trackers share: a HeadingGuard that knows the device's name and reports its
    dropouts and recoveries as DeviceStatus events."""

    guard: HeadingGuard

    @property
    def device(self) -> str:
        return self.guard.device

    @device.setter
    def device(self, name: str) -> None:
        self.guard.device = name

    def take_events(self) -> list[DeviceStatus]:
        return self.guard.take_events()


class SegmentTracker(_GuardedTracker):
    """Angles of one body segment from one IMU, relative to the neutral pose (single-IMU mode)."""

    def __init__(self, segment: str, neutral_s: float = 1.0, fusion: str = "auto") -> None:
        if segment not in SEGMENTS:
            raise OrientationError(f"segment must be one of {', '.join(SEGMENTS)}, not {segment!r}")
        self.segment = segment
        self.estimator = OrientationEstimator(fusion)
        self.neutral = Neutral(neutral_s)
        self.guard = HeadingGuard(neutral_s)

    def calibrate(self) -> None:
        """Take the next ``neutral`` seconds as the zero pose again."""
        self.neutral.reset()
        self.guard.ok = True

    def angles(self, t: float, q: Quat) -> JointAngles | None:
        if not self.neutral.offer(t, q):
            return None
        assert self.neutral.value is not None
        if not self.guard.ok and self.guard.still_in_neutral(t, (q,), (self.neutral.value,)):
            heading, _ = split_heading(self.guard.hold.mean()[0])
            self.neutral.set(q_mul(heading, split_heading(self.neutral.value)[1]))
            self.guard.recovered(t)
        rel = q_mul(q_conj(self.neutral.value), q)
        tilt_rel = q_mul(q_conj(split_heading(self.neutral.value)[1]), split_heading(q)[1])
        return _with_confidence(t, _segment_angles(self.segment, rel, tilt_rel), HEADING_FREE, self.guard.ok)

    def process(self, samples: list[Sample]) -> list[Sample]:
        """The samples, each IMU sample followed by the angles it produced (a Source transform)."""
        out: list[Sample] = []
        for sample in samples:
            out.append(sample)
            if isinstance(sample, ImuSample):
                q = self.estimator.update(sample)
                if q is not None:
                    self.neutral.restart_if_changed(self.estimator.kind)
                    self.guard.check(sample.t, (self.estimator,), (self.neutral,))
                    angles = self.angles(sample.t, q)
                    if angles is not None:
                        out.append(angles)
        return out


# ---------------------------------------------------------------- two-IMU joints
JOINTS = ("elbow_left", "elbow_right", "knee_left", "knee_right")


class JointTracker(_GuardedTracker):
    """A joint angle from a proximal and a distal IMU: conj(q_proximal) * q_distal, zeroed at neutral,
    then split as flexion about y, then twist about x.

    The two sensors' headings are independent guesses without a magnetometer, so after a dropout of
    either one every joint angle depends on the lost heading: all are NaN until the re-zero."""

    def __init__(self, joint: str, neutral_s: float = 1.0, fusion: str = "auto") -> None:
        if joint not in JOINTS:
            raise OrientationError(f"joint must be one of {', '.join(JOINTS)}, not {joint!r}")
        self.joint, self.side = joint.split("_")
        self.proximal = OrientationEstimator(fusion)
        self.distal = OrientationEstimator(fusion)
        self.neutral = Neutral(neutral_s)
        # each sensor's own neutral orientation: its inclination is what a re-zero must match
        self._neutral_p = Neutral(neutral_s)
        self._neutral_d = Neutral(neutral_s)
        self.guard = HeadingGuard(neutral_s)
        self._qp: Quat | None = None
        self._qd: Quat | None = None

    @property
    def name(self) -> str:
        return f"{self.joint}_{self.side}"

    def calibrate(self) -> None:
        """Take the next ``neutral`` seconds as the zero pose again."""
        for neutral in (self.neutral, self._neutral_p, self._neutral_d):
            neutral.reset()
        self.guard.ok = True

    def angles(self, t: float, qp: Quat, qd: Quat) -> JointAngles | None:
        relative = q_mul(q_conj(qp), qd)
        self._neutral_p.offer(t, qp)
        self._neutral_d.offer(t, qd)
        if not self.neutral.offer(t, relative):
            return None
        np_, nd = self._neutral_p.value, self._neutral_d.value
        assert self.neutral.value is not None and np_ is not None and nd is not None
        if not self.guard.ok and self.guard.still_in_neutral(t, (qp, qd), (np_, nd)):
            mp, md = self.guard.hold.mean()
            (hp, _), (hd, _) = split_heading(mp), split_heading(md)
            # keep each sensor's neutral inclination, take the headings of the still hold
            tp, td = split_heading(np_)[1], split_heading(nd)[1]
            self.neutral.set(q_mul(q_mul(q_conj(tp), q_mul(q_conj(hp), hd)), td))
            self.guard.recovered(t)
        flexion, _, twist = euler_yzx(q_mul(q_conj(self.neutral.value), relative))
        values = {f"{self.joint}_flexion_{self.side}": flexion}
        if self.joint == "elbow":
            values[f"wrist_pronation_{self.side}"] = twist if self.side == "left" else -twist
        return _with_confidence(t, values, frozenset(), self.guard.ok)

    def update(self, sample: ImuSample, distal: bool) -> JointAngles | None:
        """Feed one sample from either IMU; angles whenever both orientations are known."""
        q = (self.distal if distal else self.proximal).update(sample)
        if q is None:
            return None
        if distal:
            self._qd = q
        else:
            self._qp = q
        if self._qp is None or self._qd is None:
            return None
        kind = f"{self.proximal.kind}/{self.distal.kind}"
        neutrals = (self.neutral, self._neutral_p, self._neutral_d)
        for neutral in neutrals:
            neutral.restart_if_changed(kind)
        self.guard.check(sample.t, (self.proximal, self.distal), neutrals)
        return self.angles(sample.t, self._qp, self._qd)
