"""Tracking numbers: pipelined ``track`` throughput against a plain loop, paced latency, and the
kinematics' error on synthetic skeletons under webcam-like noise.

All measured on the same generated 640x480 clip (the astronaut photograph drifting sideways) in the
same run. The goals are the issue's: throughput >= 1.3x the plain loop, paced p95 <= 50 ms.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rehab.core.types import PoseFrame

FRAMES = 300
FPS = 30.0
REPEATS = 3
LONG_FRAMES = 900


def make_clip(path: Path, frames: int = FRAMES) -> Path:
    from rehab.sim.clips import photo_clip

    return photo_clip(path, frames, "astronaut", FPS)


def plain_loop(clip: Path) -> dict[str, float]:
    """Read a frame, infer, compute angles, repeat: one thing at a time."""
    import cv2

    from devices.mediapipe_pose import MediaPipePose
    from rehab.engine.kinematics import pose_angles

    estimator = MediaPipePose()
    cap = cv2.VideoCapture(str(clip))
    started = time.perf_counter()
    count = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        pose_angles(estimator.process(image, time.monotonic(), count).pose)
        count += 1
    elapsed = time.perf_counter() - started
    estimator.close()
    return {"frames": count, "seconds": round(elapsed, 3), "fps": round(count / elapsed, 1)}


def pipelined(clip: Path) -> dict[str, float]:
    """What ``rehab track`` does, in process: capture thread, pose thread, angles and CSV here."""
    import io

    from devices.pose_source import open_pose_source
    from rehab.engine.tracking import AngleTracker, csv_row

    started = time.perf_counter()
    source = open_pose_source(str(clip))
    tracker = AngleTracker()
    out = io.StringIO()
    count = 0
    for picture in source.pictures():
        assert picture is not None  # only idle=True yields None
        out.write(",".join(csv_row(tracker.update(picture.pose, picture.status, picture.media_t))) + "\n")
        count += 1
    elapsed = time.perf_counter() - started
    source.close()
    return {"frames": count, "seconds": round(elapsed, 3), "fps": round(count / elapsed, 1)}


def parallel_in_process(clip: Path, workers: int = 2) -> dict[str, float]:
    """``rehab track`` on a file (two workers, the default on 2 cores) without the command's
    start-up: two spawned processes, each tracking its segments after a 30-frame warm-up."""
    from devices.pose_parallel import track_file_parallel
    from rehab.engine.tracking import AngleTracker, csv_row

    started = time.perf_counter()
    tracker = AngleTracker()
    count = 0
    for pose, status, media_t in track_file_parallel(str(clip), workers):
        csv_row(tracker.update(pose, status, media_t))
        count += 1
    elapsed = time.perf_counter() - started
    return {"frames": count, "seconds": round(elapsed, 3), "fps": round(count / elapsed, 1)}


def _summary(runs: list[dict[str, float]]) -> dict[str, object]:
    """Median and best of the runs: the best shows what the design can do on free cores, the
    median what it did on this (possibly shared) machine."""
    fps = sorted(r["fps"] for r in runs)
    return {"fps_median": fps[len(fps) // 2], "fps_best": fps[-1], "fps_each_run": [r["fps"] for r in runs]}


def _share_within(a: list[list[str]], b: list[list[str]], degrees: float = 2.0) -> float:
    """The share of angle cells (rows of CSV cells after time and frame) both empty or within ``degrees``."""
    cells = [(x, y) for ra, rb in zip(a, b, strict=True) for x, y in zip(ra[2:], rb[2:], strict=True)]
    same = sum(1 for x, y in cells if (x == y == "") or (x and y and abs(float(x) - float(y)) <= degrees))
    return round(same / len(cells), 4)


def cli_runs(clip: Path) -> dict[str, object]:
    """The real command, start-up and CSV file included, with one worker and with two, and how far
    their angles agree; and how far both agree with one tracker following the whole file (what
    ``--show`` and a live camera do), which the file's cut into segments cannot reproduce."""
    import csv

    script = Path(sys.executable).with_name("rehab")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "rehab"]
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tables = {}
        for workers in (1, 2):
            started = time.perf_counter()
            subprocess.run(
                [*command, "track", str(clip), "--csv", f"{tmp}/{workers}.csv", "--quiet", "--workers", str(workers)],
                check=True,
                capture_output=True,
            )
            elapsed = time.perf_counter() - started
            out[f"workers_{workers}"] = {"wall_s": round(elapsed, 3), "fps": round(FRAMES / elapsed, 1)}
            with open(f"{tmp}/{workers}.csv", newline="") as f:
                tables[workers] = list(csv.reader(f))[1:]
    out["speedup_2_workers"] = round(out["workers_1"]["wall_s"] / out["workers_2"]["wall_s"], 2)  # type: ignore[index]
    out["angle_cells_2_workers_within_2deg_of_1"] = _share_within(tables[1], tables[2])
    out["agreement_goal"] = 0.99
    out["angle_cells_within_2deg_of_one_continuous_tracker"] = _share_within(tables[1], _continuous_rows(clip))
    return out


