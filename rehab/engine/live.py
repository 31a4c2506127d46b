"""Sharing a session live with the physio (issue #18): what the game loop needs of it.

The loop knows a ``LiveChannel`` by this protocol only (the home's sender, ``rehab.app.live_share``,
implements it): each frame it sends the 2D landmarks and the angle, and takes the physio's actions.
Actions are plain frozen data (``LiveAction``); ``LiveControl`` applies them to a round within the
plan's limits and says what it did. ``ConsentScene`` asks the patient, once per session, whether to
share; ``draw_live_badge`` marks the screen while the session is shared.

No camera image is ever sent: only landmarks, angles and what the scenes say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Protocol

import pygame

from rehab.core.i18n import N_, _
from rehab.core.types import PoseFrame, RepMetrics
from rehab.engine.director import END, Keys, Scene
from rehab.engine.hud import text, wrap_to_width
from rehab.engine.palette import PALETTE

#: how long a physio's message stays in the game window
MESSAGE_S = 6.0
#: frames sent a second at most (the game may draw faster)
FRAME_HZ = 30.0
QUESTION = N_("Share this session live with your physio?")
PRIVACY = N_("No camera image leaves your home: only the positions of your joints and your angles.")
#: the key that stops sharing at any moment
STOP_KEY = "l"


@dataclass(frozen=True)
class LiveAction:
    """One thing the physio did: a message, a new target or ceiling (degrees), pause or end."""

    id: int
    kind: str  # message | target | ceiling | pause | end
    text: str = ""
    value: float = math.nan
    reason: str = ""


class LiveChannel(Protocol):
    """The link to the clinic for one session: never blocks the game."""

    @property
    def sharing(self) -> bool: ...

    def send(self, message: dict[str, Any]) -> None:
        """Queue one message for the clinic (old frames are dropped when the line is slow)."""
        ...

    def take_actions(self) -> list[LiveAction]:
        """The physio's actions that arrived since the last call."""
        ...

    def stop_sharing(self) -> None:
        """The patient stopped sharing: nothing more is sent."""
        ...


#: a pose without image coordinates (a simulated one) is drawn from its world points, metres from
#: the hips, as a camera 2.2 m wide would frame it
_WORLD_SPAN_M = 2.2


def landmarks_2d(pose: PoseFrame) -> list[list[float]] | None:
    """33 x [x, y, visibility] in normalised image coordinates, rounded (about 1.2 kB as JSON)."""
    if pose.image is not None:
        points = [(float(x), float(y)) for x, y, _z in pose.image]
    elif pose.world is not None:
        points = [(0.5 + float(x) / _WORLD_SPAN_M, 0.55 + float(y) / _WORLD_SPAN_M) for x, y, _z in pose.world]
    else:
        return None
    return [[round(x, 4), round(y, 4), round(float(v), 2)] for (x, y), v in zip(points, pose.visibility, strict=True)]


def rep_message(rep: RepMetrics, number: int) -> dict[str, Any]:
    def num(value: float) -> float | None:
        return round(value, 2) if math.isfinite(value) else None

    return {
        "type": "rep",
        "index": number,
        "peak_deg": num(rep.peak_deg),
        "rom_deg": num(rep.rom_deg),
        "duration_s": num(rep.t_end - rep.t_start),
        "success": bool(rep.success),
        "over_ceiling": bool(rep.over_ceiling),
        "compensations": list(rep.compensations),
    }


def finite(value: float) -> float | None:
    return round(value, 1) if math.isfinite(value) else None


@dataclass(frozen=True)
class Limits:
    """What a physio may set from afar: the plan's own limits for this set."""

    rest_deg: float
    ceiling_deg: float  # the plan's ceiling (or the movement's normal maximum)

    def check(self, action: LiveAction, target: float, ceiling: float) -> str:
        """'' when the new value may be used; else why not, in one sentence."""
        value = action.value
        if not math.isfinite(value):
            return "no value given"
        if action.kind == "target" and not self.rest_deg + 5 <= value <= min(ceiling, self.ceiling_deg):
            top = min(ceiling, self.ceiling_deg)
            return f"the target must be between {self.rest_deg + 5:g} and {top:g} degrees (the plan's limits)"
        if action.kind == "ceiling" and not target <= value <= self.ceiling_deg:
            return f"the ceiling must be between the target ({target:g}) and the plan's {self.ceiling_deg:g} degrees"
        return ""


