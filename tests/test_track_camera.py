"""Capture threads: latest-frame policy, every-frame mode, lost and ended cameras, bad input."""

import threading
import time

import numpy as np
import pytest

from devices import camera
from devices.camera import FrameGrabber, SourceOpenError, open_images, open_reader, open_video


class FakeReader:
    """A device that delivers ``count`` numbered pictures, each ``period`` seconds apart, then fails
    (live: unplugged) or ends (file). ``plug_back`` makes reopen() succeed."""

    def __init__(self, count: int, live: bool, period: float = 0.0, plug_back: bool = False) -> None:
        self.count, self.live, self.period, self.plug_back = count, live, period, plug_back
        self.fps: float | None = 30.0
        self.frame_count: int | None = None if live else count
        self.read_calls = 0
        self.next = 0
        self.closed = threading.Event()

    def read(self):
        self.read_calls += 1
        if self.period:
            time.sleep(self.period)
        if self.next >= self.count:
            if self.live:
                time.sleep(0.005)
            return None
        image = np.full((4, 4, 3), self.next % 256, np.uint8)
        self.next += 1
        return image

    def reopen(self) -> bool:
        if self.plug_back:
            self.count += 5
        return self.plug_back

    def close(self) -> None:
        self.closed.set()


def wait_for(condition, timeout=3.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


def test_every_frame_mode_hands_over_all_frames_in_order_with_capture_stamps():
    grabber = FrameGrabber(FakeReader(50, live=False), "video:fake", latest_only=False)
    frames = []
    while not grabber.exhausted:
        frame = grabber.get(timeout=0.5)
        if frame is not None:
            frames.append(frame)
            time.sleep(0.001)  # a slow consumer must not lose frames in this mode
    assert [f.index for f in frames] == list(range(50))
    assert all(b.t >= a.t for a, b in zip(frames, frames[1:], strict=False))
    assert frames[10].media_t == pytest.approx(10 / 30)
    assert [e.kind for e in grabber.status_events()] == ["connected", "ended"]
    grabber.close()


def test_latest_frame_policy_never_builds_a_backlog():
    # the camera delivers at 500 fps, the consumer takes one frame every 20 ms
    grabber = FrameGrabber(FakeReader(10_000, live=True, period=0.002), "webcam:fake", latest_only=True)
    taken = []
    for _ in range(10):
        time.sleep(0.02)
        frame = grabber.get(timeout=1.0)
        taken.append(frame)
        # what we get is the newest frame: at most one frame old when we take it
        assert grabber.captured - frame.index <= 2
    grabber.close()
    assert grabber.dropped > 50
    assert [f.index for f in taken] == sorted(f.index for f in taken)


def test_unplugged_camera_is_reported_lost_then_reconnected():
    reader = FakeReader(5, live=True, plug_back=True)
    grabber = FrameGrabber(reader, "webcam:fake", latest_only=True, lost_after_s=0.05, retry_s=0.01)
    events = []
    wait_for(lambda: events.extend(grabber.status_events()) or "reconnected" in [e.kind for e in events])
    kinds = [e.kind for e in events]
    assert kinds[:3] == ["connected", "lost", "reconnected"]
    assert "unplugged" in events[1].detail
    grabber.close()
    assert reader.closed.is_set()


def test_camera_that_stays_away_stays_lost_and_close_returns():
    grabber = FrameGrabber(FakeReader(1, live=True), "webcam:fake", latest_only=True, lost_after_s=0.02, retry_s=0.01)
    wait_for(lambda: grabber.dropped >= 0 and any(e.kind == "lost" for e in grabber.status_events()))
    started = time.monotonic()
    grabber.close()
    assert time.monotonic() - started < 1.0


def test_absent_webcam_index_lists_the_cameras_that_exist(monkeypatch):
    monkeypatch.setattr(camera, "available_cameras", lambda max_index=8: [0, 2])
    with pytest.raises(SourceOpenError, match=r"no camera at index 97; cameras found: webcam:0, webcam:2"):
        open_reader("webcam", "97", {})
    monkeypatch.setattr(camera, "available_cameras", lambda max_index=8: [])
    with pytest.raises(SourceOpenError, match="cameras found: none"):
        open_reader("webcam", "97", {})
    with pytest.raises(SourceOpenError, match="must be a number"):
        open_reader("webcam", "front", {})


def test_missing_and_unreadable_files_say_so(tmp_path):
    with pytest.raises(SourceOpenError, match="not found"):
        open_video(str(tmp_path / "nope.mp4"))
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video")
    with pytest.raises(SourceOpenError, match="cannot read"):
        open_video(str(junk))
    with pytest.raises(SourceOpenError, match="no images"):
        open_images(str(tmp_path), {})


def test_image_folder_reads_in_name_order_and_skips_unreadable(tmp_path):
    import cv2

    for i in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"f{i}.png"), np.full((8, 8, 3), 10 * i, np.uint8))
    (tmp_path / "f1b.png").write_bytes(b"broken")
    reader = open_images(str(tmp_path), {"fps": "10"})
    assert reader.frame_count == 4
    grabber = FrameGrabber(reader, "images:x", latest_only=False)
    frames = []
    while not grabber.exhausted:
        frame = grabber.get(timeout=0.5)
        if frame is not None:
            frames.append(frame)
    assert [int(f.image[0, 0, 0]) for f in frames] == [0, 10, 20]
    assert frames[2].media_t == pytest.approx(0.2)
