"""A camera that will not open, in one plain sentence that says what to do about it.

OpenCV cannot tell a camera that is missing from one another program holds (a video call): both
just fail to open. So the sentence names both, after what the device layer found.
"""

from __future__ import annotations

from rehab.core.i18n import _


def camera_problem(url: str, error: Exception) -> str:
    """``url``: the camera asked for (``webcam:0``); ``error``: why it did not open. The cameras
    that did open are named in the patient's language; any other reason keeps the device layer's
    own (English) words, which only a wrong setting gives."""
    cameras = getattr(error, "cameras", None)
    if cameras is None:
        reason = str(error)
    elif cameras:
        reason = _("the cameras this computer has are {cameras}").format(
            cameras=", ".join(f"webcam:{i}" for i in cameras)
        )
    else:
        reason = _("this computer has no camera that opens")
    return _(
        "the camera ({camera}) could not be opened: {reason}. Check that it is plugged in and that no other "
        "program (a video call, another rehab window) is using it, then try again"
    ).format(camera=url, reason=reason)
