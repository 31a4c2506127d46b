"""One camera's pose, corrected before anything reads it: the same in ``rehab track`` and live games.

MediaPipe from one camera sometimes labels the body's sides the wrong way round and guesses the depth
of limbs that point at the camera; ``rehab.engine.side_swaps`` and ``rehab.engine.limb_depth`` correct
both from the sequence and the patient's own bones (docs/tracking.md has what each changes on real
recordings). A pose triangulated from two or more cameras (``PoseFrame.views``) measured its depth and
had its sides agreed between the views, so it passes as it is: the swap fixer made such poses worse.
"""

from __future__ import annotations

import math

from rehab.core.types import PoseFrame
from rehab.engine.limb_depth import Lens, LimbRefiner
from rehab.engine.side_swaps import SwapFixer


class OneCameraCorrections:
    """Swaps undone, then limbs rebuilt, frame by frame in order. Both learn the person's bone
    lengths, so both start afresh when nobody was seen for ``FORGET_PERSON_S`` (the patient lock's
    own limit, after which it takes whoever is there): a new person's bones are not the last one's.
    ``lens``: the camera's, when calibrated (else the limb refiner assumes a typical webcam's)."""

    FORGET_PERSON_S = 2.0

    def __init__(self, fix_swaps: bool = True, refine_limbs: bool = True, lens: Lens | None = None) -> None:
        self.lens = lens
        self.swaps = SwapFixer() if fix_swaps else None
        self.limbs = LimbRefiner(lens) if refine_limbs else None
        self._person_t = -math.inf

    def __call__(self, pose: PoseFrame) -> PoseFrame:
        if pose.world is None or pose.views > 1:
            return pose
        if pose.t - self._person_t > self.FORGET_PERSON_S:
            self.swaps = SwapFixer() if self.swaps is not None else None
            self.limbs = LimbRefiner(self.lens) if self.limbs is not None else None
        self._person_t = pose.t
        if self.swaps is not None:
            pose = self.swaps(pose)
        if self.limbs is not None:
            pose = self.limbs(pose)
        return pose
