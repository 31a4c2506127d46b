"""Which screen is up and what each press does: the home screen's rules, with no drawing and no
window. Presses come from a click, a tap, Enter or Space on the focused button, or a hand held
still over a button (``dwell``); typed characters go to the screen's text field.

What needs the window or the network (today's session, breathing, the camera check, linking) is
left in ``pending`` for the frame loop to run; ``done`` tells the state how it went.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from rehab.app.home_screen import screens
from rehab.app.home_screen.content import Content
from rehab.app.home_screen.facts import HomeFacts
from rehab.app.home_screen.focus import STEPS, Focus
from rehab.app.home_screen.layout import FIRST_PAGE, MORE, Page
from rehab.app.home_screen.notices import Notice
from rehab.app.home_screen.settings import HomeSettings
from rehab.core.i18n import _, set_language
from rehab.core.ids import MAX_LENGTH, is_patient_id

#: longest text a field takes (an address), so a stuck key cannot grow it for ever
MAX_TYPED = 200


def name_rule() -> str:
    """Why a name was refused, in the patient's language."""
    return _("Use only letters, numbers, '-', '_' or '.', with no spaces, at most {count}: for example Marie.").format(
        count=MAX_LENGTH
    )


def not_an_address() -> str:
    return _("That is not a clinic address: it looks like {example}.").format(example="https://clinic.example.org")


#: the first run's screens: no way back from them (the home screen closes with its Close button)
FORWARD_ONLY = ("home", "welcome", "first_link", "first_name", "first_camera", "first_measure", "first_done")

#: actions the frame loop runs for the state (they need the window, a camera or the network)
ACTIONS = ("session", "session_resume", "session_fresh", "relax", "camera", "measure", "link")


class Services(Protocol):
    """The store and files behind the screens (``actions.HomeServices`` is the real one)."""

    def read_facts(self, settings: HomeSettings) -> HomeFacts: ...

    def save_settings(self, settings: HomeSettings) -> None: ...

    def add_patient(self, patient_id: str) -> None: ...

    def mark_read(self, notice: Notice) -> None: ...


