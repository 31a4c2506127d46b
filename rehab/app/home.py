"""Where patient data lives: one folder, chosen by ``--home``, then ``$REHAB_HOME``, then the
platform's user data directory (e.g. ``~/.local/share/rehab`` on Linux)."""

from __future__ import annotations

import os
from pathlib import Path

from rehab.core.private_files import make_private_folder

ENV_VAR = "REHAB_HOME"


def data_home(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder (not created here: commands that only read must not make one)."""
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("rehab", appauthor=False))


def prepared_home(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder, created owner-only (0700, whatever the umask) when rehab makes it: it holds
    every patient's sessions. A folder that already exists keeps the mode its owner gave it."""
    return make_private_folder(data_home(override))