class ConsentScene:
    """One yes/no question before the session: share it live? Enter chooses, the arrows move, a
    click on an answer chooses it; Esc (or closing the window) answers no."""

    name = "live consent"

    def __init__(self, timeout_s: float = math.inf) -> None:
        self.choice = 0  # 0 yes, 1 no
        self.answer: bool | None = None
        self.timeout_s = timeout_s
        self.start: float | None = None
        self.buttons: list[pygame.Rect] = []

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        self.start = now if self.start is None else self.start
        for key in keys.pressed:
            if key in ("left", "up", "right", "down"):
                self.choice = 1 - self.choice
            elif key == "enter":
                self.answer = self.choice == 0
            elif key.startswith("click:"):
                x, y = (int(v) for v in key[6:].split(","))
                for n, box in enumerate(self.buttons):
                    if box.collidepoint(x, y):
                        self.answer = n == 0
        if self.answer is None and now - self.start >= self.timeout_s:
            self.answer = False  # nobody answered: nothing is shared
        return END if self.answer is not None else None

    def draw(self, surface: pygame.Surface) -> None:
        surface.fill(PALETTE.background_top)
        w, h = surface.get_size()
        top = h // 4
        for words in wrap_to_width(_(QUESTION), 56, w - 80):
            top = text(surface, words, 56, PALETTE.text, (w // 2, top), "midtop").bottom + 8
        for words in wrap_to_width(_(PRIVACY), 34, w - 120):
            top = text(surface, words, 34, PALETTE.muted, (w // 2, top + 12), "midtop").bottom
        self.buttons = []
        for n, label in enumerate((_("Yes, share"), _("No"))):
            box = pygame.Rect(0, 0, 260, 80)
            box.center = (w // 2 + (n * 2 - 1) * 160, top + 120)
            chosen = n == self.choice
            pygame.draw.rect(surface, PALETTE.accent if chosen else PALETTE.panel, box, border_radius=12)
            pygame.draw.rect(surface, PALETTE.text, box, 3 if chosen else 1, border_radius=12)
            text(surface, label, 44, PALETTE.panel if chosen else PALETTE.text, box.center, "center")
            self.buttons.append(box)

    def on_quit(self, presses: int) -> bool:
        self.answer = False
        return True


BADGE = N_("LIVE")
BADGE_HINT = N_("L stops sharing")


def draw_live_badge(surface: pygame.Surface) -> None:
    """A red LIVE badge at the top left, under the bar, with the key that stops sharing."""
    label = _(BADGE)
    box = text(surface, label, 36, PALETTE.text, (-1000, -1000))  # measured off screen
    badge = pygame.Rect(12, 62, box.width + 20, box.height + 8)
    pygame.draw.rect(surface, (200, 40, 40), badge, border_radius=8)
    text(surface, label, 36, (255, 255, 255), badge.center, "center")
    hint = _(BADGE_HINT)
    under = pygame.Rect((0, 0), text(surface, hint, 28, PALETTE.text, (-1000, -1000)).size)
    under.topleft = (badge.right + 10, badge.top + 4)
    pygame.draw.rect(surface, PALETTE.panel, under.inflate(8, 4))
    text(surface, hint, 28, PALETTE.text, under.topleft)


#: how a round ends when the physio ends the session (everything done so far is kept)
ENDED_BY_PHYSIO = "ended by the physio"


class LiveRound:
    """One round's side of live sharing: sends a frame at most ``FRAME_HZ`` times a second and each
    rep, and applies the physio's actions to the round (``state``, a ``rehab.engine.scenes.Round``)."""

    def __init__(self, channel: LiveChannel, rest_deg: float, plan_ceiling_deg: float) -> None:
        self.channel = channel
        self.limits = Limits(rest_deg, plan_ceiling_deg if math.isfinite(plan_ceiling_deg) else 180.0)
        self.pose: PoseFrame | None = None
        self.sent_at = -math.inf
        self.said = ""
        self.said_until = -math.inf

    @property
    def sharing(self) -> bool:
        return bool(self.channel.sharing)

    def saw(self, sample: object) -> None:
        if isinstance(sample, PoseFrame):
            self.pose = sample

    def rep(self, rep: RepMetrics, number: int) -> None:
        if self.sharing:
            self.channel.send(rep_message(rep, number))

    def message(self, now: float, usual: str, safety: bool) -> str:
        """The physio's message while it shows, except over the safety warning."""
        return usual if safety or now >= self.said_until else self.said

    def step(self, state: Any, now: float, keys: Keys, scene: str) -> None:
        if not self.sharing:
            return
        if STOP_KEY in keys.pressed:
            self.channel.stop_sharing()
            self.said_until = -math.inf
            return
        for action in self.channel.take_actions():
            applied, note = self.apply(state, now, action)
            done = {"type": "action_done", "id": action.id, "kind": action.kind, "applied": applied, "note": note}
            self.channel.send(done)
        if now - self.sent_at >= 1.0 / FRAME_HZ - 1e-6:
            self.sent_at = now
            self.channel.send(self.frame(state, now, scene))

    def apply(self, state: Any, now: float, action: LiveAction) -> tuple[bool, str]:
        """Does what the physio asked, within the plan's limits: (done, why not)."""
        if action.kind == "message":
            self.said, self.said_until = action.text, now + MESSAGE_S
        elif action.kind == "pause":
            state.paused = True
        elif action.kind == "end":
            state.result.ended = ENDED_BY_PHYSIO
        elif action.kind in ("target", "ceiling"):
            exercise = state.exercise
            problem = self.limits.check(action, exercise.target_deg, exercise.ceiling_deg)
            if problem:
                return False, problem
            state.retarget(replace(exercise, **{f"{action.kind}_deg": action.value}))
        else:
            return False, f"unknown action {action.kind!r}"
        return True, ""

    def frame(self, state: Any, now: float, scene: str) -> dict[str, Any]:
        exercise, controls = state.exercise, state.measurement.controls
        events = state.result.events
        device = state.input_url or "input"
        device += ": " + (events[-1].kind if events else "tracking" if controls.tracking else "not tracking")
        return {
            "type": "frame",
            "t": round(now, 3),
            "landmarks": landmarks_2d(self.pose) if self.pose is not None else None,
            "angle": {
                "name": exercise.angle_name,
                "value": finite(controls.angle_deg),
                "goal": finite(exercise.target_deg),
                "ceiling": finite(exercise.ceiling_deg),
            },
            "scene": "paused" if state.paused else scene,
            "reps": len(state.result.reps),
            "reps_planned": exercise.reps_planned,
            "device": device,
        }