class HomeState:
    def __init__(self, services: Services, settings: HomeSettings) -> None:
        self.services = services
        self.settings = settings
        self.facts = services.read_facts(settings)
        self.screen = "home" if self.facts.patient else "welcome"
        self.focus = Focus()
        self.page = 0
        self.typed = ""
        self.error = ""
        self.link_address = ""
        self.info_title = ""
        self.info_lines: tuple[str, ...] = ()
        self.info_next = "home"
        self.pending = ""
        self.closed = False
        #: linking from the first run: its screens lead back to it, not to the home screen
        self.first_run = False
        #: the last button pressed, and how ("pointer", "key", "hand"): for tests and the record
        self.last_press: tuple[str, str] = ("", "")

    # -- what is shown ---------------------------------------------------------------------------

    def content(self) -> Content:
        f = self.facts
        shown = {
            "home": lambda: screens.home(f),
            "resume": screens.resume_question,
            "progress": lambda: screens.progress(f),
            "settings": lambda: screens.settings(self.settings),
            "link_url": lambda: screens.link_url(self.typed, self.error),
            "link_code": lambda: screens.link_code(self.typed, self.error),
            "linked": lambda: screens.linked(f),
            "notice": lambda: screens.notice(f.notices[0]),
            "info": lambda: screens.info(self.info_title, self.info_lines),
            "welcome": lambda: screens.welcome(self.settings),
            "first_link": screens.first_link,
            "first_name": lambda: screens.first_name(self.typed, self.error),
            "first_camera": screens.first_camera,
            "first_measure": lambda: screens.first_measure(f.today.to_measure),
            "first_done": lambda: screens.first_done(f.patient),
        }
        return shown[self.screen]()

    def main_button(self) -> str:
        content = self.content()
        return content.submit or next((b.key for b in content.buttons if b.primary), "")

    def focused_key(self, page: Page) -> str:
        index = self.focus.clamped(len(page.buttons)).index
        return page.buttons[index].key if index >= 0 else ""

    # -- input -----------------------------------------------------------------------------------

    def key(self, name: str, page: Page) -> None:
        """A named key: tab, shift+tab, arrows, enter, space, escape, backspace."""
        has_field = self.content().field is not None
        if name in STEPS:
            self.focus = self.focus.moved(STEPS[name], len(page.buttons))
        elif name == "enter":
            # the focused button; before Tab is used, the screen's main button (what a patient expects)
            self.press(self.focused_key(page) or self.main_button(), "key")
        elif name == "space" and has_field:
            self.text(" ")
        elif name == "space":
            focused = self.focused_key(page)
            if focused:
                self.press(focused, "key")
        elif name == "backspace" and has_field:
            self.typed, self.error = self.typed[:-1], ""
        elif name == "escape":
            self.back()

    def text(self, characters: str) -> None:
        if self.content().field is None:
            return
        printable = "".join(c for c in characters if c.isprintable())
        if printable:
            self.typed, self.error = (self.typed + printable)[:MAX_TYPED], ""

    def point(self, position: tuple[float, float], page: Page, how: str = "pointer") -> None:
        """A click or a tap at ``position``: presses the button under it, if any."""
        x, y = position
        for button in page.buttons:
            left, top, width, height = button.rect
            if left <= x < left + width and top <= y < top + height:
                self.press(button.key, how)
                return

    # -- presses ---------------------------------------------------------------------------------

    def press(self, key: str, how: str = "pointer") -> None:
        if not key:
            return
        self.last_press = (key, how)
        if key == MORE:
            self.page += 1
            self.focus = Focus(0 if self.focus.index >= 0 else -1)
            return
        if key == FIRST_PAGE:
            self.page = 0
            self.focus = Focus(0 if self.focus.index >= 0 else -1)
            return
        handler = getattr(self, f"_press_{key}", None)
        if handler is not None:
            handler()

    def back(self) -> None:
        if self.screen in FORWARD_ONLY:
            return  # the first run goes forward only; the home screen closes with its Close button
        linking_first = self.first_run and self.screen in ("link_url", "link_code")
        self.go("first_link" if linking_first else "home")

    def go(self, screen: str, typed: str = "") -> None:
        self.screen, self.typed, self.error, self.page, self.focus = screen, typed, "", 0, Focus()
        if screen == "home":
            self.refresh()  # what changed meanwhile (a plan a sync brought, a session done)

    def _press_back(self) -> None:
        self.back()

    def _press_close(self) -> None:
        self.closed = True

    def _press_start(self) -> None:
        today = self.facts.today
        if not today.ready:
            self.show_info(_("No session today"), (today.problem,))
        elif self.facts.resumable:
            self.go("resume")
        else:
            self.pending = "session"

    def _press_resume_yes(self) -> None:
        self.pending = "session_resume"

    def _press_resume_no(self) -> None:
        self.pending = "session_fresh"

    def _press_progress(self) -> None:
        self.go("progress")

    def _press_relax(self) -> None:
        self.pending = "relax"

    def _press_camera(self) -> None:
        self.pending = "camera"

    def _press_settings(self) -> None:
        self.go("settings")

    def _press_link(self) -> None:
        self.go("linked" if self.facts.link else "link_url")

    def _press_notices(self) -> None:
        if self.facts.notices:
            self.go("notice")

    def _press_notice_read(self) -> None:
        if self.facts.notices:
            first = self.facts.notices[0]
            if first.kind == "plan":
                self.change(replace(self.settings, seen_plan_version=first.ref))
            self.services.mark_read(first)
            self.refresh()
        self.go("notice" if self.facts.notices else "home")

    def _press_ok(self) -> None:
        self.go(self.info_next)

    # settings: each press changes one and keeps it at once
    def _press_text_size(self) -> None:
        self.change(self.settings.next_text_size())

    def _press_contrast(self) -> None:
        self.change(replace(self.settings, high_contrast=not self.settings.high_contrast))

    def _press_sound(self) -> None:
        self.change(replace(self.settings, sound=not self.settings.sound))

    def _press_input(self) -> None:
        self.change(self.settings.next_input())

    def _press_hand(self) -> None:
        self.change(replace(self.settings, hand_pointer=not self.settings.hand_pointer))

    def _press_language(self) -> None:
        self.change(self.settings.next_language())

    def change(self, settings: HomeSettings) -> None:
        self.settings = settings
        self.services.save_settings(settings)
        set_language(settings.language_code)  # the next frame speaks it, whatever the services do
        self.refresh()  # today's plan and progress are worded in it

    # linking: the address, then the code
    def _press_link_next(self) -> None:
        from urllib.parse import urlsplit

        from rehab.app.clinic_link import check_server_url
        from rehab.core.errors import RehabError

        address = self.typed.strip()
        if not address:
            self.error = _("Type the clinic's address first.")
            return
        if "://" not in address:
            address = "https://" + address
        host = urlsplit(address).hostname or ""
        if any(c.isspace() for c in address) or not ("." in host or host in ("localhost", "::1")):
            self.error = not_an_address()
            return
        try:
            self.link_address = check_server_url(address, insecure=False)
        except RehabError:
            self.error = not_an_address()
            return
        self.go("link_code")

    def _press_link_go(self) -> None:
        if not "".join(self.typed.split()):
            self.error = _("Type the pairing code your clinic gave you.")
            return
        self.pending = "link"

    # the first run
    def _press_first_start(self) -> None:
        self.go("first_link")

    def _press_first_link_yes(self) -> None:
        self.first_run = True
        self.go("link_url")

    def _press_first_link_no(self) -> None:
        self.go("first_name")

    def _press_first_name_next(self) -> None:
        name = self.typed.strip()
        if not name:
            self.error = _("Type your first name or your code.")
            return
        if not is_patient_id(name):
            self.error = name_rule()
            return
        self.services.add_patient(name)
        self.change(replace(self.settings, patient=name))
        self.refresh()
        self.go("first_camera")

    def _press_first_camera_check(self) -> None:
        self.pending = "camera"

    def _press_first_camera_skip(self) -> None:
        self.go("first_measure")

    def _press_first_measure_go(self) -> None:
        self.pending = "measure"

    def _press_first_measure_skip(self) -> None:
        self.go("first_done")

    def _press_first_done(self) -> None:
        self.first_run = False
        self.go("home")

    # -- after an action -------------------------------------------------------------------------

    def take_pending(self) -> str:
        action, self.pending = self.pending, ""
        return action

    def done(self, action: str, problem: str = "", message: str = "") -> None:
        """The loop ran ``action``: ``problem`` is one plain sentence when it failed, ``message``
        what to tell the patient when it worked (a link made)."""
        self.refresh()
        if action == "link":
            if problem:
                self.error = problem
                return
            # the first run carries on with the linked patient: no name to ask for
            self.show_info(_("Linked to your clinic"), (message,), "first_camera" if self.first_run else "home")
            return
        if action == "camera" and self.screen == "first_camera":
            self.go("first_measure")
            return
        if action == "measure":
            if problem:
                self.show_info(_("Measure your movement"), (problem,), "first_done")
            else:
                self.go("first_done")
            return
        if problem:
            self.show_info(_("We had to stop"), (problem, _("Everything you did before this is saved.")), "home")
            return
        self.go("home")

    def show_info(self, title: str, lines: tuple[str, ...], then: str = "home") -> None:
        self.info_title, self.info_lines, self.info_next = title, lines, then
        self.go("info")

    def refresh(self) -> None:
        self.facts = self.services.read_facts(self.settings)
