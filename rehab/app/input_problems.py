"""A camera that will not open, in one plain sentence that says what to do about it.

OpenCV cannot tell a camera that is missing from one another program holds (a video call): both
just fail to open. So the sentence names both, after what the device layer found.
"""

from __future__ import annotations

from rehab.core.i18n import _


def camera_problem(url: str, reason: str) -> str:
    """``url``: the camera asked for (``webcam:0``); ``reason``: the device layer's own words (the
    cameras it found, in English: the device layer's words are not translated)."""
    return _(
        "the camera ({camera}) could not be opened: {reason}. Check that it is plugged in and that no other "
        "program (a video call, another rehab window) is using it, then try again"
    ).format(camera=url, reason=reason)
