"""Asking the patient for a rating (SUDS 0-100, stress 0-10) or a choice, with one pointer.

The pointer is a level 0..1 from whatever the patient can move: Up/Down keys (``keyboard:``), a
hand raised in front of the camera (``hand_level``), even a deep breath. Holding it still for
``dwell_s`` chooses; above ``STOP_LEVEL`` (a hand high over the head, or the top of the key range)
is "stop", when stopping is offered. Nobody is ever forced: an unanswered prompt times out and is
recorded as skipped. Pure state machine: time comes in through ``update(dt, level)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rehab.core.i18n import N_
from rehab.core.types import PoseFrame

#: pointer above this (120% of the range the keys or the hand reach) means "stop"
STOP_LEVEL = 1.08
#: the pointer may wander this much (share of the scale) and still count as held still
DWELL_TOLERANCE = 0.05
#: a hand held over one answer this long chooses it (the questionnaire's and the pain question's hover)
HOVER_S = 2.0
#: below this hand level (``hand_level``: 0 at the hip, 0.6 at the shoulder) the hand is resting and
#: points at nothing, so an arm hanging by the side never answers
REST_LEVEL = 0.2
#: the hand level that points at the top answer; higher still stays on it
HAND_TOP_LEVEL = 1.0


@dataclass(frozen=True)
class Scale:
    kind: str  # a progress store rating kind: suds, stress, pain
    low: int
    high: int
    step: int
    low_label: str
    high_label: str


#: the scales' end words are marked for the catalog and translated where they are drawn
SUDS = Scale("suds", 0, 100, 5, N_("calm"), N_("worst fear"))
STRESS = Scale("stress", 0, 10, 1, N_("relaxed"), N_("very stressed"))


@dataclass(frozen=True)
class Rating:
    """One answer, as the progress store keeps it (``moment`` is before, during or after)."""

    kind: str
    value: float
    t: float
    moment: str
    context: str = ""


@dataclass(frozen=True)
class PromptView:
    """What a renderer shows of a prompt."""

    question: str
    scale: Scale | None  # None for a choice between ``choices``
    choices: tuple[str, ...]
    allow_stop: bool
    pointer: float  # 0..STOP_LEVEL+, NaN while the pointer is not tracked
    candidate: str  # what holding still now would choose: "35", "Go up", "stop", ""
    dwell: float  # 0..1 of the hold that chooses
    seconds_left: float
    #: answered with the keys: Enter chooses, holding still does not
    by_keys: bool = False


@dataclass(frozen=True)
class Answer:
    kind: str  # value, choice, stop, timeout
    value: float = math.nan
    choice: str = ""


class Prompt:
    """A question answered by holding the pointer still. ``update`` returns the Answer once."""

    def __init__(
        self,
        question: str,
        scale: Scale | None = None,
        choices: tuple[str, ...] = (),
        allow_stop: bool = True,
        dwell_s: float = 2.5,
        timeout_s: float = 45.0,
    ) -> None:
        if (scale is None) == (not choices):
            raise ValueError("a prompt asks for either a value on a scale or one of several choices")
        self.question = question
        self.scale = scale
        self.choices = choices
        self.allow_stop = allow_stop
        self.dwell_s = dwell_s
        self.timeout_s = timeout_s
        self.elapsed = 0.0
        self._held = 0.0
        self._anchor = math.nan
        self._pointer = math.nan
        self._enter = False
        self.by_keys = False
        self.answer: Answer | None = None

    def keys_only(self) -> None:
        """The player is on the keys: the marker rests between presses, so resting must not choose;
        only Enter (``choose``) does, as on the pain screen. Holding still is for a raised hand."""
        self.by_keys = True
        self.dwell_s = math.inf

    def choose(self) -> None:
        """Enter: the next ``update`` answers with what the pointer is on then."""
        self._enter = True

    def candidate(self, level: float) -> str:
        if math.isnan(level):
            return ""
        if self.allow_stop and level >= STOP_LEVEL:
            return "stop"
        share = min(max(level, 0.0), 1.0)
        if self.scale is not None:
            return str(self.value_of(share))
        return self.choices[min(int(share * len(self.choices)), len(self.choices) - 1)]

    def value_of(self, share: float) -> int:
        assert self.scale is not None
        s = self.scale
        raw = s.low + share * (s.high - s.low)
        return int(min(max(round(raw / s.step) * s.step, s.low), s.high))

    def update(self, dt: float, level: float, hold: bool = True) -> Answer | None:
        """``hold`` False: the pointer is where keys left it, and resting there chooses nothing."""
        if self.answer is not None:
            return None
        self.elapsed += dt
        self._pointer = level
        if math.isnan(level):
            self._held, self._anchor = 0.0, math.nan
        elif not hold:
            self._held, self._anchor = 0.0, level
        elif (
            math.isnan(self._anchor)
            or abs(level - self._anchor) > DWELL_TOLERANCE
            or (self.candidate(level) != self.candidate(self._anchor) and self.scale is None)
        ):
            # moved: start holding again from here (choices also restart when crossing a border)
            self._held, self._anchor = 0.0, level
        else:
            self._held += dt
        enter, self._enter = self._enter, False
        if enter and not math.isnan(level):
            self.answer = self._choose(level)
        elif self._held >= self.dwell_s:
            self.answer = self._choose(self._anchor)
        elif self.elapsed >= self.timeout_s:
            self.answer = Answer("timeout")
        return self.answer

    def _choose(self, level: float) -> Answer:
        picked = self.candidate(level)
        if picked == "stop":
            return Answer("stop")
        if self.scale is not None:
            return Answer("value", value=float(picked))
        return Answer("choice", choice=picked)

    def view(self) -> PromptView:
        return PromptView(
            question=self.question,
            scale=self.scale,
            choices=self.choices,
            allow_stop=self.allow_stop,
            pointer=self._pointer,
            candidate=self.candidate(self._anchor) if not math.isnan(self._anchor) else "",
            dwell=min(self._held / self.dwell_s, 1.0) if self.dwell_s > 0 else 1.0,
            seconds_left=max(0.0, self.timeout_s - self.elapsed),
            by_keys=self.by_keys,
        )


def level_for(scale: Scale, value: float) -> float:
    """The pointer level that chooses ``value``: what a simulated patient holds."""
    return (value - scale.low) / (scale.high - scale.low)


# MediaPipe indices (rehab.core.landmarks): shoulders 11/12, wrists 15/16, hips 23/24
_SHOULDERS, _WRISTS, _HIPS = (11, 12), (15, 16), (23, 24)
#: a wrist at shoulder height points at 60% of the scale; straight up over the head passes "stop"
SHOULDER_SHARE = 0.6


def hand_level(pose: PoseFrame, min_visibility: float = 0.5) -> float:
    """The higher hand as a pointer: 0 with the wrist at the hip, 0.6 at the shoulder, above 1.08
    held high over the head. Measured in torso lengths, so it fits any body and camera distance.
    NaN when no hand, shoulder or hip is visible enough."""
    if pose.world is None:
        return math.nan
    vis = pose.visibility
    y = pose.world[:, 1]  # metres, y down
    hips = [y[i] for i in _HIPS if vis[i] >= min_visibility]
    shoulders = [y[i] for i in _SHOULDERS if vis[i] >= min_visibility]
    wrists = [y[i] for i in _WRISTS if vis[i] >= min_visibility]
    if not (hips and shoulders and wrists):
        return math.nan
    hip, shoulder = float(np.mean(hips)), float(np.mean(shoulders))
    torso = hip - shoulder
    if torso <= 0.05:
        return math.nan
    raised = (hip - min(wrists)) / torso  # 0 at the hip, 1 at the shoulder
    return max(0.0, raised * SHOULDER_SHARE)


def hand_share(level: float) -> float:
    """Where a hand at ``level`` points on a scale, 0 (its foot) to 1 (its top): NaN while the hand
    rests below ``REST_LEVEL`` or is not seen, so only a raised hand points."""
    if math.isnan(level) or level < REST_LEVEL:
        return math.nan
    return min((level - REST_LEVEL) / (HAND_TOP_LEVEL - REST_LEVEL), 1.0)
