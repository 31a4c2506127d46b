"""rehab: an open-source rehabilitation game engine.

Devices produce timestamped samples, ``rehab`` turns them into joint angles, controls and rep
metrics, ``games`` turn controls into play, ``progress`` stores and reports what happened. The
layers inside are described in docs/architecture.md.
"""

import os as _os

from rehab.core.version import __version__ as __version__

# pygame prints a greeting on import; a patient's terminal should show only what rehab says.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
