"""The scenes of one played session: instructions, countdown, play and the end-of-game summary.

Each is a ``rehab.engine.director.Scene``; they share one ``Round`` (the game, the measurement and
the result being built), and the director runs them on its frame loop. The ``draw_*`` functions are
drawing only, so the same screens can be drawn anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import pygame

from rehab.core.i18n import _, ngettext
from rehab.core.motions import motion_of, side_words
from rehab.core.types import Controls, DeviceStatus, PoseFrame, RepMetrics
from rehab.engine.director import END, Keys, Scene
from rehab.engine.exercise import Exercise
from rehab.engine.feedback import CALIBRATION_MESSAGE, Feedback, calibration_feedback, rep_feedback
from rehab.engine.game import (
    AnswersByKey,
    AsksAQuestion,
    AsksBeforeLeaving,
    CollectsRatings,
    EndsItself,
    FixedStepper,
    Game,
    GameSpec,
    PatientSummary,
    ShowsMessage,
    SummarisesForPatient,
    build_game,
)
from rehab.engine.hud import HudState, draw_hud, font, text, wrap_to_width
from rehab.engine.live import LiveRound, draw_live_badge, draw_share_hint
from rehab.engine.measurement import Measurement, untracked
from rehab.engine.message_card import MARGIN, TextRow, placed_row
from rehab.engine.movement_picture import CardPictures, card_picture_rects, draw_pictures_in, picture_of
from rehab.engine.palette import PALETTE
from rehab.engine.play import (
    CEILING_WARNING_S,
    END_GRACE_S,
    FEEDBACK_S,
    INPUT_GONE,
    STALE_INPUT_S,
    InputSource,
    PlayResult,
    SceneTimes,
    _angles_of,
    _message,
    _pause_reason,
    _setup_advice,
    sees_the_patient,
)
from rehab.engine.pose_corrections import OneCameraCorrections
from rehab.engine.ratings import Rating

#: the scenes whose frames count in a session's frame statistics (the summary does not)
PLAYED_SCENES = ("instructions", "countdown", "play")
STOPPED = "stopped by the player"
#: a game that ran its course (``EndsItself``)
FINISHED = "finished"


def wrap(line: str, width: int) -> list[str]:
    """Break a sentence into lines of at most ``width`` characters, at spaces."""
    rows: list[str] = []
    for word in line.split():
        if rows and len(rows[-1]) + 1 + len(word) <= width:
            rows[-1] += " " + word
        else:
            rows.append(word)
    return rows or [""]


def _backdrop(surface: pygame.Surface) -> None:
    surface.fill(PALETTE.background_top)


#: the instruction card's text sizes; 36 is the smallest (24 px high at the default scale)
TITLE_SIZE, LINE_SIZE, STATUS_SIZE = 72, 40, 36
#: the plan's notes stay up this much longer per word, so they can be read before play starts
NOTE_READING_S_PER_WORD = 0.4


def instruction_layout(size: tuple[int, int], title: str, lines: list[str], notes: str = "") -> list[TextRow]:
    """Where the instruction card's words go: the title, the lines (the first brightest), then the
    plan's notes for the patient, wrapped to the screen's width at the current font scale."""
    width = size[0]
    usable = width - 2 * MARGIN
    rows: list[TextRow] = []
    y = 30
    for words in wrap_to_width(title, TITLE_SIZE, usable):
        rows.append(placed_row(words, TITLE_SIZE, PALETTE.text, width, y))
        y += font(TITLE_SIZE).get_linesize()
    y += 12
    paragraphs = [(line, PALETTE.text if i == 0 else PALETTE.muted) for i, line in enumerate(lines)]
    if notes:
        paragraphs.append((_("Remember: {notes}").format(notes=notes), PALETTE.target))
    for line, color in paragraphs:
        for words in wrap_to_width(line, LINE_SIZE, usable):
            rows.append(placed_row(words, LINE_SIZE, color, width, y))
            y += font(LINE_SIZE).get_linesize()
        y += 8
    return rows


def status_layout(size: tuple[int, int], seconds_left: float, camera_check: str | None) -> list[TextRow]:
    """The card's bottom lines: what the camera check asks (wrapped upwards from its line: a long
    advice at a large text size takes two), or when play starts."""
    width, height = size
    line = font(STATUS_SIZE).get_linesize()
    low, high = height - 20 - line, height - 28 - 2 * line
    if camera_check:
        asked = wrap_to_width(_("Camera check: {advice}").format(advice=camera_check), STATUS_SIZE, width - 2 * MARGIN)
        top = high - (len(asked) - 1) * line
        rows = [placed_row(words, STATUS_SIZE, PALETTE.target, width, top + n * line) for n, words in enumerate(asked)]
        waiting = _("We start as soon as the camera can see you well.")
        return [*rows, placed_row(waiting, STATUS_SIZE, PALETTE.muted, width, low)]
    starting = _("Starting in {seconds} s").format(seconds=max(0, int(seconds_left + 0.999)))
    rows = [placed_row(starting, STATUS_SIZE, PALETTE.accent, width, low)]
    if camera_check == "":
        rows.insert(0, placed_row(_("The camera can see you well."), STATUS_SIZE, PALETTE.good, width, high))
    return rows


def status_top(size: tuple[int, int], checking: bool = False) -> int:
    """Above this the card's status lines never reach: two lines, or three while the camera check
    runs (its advice may take two), so the pictures above them keep their place as it changes."""
    line = font(STATUS_SIZE).get_linesize()
    return size[1] - 28 - (3 if checking else 2) * line


def draw_instructions(
    surface: pygame.Surface,
    title: str,
    lines: list[str],
    seconds_left: float,
    camera_check: str | None = None,
    notes: str = "",
    pictures: CardPictures | None = None,
) -> None:
    """``camera_check``: what the patient must change before play can start (None: nothing to check,
    "" when the camera sees everything it needs); ``notes``: the plan's notes for the patient;
    ``pictures``: the movement (and where to stand), drawn between the words and the status lines
    where there is room."""
    _backdrop(surface)
    size = surface.get_size()
    rows = instruction_layout(size, title, lines, notes)
    status = status_layout(size, seconds_left, camera_check)
    # an advice longer than foreseen pushes the pictures' room up rather than run over them
    below = min([status_top(size, camera_check is not None), *(row.rect[1] for row in status)])
    rects: list[pygame.Rect] = []
    if pictures is not None and rows:
        rows, rects = _pictures_for_words(size, title, lines, notes, pictures, below)
    for row in [*rows, *status]:
        text(surface, row.words, row.size, row.color, row.rect[:2], "topleft")
    if pictures is not None:
        draw_pictures_in(surface, pictures, rects)


def _bottom(rows: list[TextRow]) -> int:
    return max(pygame.Rect(r.rect).bottom for r in rows)


def _pictures_for_words(
    size: tuple[int, int], title: str, lines: list[str], notes: str, pictures: CardPictures, below: int
) -> tuple[list[TextRow], list[pygame.Rect]]:
    """At a large text size the words fill the card: the game's own description (the first line)
    gives way to the pictures, the movement, the goal and the plan's notes stay. When even that
    leaves no room, every word stays and there is no picture."""
    rows = instruction_layout(size, title, lines, notes)
    rects = card_picture_rects(size, _bottom(rows), below, pictures.count)
    if rects or len(lines) < 2:
        return rows, rects
    shorter = instruction_layout(size, title, lines[1:], notes)
    rects = card_picture_rects(size, _bottom(shorter), below, pictures.count)
    return (shorter, rects) if rects else (rows, [])


def draw_countdown(surface: pygame.Surface, seconds_left: float) -> None:
    dim = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    dim.fill((*PALETTE.panel, 170))
    surface.blit(dim, (0, 0))
    w, h = surface.get_size()
    number = max(1, int(seconds_left + 0.999))
    text(surface, str(number), 220, PALETTE.target, (w // 2, h // 2 + 20), "center")
    text(surface, _("Get ready"), 56, PALETTE.text, (w // 2, h // 2 - 120), "center")


#: the pause banner's reason: 24 px high at the default scale
PAUSE_REASON_SIZE = 36


def pause_banner_layout(size: tuple[int, int], reason: str) -> list[TextRow]:
    """The banner's words: "Paused", then the reason wrapped to the screen's width."""
    w, h = size
    rows = [placed_row(_("Paused"), 56, PALETTE.target, w, h // 2 - 10 - font(56).get_linesize())]
    y = h // 2 + 2
    for words in wrap_to_width(reason, PAUSE_REASON_SIZE, w - 2 * MARGIN):
        rows.append(placed_row(words, PAUSE_REASON_SIZE, PALETTE.text, w, y))
        y += font(PAUSE_REASON_SIZE).get_linesize()
    return rows


def draw_pause_banner(surface: pygame.Surface, reason: str) -> None:
    w, h = surface.get_size()
    rows = pause_banner_layout((w, h), reason)
    top = rows[0].rect[1] - 10
    bottom = rows[-1].rect[1] + rows[-1].rect[3] + 12
    # opaque: the reason must read at 4.5:1 whatever the game draws behind it
    pygame.draw.rect(surface, PALETTE.panel, (0, top, w, bottom - top))
    for row in rows:
        text(surface, row.words, row.size, row.color, row.rect[:2], "topleft")


def summary_heading(title: str, reps: list[RepMetrics]) -> str:
    """Praise for a goal reached; a plain "finished" otherwise (praise for nothing rings false)."""
    return _heading(title, any(r.success for r in reps))


def _heading(title: str, praise: bool) -> str:
    """The game's name (translated when it is the game's own) with praise or a plain "finished"."""
    game = _(title)
    # "Exposure: heights: well done!" reads badly: a title with its own colon keeps its last part
    game = game.rsplit(":", 1)[-1].strip() if ":" in game else game
    game = game[:1].upper() + game[1:]
    return _("{game}: well done!").format(game=game) if praise else _("{game}: finished").format(game=game)


def card_pictures(info: GameSpec, exercise: Exercise, camera: bool, seated: bool = False) -> CardPictures | None:
    """The instruction card's pictures for a physical game: its movement (a squat for knee and hip
    flexion read together), on the exercised side and mirrored as the screen is; where to stand
    when a camera watches. None for a mental game or a channel that is no joint motion."""
    motion = motion_of(exercise.angle_name)
    if info.kind != "physical" or motion is None:
        return None
    also = tuple(name for name, _rest, _target in info.axes)
    stand_view = motion.view if camera else None
    return CardPictures(picture_of(motion.name, also), exercise.side or None, exercise.mirror, stand_view, seated)


def movement_line(exercise: Exercise) -> str:
    """The movement in the patient's words ("Turn your head", "Bend your elbow, left side")."""
    motion = motion_of(exercise.angle_name)
    if motion is None:
        return _("Movement: {name}").format(name=exercise.angle_name.replace("_", " "))
    label = _(motion.label)
    return side_words(label[:1].upper() + label[1:], exercise.side)


