"""Check my camera: a live self-view, mirrored, with the skeleton the camera sees and the setup
guidance's plain words ("step back from the camera"); with no camera, a plain card saying so."""

from __future__ import annotations

from typing import Any

import numpy as np
import pygame

from rehab.app.home_screen.actions import HomeServices, Outcome
from rehab.app.home_screen.settings import HomeSettings
from rehab.app.input_problems import camera_problem
from rehab.core.errors import RehabError
from rehab.core.i18n import N_, _
from rehab.core.landmarks import BONES
from rehab.core.types import PoseFrame
from rehab.engine.director import END, Keys, Scene, run_scenes
from rehab.engine.display import Display
from rehab.engine.hud import font, text, wrap_to_width
from rehab.engine.message_card import Card, show_card
from rehab.engine.palette import PALETTE
from rehab.engine.setup_guidance import advise

CAMERA_SCHEMES = ("webcam:", "video:", "images:")
LINE_SIZE = 40
FOOTER = N_("Press Enter, or click, when you are done")


def check_camera(services: HomeServices, display: Display, settings: HomeSettings) -> Outcome:
    url = services.input_for(settings)
    if not url.startswith(CAMERA_SCHEMES):
        card = Card(
            _("No camera in use"),
            (_("Your input is set to {input}.").format(input=settings.input_name), _("Change it in Settings.")),
        )
        show_card(display, services.clock(), card)
        display.forget_quit()
        return Outcome(card=card)
    from devices.pose_source import open_pose_source

    try:
        source = open_pose_source(url, keep_images=True)
    except (RehabError, OSError, ValueError) as error:
        card = Card(_("No camera found"), (_sentence(camera_problem(url, error)),))
        show_card(display, services.clock(), card)
        display.forget_quit()
        return Outcome(card=card)
    view = CameraView(source)
    try:
        run_scenes(services.clock(), display, view)
    finally:
        source.close()
        display.forget_quit()
    return Outcome(message=view.advice())


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")


class CameraView:
    """The newest picture and pose each frame; advice under it. Any key or click ends it."""

    name = "camera check"

    def __init__(self, source: Any) -> None:
        self.pictures = source.pictures(timeout=0.01, idle=True)
        self.image: np.ndarray | None = None
        self.pose: PoseFrame | None = None
        self.ended = False

    def update(self, now: float, dt: float, keys: Keys) -> Scene | None:
        if keys.pressed or keys.pause or self.ended:
            return END
        try:
            picture = next(self.pictures)
        except StopIteration:
            self.ended = True
            return None
        except (RehabError, RuntimeError, OSError):
            self.ended = True
            return None
        if picture is not None:
            self.pose = picture.pose
            if picture.image is not None:
                self.image = picture.image
        return None

    def advice(self) -> str:
        if self.pose is None:
            return _("Starting the camera...")
        result = advise(self.pose)
        if result.ok:
            return _("Good: the camera sees you well.")
        return result.messages[0][:1].upper() + result.messages[0][1:] + "."

    def draw(self, surface: pygame.Surface) -> None:
        surface.fill(PALETTE.background_top)
        width, height = surface.get_size()
        rows = wrap_to_width(self.advice(), LINE_SIZE, width - 48)
        line_h = font(LINE_SIZE).get_linesize()
        footer_h = font(36).get_linesize()
        view = pygame.Rect(0, 0, width, height - len(rows) * line_h - footer_h - 36)
        if self.image is not None:
            picture = _mirrored_surface(self.image, view.size)
            shown = picture.get_rect(center=view.center)
            surface.blit(picture, shown)
            if self.pose is not None and self.pose.image is not None:
                _draw_skeleton(surface, self.pose, shown)
        y = view.bottom + 12
        for words in rows:
            text(surface, words, LINE_SIZE, PALETTE.text, (width // 2, y), "midtop")
            y += line_h
        text(surface, _(FOOTER), 36, PALETTE.muted, (width // 2, height - 12), "midbottom")

    def on_quit(self, presses: int) -> bool:
        return True


def _mirrored_surface(image: np.ndarray, box: tuple[int, int]) -> pygame.Surface:
    """The BGR picture as a pygame surface, mirrored (the patient sees a mirror), fitted in ``box``."""
    rgb = np.ascontiguousarray(image[:, ::-1, ::-1])
    picture = pygame.surfarray.make_surface(rgb.swapaxes(0, 1))
    h, w = image.shape[:2]
    scale = min(box[0] / w, box[1] / h)
    return pygame.transform.smoothscale(picture, (max(1, int(w * scale)), max(1, int(h * scale))))


def _draw_skeleton(surface: pygame.Surface, pose: PoseFrame, shown: pygame.Rect) -> None:
    assert pose.image is not None

    def at(index: int) -> tuple[int, int]:
        x, y = pose.image[index, 0], pose.image[index, 1]  # type: ignore[index]
        return (int(shown.left + (1.0 - x) * shown.width), int(shown.top + y * shown.height))

    seen = [(a, b) for a, b in BONES if pose.visibility[a] >= 0.5 and pose.visibility[b] >= 0.5]
    for a, b in seen:  # a dark edge first: the bones read on any clothes or wall
        pygame.draw.line(surface, PALETTE.panel, at(a), at(b), 9)
    for a, b in seen:
        pygame.draw.line(surface, PALETTE.good, at(a), at(b), 5)
    for index in range(len(pose.visibility)):
        if pose.visibility[index] >= 0.5:
            pygame.draw.circle(surface, PALETTE.text, at(index), 5)
