"""Test and benchmark videos made from real photographs: no video files in the repository.

scikit-image ships photographs of real people (``astronaut``: a half body; ``camera``: a man with both
arms in view). A clip places one in a 640x480 frame, drifting gently sideways so a tracker follows
it frame to frame as it would a patient. Needs scikit-image (a development dependency).
"""

from __future__ import annotations

import math
from pathlib import Path


def photo_clip(
    path: Path, frames: int, photo: str = "astronaut", fps: float = 30.0, size: int = 480, left: int = 64
) -> Path:
    """Write an mp4 of ``frames`` 640x480 frames of the named scikit-image photograph, scaled to
    ``size`` pixels square (MediaPipe finds the cameraman only with some background around him)."""
    import cv2
    import numpy as np
    from skimage import data

    image = getattr(data, photo)()
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    picture = cv2.resize(image[:, :, ::-1], (size, size))  # RGB to OpenCV's BGR
    top = (480 - size) // 2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (640, 480))
    for i in range(frames):
        canvas = np.full((480, 640, 3), 90, np.uint8)
        dx = int(left + 20 * math.sin(i / 10))
        canvas[top : top + size, dx : dx + size] = picture
        writer.write(canvas)
    writer.release()
    return path
