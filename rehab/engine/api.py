"""The engine as a game sees it: everything a game package (rules, drawing, simulator, spec) uses.

Games import the engine only through this module (an import-linter contract checks it), so the
engine may reorganise its insides without breaking a clinic's game. Anything not here is private
to the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from rehab.core.motions import MOTIONS, Motion
from rehab.core.types import Controls, EegSample, ImuSample, JointAngles, PoseFrame
from rehab.engine.game import (
    AnswersByKey,
    AsksAQuestion,
    AsksBeforeLeaving,
    EndsItself,
    Game,
    GameFactory,
    GameSpec,
    PatientSummary,
    ReaderFactory,
    Renderer,
    ReportsSummary,
    Sample,
    SampleReader,
    ShowsMessage,
    Simulator,
    SummarisesForPatient,
    drawn_by,
    made_by,
)
from rehab.engine.mental import closed_loop
from rehab.engine.palette import PALETTE, Color, blend, readable_on
from rehab.engine.ratings import STOP_LEVEL, STRESS, SUDS, Prompt, PromptView, Rating, hand_level, level_for
from rehab.engine.scripted_motion import MotionScript, simulate_angles

if TYPE_CHECKING:
    from rehab.engine.drawing import vertical_gradient
    from rehab.engine.hud import font, message_top, text, wrap_to_width
    from rehab.engine.rating_view import draw_prompt
    from rehab.engine.scenes import wrap

#: drawing helpers load pygame, so they are imported when a draw module first asks for them:
#: ``rehab games`` and the rules stay free of pygame
_DRAWING: dict[str, str] = {
    "text": "rehab.engine.hud",
    "font": "rehab.engine.hud",
    "message_top": "rehab.engine.hud",
    "wrap_to_width": "rehab.engine.hud",
    "draw_prompt": "rehab.engine.rating_view",
    "wrap": "rehab.engine.scenes",
    "vertical_gradient": "rehab.engine.drawing",
}


def __getattr__(name: str) -> object:
    module = _DRAWING.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return vars(importlib.import_module(module))[name]


__all__ = [
    "MOTIONS",
    "PALETTE",
    "STOP_LEVEL",
    "STRESS",
    "SUDS",
    "AnswersByKey",
    "AsksAQuestion",
    "AsksBeforeLeaving",
    "Color",
    "Controls",
    "EegSample",
    "EndsItself",
    "Game",
    "GameFactory",
    "GameSpec",
    "ImuSample",
    "JointAngles",
    "Motion",
    "MotionScript",
    "PatientSummary",
    "PoseFrame",
    "Prompt",
    "PromptView",
    "Rating",
    "ReaderFactory",
    "Renderer",
    "ReportsSummary",
    "Sample",
    "SampleReader",
    "ShowsMessage",
    "Simulator",
    "SummarisesForPatient",
    "blend",
    "closed_loop",
    "draw_prompt",
    "drawn_by",
    "font",
    "hand_level",
    "level_for",
    "made_by",
    "readable_on",
    "message_top",
    "simulate_angles",
    "text",
    "vertical_gradient",
    "wrap",
    "wrap_to_width",
]
