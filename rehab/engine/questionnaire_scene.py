"""An outcome questionnaire answered on screen: an intro, then one question per screen, large.

``QuestionnaireState`` holds the rules (answer, go back, leave, the safety card) and knows nothing of
pygame, keys or clocks; ``HandHover`` turns a hand's height into "this choice, held for 2 s";
``QuestionnaireScene`` maps keys, clicks and the hand onto them and hands every answer to a
``QuestionnaireSink`` at once, so the app can commit it before the next question shows (a kill loses
at most the question on screen). Drawing is ``rehab.engine.questionnaire_view``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from rehab.core.i18n import N_
from rehab.core.questionnaires import SELF_HARM_FLAG, Instrument, Item
from rehab.engine.ratings import HAND_TOP_LEVEL, HOVER_S, REST_LEVEL

if TYPE_CHECKING:
    import pygame

    from rehab.engine.director import Keys, Scene

#: what a patient is told, on screen and in the terminal, the moment they report thoughts of self-harm
SAFETY_TEXT = N_(
    "Thank you for telling us. If you are thinking about harming yourself, please talk to someone now: "
    "call your doctor, or your local emergency number (112 in Europe, 999 in the UK, 911 in the US). "
    "Your physiotherapist's clinic will see this answer."
)

Phase = Literal["intro", "question", "safety", "done", "left"]


class QuestionnaireSink(Protocol):
    """Where the answers go as they are given (the app stores them; a test may keep them)."""

    def begin(self) -> None:
        """The first question is on screen."""
        ...

    def answer(self, key: str, value: int) -> None:
        """One answer (a changed answer comes again with its new value)."""
        ...

    def safety(self, text: str) -> None:
        """The patient reported thoughts of self-harm: ``text`` is what the card says."""
        ...


@dataclass(frozen=True)
class QuestionView:
    """What the view draws of the questionnaire right now."""

    phase: Phase
    title: str
    intro: str
    number: int  # 1-based, for "Question 3 of 12"
    count: int
    question: str
    #: (key to press, label), in the order the instrument lists them
    choices: tuple[tuple[str, str], ...]
    cursor: int | None  # the choice the keys point at (Enter chooses it)
    given: int | None  # the choice answered before, when the patient came back to change it
    hover: int | None  # the choice the hand points at
    hover_share: float  # 0..1 of the hold that chooses it
    hand_waiting: bool  # a choice was just made by hand: lower the hand before pointing again
    safety_text: str = SAFETY_TEXT
    #: a camera follows a hand: the screen says a hand can answer
    hand: bool = False


class QuestionnaireState:
    """The rules of one questionnaire, answered one question at a time. Pure: no pygame, no clock."""

    def __init__(self, instrument: Instrument, given: dict[str, int] | None = None) -> None:
        self.instrument = instrument
        self.answers: dict[str, int] = dict(given or {})
        self.phase: Phase = "intro"
        self.index = 0
        self.cursor: int | None = None
        self._after_safety: Phase = "question"

    @property
    def item(self) -> Item:
        return self.instrument.items[self.index]

    @property
    def complete(self) -> bool:
        return all(item.key in self.answers for item in self.instrument.items)

    def begin(self) -> bool:
        """From the intro to the first question; True when this call did it."""
        if self.phase != "intro":
            return False
        self.phase = "question"
        self._point_at_answer()
        return True

    def move(self, step: int) -> None:
        """Up (-1) or Down (+1) through the choices on screen."""
        if self.phase != "question":
            return
        last = len(self.item.choices) - 1
        self.cursor = (0 if step > 0 else last) if self.cursor is None else min(max(self.cursor + step, 0), last)

    def point_at_value(self, value: int) -> bool:
        """A number key: the cursor goes to the choice with that value; False when there is none."""
        if self.phase != "question":
            return False
        for position, choice in enumerate(self.item.choices):
            if choice.value == value:
                self.cursor = position
                return True
        return False

    def answer(self, position: int) -> tuple[str, int] | None:
        """Choose the choice at ``position`` of the question on screen; the (key, value) given.

        The next question follows, or the safety card when this answer raises the self-harm flag
        (the questionnaire goes on after it), or the end after the last question."""
        if self.phase != "question" or not 0 <= position < len(self.item.choices):
            return None
        item = self.item
        value = item.choices[position].value
        self.answers[item.key] = value
        following: Phase = "question"
        if self.index + 1 < len(self.instrument.items):
            self.index += 1
            self._point_at_answer()
        else:
            following = "done"
        if self.raises_safety(item.key, value):
            self.phase, self._after_safety = "safety", following
        else:
            self.phase = following
        return item.key, value

    def raises_safety(self, key: str, value: int) -> bool:
        return any(f.item == key and value > f.above and f.flag == SELF_HARM_FLAG for f in self.instrument.rule.flags)

    def acknowledge(self) -> None:
        """The safety card was read: carry on where the questionnaire was."""
        if self.phase == "safety":
            self.phase = self._after_safety

    def back(self) -> None:
        """Back to the previous question to change its answer (the answer given stays until changed)."""
        if self.phase == "question" and self.index > 0:
            self.index -= 1
            self._point_at_answer()

    def leave(self) -> None:
        """The patient stops here; every answer given is kept."""
        if self.phase not in ("done", "left"):
            self.phase = "left"

    def _point_at_answer(self) -> None:
        given = self.answers.get(self.item.key)
        positions = [p for p, c in enumerate(self.item.choices) if c.value == given]
        self.cursor = positions[0] if positions else None

    def view(
        self, hover: int | None = None, hover_share: float = 0.0, hand_waiting: bool = False, hand: bool = False
    ) -> QuestionView:
        item = self.item
        given = self.answers.get(item.key)
        positions = [p for p, c in enumerate(item.choices) if c.value == given]
        return QuestionView(
            phase=self.phase,
            title=self.instrument.title,
            intro=self.instrument.intro,
            number=self.index + 1,
            count=len(self.instrument.items),
            question=item.text,
            choices=tuple((str(c.value), c.label) for c in item.choices),
            cursor=self.cursor,
            given=positions[0] if positions else None,
            hover=hover,
            hover_share=hover_share,
            hand_waiting=hand_waiting,
            hand=hand,
        )


class HandHover:
    """A raised hand pointing at one of ``n`` stacked choices (top = highest hand); held still on one
    for ``HOVER_S`` it chooses. After a choice the hand must rest (or leave the camera) before it can
    choose again, so a hand left up does not answer the next question too."""

    def __init__(self, hold_s: float = HOVER_S) -> None:
        self.hold_s = hold_s
        self.pointing: int | None = None
        self.held = 0.0
        self.waiting = False

    @staticmethod
    def target(level: float, n: int) -> int | None:
        """The choice (0 = top) a hand at ``level`` points at; None when resting or not seen."""
        if math.isnan(level) or level < REST_LEVEL or n <= 0:
            return None
        share = min((level - REST_LEVEL) / (HAND_TOP_LEVEL - REST_LEVEL), 1.0)
        return max(0, n - 1 - int(share * n))

    def update(self, dt: float, level: float, n: int) -> int | None:
        """The choice made this frame, if the hand has just held one long enough."""
        pointing = self.target(level, n)
        if pointing is None:
            self.waiting = False
        if self.waiting or pointing is None or pointing != self.pointing:
            self.pointing, self.held = (None if self.waiting else pointing), 0.0
            return None
        self.held += dt
        if self.held < self.hold_s:
            return None
        self.pointing, self.held, self.waiting = None, 0.0, True
        return pointing

    @property
    def share(self) -> float:
        return min(self.held / self.hold_s, 1.0) if self.hold_s > 0 else 1.0


#: the pointer of a patient without a camera: never pointing
def no_hand(now: float) -> float:
    return math.nan


class QuestionnaireScene:
    """The questionnaire as a director scene. Keys: Up/Down or a number, then Enter; Backspace or Left
    goes back; Esc leaves (answers kept). A click on a choice chooses it; so does a hand held on it."""

    name = "questionnaire"

    def __init__(
        self,
        instrument: Instrument,
        sink: QuestionnaireSink,
        hand: Callable[[float], float] = no_hand,
        given: dict[str, int] | None = None,
    ) -> None:
        self.state = QuestionnaireState(instrument, given)
        self.sink = sink
        self.hand = hand
        self.hover = HandHover()
        #: the screen rectangle of each button as last drawn, for clicks: (x, y, w, h)
        self.buttons: list[tuple[int, int, int, int]] = []

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        from rehab.engine.director import END

        for key in keys.pressed:
            self._key(key)
        chosen = self.hover.update(dt, self.hand(now), self._targets())
        if chosen is not None:
            self._choose(chosen)
        return END if self.state.phase in ("done", "left") else None

    def _targets(self) -> int:
        phase = self.state.phase
        return len(self.state.item.choices) if phase == "question" else 1 if phase in ("intro", "safety") else 0

    def _key(self, key: str) -> None:
        state = self.state
        if state.phase == "safety" and key != "escape":
            state.acknowledge()  # the card stays until a key (or a click): any one
        elif key.startswith("click:"):
            x, y = (int(v) for v in key[len("click:") :].split(","))
            hit = [i for i, (bx, by, bw, bh) in enumerate(self.buttons) if bx <= x < bx + bw and by <= y < by + bh]
            if hit:
                self._choose(hit[0])
        elif key == "up":
            state.move(-1)
        elif key == "down":
            state.move(+1)
        elif key.isdigit():
            state.point_at_value(int(key))
        elif key in ("backspace", "left"):
            state.back()
        elif key == "escape":
            self.leave()
        elif key == "enter":
            if state.phase == "question" and state.cursor is None:
                return  # nothing pointed at yet: Enter alone never answers
            self._choose(state.cursor or 0)

    def _choose(self, position: int) -> None:
        state = self.state
        if state.phase == "intro":
            self._begin()
        elif state.phase == "safety":
            state.acknowledge()
        elif state.phase == "question":
            given = state.answer(position)
            if given is not None:
                self.sink.answer(*given)
                if state.phase == "safety":
                    self.sink.safety(SAFETY_TEXT)

    def _begin(self) -> None:
        if self.state.begin():
            self.sink.begin()

    def leave(self) -> None:
        self.state.leave()

    def draw(self, surface: pygame.Surface) -> None:
        from rehab.engine.questionnaire_view import draw_questionnaire

        share = self.hover.share if self.hover.pointing is not None else 0.0
        view = self.state.view(self.hover.pointing, share, self.hover.waiting, hand=self.hand is not no_hand)
        self.buttons = [tuple(r) for r in draw_questionnaire(surface, view)]  # type: ignore[misc]

    def on_quit(self, presses: int) -> bool:
        self.leave()  # Esc or a closed window: stop here, every answer given is kept
        return True