def _continuous_rows(clip: Path, first: int = 0) -> list[list[str]]:
    """CSV rows of one tracker that follows the file from frame ``first`` to the end."""
    from devices.pose_parallel import _track_segment
    from rehab.engine.tracking import AngleTracker, csv_row

    segment = _track_segment(str(clip), first, None, warmup=0)
    tracker = AngleTracker()
    rows = []
    for i, status in enumerate(segment.statuses):
        index, t = segment.start + i, (segment.start + i) / segment.fps
        pose = PoseFrame(
            t=t, world=segment.worlds[i], visibility=segment.visibilities[i], image=segment.images[i], frame_index=index
        )
        rows.append(csv_row(tracker.update(pose, status, t)))
    return rows


def history_dependence(clip: Path, later: int = 1, after: int = 30) -> dict[str, float]:
    """How far one tracker's angles depend on where it started: a tracker started ``later`` frames
    into the clip against one started at its first frame, on the frames from ``after`` frames past
    the later start. Below 0.99 here, no warm-up before a segment can bring two workers to 0.99
    against one continuous tracker."""
    whole, late = _continuous_rows(clip), _continuous_rows(clip, later)
    skip = later + after
    return {
        f"cells_within_2deg_started_{later}_frame_later": _share_within(whole[skip:], late[skip - later :]),
        "compared_from_frame": skip,
    }


def paced_latency(clip: Path) -> dict[str, float]:
    """The clip played at 30 fps through the latest-frame path, polled by a 60 Hz loop as a game
    would: capture stamp to angles computed in the loop."""
    from devices.pose_source import open_pose_source
    from rehab.engine.kinematics import pose_angles

    opened = time.monotonic()
    source = open_pose_source(f"video:{clip}?pace=1")
    latencies: list[float] = []
    first_result_s = math.nan
    ended = False
    while not ended:
        for frame in source.poll(time.monotonic()):
            if not latencies:
                first_result_s = time.monotonic() - opened
            pose_angles(frame)  # type: ignore[arg-type]
            latencies.append(time.monotonic() - frame.t)
        ended = any(e.kind == "ended" for e in source.status_events()) and source.done.wait(0.5)
        time.sleep(1 / 60)
    for frame in source.poll(time.monotonic()):
        latencies.append(time.monotonic() - frame.t)
    grabber = source.grabber
    source.close()
    ms = sorted(1000 * x for x in latencies)
    return {
        "frames_captured": grabber.captured,
        "frames_analysed": len(ms),
        "frames_skipped_by_latest_frame_policy": grabber.dropped,
        "latency_ms_p50": round(statistics.median(ms), 1),
        "latency_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
        "latency_ms_max": round(ms[-1], 1),
        "goal_p95_ms": 50,
        # the model loads while the clip already plays: frames captured meanwhile are skipped
        "first_result_after_open_s": round(first_result_s, 3),
    }


def _simulated_sessions():  # type: ignore[no-untyped-def]
    """(exercise, facing, session): the simulated sessions the synthetic error figures run on,
    each exercise at 0, 45 and 90 degrees to the camera, 8 mm landmark noise (15 mm in depth)."""
    from rehab.sim.poses import SimulatedSession

    for exercise in ("elbow_flexion", "shoulder_flexion", "shoulder_abduction", "knee_flexion"):
        for facing in (0, 45, 90):
            peaks = (80.0, 90.0) if exercise == "knee_flexion" else (120.0, 100.0)
            rest = 0.0 if exercise == "knee_flexion" else 8.0
            yield (
                exercise,
                facing,
                SimulatedSession(exercise=exercise, facing_deg=facing, tremor_deg=0.0, peaks_deg=peaks, rest_deg=rest),
            )


