"""Games with the real pose pipeline: Lift at 60 fps, headless, driven by MediaPipe on a 640x480
video played in real time, two ways in the same run:

- threaded (ours): capture and pose inference on their own threads, the game loop only drains
  finished poses (``video:...?pace=1``, the same source a webcam session uses);
- naive: the game loop reads a frame and runs pose inference itself, every frame.

Reported: frames per second achieved against the 60 fps target and frame time p50/p99 (the goal is
p99 <= 20 ms on two cores). Frame time is the work of one frame, without the pacing sleep.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

SECONDS = 10.0
FPS = 30


def make_video(path: Path, seconds: float = 12.0) -> Path:
    """The cameraman photograph (both arms in view, so elbow angles are tracked) in a 640x480 clip."""
    from rehab.sim.clips import photo_clip

    return photo_clip(path, int(seconds * FPS), "camera", FPS, size=440, left=100)


class InLoopPose:
    """The naive design: each poll reads the next frame and runs MediaPipe on it, in the caller."""

    def __init__(self, path: Path) -> None:
        import cv2

        from devices.mediapipe_pose import MediaPipePose

        self.url = f"naive:{path}"
        self.capture = cv2.VideoCapture(str(path))
        self.pose = MediaPipePose()
        self.index = 0

    def poll(self, now: float) -> list:
        ok, image = self.capture.read()
        if not ok:
            return []
        result = self.pose.process(image, now, self.index)
        self.index += 1
        return [result.pose]

    def status_events(self) -> list:
        return []

    def close(self) -> None:
        self.capture.release()
        self.pose.close()


def run_lift(source) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from rehab.core.clock import RealClock
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import play

    lift = available_games()["lift"]
    started = time.perf_counter()
    # the cameraman's right elbow is clearly in view: the game gets a real angle from every pose
    result = play(
        source,
        lift,
        Exercise.for_game(lift, "right"),
        RealClock(60.0),
        HeadlessDisplay(),
        on_rep=lambda rep: None,
        max_seconds=SECONDS,
    )
    wall = time.perf_counter() - started
    source.close()
    return {
        "fps": round(result.frames / wall, 1),
        "frame_time_p50_ms": result.stats["frame_time_p50_ms"],
        "frame_time_p99_ms": result.stats["frame_time_p99_ms"],
        "seconds": round(wall, 1),
        # time the game had no elbow angle: the person must really be tracked for the numbers to count
        "untracked_s": round(result.untracked_s, 2),
    }


def run() -> dict[str, object]:
    from devices.base import open_source

    with tempfile.TemporaryDirectory() as folder:
        video = make_video(Path(folder) / "person.mp4")
        threaded = run_lift(open_source(f"video:{video}?pace=1"))
        naive = run_lift(InLoopPose(video))
    return {
        "lift_with_pose_threaded": threaded,
        "lift_with_pose_in_loop_naive": naive,
        "goal": {"fps": 60, "frame_time_p99_ms": 20},
    }
