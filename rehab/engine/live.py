"""Sharing a session live with the physio (issue #18): what the game loop needs of it.

The loop knows a ``LiveChannel`` by this protocol only (the home's sender, ``rehab.app.live_share``,
implements it): each frame it sends the 2D landmarks and the angle, and takes the physio's actions.
Actions are plain frozen data (``LiveAction``); ``LiveRound`` applies them to a round within the
plan's limits and says what it did, and ``LiveBreak`` applies them between sets (a rest, a pain
question): a message shows at once, pause holds the screen (resume, or the patient's P, lifts it),
end ends it, and a new target or ceiling waits for the next set. ``ConsentScene`` asks the patient,
once per session, whether to share; L stops sharing and, for a patient who said no or stopped,
starts it (never without that key); ``draw_live_badge`` marks the screen while the session is shared.

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
from rehab.engine.hud import draw_message_rows, message_band, message_rows, text, wrap_to_width
from rehab.engine.palette import PALETTE

#: how long a physio's message stays in the game window
MESSAGE_S = 6.0
#: frames sent a second at most (the game may draw faster)
FRAME_HZ = 30.0
QUESTION = N_("Share this session live with your physio?")
PRIVACY = N_("No camera image leaves your home: only the positions of your joints and your angles.")
#: the key that stops sharing at any moment, and starts it for a patient who said no or stopped
STOP_KEY = "l"
#: what the paused card says when the physio paused (the patient carries on with P, or the physio resumes)
PHYSIO_PAUSED = N_("Your physio paused the session. Press P to carry on, Esc to stop.")
#: why the physio's resume was not applied: nothing was paused
NOT_PAUSED = "nothing is paused"
#: why the physio's resume was not applied: the patient paused the game themselves (theirs to lift)
PAUSED_BY_PATIENT = "the patient paused the game themselves: they carry on with P"


@dataclass(frozen=True)
class LiveAction:
    """One thing the physio did: a message, a new target or ceiling (degrees), pause, resume or end."""

    id: int
    kind: str  # message | target | ceiling | pause | resume | end
    text: str = ""
    value: float = math.nan
    reason: str = ""
    #: a target or ceiling sent between sets: the movement the physio last saw played, so that it
    #: is never applied to another exercise ("" while a set plays)
    movement: str = ""


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

    def start_sharing(self) -> None:
        """The patient pressed L to share after saying no or stopping: send from now on."""
        ...

    def put_back(self, actions: list[LiveAction]) -> None:
        """Actions taken but meant for later (a target sent during a rest): the next
        ``take_actions`` returns them first."""
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
#: while a linked home's session is not shared (the patient said no, or pressed L)
SHARE_HINT = N_("L shares live with your physio")
#: where the badge (or the hint that L shares) starts: the top left, under the bar
BADGE_TOPLEFT = (12, 62)


def draw_live_badge(surface: pygame.Surface) -> None:
    """A red LIVE badge at the top left, under the bar, with the key that stops sharing."""
    label = _(BADGE)
    box = text(surface, label, 36, PALETTE.text, (-1000, -1000))  # measured off screen
    badge = pygame.Rect(BADGE_TOPLEFT, (box.width + 20, box.height + 8))
    pygame.draw.rect(surface, (200, 40, 40), badge, border_radius=8)
    text(surface, label, 36, (255, 255, 255), badge.center, "center")
    _hint(surface, _(BADGE_HINT), (badge.right + 10, badge.top + 4))


def draw_share_hint(surface: pygame.Surface) -> None:
    """No badge: the same place says that L shares the session (the patient's choice, never ours)."""
    _hint(surface, _(SHARE_HINT), (BADGE_TOPLEFT[0], BADGE_TOPLEFT[1] + 4))


def _hint(surface: pygame.Surface, words: str, topleft: tuple[int, int]) -> None:
    under = pygame.Rect(topleft, text(surface, words, 28, PALETTE.text, (-1000, -1000)).size)
    pygame.draw.rect(surface, PALETTE.panel, under.inflate(8, 4))
    text(surface, words, 28, PALETTE.text, under.topleft)


#: how much the paused card dims the still screen behind it (0-255)
PAUSED_VEIL_ALPHA = 170
#: pixels between the screen's bottom edge and a message band put there
BOTTOM_MARGIN = 6


def message_band_rows(size: tuple[int, int], message: str, at_bottom: bool = False) -> list[tuple[str, pygame.Rect]]:
    """Where ``draw_message_band`` puts each line of ``message``: the game's message place
    (``rehab.engine.hud.message_rows``), or moved down against the bottom edge."""
    rows = message_rows(size, message)
    if not rows or not at_bottom:
        return rows
    shift = size[1] - BOTTOM_MARGIN - message_band(rows).bottom
    return [(words, box.move(0, shift)) for words, box in rows]


def draw_message_band(surface: pygame.Surface, message: str, at_bottom: bool = False) -> None:
    """The physio's message where a game's message goes (``rehab.engine.hud``), on its band, over a
    screen that has no HUD; ``at_bottom``: against the screen's bottom edge instead, below a rest's
    or a pain question's own lines (at the game's place it covered the question's "Esc skips")."""
    draw_message_rows(surface, message_band_rows(surface.get_size(), message, at_bottom))


def toggle_sharing(channel: LiveChannel) -> None:
    """L: stops sharing, or starts it again for a patient who said no or stopped."""
    if channel.sharing:
        channel.stop_sharing()
    else:
        channel.start_sharing()


def action_done(action: LiveAction, applied: bool, note: str = "") -> dict[str, Any]:
    return {"type": "action_done", "id": action.id, "kind": action.kind, "applied": applied, "note": note}


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
        #: the round is paused because the physio paused it (until the patient carries on with P)
        self.physio_paused = False

    @property
    def sharing(self) -> bool:
        return bool(self.channel.sharing)

    def pause_words(self, usual: str) -> str:
        """What the paused card says: that the physio paused, when they did."""
        return _(PHYSIO_PAUSED) if self.physio_paused else usual

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
        if not state.paused:
            self.physio_paused = False  # the patient carried on
        if STOP_KEY in keys.pressed:
            toggle_sharing(self.channel)
            self.said_until = -math.inf
            self.sent_at = -math.inf  # shared again: a frame at once
            if not self.sharing:
                return
        if not self.sharing:
            return
        for action in self.channel.take_actions():
            applied, note = self.apply(state, now, action)
            self.channel.send(action_done(action, applied, note))
        if now - self.sent_at >= 1.0 / FRAME_HZ - 1e-6:
            self.sent_at = now
            self.channel.send(self.frame(state, now, scene))

    def apply(self, state: Any, now: float, action: LiveAction) -> tuple[bool, str]:
        """Does what the physio asked, within the plan's limits: (done, why not)."""
        if action.kind == "message":
            self.said, self.said_until = action.text, now + MESSAGE_S
        elif action.kind == "pause":
            state.paused = self.physio_paused = True
        elif action.kind == "resume":
            if not state.paused:
                return False, NOT_PAUSED
            if not self.physio_paused:
                return False, PAUSED_BY_PATIENT
            state.paused = self.physio_paused = False
        elif action.kind == "end":
            state.result.ended = ENDED_BY_PHYSIO
        elif action.kind in ("target", "ceiling"):
            exercise = state.exercise
            if action.movement and action.movement != exercise.angle_name:
                return False, "sent for the exercise before; this set is another one"
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


class LiveBreak:
    """The physio's actions while no set is played: a rest between sets, a pain question. One per
    session (the home's sender holds it); ``around(scene)`` runs a screen under it.

    A message shows at once over the screen for ``MESSAGE_S``; pause holds the screen (a rest's
    seconds and a question's time stand still) under the physio's paused card until the patient
    presses P or the physio resumes; end ends the screen at once and sets ``ended`` (the session
    then stops as when the physio ends a set: every answer and rep already given is kept); a new
    target or ceiling is put back on the channel for the next set, marked with the movement last
    played so that it never reaches another exercise. L toggles sharing here too."""

    def __init__(self, channel: LiveChannel) -> None:
        self.channel = channel
        self.ended = False
        self.paused = False
        self.said = ""
        self.said_until = -math.inf
        #: the movement of the set last played (``rehab.engine.exercise.Exercise.angle_name``)
        self.movement = ""

    def around(self, scene: Scene) -> Scene:
        """The screen run under the break; the physio's page is told which screen it is (a rest, a
        pain question: ``rating``)."""
        if self.channel.sharing:
            self.channel.send({"type": "scene", "scene": scene.name})
        return HeldScene(scene, self)

    def step(self, now: float, keys: Keys, scene: str) -> None:
        if STOP_KEY in keys.pressed:
            toggle_sharing(self.channel)
        if self.paused and keys.pause:
            self.carry_on(scene)
        if not self.channel.sharing:
            return
        later: list[LiveAction] = []
        for action in self.channel.take_actions():
            if action.kind in ("target", "ceiling"):
                later.append(action if action.movement else replace(action, movement=self.movement))
                continue  # answered by the set that uses it (or refuses it)
            if action.kind == "message":
                self.said, self.said_until = action.text, now + MESSAGE_S
            elif action.kind == "pause":
                if not self.paused:
                    self.channel.send({"type": "scene", "scene": "paused"})
                self.paused = True
            elif action.kind == "resume":
                if not self.paused:
                    self.channel.send(action_done(action, False, NOT_PAUSED))
                    continue
                self.carry_on(scene)
            elif action.kind == "end":
                self.ended = True
            else:
                self.channel.send(action_done(action, False, f"unknown action {action.kind!r}"))
                continue
            self.channel.send(action_done(action, True))
        if later:
            self.channel.put_back(later)

    def carry_on(self, scene: str) -> None:
        """The pause is lifted (the patient's P, the physio's resume): the screen goes on."""
        self.paused = False
        self.channel.send({"type": "scene", "scene": scene})

    def message(self, now: float) -> str:
        return self.said if now < self.said_until and self.channel.sharing else ""

    def shows(self, now: float) -> bool:
        """Whether the paused card or a message is drawn over the screen at ``now``."""
        return self.paused or bool(self.message(now))

    def draw(self, surface: pygame.Surface, now: float) -> None:
        """The paused card, else the physio's message, over the screen."""
        if self.paused:
            from rehab.engine.scenes import draw_pause_banner  # the scenes import this module

            # the screen behind stands still: dim it, so a rest's half-covered countdown or a
            # question's scale does not read as something to act on
            veil = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
            veil.fill((*PALETTE.panel, PAUSED_VEIL_ALPHA))
            surface.blit(veil, (0, 0))
            draw_pause_banner(surface, _(PHYSIO_PAUSED))
        elif said := self.message(now):
            draw_message_band(surface, said, at_bottom=True)


class HeldScene:
    """A screen between sets run under a ``LiveBreak``: the screen is given its own time, which
    stands still while the physio's pause holds it."""

    def __init__(self, scene: Scene, between: LiveBreak, held_s: float = 0.0) -> None:
        self.scene = scene
        self.between = between
        self.held_s = held_s
        self.now = -math.inf
        #: the screen as its scene drew it, under the last overlay: a scene that redraws only when
        #: it changes (a rest, once a second) gets it back when the overlay goes
        self._clean: pygame.Surface | None = None

    @property
    def name(self) -> str:
        return self.scene.name

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        self.now = now
        between = self.between
        between.step(now, keys, self.scene.name)
        if between.ended:
            return END
        if between.paused:
            self.held_s += dt
            return None
        following = self.scene.update(now - self.held_s, dt, keys)
        if following is None or following is END:
            return following
        return HeldScene(following, between, self.held_s)

    def draw(self, surface: pygame.Surface) -> None:
        if self._clean is not None:
            surface.blit(self._clean, (0, 0))
        self.scene.draw(surface)
        self._clean = None
        if self.between.shows(self.now):
            self._clean = surface.copy()
            self.between.draw(surface, self.now)

    def on_quit(self, presses: int) -> bool:
        return self.scene.on_quit(presses)
