"""``rehab track --video``: an H.264 file browsers play, of a sensible size.

The file's codec is read from its own boxes (no ffprobe): the sample description of an H.264 track
is an 'avc1' box, and 'faststart' puts the index ('moov') before the pictures ('mdat')."""

import struct

import cv2
import numpy as np
import pytest

from rehab.app.cli import main
from rehab.app.review_video import H264Writer, VideoWriteError
from rehab.sim.clips import photo_clip

FRAMES = 90


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return photo_clip(tmp_path_factory.mktemp("review") / "clip.mp4", FRAMES, "camera")


def top_boxes(data: bytes) -> list[tuple[str, int, int]]:
    """(type, offset, size) of an MP4 file's top-level boxes."""
    boxes, at = [], 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        elif size == 0:
            size = len(data) - at
        boxes.append((kind.decode("latin-1"), at, size))
        at += size
    return boxes


def test_review_video_is_h264_with_the_index_first_and_smaller_than_its_source(clip, tmp_path):
    out = tmp_path / "review.mp4"
    assert main(["track", str(clip), "--video", str(out), "--quiet"]) == 0
    data = out.read_bytes()
    boxes = {kind: (offset, size) for kind, offset, size in top_boxes(data)}
    assert "moov" in boxes and "mdat" in boxes
    assert boxes["moov"][0] < boxes["mdat"][0]  # faststart: a browser can play before the end arrives
    moov = data[boxes["moov"][0] : boxes["moov"][0] + boxes["moov"][1]]
    assert b"avc1" in moov and b"avcC" in moov  # H.264; OpenCV's mp4v wrote 'mp4v' here
    assert b"mp4v" not in moov
    # the source is OpenCV's MPEG-4 Part 2 of the same pictures; the old review video was ~3x it
    assert out.stat().st_size < clip.stat().st_size
    video = cv2.VideoCapture(str(out))
    count = 0
    while True:
        ok, image = video.read()
        if not ok:
            break
        assert image.shape == (480, 640, 3)
        count += 1
    assert count == FRAMES


def test_odd_sized_pictures_are_padded_to_even_sides(tmp_path):
    """yuv420p needs even sides; an odd-sized source must still give a video."""
    out = tmp_path / "odd.mp4"
    writer = H264Writer(out, 25.0, (101, 75))
    for i in range(10):
        writer.write(np.full((75, 101, 3), 20 * i, np.uint8))
    writer.close()
    video = cv2.VideoCapture(str(out))
    ok, image = video.read()
    assert ok and image.shape == (76, 102, 3)


def test_a_container_the_encoder_does_not_know_is_refused(tmp_path):
    with pytest.raises(VideoWriteError, match="no encoder for '.xyz' files"):
        H264Writer(tmp_path / "a.xyz", 30.0, (16, 16))


def test_a_frame_of_the_wrong_size_is_refused(tmp_path):
    writer = H264Writer(tmp_path / "a.mp4", 30.0, (32, 32))
    with pytest.raises(VideoWriteError, match="frame of 16x16 in a 32x32 video"):
        writer.write(np.zeros((16, 16, 3), np.uint8))
    writer.close()


@pytest.fixture
def served(tmp_path):
    """``served(path)``: the URL of ``path`` on a local HTTP server (the file as a browser fetches it)."""
    import functools
    import http.server
    import shutil
    import threading

    folder = tmp_path / "www"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def serve(path):
        shutil.copy(path, folder / path.name)
        return f"http://127.0.0.1:{server.server_address[1]}/{path.name}"

    yield serve
    server.shutdown()


LOADED = """url => new Promise(done => {
    const video = document.createElement('video');
    video.muted = true;
    video.preload = 'auto';
    video.onloadeddata = () => done({played: true, width: video.videoWidth, height: video.videoHeight});
    video.onerror = () => done({played: false, error: video.error && video.error.code});
    video.src = url;
    document.body.appendChild(video);
})"""


def test_review_video_plays_in_a_browser(clip, tmp_path, served, new_page):
    """The issue: the review video did not play in browsers. Debian's chromium, headless, decodes
    our file's first picture; it refuses OpenCV's MPEG-4 Part 2 (the old file) with error 4."""
    out = tmp_path / "review.mp4"
    assert main(["track", str(clip), "--video", str(out), "--quiet"]) == 0
    old = tmp_path / "old.mp4"
    writer = cv2.VideoWriter(str(old), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (640, 480))
    for _ in range(10):
        writer.write(np.zeros((480, 640, 3), np.uint8))
    writer.release()
    page = new_page()
    page.goto(served(out).rsplit("/", 1)[0] + "/")  # same origin as the videos
    assert page.evaluate(LOADED, served(out)) == {"played": True, "width": 640, "height": 480}
    assert page.evaluate(LOADED, served(old)) == {"played": False, "error": 4}


def test_the_review_video_draws_the_corrected_pose_not_the_raw_one(tmp_path):
    """After a left/right swap is undone, the video must show the sides the CSV's angles were read
    from: the frame written is the drawing of the corrected pose."""
    import argparse

    from rehab.app.cli.track import _Outputs
    from rehab.core.landmarks import landmark
    from rehab.core.types import JointAngles, PoseFrame
    from rehab.engine.pose_overlay import draw_pose
    from rehab.engine.tracking import TrackedAngles

    image = np.full((33, 3), 0.5)
    for name, (x, y) in {
        "left_shoulder": (0.62, 0.35), "right_shoulder": (0.38, 0.35), "left_elbow": (0.75, 0.5),
        "right_elbow": (0.25, 0.5), "left_wrist": (0.8, 0.3), "right_wrist": (0.2, 0.65),
        "left_hip": (0.58, 0.7), "right_hip": (0.42, 0.7),
    }.items():  # fmt: skip
        image[landmark(name), :2] = (x, y)
    raw = PoseFrame(t=0.0, world=np.zeros((33, 3)), visibility=np.ones(33), image=image)
    swapped = image.copy()
    for side_a, side_b in (("left_elbow", "right_elbow"), ("left_wrist", "right_wrist")):
        swapped[[landmark(side_a), landmark(side_b)]] = swapped[[landmark(side_b), landmark(side_a)]]
    corrected = PoseFrame(t=0.0, world=np.zeros((33, 3)), visibility=np.ones(33), image=swapped)
    angles = JointAngles(t=0.0, values={"elbow_flexion_left": 90.0, "elbow_flexion_right": 20.0})
    picture = argparse.Namespace(image=np.full((480, 640, 3), 90, np.uint8), pose=raw)
    tracked = TrackedAngles(time_s=0.0, frame=0, angles=angles, status="tracking")
    out = tmp_path / "review.mp4"
    outputs = _Outputs(argparse.Namespace(csv=None, video=out, show=False, force=True), 30.0)
    assert outputs.write(tracked, picture, corrected)
    outputs.close()
    ok, written = cv2.VideoCapture(str(out)).read()
    assert ok
    as_corrected = draw_pose(picture.image, corrected, angles).astype(float)
    as_raw = draw_pose(picture.image, raw, angles).astype(float)
    # where the two drawings differ (the arms), the frame written is the corrected one (H.264 adds a
    # few grey levels of its own everywhere, so the whole picture would not tell them apart)
    differ = np.abs(as_corrected - as_raw).sum(axis=2) > 60
    assert differ.sum() > 500
    assert np.abs(written - as_corrected)[differ].mean() < 0.3 * np.abs(written - as_raw)[differ].mean()
