"""Focus: relaxation neurofeedback. A paper lantern rises over a night lake while the headset's
meditation stays above an adaptive threshold, and drifts down gently when it does not. Poor signal
pauses everything and asks to adjust the headset. Pure rules: time comes in through ``update``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from games.focus import metrics
from rehab.core.i18n import _
from rehab.core.types import Controls
from rehab.engine.api import PatientSummary

RISE_PER_S, SINK_PER_S = 1 / 40, 1 / 160  # a lantern takes 40 s of calm to reach the sky


@dataclass(frozen=True)
class FocusSnapshot:
    t: float
    meditation: float  # 0-100, NaN while the signal is poor
    attention: float
    threshold: float
    above: bool
    poor_signal: bool
    lantern: float  # 0 (on the water) .. 1 (released to the sky)
    lanterns: int  # released so far
    time_above_s: float
    poor_s: float
    mean_attention: float
    mean_meditation: float
    message: str


class FocusGame:
    name = "focus"

    def __init__(self, hold_s: float = 0.0) -> None:
        self.t = 0.0
        self.threshold = metrics.THRESHOLD_START
        self.tally = metrics.Tally()
        self.lantern = 0.0
        self.lanterns = 0
        self._meditation = math.nan
        self._attention = math.nan
        self._poor = True
        self._started = False

    def update(self, dt: float, controls: Controls) -> None:
        if not self._started:
            if not controls.tracking:
                return  # the headset has not said anything yet: nothing to count
            self._started = True
        self.t += dt
        poor_level = controls.axes.get("poor_signal", 1.0)  # 0..1 of ThinkGear's 0-200
        self._poor = not controls.tracking or poor_level * 200.0 >= metrics.POOR_SIGNAL
        if self._poor:
            self._meditation = self._attention = math.nan
            self.tally.add(dt, False, 0.0, 0.0, False)
            return  # the lantern waits where it is: a loose headset is not a failure
        self._meditation = controls.level * 100.0
        self._attention = controls.axes.get("attention", math.nan) * 100.0
        above = self._meditation >= self.threshold
        self.tally.add(dt, True, self._attention if not math.isnan(self._attention) else 0.0, self._meditation, above)
        self.threshold = metrics.next_threshold(self.threshold, self._meditation, dt)
        self.lantern += (RISE_PER_S if above else -SINK_PER_S) * dt
        if self.lantern >= 1.0:
            self.lanterns += 1
            self.lantern = 0.0
        self.lantern = max(self.lantern, 0.0)

    def snapshot(self) -> FocusSnapshot:
        above = not self._poor and self._meditation >= self.threshold
        if self._poor and self._started:
            message = _("Adjust the headset: the sensor should touch your forehead")
        elif not self._started:
            message = _("Waiting for the headset...")
        elif above:
            message = _("Calm and steady: the lantern rises")
        else:
            message = _("Let your shoulders drop; breathe out slowly")
        return FocusSnapshot(
            t=self.t,
            meditation=self._meditation,
            attention=self._attention,
            threshold=self.threshold,
            above=above,
            poor_signal=self._poor and self._started,
            lantern=self.lantern,
            lanterns=self.lanterns,
            time_above_s=self.tally.above_s,
            poor_s=self.tally.poor_s,
            mean_attention=self.tally.mean_attention,
            mean_meditation=self.tally.mean_meditation,
            message=message,
        )

    def patient_summary(self) -> PatientSummary:
        """The end-of-game screen: lanterns released, calm time above the goal, poor contact."""
        lines = [
            _("Lanterns released: {count}").format(count=self.lanterns),
            _("Calm above your goal: {calm} of {total}").format(calm=_clock(self.tally.above_s), total=_clock(self.t)),
        ]
        if self.tally.poor_s >= 1.0:
            lines.append(_("The headset lost contact for {time}").format(time=_clock(self.tally.poor_s)))
        return PatientSummary(tuple(lines), praise=self.tally.above_s > 0)

    def summary(self) -> dict[str, Any]:
        def clean(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 2)

        return {
            "ratings": 0,
            "lanterns": self.lanterns,
            "seconds_above_threshold": round(self.tally.above_s, 2),
            "seconds_good_signal": round(self.tally.good_s, 2),
            "seconds_poor_signal": round(self.tally.poor_s, 2),
            "mean_attention": clean(self.tally.mean_attention),
            "mean_meditation": clean(self.tally.mean_meditation),
            "final_threshold": round(self.threshold, 2),
        }


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"
