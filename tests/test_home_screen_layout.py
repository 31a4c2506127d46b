"""Every home screen, at the normal text size, in high contrast and at the largest text size: each
line of text is 24 px high or more, inside the screen, overlaps no other, reads at 4.5:1 or more
on what is behind it, and is found pixel for pixel on the drawn frame; buttons stay on the screen
and apart. ``REHAB_HOME_SHOTS=folder`` also saves each page as a small palette PNG (docs/home/)."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pygame
import pytest

from progress.store import DB_FILENAME, Store
from rehab.app.clinic_link import ClinicLink, save_link
from rehab.app.home_screen.actions import HomeServices, now_iso
from rehab.app.home_screen.draw import draw_page
from rehab.app.home_screen.layout import layout
from rehab.app.home_screen.settings import LARGEST_SCALE, HomeSettings, save_settings
from rehab.app.home_screen.state import HomeState, name_rule
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text, template_text
from rehab.engine.display import SIZE
from rehab.engine.hud import set_font_scale
from rehab.engine.palette import use_high_contrast
from rehab.sim.history import make_history
from tests.screen_text import contrast_ratio, shows_at

TODAY = date(2026, 12, 7)
LOOKS = ("normal", "high_contrast", "largest")
#: screen -> how the state is set up to show it
SCREENS = (
    "welcome",
    "first_link",
    "first_name",
    "first_name_error",
    "first_camera",
    "first_measure",
    "first_done",
    "home",
    "resume",
    "progress",
    "settings",
    "link_url",
    "link_url_error",
    "link_code",
    "linked",
    "notice",
    "info",
)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A patient with six weeks of sessions, the knee plan, a message and a plan change from the
    clinic, and a link: every screen has something real to say."""
    folder = tmp_path_factory.mktemp("home")
    store = Store.open(folder / DB_FILENAME)
    try:
        make_history(store, "P-0042", TODAY - timedelta(days=41), days=42, kind="physical")
        plan = parse_text(template_text("after-knee-replacement"))
        assign(store, "P-0042", plan, now_iso(), TODAY.isoformat(), "from the clinic: a deeper squat from this week")
        store.add_messages(
            [(1, "Well done this week, Marie! Keep the squats slow and hold the chair.", "2026-12-06T10:00:00")],
            now_iso(),
        )
    finally:
        store.close()
    link = ClinicLink("https://clinic.example.org", "token", "device-1", "P-0042", now_iso())
    save_link(folder, link)
    save_settings(folder, HomeSettings(patient="P-0042"))
    return folder


def _state_for(services: HomeServices, screen: str, look: str) -> HomeState:
    # the settings screen names the look it is drawn in
    settings = HomeSettings(patient="P-0042", text_size="Largest" if look == "largest" else "Normal")
    state = HomeState(services, replace(settings, high_contrast=look == "high_contrast"))
    if screen.startswith("first") or screen == "welcome":
        state.go(screen.replace("_error", ""))
        if screen == "first_name_error":
            state.typed, state.error = "Marie Dupont", name_rule()
    elif screen == "link_url_error":
        state.go("link_url")
        state.typed, state.error = (
            "clinic example",
            "That is not a clinic address: it looks like https://clinic.example.org.",
        )
    elif screen == "link_code":
        state.go("link_code")
        state.typed = "K7PM-3QXA"
    elif screen == "info":
        state.show_info(
            "We had to stop", ("The camera (webcam:0) could not be opened.", "Everything you did before this is saved.")
        )
    else:
        state.go(screen)
    return state


def _look(name: str) -> None:
    set_font_scale(LARGEST_SCALE if name == "largest" else 1.0)
    use_high_contrast(name == "high_contrast")


def _save(surface: pygame.Surface, name: str) -> None:
    folder = os.environ.get("REHAB_HOME_SHOTS")
    if folder:
        save_small(surface, Path(folder) / f"{name}.png")


def save_small(surface: pygame.Surface, path: Path, colors: int = 16) -> None:
    """A palette PNG of the frame: flat screens need few colours, and the docs stay light."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    picture = Image.frombytes("RGB", surface.get_size(), pygame.image.tobytes(surface, "RGB"))
    picture.quantize(colors=colors).save(path, optimize=True)


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_fits_reads_and_is_drawn(home, screen, look):
    pygame.font.init()
    _look(look)
    services = HomeServices(home, "sim", real_time=False, today=TODAY)
    try:
        state = _state_for(services, screen, look)
        assert state.screen == screen.replace("_error", "")
        surface = pygame.Surface(SIZE)
        first = layout(state.content(), SIZE, 0)
        seen_words: list[str] = []
        for number in range(first.count):
            page = layout(state.content(), SIZE, number)
            draw_page(surface, page)
            _save(surface, f"{screen}_{look}" + (f"_page{number + 1}" if first.count > 1 else ""))
            screen_box = surface.get_rect()
            boxes = [pygame.Rect(r.rect) for r in page.rows]
            for row, box in zip(page.rows, boxes, strict=True):
                assert screen_box.contains(box), row.words
                assert box.height >= 24, row.words
                assert contrast_ratio(row.color, row.background) >= 4.5, row.words
                assert shows_at(surface, row.words, row.size, row.color, row.background, row.rect[:2]), row.words
            assert not any(a.colliderect(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
            buttons = [pygame.Rect(b.rect) for b in page.buttons]
            assert all(screen_box.contains(b) for b in buttons)
            assert not any(a.colliderect(b) for i, a in enumerate(buttons) for b in buttons[i + 1 :])
            assert page.buttons, "every page has a way on"
            seen_words += [r.words for r in page.rows]
        field = state.content().field
        if field is not None:
            # the field is on the first page, and its error (one plain sentence) right under its box
            box, rows = first.field_box, first.rows
            assert box is not None
            under = [r for r in rows if r.rect[1] >= box[1] + box[3]]
            said = field.error or field.hint
            assert under and said.startswith(under[0].words) and under[0].rect[1] - (box[1] + box[3]) <= 12
        # nothing is lost across pages: every button of the screen is on one of them
        keys = {b.key for n in range(first.count) for b in layout(state.content(), SIZE, n).buttons}
        assert {b.key for b in state.content().buttons} <= keys
        if look == "largest" and screen == "home":
            assert "Start today's session" in seen_words
    finally:
        services.close()
