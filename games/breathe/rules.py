"""Breathe: paced resonance breathing with biofeedback, and a stress rating before and after.

The pacer is a smooth inhale/exhale curve at ``pace_bpm`` (6 a minute by default: resonance
breathing lies between 4.5 and 6.5). The patient's measured breath (level 0 out .. 1 in) is drawn
against it and counted breath by breath. Pure rules: time comes in through ``update``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from games.breathe import metrics
from rehab.core.i18n import _, ngettext
from rehab.core.types import Controls
from rehab.engine.api import STRESS, PatientSummary, Prompt, PromptView, Rating

#: seconds of breathing drawn on the chart, and how often it is sampled
TRACE_S, TRACE_HZ = 30.0, 10.0


def pacer_level(t: float, pace_bpm: float, inhale_share: float = 0.4) -> float:
    """0 (out) .. 1 (in) at ``t`` seconds: a half-cosine in, a longer half-cosine out (no jumps)."""
    cycle = 60.0 / pace_bpm
    p = (t % cycle) / cycle
    if p < inhale_share:
        return 0.5 - 0.5 * math.cos(math.pi * p / inhale_share)
    return 0.5 + 0.5 * math.cos(math.pi * (p - inhale_share) / (1.0 - inhale_share))


@dataclass(frozen=True)
class BreatheSnapshot:
    t: float
    phase: str  # rate_before, breathe, rate_after, done
    pace_bpm: float
    pacer: float  # 0..1
    inhaling: bool
    level: float  # measured breath 0..1, NaN when not tracked
    tracking: bool
    trace: tuple[tuple[float, float], ...]  # (pacer, measured) at TRACE_HZ, oldest first
    breaths: int
    rate_bpm: float  # the last breath's rate
    mean_rate_bpm: float
    regularity: float
    near_target_s: float
    remaining_s: float
    prompt: PromptView | None
    stress_before: float
    stress_after: float
    message: str


class BreatheGame:
    name = "breathe"

    def __init__(
        self,
        pace_bpm: float = 6.0,
        duration_s: float = 180.0,
        inhale_share: float = 0.4,
        ask_stress: bool = True,
        hold_s: float = 0.0,
    ) -> None:
        if not 3.0 <= pace_bpm <= 12.0:
            raise ValueError(f"pace {pace_bpm} breaths a minute is outside 3-12")
        self.pace_bpm = pace_bpm
        self.duration_s = duration_s
        self.inhale_share = inhale_share
        self.t = 0.0
        self.breathing_s = 0.0
        self.counter = metrics.BreathCounter()
        self.ratings: list[Rating] = []
        self.skipped = 0
        self._by_keys = False
        self.phase = "rate_before" if ask_stress else "breathe"
        self.prompt: Prompt | None = self._stress_prompt("before") if ask_stress else None
        self._ask_stress = ask_stress
        self._leaving = False
        self._trace: deque[tuple[float, float]] = deque(maxlen=int(TRACE_S * TRACE_HZ))
        self._since_trace = 0.0
        self._controls = Controls(t=0.0, level=0.0, angle_deg=math.nan, tracking=False)

    def _stress_prompt(self, moment: str) -> Prompt:
        if moment == "before":
            question = _("How stressed do you feel now, before we start?")
        else:
            question = _("How stressed do you feel now, after breathing?")
        prompt = Prompt(question, scale=STRESS, allow_stop=False, timeout_s=30.0)
        if self._by_keys:
            prompt.keys_only()
        return prompt

    def answer_by_keys(self) -> None:
        """A player on the keys: only Enter answers (see ``rehab.engine.ratings.Prompt.keys_only``)."""
        self._by_keys = True
        if self.prompt is not None:
            self.prompt.keys_only()

    def choose(self) -> None:
        if self.prompt is not None:
            self.prompt.choose()

    def update(self, dt: float, controls: Controls) -> None:
        self.t += dt
        self._controls = controls
        if self.prompt is not None:
            # a raised hand points when the camera sees one; otherwise the breath (or keys) does
            pointer = controls.axes.get("hand", controls.level if controls.tracking else math.nan)
            answer = self.prompt.update(dt, pointer)
            if answer is not None:
                moment = "before" if self.phase == "rate_before" else "after"
                if answer.kind == "value":
                    self.ratings.append(Rating("stress", answer.value, self.t, moment))
                else:
                    self.skipped += 1
                self.prompt = None
                self.phase = "breathe" if self.phase == "rate_before" else "done"
            return
        if self.phase != "breathe":
            return
        self.breathing_s += dt
        level = controls.level if controls.tracking else math.nan
        self.counter.step(self.t, level)
        self._since_trace += dt
        if self._since_trace >= 1.0 / TRACE_HZ:
            self._since_trace -= 1.0 / TRACE_HZ
            self._trace.append((self.pacer, level))
        if self.breathing_s >= self.duration_s:
            if self._ask_stress:
                self.phase, self.prompt = "rate_after", self._stress_prompt("after")
            else:
                self.phase = "done"

    def request_exit(self) -> None:
        """Esc, or the session's time is up: ask the stress after breathing now, unless breathing
        never began (nothing to rate) or the question is already on screen."""
        self._leaving = True
        if self.phase == "breathe" and self._ask_stress:
            self.phase, self.prompt = "rate_after", self._stress_prompt("after")
        elif self.phase == "breathe":
            self.phase = "done"

    @property
    def ready_to_leave(self) -> bool:
        return self._leaving and self.phase in ("rate_before", "done")

    @property
    def over(self) -> bool:
        """Breathing has run its minutes and the stress after it is answered (or skipped)."""
        return self.phase == "done"

    @property
    def pacer(self) -> float:
        return pacer_level(self.breathing_s, self.pace_bpm, self.inhale_share)

    def _rating(self, moment: str) -> float:
        return next((r.value for r in self.ratings if r.moment == moment), math.nan)

    def snapshot(self) -> BreatheSnapshot:
        c = self._controls
        onsets = self.counter.onsets
        rates = metrics.rate_series(onsets)
        cycle_p = (self.breathing_s % (60.0 / self.pace_bpm)) * self.pace_bpm / 60.0
        inhaling = cycle_p < self.inhale_share
        return BreatheSnapshot(
            t=self.t,
            phase=self.phase,
            pace_bpm=self.pace_bpm,
            pacer=self.pacer,
            inhaling=inhaling,
            level=c.level if c.tracking else math.nan,
            tracking=c.tracking,
            trace=tuple(self._trace),
            breaths=len(onsets),
            rate_bpm=rates[-1][1] if rates else math.nan,
            mean_rate_bpm=metrics.mean_rate(onsets),
            regularity=metrics.regularity(onsets),
            near_target_s=metrics.time_near_target(onsets, self.pace_bpm),
            remaining_s=max(0.0, self.duration_s - self.breathing_s),
            prompt=self.prompt.view() if self.prompt is not None else None,
            stress_before=self._rating("before"),
            stress_after=self._rating("after"),
            message=self._message(inhaling, c.tracking),
        )

    def _message(self, inhaling: bool, tracking: bool) -> str:
        if self.prompt is not None:
            return ""  # the question says how to answer on its own panel; a line under it would repeat it
        if self.phase == "done":
            return _("Well done. Take your time before you get up.")
        if not tracking:
            return _("Keep breathing with the circle; we will find your breath again")
        return _("Breathe in slowly...") if inhaling else _("...and let the breath out gently")

    def patient_summary(self) -> PatientSummary:
        """The end-of-game screen: breaths and their rate against the pace, time on pace, stress."""
        onsets = self.counter.onsets
        rate = metrics.mean_rate(onsets)
        if not onsets:
            lines = [_("No breaths were counted: we could not follow your breathing.")]
        elif math.isnan(rate):
            said = ngettext(
                "{count} breath (aim {pace} a minute)", "{count} breaths (aim {pace} a minute)", len(onsets)
            )
            lines = [said.format(count=len(onsets), pace=f"{self.pace_bpm:g}")]
        else:
            said = ngettext(
                "{count} breath, {rate} a minute (aim {pace})",
                "{count} breaths, {rate} a minute (aim {pace})",
                len(onsets),
            )
            lines = [said.format(count=len(onsets), rate=f"{rate:.1f}", pace=f"{self.pace_bpm:g}")]
        on_pace = metrics.time_near_target(onsets, self.pace_bpm)
        pace = _("Breathing at the pace: {on_pace} of {total}")
        lines.append(pace.format(on_pace=_clock(on_pace), total=_clock(self.breathing_s)))
        lines.append(_stress_line(self._rating("before"), self._rating("after")))
        return PatientSummary(tuple(lines), praise=bool(onsets))

    def summary(self) -> dict[str, Any]:
        """What a session reports: counts, the rate curve, regularity, time on target, stress."""
        onsets = self.counter.onsets

        def clean(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 3)

        return {
            "breaths": len(onsets),
            "ratings": len(self.ratings),
            "ratings_skipped": self.skipped,
            "pace_bpm": self.pace_bpm,
            "breathing_seconds": round(self.breathing_s, 2),
            "mean_rate_bpm": clean(metrics.mean_rate(onsets)),
            "rate_by_minute_bpm": metrics.rate_by_minute(onsets),
            "regularity": clean(metrics.regularity(onsets)),
            "seconds_within_1_bpm_of_target": round(metrics.time_near_target(onsets, self.pace_bpm), 2),
            "stress_before": clean(self._rating("before")),
            "stress_after": clean(self._rating("after")),
            "rating_list": [asdict(r) for r in self.ratings],
        }


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _stress_line(before: float, after: float) -> str:
    """Stress before and after, in words; an unanswered rating is said, never shown as a number."""
    said = [
        words.format(value=f"{value:g}")
        for value, words in ((before, _("{value} before")), (after, _("{value} after")))
        if not math.isnan(value)
    ]
    if not said:
        return _("Stress was not rated this time.")
    if len(said) == 1:
        return _("Stress (0-10): {first}").format(first=said[0])
    return _("Stress (0-10): {first}, {second}").format(first=said[0], second=said[1])
