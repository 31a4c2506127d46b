"""``rehab track SOURCE``: joint angles from a webcam, a video file or a folder of images."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehab.app.cli import CommandError, values

if TYPE_CHECKING:  # only for annotations: the command module imports nothing heavy at start-up
    from devices.base import SourceUrl
    from rehab.core.types import PoseFrame
    from rehab.engine.limb_depth import Lens


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        metavar="SOURCE",
        help="webcam:N[?width=W&height=H&fps=F], video:PATH (or just PATH; ?pace=1 for real time), or images:DIR",
    )
    parser.add_argument(
        "--csv",
        metavar="OUT.csv",
        type=Path,
        help="write time_s, frame and one column per joint angle (degrees, empty when unknown)",
    )
    parser.add_argument("--video", metavar="OUT.mp4", type=Path, help="write the frames with skeleton and angles drawn")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --csv or --video file")
    parser.add_argument("--show", action="store_true", help="show a live window with the skeleton and angles (q quits)")
    parser.add_argument(
        "--model",
        metavar="MODEL.task",
        type=Path,
        help="a MediaPipe PoseLandmarker .task file instead of the bundled model",
    )
    parser.add_argument("--raw", action="store_true", help="do not smooth the angles")
    parser.add_argument(
        "--workers",
        type=values.bounded_int(1, 64),
        metavar="N",
        help="processes analysing an unpaced video file, each tracking its own segments of it "
        "(default: 2 when the computer has 2 cores or more, else 1). The file is cut in the same "
        "places whatever N is, so every N gives the same angles; 1 forces one process",
    )
    parser.add_argument("--seconds", type=values.duration_s, metavar="S", help="stop after S seconds (webcam)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--setup",
        metavar="NAME",
        help="a calibrated camera setup (rehab cameras calibrate). SOURCE A+B: the pair's (default 'default'); "
        "one camera: its lens, for the limb depth (default: a typical webcam's)",
    )


class _Progress:
    """A one-line progress bar on stderr (frames, percent when the length is known, speed)."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.started = self.shown = time.monotonic()

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.shown < 0.2 and not force):
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-6)
        if self.total:
            filled = int(30 * min(done / self.total, 1.0))
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {100 * done / self.total:3.0f}% {done}/{self.total}"
        else:
            bar = f"{done} frames"
        print(f"\r{bar} frames, {rate:.0f} fps ", end="", file=sys.stderr, flush=True)

    def finish(self, done: int) -> None:
        self.update(done, force=True)
        if self.enabled:
            print(file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    parsed = _checked_request(args)
    # two cameras measure depth: the one-camera corrections (side swaps, limb depth) would undo it
    one_camera = "+" not in args.source
    lens = _calibrated_lens(args) if one_camera and args.setup else None  # before any camera opens
    source, pictures, frame_total, fps = _open_pictures(args, parsed)
    from rehab.engine.tracking import AngleTracker

    tracker = AngleTracker(smooth=not args.raw, fix_swaps=one_camera, refine_limbs=one_camera, lens=lens)
    progress = _Progress(frame_total, enabled=not args.quiet)
    outputs = _Outputs(args, fps)
    rows = 0
    started = time.monotonic()
    try:
        for picture in pictures:
            if args.seconds and time.monotonic() - started > args.seconds:
                break
            if picture is None:  # a live camera has gone quiet: still report it, still stop in time
                _report_events(source)
                if outputs.quit_pressed():
                    break
                continue
            tracked = tracker.update(picture.pose, picture.status, picture.media_t)
            rows += 1
            if not outputs.write(tracked, picture, tracker.last_pose):
                break
            progress.update(rows)
            _report_events(source)
    except RuntimeError as error:  # MediaPipe's way of saying a model or picture would not load
        raise CommandError(f"pose estimation failed: {error}") from error
    finally:
        progress.finish(rows)
        if source is not None:
            source.close()
        outputs.close()
    elapsed = time.monotonic() - started
    print(f"Tracked {rows} frames in {elapsed:.1f} s ({rows / max(elapsed, 1e-6):.1f} fps).")
    if args.csv:
        print(f"Angles: {args.csv}")
    if args.video:
        print(f"Video:  {args.video}")
    if rows == 0:
        raise CommandError(f"no frames could be read from {args.source}")
    return 0


def _checked_request(args: argparse.Namespace) -> SourceUrl:
    """Everything that can be refused before a model loads: outputs, model file, source kind, display."""
    from devices.base import SourceUrl

    if not (args.csv or args.video or args.show):
        raise CommandError("say what to do with the tracking: --csv OUT.csv, --video OUT.mp4 and/or --show")
    if args.model and not args.model.is_file():
        raise CommandError(f"pose model not found: {args.model}")
    _check_outputs(args)
    parsed = SourceUrl.parse(args.source)
    if parsed.scheme not in ("webcam", "video", "images"):
        raise CommandError(f"'{args.source}' is not a webcam:, video: or images: source")
    if args.show and not _has_display():
        raise CommandError("--show needs a display, and none was found; use --video OUT.mp4 to review later")
    return parsed


def _calibrated_lens(args: argparse.Namespace) -> Lens:
    """The lens of the setup's camera calibrated from SOURCE (else its first camera, said on stderr):
    the limb refiner's lines of sight are then the camera's own, not a typical webcam's."""
    from devices.camera_setup import load_setup
    from rehab.app.cli.cameras import setups_folder
    from rehab.engine.limb_depth import Lens

    setup = load_setup(setups_folder(args.home), args.setup)
    camera = next((c for c in setup.cameras if c.source == args.source), setup.cameras[0])
    width, height = camera.size
    print(
        f"Lens of {camera.name} ({camera.source}, {width}x{height}) from setup '{setup.name}'; "
        "SOURCE should be that camera at that picture shape",
        file=sys.stderr,
    )
    return Lens.from_matrix(camera.matrix, camera.size)


def _open_pictures(args: argparse.Namespace, parsed: SourceUrl) -> tuple[Any, Iterable[Any], int | None, float | None]:
    """(source or None, tracked pictures, frame count, fps): an unpaced file cut into segments
    (``devices.pose_parallel``, in as many processes as workers), otherwise one live tracker."""
    import os

    from devices.pose_source import open_pose_source

    keep_images = bool(args.video or args.show)
    if "+" in args.source:  # two calibrated cameras, triangulated (rehab cameras calibrate)
        from rehab.app.cli.cameras import two_camera_pictures

        return two_camera_pictures(args, keep_images)
    cores = os.cpu_count() or 1
    # the file's cut points do not depend on the number of workers, so neither do the angles:
    # two processes by default where there are two cores
    workers = args.workers or min(2, cores)
    if workers > cores:
        print(f"rehab track: {workers} workers on {cores} cores will not be faster", file=sys.stderr)
    paced = parsed.options.get("pace", "0") not in ("0", "false", "no", "")
    if parsed.scheme == "video" and not paced and not args.model and not args.show:
        from devices.camera import open_video

        path = str(Path(parsed.target).expanduser())
        open_video(path).close()  # the same clear errors as the one-tracker path
        frame_total, fps = _file_info(path)
        if frame_total:  # a container that does not say its length is tracked in one piece below
            return None, _parallel_pictures(path, workers, keep_images), frame_total, fps
    source = open_pose_source(parsed, keep_images=keep_images, model=args.model)
    return source, source.pictures(idle=True), source.frame_count, source.fps


class _Outputs:
    """Where each tracked frame goes: the CSV, the review video, the live window (each optional)."""

    def __init__(self, args: argparse.Namespace, fps: float | None) -> None:
        import csv

        from rehab.core.private_files import open_private
        from rehab.engine.tracking import write_csv

        self.args = args
        self.fps = fps or 30.0
        self.csv_file = open_private(args.csv, "w", args.force, newline="") if args.csv else None
        self.csv_writer = None
        if self.csv_file:
            write_csv(self.csv_file, [])  # the header
            self.csv_writer = csv.writer(self.csv_file, lineterminator="\n")
        self.video: Any = None

    def write(self, tracked: Any, picture: Any, pose: Any = None) -> bool:
        """Write one frame everywhere asked; False when the viewer pressed q or Esc. ``pose``: the
        pose the angles were read from (sides put back after a swap), drawn instead of the raw one
        so the review video's left and right agree with the CSV."""
        from rehab.engine.pose_overlay import draw_pose
        from rehab.engine.tracking import csv_row

        if self.csv_writer:
            self.csv_writer.writerow(csv_row(tracked))
        if picture.image is None:
            return True
        shown = pose if pose is not None else picture.pose
        drawn = draw_pose(picture.image, shown, tracked.angles, _status_text(tracked.status, shown))
        if self.args.video:
            self._video_for(drawn).write(drawn)
        if self.args.show:
            import cv2

            cv2.imshow("rehab track (q quits)", drawn)
            return not self.quit_pressed()
        return True

    def quit_pressed(self) -> bool:
        if not self.args.show:
            return False
        import cv2

        return bool(cv2.waitKey(1) & 0xFF in (ord("q"), 27))

    def _video_for(self, drawn: Any) -> _ReviewVideo:
        if self.video is None:
            h, w = drawn.shape[:2]
            self.video = _ReviewVideo(self.args.video, self.fps, (w, h), self.args.force)
        return self.video

    def close(self) -> None:
        if self.csv_file:
            self.csv_file.close()
        if self.args.show:
            import cv2

            cv2.destroyAllWindows()
        if self.video is not None:
            self.video.close()


class _ReviewVideo:
    """The review video (H.264, ``rehab.app.review_video``), encoded where nobody else can look and
    renamed into place when closed.

    The encoder opens its file by name, so it cannot be handed an owner-only descriptor. It writes
    instead to the same name (the extension picks the container) inside an owner-only temporary
    folder next to the target, into a file created owner-only beforehand: the patient's pictures
    are never readable by anyone else, and the target never holds a half-written video.
    """

    def __init__(self, target: Path, fps: float, size: tuple[int, int], force: bool) -> None:
        import os
        from contextlib import ExitStack

        from rehab.app.review_video import H264Writer
        from rehab.core.private_files import create_private, private_temp_folder

        self.target, self.force = target, force
        self._folder = ExitStack()
        self.path = self._folder.enter_context(private_temp_folder(target)) / target.name
        os.close(create_private(self.path))
        self.writer = H264Writer(self.path, fps, size)

    def write(self, image: Any) -> None:
        from rehab.app.review_video import VideoWriteError

        try:
            self.writer.write(image)
        except VideoWriteError as error:
            raise CommandError(str(error).replace(str(self.path), str(self.target))) from error

    def close(self) -> None:
        """Finish the file (an interrupted track still gives a playable video) and move it into place."""
        from rehab.app.review_video import VideoWriteError
        from rehab.core.private_files import make_private, replace_private

        try:
            try:
                self.writer.close()
            except VideoWriteError as error:
                raise CommandError(str(error).replace(str(self.path), str(self.target))) from error
            make_private(self.path)  # a guard only: still in the private folder, so nobody could read it
            replace_private(self.path, self.target, self.force)
        finally:
            self._folder.close()


def _check_outputs(args: argparse.Namespace) -> None:
    """Before any tracking: the CSV and the video hold the patient's movements, so neither replaces
    a file without --force, nor writes to a device or a pipe; and both go to a folder that exists."""
    from rehab.core.private_files import check_folder, check_output

    for out in (args.csv, args.video):
        if out is not None:
            check_folder(out)  # a mistyped folder is refused, not made, and before any tracking
            check_output(out, args.force)
    if args.video is not None:
        _check_video_format(args.video)


def _check_video_format(path: Path) -> None:
    """Encode one small frame for ``path``'s container in a private scratch folder: an extension
    the encoder cannot write (or a folder we may not write in) is refused before any tracking,
    not after the CSV has been half written."""
    from rehab.app.review_video import VideoWriteError, probe
    from rehab.core.private_files import private_temp_folder

    try:
        with private_temp_folder(path) as folder:
            probe(folder / path.name)
    except VideoWriteError as error:
        raise CommandError(str(error).replace(str(folder / path.name), str(path))) from error


def _report_events(source: object) -> None:
    for event in source.status_events() if source is not None else ():  # type: ignore[attr-defined]
        if event.kind in ("lost", "reconnected"):
            print(f"\n{event.device}: camera {event.kind} {event.detail}", file=sys.stderr)


def _status_text(status: str, pose: PoseFrame) -> str:
    """The status line, plus the view and the first setup advice, for the picture's panel."""
    from rehab.engine.setup_guidance import advise

    if pose.world is None:
        return status
    advice = advise(pose)
    lines = [f"{status}, {advice.view} view"]
    if advice.messages:
        lines.append(advice.messages[0])
    return "\n".join(lines)


def _has_display() -> bool:
    """cv2.imshow aborts the process without a display, so check first (Linux: X11 or Wayland)."""
    import os

    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _file_info(path: str) -> tuple[int | None, float | None]:
    import cv2

    cap = cv2.VideoCapture(path)
    count, fps = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), float(cap.get(cv2.CAP_PROP_FPS))
    cap.release()
    return (count or None), (fps or None)


def _parallel_pictures(path: str, workers: int, keep_images: bool):  # type: ignore[no-untyped-def]
    """TrackedPictures from the multi-process path; pictures for drawing are decoded here, in step."""
    import cv2

    from devices.pose_parallel import track_file_parallel
    from devices.pose_source import TrackedPicture

    cap = cv2.VideoCapture(path) if keep_images else None
    try:
        for pose, status, media_t in track_file_parallel(path, workers):
            image = None
            if cap is not None:
                ok, image = cap.read()
                image = image if ok else None
            yield TrackedPicture(pose, status, image, media_t)
    finally:
        if cap is not None:
            cap.release()