def _rms(errors: list[float]) -> float:
    import numpy as np

    return round(float(np.sqrt(np.nanmean(np.square(errors)))), 2)


def kinematics_error() -> dict[str, dict[str, float]]:
    """RMS error (degrees) of the angle an exercise drives, raw and smoothed, per body orientation,
    on simulated sessions with 8 mm landmark noise (15 mm in depth). Synthetic: not a lab result."""
    import numpy as np

    from rehab.engine.filters import AngleSmoother
    from rehab.engine.kinematics import pose_angles

    results: dict[str, dict[str, float]] = {}
    for exercise, facing, session in _simulated_sessions():
        smoother = AngleSmoother()
        raw, smooth = [], []
        for frame in session.frames():
            truth = session.true_angle(frame.t)
            angles = pose_angles(frame)
            raw.append(angles.get(f"{exercise}_left") - truth)
            smooth.append(smoother(angles).get(f"{exercise}_left") - truth)
        results[f"{exercise}@{facing}deg"] = {
            "raw_rms_deg": _rms(raw),
            "smoothed_rms_deg": _rms(smooth),
            "nan_share": round(float(np.mean(np.isnan(raw))), 3),
        }
    return results


def corrections_on_simulated_webcam() -> dict[str, dict[str, float]]:
    """RMS error (degrees) of the exercised angle straight from the world landmarks and after the
    one-camera corrections (swap fixer and limb refiner, as ``rehab track`` and games run them), on
    the simulated sessions above with picture landmarks a webcam 2.5 m away would see of the same
    (noisy) skeleton (focal 1.2 picture heights, 4:3): the picture and the world landmarks agree, so
    the corrections should change nothing; an affine picture-to-world map, blind to perspective,
    added up to 6 degrees RMS here. Synthetic: not a lab result."""
    import dataclasses

    from rehab.engine.kinematics import pose_angles
    from rehab.engine.pose_corrections import OneCameraCorrections
    from rehab.sim.skeleton import image_points

    results: dict[str, dict[str, float]] = {}
    for exercise, facing, session in _simulated_sessions():
        corrections = OneCameraCorrections()
        raw, corrected = [], []
        for frame in session.frames():
            truth = session.true_angle(frame.t)
            if frame.world is not None:
                frame = dataclasses.replace(frame, image=image_points(frame.world, 2.5, 1.2))
            raw.append(pose_angles(frame).get(f"{exercise}_left") - truth)
            corrected.append(pose_angles(corrections(frame)).get(f"{exercise}_left") - truth)
        results[f"{exercise}@{facing}deg"] = {
            "world_landmarks_rms_deg": _rms(raw),
            "corrected_rms_deg": _rms(corrected),
        }
    return results


def trunk_and_neck_error() -> dict[str, dict[str, float]]:
    """The same noise on the skeleton leaning, turning and tilting (one move each way, minimum jerk)."""
    import numpy as np

    from rehab.engine.filters import filter_for
    from rehab.engine.kinematics import angles_from_points
    from rehab.engine.scripted_motion import RepScript, angle_at
    from rehab.sim.skeleton import Posture, world_points

    rng = np.random.default_rng(3)
    noise_sd = np.array([0.008, 0.008, 0.015])
    results: dict[str, dict[str, float]] = {}
    for name, peak in (
        ("trunk_lateral_flexion", 20.0),
        ("trunk_rotation", 30.0),
        ("cervical_rotation", 60.0),
        ("cervical_lateral_flexion", 30.0),
    ):
        reps = [RepScript(peak_deg=peak), RepScript(peak_deg=-peak)]
        smoother = filter_for(name)
        raw, smooth = [], []
        for t in np.arange(0.0, sum(r.total_s for r in reps) + 1.0, 1 / FPS):
            truth = angle_at(float(t), reps, 0.0)
            changes: dict[str, object] = {name: truth}
            posture = dataclasses.replace(Posture(), **changes)  # type: ignore[arg-type]
            points = world_points(posture) + rng.normal(0.0, 1.0, (33, 3)) * noise_sd
            value = angles_from_points(points, np.ones(33)).get(name)
            raw.append(value - truth)
            smooth.append(smoother(float(t), value) - truth)
        results[f"{name}+-{peak:.0f}deg"] = {
            "raw_rms_deg": round(float(np.sqrt(np.mean(np.square(raw)))), 2),
            "smoothed_rms_deg": round(float(np.sqrt(np.mean(np.square(smooth)))), 2),
        }
    return results


