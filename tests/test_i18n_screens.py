"""No string on any screen is left in English when the patient chose French: the home screen and
each of its screens, the first run, a session card, an instruction card, a rating prompt and a frame
of each game are drawn in French (SDL's dummy drivers), every string given to the fonts is recorded
(``tests/drawn_words.py``), and each must be a piece of a French translation, a number, or a name the
test put there (the patient's code, the plan's exercise names, the physio's own words). The same
screens in French still fit: text 24 px high or more, inside the screen, at the largest text size.

``REHAB_I18N_SHOTS=folder`` saves the French frames as small PNGs (docs/home/ keeps two).
"""

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
from rehab.app.home_screen.state import HomeState, name_rule, not_an_address
from rehab.app.plan_versions import assign
from rehab.app.plans import parse_text, template_text
from rehab.core.i18n import _, set_language
from rehab.engine.display import SIZE
from rehab.engine.hud import set_font_scale
from rehab.sim.history import make_history
from tests.drawn_words import Catalog, DrawnWords
from tests.test_home_screen_layout import SCREENS, save_small

TODAY = date(2026, 12, 7)
PATIENT = "P-0042"
ADDRESS = "https://clinic.example.org"
#: the physiotherapist's own words (a message, the reason for a plan change): written in the
#: patient's language by the physio, shown as they are
MESSAGE = "Bravo pour cette semaine, Marie ! Gardez les squats lents et tenez la chaise."
REASON = "une flexion un peu plus profonde cette semaine"
#: what the patient types, and a code: shown as typed
TYPED = ("Marie Dupont", "clinic example", "K7PM-3QXA")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog("fr")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """Six weeks of sessions, the knee plan, a message and a plan change from the clinic, a link:
    every screen has something to say; the patient chose French."""
    folder = tmp_path_factory.mktemp("home_fr")
    store = Store.open(folder / DB_FILENAME)
    try:
        make_history(store, PATIENT, TODAY - timedelta(days=41), days=42, kind="physical")
        plan = parse_text(template_text("after-knee-replacement"))
        assign(store, PATIENT, plan, now_iso(), TODAY.isoformat(), f"from the clinic: {REASON}")
        store.add_messages([(1, MESSAGE, "2026-12-06T10:00:00")], now_iso())
    finally:
        store.close()
    save_link(folder, ClinicLink(ADDRESS, "token", "device-1", PATIENT, now_iso()))
    save_settings(folder, HomeSettings(patient=PATIENT, language="fr"))
    return folder


def _shot(surface: pygame.Surface, name: str) -> None:
    folder = os.environ.get("REHAB_I18N_SHOTS")
    if folder:
        save_small(surface, Path(folder) / f"{name}.png")


def _french_state(services: HomeServices, screen: str, largest: bool) -> HomeState:
    settings = HomeSettings(patient=PATIENT, language="fr", text_size="Largest" if largest else "Normal")
    set_language("fr")
    state = HomeState(services, settings)
    if screen.startswith("first") or screen == "welcome":
        state.go(screen.replace("_error", ""))
        if screen == "first_name_error":
            state.typed, state.error = TYPED[0], name_rule()
    elif screen == "link_url_error":
        state.go("link_url")
        state.typed, state.error = TYPED[1], not_an_address()
    elif screen == "link_code":
        state.go("link_code")
        state.typed = TYPED[2]
    elif screen == "info":
        # what "Start today's session" says with no plan to start (the library's own errors, such
        # as a camera that will not open, are English still: docs/languages.md)
        state.show_info(_("No session today"), (_("You have no exercise plan yet: your physiotherapist sends it."),))
    else:
        state.go(screen)
    return state


def _names(services: HomeServices) -> list[str]:
    plan = parse_text(template_text("after-knee-replacement"))
    return [PATIENT, ADDRESS, MESSAGE, REASON, *TYPED, *(e.name for e in plan.exercise)]