def draw_summary(surface: pygame.Surface, title: str, reps: list[RepMetrics], reps_planned: int) -> None:
    _backdrop(surface)
    w = surface.get_width()
    text(surface, summary_heading(title, reps), 64, PALETTE.text, (w // 2, 40), "midtop")
    goal = sum(r.success for r in reps)
    text(
        surface,
        " ".join(
            (
                # no plural to agree: English would follow the planned count, French the count done
                _("Reps: {count} of {planned},").format(count=len(reps), planned=reps_planned),
                ngettext("{reached} reached the goal", "{reached} reached the goal", goal).format(reached=goal),
            )
        ),
        40,
        PALETTE.accent,
        (w // 2, 120),
        "midtop",
    )
    # the headings are translated first: a call inside an f-string is never extracted
    heads = (_("rep"), _("peak"), _("range"), _("hold"))
    header = f"{heads[0]:>4}   {heads[1]:>6}   {heads[2]:>6}   {heads[3]:>5}"
    # 36: 24 px high at the default text size; the lines as far apart as the font needs
    step = max(38, font(36).get_linesize() + 1)
    text(surface, header, 36, PALETTE.muted, (w // 2, 190), "midtop")
    for row, rep in enumerate(reps[-8:]):
        line = f"{rep.index:>4}   {rep.peak_deg:>5.0f}°   {rep.rom_deg:>5.0f}°   {rep.hold_s:>4.1f}s"
        color = PALETTE.good if rep.success else PALETTE.text
        text(surface, line, 36, color, (w // 2, 190 + step * (row + 1)), "midtop")


#: the sizes of a game's own summary: its lines at 40 (27 px high at the default scale)
SUMMARY_TITLE_SIZE, SUMMARY_LINE_SIZE = 64, 40


def patient_summary_layout(size: tuple[int, int], title: str, summary: PatientSummary) -> list[TextRow]:
    """Where a game's own summary goes: the heading, then each line wrapped to the screen's width."""
    width = size[0]
    usable = width - 2 * MARGIN
    heading = _heading(title, summary.praise)
    rows: list[TextRow] = []
    y = 40
    for words in wrap_to_width(heading, SUMMARY_TITLE_SIZE, usable):
        rows.append(placed_row(words, SUMMARY_TITLE_SIZE, PALETTE.text, width, y))
        y += font(SUMMARY_TITLE_SIZE).get_linesize()
    y += 24
    for number, line in enumerate(summary.lines):
        for words in wrap_to_width(line, SUMMARY_LINE_SIZE, usable):
            rows.append(placed_row(words, SUMMARY_LINE_SIZE, PALETTE.accent if number == 0 else PALETTE.text, width, y))
            y += font(SUMMARY_LINE_SIZE).get_linesize()
        y += 14
    return rows


def draw_patient_summary(surface: pygame.Surface, title: str, summary: PatientSummary) -> None:
    """A mental game's end-of-game screen: breaths, fear, calm time in words (no table of reps)."""
    _backdrop(surface)
    for row in patient_summary_layout(surface.get_size(), title, summary):
        text(surface, row.words, row.size, row.color, row.rect[:2], "topleft")


@runtime_checkable
class NamedSource(Protocol):
    """An input that says what it is (every device source has a URL: ``keyboard:``, ``webcam:0``)."""

    url: str


@dataclass(frozen=True)
class PlayRules:
    """How a round is played and when it ends (see ``rehab.engine.play.play``)."""

    on_rep: Callable[[RepMetrics], None]
    max_seconds: float
    stop_after_reps: int | None
    setup_check: bool
    sounds: Any
    on_rating: Callable[[Rating], None] | None = None
    #: the plan's notes for the patient ("hold a stable chair"), shown on the instruction card
    notes: str = ""
    #: the patient plays sitting down (``rehab play --seated``): where-to-stand shows a chair
    seated: bool = False
    #: sharing the session live with the physio (a ``rehab.engine.live.LiveChannel``), or None
    live: Any = None


class Round:
    """What the scenes of one played session share: the game, its measurement and the result."""

    def __init__(
        self, source: InputSource, info: GameSpec, exercise: Exercise, times: SceneTimes, rules: PlayRules, game: Game
    ) -> None:
        self.source = source
        self.info = info
        self.exercise = exercise
        self.times = times
        self.rules = rules
        self.game = game
        # a reader keeps state (a breathing signal's recent range), so each session gets a fresh one
        self.reader = info.reader_factory() if info.reader_factory is not None else info.read_sample
        # one camera's MediaPipe can call the left arm the right for a while and shortens limbs
        # pointing at the camera: put the sides back and rebuild the limbs from the picture and the
        # patient's bone lengths before anything reads the pose, as ``rehab track`` does
        self.corrections = OneCameraCorrections()
        self.stepper = FixedStepper(game)
        self.measurement = Measurement(exercise)
        self.result = PlayResult(streams={exercise.angle_name: ([], [])})
        self.start: float | None = None  # the first frame, moved on while the setup check holds
        self.now = math.nan  # the time of the last frame
        self.source_ended_at: float | None = None
        self.last_input_at: float | None = None
        self.over_ceiling_until = -math.inf
        self.feedback: Feedback | None = None
        self.feedback_until = -math.inf
        self.paused = False
        self.leaving = False
        #: why play ends once the game's last question is answered: the player's Esc or the time limit
        self.leaving_because = STOPPED
        self.ratings_handed = 0
        #: the player is on the keys: a game's questions are answered by Enter, never by resting
        self.input_url = source.url if isinstance(source, NamedSource) else ""
        self.by_keys = self.input_url.startswith("keyboard")
        if self.by_keys and isinstance(game, AnswersByKey):
            game.answer_by_keys()
        self.live = LiveRound(rules.live, exercise.rest_deg, exercise.ceiling_deg) if rules.live is not None else None

    def retarget(self, exercise: Exercise) -> None:
        """A new target or ceiling for the rest of the round (the physio's, from afar)."""
        self.exercise = exercise
        self.measurement.retarget(exercise)

    @classmethod
    def start_round(
        cls,
        source: InputSource,
        info: GameSpec,
        exercise: Exercise,
        times: SceneTimes,
        rules: PlayRules,
        options: dict[str, Any],
    ) -> Round:
        game = build_game(info, hold_s=exercise.hold_s, side=exercise.side, **options)
        return cls(source, info, exercise, times, rules, game)

    @property
    def instructions_s(self) -> float:
        """How long the instructions show: longer by the time it takes to read the plan's notes."""
        if self.times.instructions_s <= 0 or not self.rules.notes:
            return self.times.instructions_s
        return self.times.instructions_s + NOTE_READING_S_PER_WORD * len(self.rules.notes.split())

    @property
    def lead_in(self) -> float:
        return self.instructions_s + self.times.countdown_s

    @property
    def opens_on_question(self) -> bool:
        """The game asks something first (stress before breathing, SUDS at exposure's first level):
        there is nothing to get ready for, and a countdown would be drawn over the question."""
        snapshot = self.game.snapshot()
        return isinstance(snapshot, AsksAQuestion) and snapshot.prompt is not None

    @property
    def since_start(self) -> float:
        return self.now - self.start if self.start is not None else 0.0

    @property
    def played_s(self) -> float:
        return max(0.0, self.since_start - self.lead_in)

    def on_quit(self, presses: int) -> bool:
        """A game with a last question (exposure's exit rating) gets to ask it; a second Esc, or
        closing the window, leaves at once."""
        game = self.game
        if not isinstance(game, AsksBeforeLeaving) or presses >= 2:
            self.result.ended = STOPPED
            return True
        self._ask_before_leaving(STOPPED)
        return False

    def _ask_before_leaving(self, because: str) -> None:
        """The game's last question (stress after breathing, exposure's SUDS and calm breathing)
        comes before play ends, whether the player pressed Esc or the time is up."""
        if not self.leaving and isinstance(self.game, AsksBeforeLeaving):
            self.game.request_exit()
            self.leaving, self.leaving_because = True, because

    def after_play(self) -> Scene:
        """The summary, unless there is none or the player asked to leave."""
        if self.times.summary_s > 0 and self.result.ended != STOPPED:
            return SummaryScene(self)
        return END

    def check_end(self) -> None:
        """Whether play is over after this frame; the next frame moves on."""
        game = self.game
        if self.leaving and (not isinstance(game, AsksBeforeLeaving) or game.ready_to_leave):
            self.result.ended = self.leaving_because
        elif isinstance(game, EndsItself) and game.over:
            self.result.ended = FINISHED
        elif self.source_ended_at is not None and self.now - self.source_ended_at >= END_GRACE_S:
            self.result.ended = "end of input"
        elif self.since_start - self.lead_in >= self.rules.max_seconds:
            if isinstance(game, AsksBeforeLeaving):
                self._ask_before_leaving("time limit")  # the closing rating is always asked
            else:
                self.result.ended = "time limit"
        elif self.rules.stop_after_reps is not None and len(self.result.reps) >= self.rules.stop_after_reps:
            self.result.ended = "set complete"

    def read_input(self, now: float) -> None:
        """Feed every new sample to the measurement; hand over each finished rep."""
        measured: tuple[float, float] | None = None
        for sample in self.source.poll(now):
            self.last_input_at = now  # any sample shows the device is there, used or not
            if isinstance(sample, PoseFrame):
                sample = self.corrections(sample)
            if self.live is not None:
                self.live.saw(sample)
            angles = _angles_of(sample, self.reader)
            if angles is None:
                continue
            value = angles.get(self.exercise.angle_name)
            if math.isfinite(value):
                measured = (angles.t, value)
            rep = self.measurement.add(angles)
            if self.measurement.over_ceiling:
                self.over_ceiling_until = now + CEILING_WARNING_S
            if rep is not None:
                self._rep_done(now, rep)
        if measured is not None:
            times, values = self.result.streams[self.exercise.angle_name]
            times.append(measured[0])
            values.append(measured[1])

    def hand_over_ratings(self) -> None:
        """Each answer the game collected since the last frame goes to the caller (the store) now."""
        if self.rules.on_rating is None or not isinstance(self.game, CollectsRatings):
            return
        new = self.game.ratings[self.ratings_handed :]
        self.ratings_handed += len(new)
        for rating in new:
            self.rules.on_rating(rating)

    def _rep_done(self, now: float, rep: RepMetrics) -> None:
        self.result.reps.append(rep)
        if self.info.kind == "physical":
            # a breath or a raised hand is counted like a rep, but "try a little further" is for joints:
            # a mental game says what it has to say in its own message
            exercise = self.exercise
            calibrating = exercise.calibrating
            self.feedback = calibration_feedback(rep, exercise.reps_planned) if calibrating else rep_feedback(rep)
            self.feedback_until = now + FEEDBACK_S
            if self.rules.sounds is not None:
                self.rules.sounds.play(self.feedback.cue)
        self.rules.on_rep(rep)
        if self.live is not None:
            self.live.rep(rep, len(self.result.reps))

    def watch_device(self, now: float) -> None:
        """Status events, and silence: a device that simply stops sending is as lost as one that says so."""
        for event in self.source.status_events():
            self.device_said(now, event)
        if self.last_input_at is not None and now - self.last_input_at > STALE_INPUT_S and self.source_ended_at is None:
            self.measurement.input_lost(now)

    def device_said(self, now: float, event: DeviceStatus) -> None:
        self.result.events.append(event)
        if event.kind == "ended" and self.source_ended_at is None:
            self.source_ended_at = now
        if event.kind in INPUT_GONE:
            self.measurement.input_lost(now)

    def pause_reason(self) -> str:
        """What the pause banner says while nothing steers the game."""
        return _pause_reason(self.result.events, self.input_url)

    def draw_game(self, surface: pygame.Surface) -> None:
        """The game and the HUD over it, as they stand at the last frame."""
        snapshot = self.game.snapshot()
        self.info.renderer(surface, snapshot)
        draw_hud(surface, self.hud_state(snapshot))
        if self.live is not None and self.live.sharing:
            draw_live_badge(surface)
        elif self.live is not None:
            draw_share_hint(surface)  # the patient said no, or pressed L: L shares again

    def pause_words(self) -> str:
        """What the pause banner says while paused: that the physio paused, when they did."""
        usual = _("Take your time. Press P to carry on, Esc to stop.")
        return self.live.pause_words(usual) if self.live is not None else usual

    def hud_state(self, snapshot: object) -> HudState:
        """What the HUD shows over the game's ``snapshot`` at the last frame."""
        exercise, measurement, now = self.exercise, self.measurement, self.now
        feedback = self.feedback.message if self.feedback and now < self.feedback_until else ""
        playing = self.since_start >= self.lead_in
        own = snapshot.message if isinstance(snapshot, ShowsMessage) else ""
        if not measurement.controls.tracking and not sees_the_patient(self.input_url):
            own = ""  # a game's "we cannot see your arm" is a camera's; the banner says why in the input's words
        if exercise.calibrating:
            own = _(CALIBRATION_MESSAGE)  # the game's words are about its goal ("not so deep", "further")
        message = _message(own, playing, now < self.over_ceiling_until, feedback)
        if self.live is not None:
            message = self.live.message(now, message, now < self.over_ceiling_until)
        return HudState(
            reps_done=len(self.result.reps),
            reps_planned=exercise.reps_planned,
            elapsed_s=max(0.0, self.since_start - self.lead_in),
            angle_label=_(motion.label) if (motion := motion_of(exercise.angle_name)) else exercise.angle_name,
            angle_deg=measurement.controls.angle_deg,
            target_deg=exercise.target_deg,
            rest_deg=exercise.rest_deg,
            best_deg=measurement.best_deg,
            signed=exercise.signed,
            gauge=self.info.kind == "physical",
            message=_("Paused") if self.paused else message,
            ceiling_deg=exercise.ceiling_deg,
            goal=not exercise.calibrating,
            keys_hint=keys_hint(self.info, exercise) if self.by_keys else "",
        )


def keys_hint(info: GameSpec, exercise: Exercise) -> str:
    """What the keys do in this game: the arrows move (Left/Right for a movement that goes both
    ways), P pauses, Esc stops; a mental game's questions say Up/Down and Enter themselves."""
    if info.kind != "physical":
        return _("P pause, Esc stop")
    return _("Left/Right move, P pause, Esc stop") if exercise.signed else _("Up/Down move, P pause, Esc stop")


def first_scene(state: Round) -> Scene:
    return InstructionsScene(state)


class _RoundScene:
    """A scene while the round runs: once play has ended it hands over to what follows play, and Esc
    is the round's to answer (a game may ask a last question before leaving)."""

    name = ""

    def __init__(self, state: Round) -> None:
        self.state = state

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        if self.state.result.ended:
            return self.state.after_play()
        state = self.state
        state.now = now
        if state.live is not None:
            state.live.step(state, now, keys, self.name)
            if state.paused and self.name != PlayScene.name:
                # the physio paused before play: the instructions and countdown wait for the patient's P
                if not keys.pause:
                    if state.start is not None:
                        state.start += dt
                    return None
                state.paused = False
        return self.step(now, dt, keys)

    def step(self, now: float, dt: float, keys: Keys) -> Scene | None:
        raise NotImplementedError

    def on_quit(self, presses: int) -> bool:
        return self.state.on_quit(presses)


#: inputs that are a camera watching the patient (the card then shows where to stand)
CAMERA_URLS = ("webcam:", "video:", "images:")


class InstructionsScene(_RoundScene):
    """What the game is and what to do; with a setup check, held until the camera sees the patient."""

    name = "instructions"

    def __init__(self, state: Round) -> None:
        super().__init__(state)
        exercise = state.exercise
        self.lines = [_(state.info.description)]
        if exercise.calibrating:
            self.lines += [
                movement_line(exercise),
                _("We measure your range: there is no goal yet. Esc stops at any time."),
            ]
        elif state.info.kind == "physical":
            goal = _("Goal: {goal} degrees. Esc stops at any time.").format(goal=f"{exercise.target_deg:.0f}")
            self.lines += [movement_line(exercise), goal]
        else:
            self.lines.append(_("Esc stops at any time."))
        self.camera_check: str | None = None
        self.advice: Any = None
        camera = state.rules.setup_check or state.input_url.startswith(CAMERA_URLS)
        self.pictures = card_pictures(state.info, exercise, camera, state.rules.seated)

    def step(self, now: float, dt: float, keys: Keys) -> Scene | None:
        state = self.state
        state.start = now if state.start is None else state.start
        if state.since_start >= state.instructions_s:
            if state.opens_on_question:
                state.start -= state.times.countdown_s  # the countdown's time passes unseen
                return PlayScene(state)
            return CountdownScene(state)
        if state.rules.setup_check:
            self.advice = _setup_advice(list(state.source.poll(now)), state.exercise.angle_name, self.advice)
            self.camera_check = self._camera_check()
            if self.camera_check:
                state.start += dt  # hold the instructions until the patient is well placed
        state.check_end()
        return None

    def _camera_check(self) -> str:
        advice = self.advice
        if advice is None:
            return _("stand in front of the camera")
        return "" if advice.ok else str(advice.messages[0])

    def draw(self, surface: pygame.Surface) -> None:
        state = self.state
        seconds_left = state.lead_in - state.since_start
        draw_instructions(
            surface, _(state.info.title), self.lines, seconds_left, self.camera_check, state.rules.notes, self.pictures
        )
        if state.paused:
            draw_pause_banner(surface, state.pause_words())


class CountdownScene(_RoundScene):
    """The game as it will start, dimmed, under a big countdown."""

    name = "countdown"

    def step(self, now: float, dt: float, keys: Keys) -> Scene | None:
        state = self.state
        if state.since_start >= state.lead_in:
            return PlayScene(state)
        state.check_end()
        return None

    def draw(self, surface: pygame.Surface) -> None:
        self.state.draw_game(surface)
        draw_countdown(surface, self.state.lead_in - self.state.since_start)
        if self.state.paused:
            draw_pause_banner(surface, self.state.pause_words())


class PlayScene(_RoundScene):
    """Input read, measured and fed to the game; P pauses, and losing the patient pauses by itself."""

    name = "play"

    def step(self, now: float, dt: float, keys: Keys) -> Scene | None:
        state = self.state
        if keys.pause:
            state.paused = not state.paused
        if "enter" in keys.pressed and state.by_keys and isinstance(state.game, AnswersByKey):
            state.game.choose()
        if state.paused:
            state.source.poll(now)  # keep live input drained, so nothing stale arrives on resume
            for event in state.source.status_events():
                state.device_said(now, event)
            state.stepper.advance(now, untracked(now))
        else:
            state.read_input(now)
            state.watch_device(now)
            controls: Controls = state.measurement.controls
            if not controls.tracking:
                state.result.untracked_s += dt
            state.stepper.advance(now, controls)
        state.hand_over_ratings()
        state.check_end()
        return None

    def draw(self, surface: pygame.Surface) -> None:
        state = self.state
        state.draw_game(surface)
        if state.paused:
            draw_pause_banner(surface, state.pause_words())
        elif not state.measurement.controls.tracking and state.since_start - state.lead_in > 1.0:
            draw_pause_banner(surface, state.pause_reason())


class SummaryScene:
    """The reps of the session, shown for a few seconds after play."""

    name = "summary"

    def __init__(self, state: Round) -> None:
        self.state = state
        self.until = state.now + state.times.summary_s

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        return END if now >= self.until else None

    def draw(self, surface: pygame.Surface) -> None:
        state = self.state
        if isinstance(state.game, SummarisesForPatient):
            draw_patient_summary(surface, state.info.title, state.game.patient_summary())
        else:
            draw_summary(surface, state.info.title, state.result.reps, state.exercise.reps_planned)

    def on_quit(self, presses: int) -> bool:
        return True