def corrections_cost(frames: int = 900) -> dict[str, float]:
    """Milliseconds a pose the one-camera corrections cost: the swap fixer alone, and with the limb
    refiner, as ``rehab track`` and live games (on the game thread, for every pose they read) run them.
    A synthetic patient curling and turning, 30 fps."""
    import numpy as np

    from rehab.engine.pose_corrections import OneCameraCorrections
    from rehab.sim.skeleton import Posture, image_points, world_points

    poses = []
    for i in range(frames):
        wave = math.sin(i / 15)
        posture = Posture(
            elbow_flexion={"left": 60 + 50 * wave, "right": 10.0},
            arm_elevation={"left": 40.0, "right": 15.0},
            facing_deg=30 * wave,
        )
        world = world_points(posture)
        poses.append(PoseFrame(t=i / 30, world=world, visibility=np.ones(33), image=image_points(world)))
    out: dict[str, float] = {"poses": frames}
    for name, refine in (("swap_fix_alone_ms_per_pose", False), ("with_limb_refiner_ms_per_pose", True)):
        corrections = OneCameraCorrections(refine_limbs=refine)
        start = time.perf_counter()
        for pose in poses:
            corrections(pose)
        out[name] = round(1000 * (time.perf_counter() - start) / frames, 2)
    return out


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "clip.mp4")
        # the machine may be shared: alternate the contenders; report median and best of each
        runs: dict[str, list[dict[str, float]]] = {"plain": [], "threads": [], "processes": []}
        for _ in range(REPEATS):
            runs["plain"].append(plain_loop(clip))
            runs["threads"].append(pipelined(clip))
            runs["processes"].append(parallel_in_process(clip))
        plain, piped, parallel = (_summary(runs[k]) for k in ("plain", "threads", "processes"))

        def ratio(a: dict[str, object], b: dict[str, object], key: str) -> float:
            return round(float(a[key]) / float(b[key]), 2)  # type: ignore[arg-type]

        long_clip = make_clip(Path(tmp) / "long.mp4", LONG_FRAMES)
        long_plain, long_parallel = plain_loop(long_clip), parallel_in_process(long_clip)
        return {
            "clip": f"{FRAMES} frames 640x480 mp4v, astronaut photo drifting",
            "plain_read_then_infer": plain,
            "track_one_tracker_capture_and_pose_threads": piped,
            "track_two_processes": parallel,
            "speedup_threads_median": ratio(piped, plain, "fps_median"),
            "speedup_threads_best": ratio(piped, plain, "fps_best"),
            "speedup_two_processes_median": ratio(parallel, plain, "fps_median"),
            "speedup_two_processes_best": ratio(parallel, plain, "fps_best"),
            "speedup_goal": 1.3,
            # one run each: start-up (about 0.7 s a worker) spread over a 30 s clip
            f"long_clip_{LONG_FRAMES}_frames": {
                "plain_fps": long_plain["fps"],
                "two_processes_fps": long_parallel["fps"],
                "speedup": round(long_parallel["fps"] / long_plain["fps"], 2),
            },
            "rehab_track_cli": cli_runs(clip),
            "one_tracker_history_dependence": history_dependence(clip),
            "paced_30fps": paced_latency(clip),
            "kinematics_rms_error_synthetic": kinematics_error(),
            "trunk_neck_rms_error_synthetic": trunk_and_neck_error(),
            "one_camera_corrections": corrections_cost(),
            "one_camera_corrections_simulated_webcam": corrections_on_simulated_webcam(),
        }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