@pytest.mark.parametrize("largest", [False, True], ids=["normal", "largest"])
@pytest.mark.parametrize("screen", SCREENS)
def test_every_home_screen_is_all_french_and_fits(home, catalog, screen, largest):
    pygame.font.init()
    set_font_scale(LARGEST_SCALE if largest else 1.0)
    services = HomeServices(home, "sim", real_time=False, today=TODAY)
    try:
        state = _french_state(services, screen, largest)
        surface = pygame.Surface(SIZE)
        with DrawnWords() as drawn:
            count = layout(state.content(), SIZE, 0).count
            for number in range(count):
                page = layout(state.content(), SIZE, number)
                draw_page(surface, page)
                suffix = f"_page{number + 1}" if count > 1 else ""
                _shot(surface, f"fr_{screen}_{'largest' if largest else 'normal'}{suffix}")
                for row in page.rows:
                    box = pygame.Rect(row.rect)
                    assert surface.get_rect().contains(box), row.words
                    assert box.height >= 24, row.words
                boxes = [pygame.Rect(r.rect) for r in page.rows]
                assert not any(a.colliderect(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
                buttons = [pygame.Rect(b.rect) for b in page.buttons]
                assert all(surface.get_rect().contains(b) for b in buttons)
        assert drawn.rows(), "the screen drew words"
        assert catalog.untranslated(drawn.rows(), _names(services)) == []
    finally:
        services.close()


def test_the_check_finds_english_left_on_a_french_screen(home, catalog):
    """The check above can fail: the same screen drawn in English is caught, word for word."""
    pygame.font.init()
    services = HomeServices(home, "sim", real_time=False, today=TODAY)
    try:
        state = _french_state(services, "settings", False)
        set_language("en")
        surface = pygame.Surface(SIZE)
        with DrawnWords() as drawn:
            draw_page(surface, layout(state.content(), SIZE, 0))
        left = catalog.untranslated(drawn.rows(), _names(services))
        assert "Settings" in left and "Done" in left
    finally:
        services.close()


def test_the_language_button_switches_the_screen_at_once(home):
    services = HomeServices(home, "sim", real_time=False, today=TODAY)
    try:
        state = HomeState(services, replace(HomeSettings(patient=PATIENT), language="en"))
        set_language("en")
        state.go("settings")
        labels = [b.label for b in state.content().buttons]
        assert "Language: English" in labels and "Done" in labels
        state.press("language")
        labels = [b.label for b in state.content().buttons]
        assert "Langue : Français" in labels and "Terminé" in labels
        assert state.content().title == "Réglages"
        state.go("home")
        assert state.content().title == f"Bonjour, {PATIENT}"
    finally:
        services.close()
        set_language("en")


# -- what a session shows: its cards, its prompts and the games ------------------------------------

#: the plan's words on a session's cards and instruction cards (the clinic's, in any language)
PLAN_NAMES = ("Mini-squat", "Mini-flexion", "Tenez une chaise stable.")


def _session_result():
    from rehab.app.session_runner import ExerciseResult, SessionResult

    done = ExerciseResult("Mini-squat", "knee_flexion_right", 40.0, reps=8, successes=5, over_ceiling=1)
    once = ExerciseResult("Mini-flexion", "knee_flexion_left", 30.0, reps=1, successes=0)
    return SessionResult("completed", 1, pain_before=3.0, pain_after=2.0, exercises=[done, once])


@pytest.mark.parametrize("largest", [False, True], ids=["normal", "largest"])
def test_the_session_card_is_all_french_and_fits(catalog, largest):
    from rehab.app.session_cards import end_card
    from rehab.engine.message_card import draw_page
    from rehab.engine.message_card import layout as card_layout

    pygame.font.init()
    set_font_scale(LARGEST_SCALE if largest else 1.0)
    set_language("fr")
    card = end_card(_session_result())
    surface = pygame.Surface(SIZE)
    with DrawnWords() as drawn:
        pages = card_layout(card, SIZE)
        for number, page in enumerate(pages):
            surface.fill((0, 0, 0))
            draw_page(surface, page)
            _shot(surface, f"fr_session_card_{'largest' if largest else 'normal'}_page{number + 1}")
            for row in page:
                assert surface.get_rect().contains(pygame.Rect(row.rect)) and row.rect[3] >= 24, row.words
    assert card.title == "Séance terminée"
    assert catalog.untranslated(drawn.rows(), PLAN_NAMES) == []


def test_a_rating_prompt_is_all_french(catalog):
    from rehab.app.home_screen.actions import PAIN_QUESTIONS
    from rehab.engine.rating_screen import RatingScene

    pygame.font.init()
    set_language("fr")
    surface = pygame.Surface(SIZE)
    with DrawnWords() as drawn:
        RatingScene(_(PAIN_QUESTIONS["before"])).draw(surface)
    _shot(surface, "fr_rating_normal")
    assert "Quelle est votre douleur maintenant ?" in " ".join(drawn.rows())
    assert catalog.untranslated(drawn.rows()) == []


def _french_round(game: str):
    from devices.replay import ReplaySource
    from rehab.engine.exercise import Exercise
    from rehab.engine.game import available_games
    from rehab.engine.play import SceneTimes
    from rehab.engine.scenes import PlayRules, Round

    info = available_games()[game]
    source = ReplaySource(info.simulate("left", 0), f"sim:{game}")
    rules = PlayRules(lambda rep: None, 6.0, None, False, None, notes=PLAN_NAMES[2])
    return Round.start_round(source, info, Exercise.for_game(info, "left"), SceneTimes(1.0, 1.0, 1.0), rules, {})


def _tower_words() -> list[str]:
    """The French tower's level names and descriptions: words of a data file (heights.fr.toml), not of
    the catalog, shown as the file says them."""
    from games.exposure.hierarchy import load_hierarchy

    tower = load_hierarchy()
    assert tower.title == "La tour", "the French tower is loaded when the language is French"
    return [words for level in tower.levels for words in (level.name, level.description)]


def _games() -> list[str]:
    from rehab.engine.game import available_games

    return sorted(available_games())


@pytest.mark.parametrize("largest", [False, True], ids=["normal", "largest"])
@pytest.mark.parametrize("game", _games())
def test_a_round_of_each_game_is_all_french_and_each_line_fits_the_screen(catalog, game, largest):
    """The instruction card (with the plan's notes), the countdown, play with its HUD and messages,
    and the summary: every string drawn in a short round, each no wider than the screen, at the
    normal and the largest text size (the HUD's message wraps above the bottom line)."""
    from rehab.core.clock import SimulatedClock
    from rehab.engine.director import run_scenes
    from rehab.engine.display import HeadlessDisplay
    from rehab.engine.scenes import first_scene

    pygame.font.init()
    set_language("fr")
    set_font_scale(LARGEST_SCALE if largest else 1.0)
    display = HeadlessDisplay()
    with DrawnWords() as drawn:
        state = _french_round(game)
        run_scenes(SimulatedClock(30), display, first_scene(state))
    _shot(display.surface, f"fr_game_{game}_end_{'largest' if largest else 'normal'}")
    assert drawn.rows()
    assert catalog.untranslated(drawn.rows(), (*PLAN_NAMES, *_tower_words())) == []
    assert [words for words, width, _ in drawn.sizes if width > SIZE[0]] == []


@pytest.mark.parametrize(
    ("pains", "sets", "title"),
    [
        ({"before": 3.0, "during": 5.0}, 2, "Nous avons arrêté pour votre sécurité"),
        ({"before": 2.0, "after": 3.0}, 1, "Séance terminée"),
        ({"before": 8.0}, 1, "Repos aujourd'hui"),
        ({"before": 2.0, "after": 2.0}, 2, "Séance terminée"),
    ],
    ids=["pain_rose", "completed", "pain_too_high", "two_sets_with_a_rest"],
)
def test_a_whole_guided_session_in_french_draws_no_english(tmp_path, catalog, pains, sets, title):
    """A real session on a real (dummy) window: instruction cards with the plan's notes, the squat,
    the rest between sets, and the closing card with its safety words: all French."""
    from rehab.app.session_cards import end_card
    from tests.test_session_cards import NOTES, _session

    set_language("fr")
    try:
        with DrawnWords() as drawn:
            result, display, _watch, store = _session(tmp_path, pains, sets=sets)
        store.close()
    finally:
        pygame.display.quit()  # SDL makes one window at a time
    _shot(display.last, f"fr_session_{result.status}")
    card = end_card(result)
    assert card.title == title and title in drawn.rows()
    if result.status != "not_started":  # the instruction card said what to do, in French
        assert "Pliez le genou, côté droit" in drawn.rows()
    if result.status == "completed" and sets == 2:  # and the rest between the sets
        assert {"Repos", "Série 1 sur 2 terminée"} <= set(drawn.rows())
    assert catalog.untranslated(drawn.rows(), ("Mini-squat", NOTES, *PLAN_NAMES)) == []


@pytest.mark.parametrize("game", _games())
def test_each_games_instruction_card_in_french_fits_at_the_largest_text(catalog, game):
    """The card's title, description, movement, goal and the plan's notes, with the camera check's
    longest advice under them: 24 px or more, on the screen, none over another, at 1.5x text."""
    from rehab.engine.hud import font
    from rehab.engine.scenes import InstructionsScene, instruction_layout, status_layout

    pygame.font.init()
    set_language("fr")
    set_font_scale(LARGEST_SCALE)
    state = _french_round(game)
    scene = InstructionsScene(state)
    advice = _("make sure your {joint} can be seen (nothing in front of it)").format(joint=_("left shoulder"))
    rows = [
        *instruction_layout(SIZE, _(state.info.title), scene.lines, PLAN_NAMES[2]),
        *status_layout(SIZE, 3.0, advice),
    ]
    boxes = [pygame.Rect(r.rect) for r in rows]
    for row, box in zip(rows, boxes, strict=True):
        assert pygame.Rect((0, 0), SIZE).contains(box) and box.height >= 24, row.words
    # lines one under another, each the font's line high: a line starting with an accented capital
    # ("Éclatez") renders a few pixels taller than that, the accent in the gap between lines
    lines = [
        pygame.Rect(b.left, b.top, b.width, min(b.height, font(r.size).get_linesize()))
        for r, b in zip(rows, boxes, strict=True)
    ]
    assert not any(a.colliderect(b) for i, a in enumerate(lines) for b in lines[i + 1 :]), [r.words for r in rows]
    assert catalog.untranslated([r.words for r in rows], PLAN_NAMES) == []


def test_a_long_hud_message_wraps_upwards_and_a_short_one_keeps_its_place():
    from rehab.engine.hud import message_rows

    pygame.font.init()
    set_font_scale(LARGEST_SCALE)
    set_language("fr")
    long_one = message_rows(SIZE, _("Slower, please: about two seconds up and two down."))
    assert len(long_one) == 2 and all(pygame.Rect((0, 0), SIZE).contains(box) for _words, box in long_one)
    assert long_one[0][1].bottom <= long_one[1][1].top + 4  # one above the other
    set_font_scale(1.0)
    (short,) = message_rows(SIZE, _("Hold it there!"))
    assert short[1].midbottom == (SIZE[0] // 2 - 40, SIZE[1] - 24)  # where the HUD always put it


def test_the_questionnaire_screens_own_words_are_french_around_the_licensed_wording(catalog):
    """The intro, a question answered before (the hand half-way to another) and the safety card:
    the screen's words are French; the measure's wording (PHQ-9, shipped in English) is data, shown
    as its file gives it (docs/languages.md: a clinic supplies a French licensed file)."""
    from rehab.core.questionnaires import instrument
    from rehab.engine.questionnaire_scene import QuestionnaireState
    from rehab.engine.questionnaire_view import draw_questionnaire

    pygame.font.init()
    set_language("fr")
    phq9 = instrument("phq9")
    wording = [phq9.title, phq9.intro, *(i.text for i in phq9.items), *(c.label for i in phq9.items for c in i.choices)]
    state = QuestionnaireState(phq9)
    surface = pygame.Surface(SIZE)
    with DrawnWords() as drawn:
        draw_questionnaire(surface, state.view(hand=True))
        state.begin()
        for position in (1, 0, 2):
            state.answer(position)
        state.back()
        draw_questionnaire(surface, state.view(hover=1, hover_share=0.6, hand=True))
        _shot(surface, "fr_questionnaire_question")
        state.index = 8
        state.answer(1)
        draw_questionnaire(surface, state.view())
        _shot(surface, "fr_questionnaire_safety")
    said = " ".join(drawn.rows())
    assert "Commencer" in said and "Question 3 sur 10" in said and "(votre réponse)" in said
    assert "Merci de nous l'avoir dit." in said
    assert catalog.untranslated(drawn.rows(), wording) == []
