"""rehab: an open-source rehabilitation game engine.

Devices produce timestamped samples, ``rehab`` turns them into joint angles, controls and rep
metrics, ``games`` turn controls into play, ``progress`` stores and reports what happened.
"""

__version__ = "0.1.0"

import os as _os

# pygame prints a greeting on import; a patient's terminal should show only what rehab says.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
