"""H.264 video files that browsers play, for ``rehab track --video``.

OpenCV's wheel can only write MPEG-4 Part 2 ('mp4v'), which no browser plays and which came out
nearly four times the size of its source. The imageio-ffmpeg wheel ships an ffmpeg binary with
libx264, so the frames are piped to it as raw BGR and stored as H.264 in yuv420p (the one pixel
format every player decodes), with the index at the front of an .mp4 or .mov ('faststart') so a
browser can start playing before the whole file has arrived.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import IO

import numpy as np

#: containers ffmpeg writes H.264 into, by extension
EXTENSIONS = (".mp4", ".mov", ".mkv", ".avi")
#: x264's constant-quality setting: 23 is its default, visually clean for a review video
CRF = 23


class VideoWriteError(Exception):
    """The encoder refused the file or stopped; the message says why in one line."""


class H264Writer:
    """Frames in (BGR, all the same size), an H.264 file out when closed."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        import imageio_ffmpeg

        if path.suffix.lower() not in EXTENSIONS:
            kind = f"'{path.suffix}' files" if path.suffix else "a name without an extension"
            raise VideoWriteError(f"cannot write video {path}: no encoder for {kind}; use .mp4")
        width, height = size
        faststart = ["-movflags", "+faststart"] if path.suffix.lower() in (".mp4", ".mov") else []
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgr24",
            "-s",
            f"{width}x{height}",
            "-r",
            f"{fps:.6g}",
            "-i",
            "-",
            "-an",
            # yuv420p needs even sides: an odd picture gets one black row or column
            "-vf",
            "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            str(CRF),
            "-pix_fmt",
            "yuv420p",
            *faststart,
            str(path),
        ]
        self.path, self.size = path, size
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def write(self, image: np.ndarray) -> None:
        stdin: IO[bytes] | None = self._process.stdin
        assert stdin is not None
        if image.shape[1::-1] != self.size:
            width, height = self.size
            raise VideoWriteError(f"frame of {image.shape[1]}x{image.shape[0]} in a {width}x{height} video")
        try:
            stdin.write(np.ascontiguousarray(image, dtype=np.uint8).tobytes())
        except BrokenPipeError:
            self.close()  # raises with ffmpeg's reason
            raise VideoWriteError(f"the video encoder stopped writing {self.path}") from None

    def close(self) -> None:
        """Finish the file; raises VideoWriteError with ffmpeg's last line if it failed."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):  # ffmpeg already gone: its reason follows
                self._process.stdin.close()
        assert self._process.stderr is not None
        errors = self._process.stderr.read().decode(errors="replace").strip()
        if self._process.wait() != 0:
            reason = errors.splitlines()[-1] if errors else f"ffmpeg exited with {self._process.returncode}"
            raise VideoWriteError(f"cannot write video {self.path}: {reason}")


def probe(path: Path) -> None:
    """Write one small frame to ``path`` and remove it: raises VideoWriteError if that fails."""
    writer = H264Writer(path, 30.0, (16, 16))
    writer.write(np.zeros((16, 16, 3), np.uint8))
    try:
        writer.close()
    finally:
        path.unlink(missing_ok=True)
