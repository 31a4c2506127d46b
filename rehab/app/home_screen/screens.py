"""The home screen's screens as content: what each says and which buttons it offers, from the
facts and settings. No state changes and no drawing here (``state`` moves between screens)."""

from __future__ import annotations

from rehab.app.home_screen.content import Bar, Button, Content, Field, Line
from rehab.app.home_screen.facts import HomeFacts
from rehab.app.home_screen.notices import Notice, notice_title
from rehab.app.home_screen.settings import HomeSettings

BACK = Button("back", "Back")
NAME_HINT = "Letters and numbers, no spaces: for example Marie or P-0042"


def home(facts: HomeFacts) -> Content:
    today = facts.today
    lines: list[Line] = []
    buttons: list[Button] = []
    if facts.notices:
        first = facts.notices[0]
        more = f" ({len(facts.notices)} new)" if len(facts.notices) > 1 else " (new)"
        buttons.append(Button("notices", notice_title(first), f"Press to read it{more}", wide=True))
    if facts.resumable and today.ready:
        start_detail = f"{today.summary()}; you stopped early last time"
    else:
        start_detail = today.summary()
    buttons.append(Button("start", "Start today's session", start_detail, primary=True))
    buttons += [
        Button("progress", "My progress"),
        Button("relax", "Relax"),
        Button("camera", "Check my camera"),
        Button("settings", "Settings"),
        Button("link", "My clinic" if facts.link else "Link to my clinic"),
        Button("close", "Close"),
    ]
    return Content(f"Hello, {facts.patient}", tuple(lines), tuple(buttons))


def resume_question() -> Content:
    return Content(
        "Carry on where you stopped?",
        (
            Line("Your last session was cut short. Everything you did is saved."),
            Line("Yes: carry on with what is left. No: start today's session from the beginning.", "muted"),
        ),
        (Button("resume_yes", "Yes, carry on", primary=True), Button("resume_no", "No, start again"), BACK),
    )


def progress(facts: HomeFacts) -> Content:
    p = facts.progress
    lines: list[Line] = []
    if p.streak_days:
        days = "day" if p.streak_days == 1 else "days in a row"
        lines.append(Line(f"You exercised {p.streak_days} {days}. Keep it up!", "good"))
    for m in p.movements:
        reached = m.goal_deg is not None and m.best_deg >= m.goal_deg
        lines.append(Line(m.words, bar=Bar(m.share, reached)))
        lines.append(Line(m.sentence(), "muted"))
    if not p.movements:
        lines.append(Line("Nothing to show yet: your best movements of the last two weeks will be here."))
    else:
        lines.append(Line("The bar fills as you reach your goal; your best of the last two weeks.", "muted"))
    return Content("My progress", tuple(lines), (BACK,))


def settings(s: HomeSettings) -> Content:
    on_off = {True: "On", False: "Off"}
    return Content(
        "Settings",
        (Line("Press a setting to change it. It is kept for next time.", "muted"),),
        (
            Button("text_size", f"Text size: {s.text_size}"),
            Button("contrast", f"High contrast: {on_off[s.high_contrast]}"),
            Button("sound", f"Sound: {on_off[s.sound]}"),
            Button("input", f"Input: {s.input_name}"),
            Button("hand", f"Point with my hand: {on_off[s.hand_pointer]}"),
            Button("back", "Done", primary=True),
        ),
    )


def link_url(typed: str, error: str) -> Content:
    return Content(
        "Link to my clinic",
        (Line("Your clinic then sees your sessions and can send you a new plan.", "muted"),),
        (Button("link_next", "Next", primary=True), BACK),
        Field("Your clinic's address", typed, error, "Your physiotherapist gives it, like https://clinic.example.org"),
        submit="link_next",
    )


def link_code(typed: str, error: str) -> Content:
    return Content(
        "Link to my clinic",
        (),
        (Button("link_go", "Link", primary=True), BACK),
        Field("The code from your clinic", typed, error, "It looks like K7PM-3QXA"),
        submit="link_go",
    )


def linked(facts: HomeFacts) -> Content:
    assert facts.link is not None
    return Content(
        "My clinic",
        (
            Line(f"This home is linked to {facts.link.url}."),
            Line("Your sessions are sent after each one, when the internet is there.", "muted"),
        ),
        (BACK,),
    )


def notice(item: Notice) -> Content:
    return Content(notice_title(item), (Line(item.text),), (Button("notice_read", "OK", primary=True),))


def info(title: str, lines: tuple[str, ...]) -> Content:
    return Content(title, tuple(Line(words) for words in lines), (Button("ok", "OK", primary=True),))


def welcome() -> Content:
    return Content(
        "Welcome to rehab",
        (
            Line("Your exercises at home, guided by your camera."),
            Line("Let us set it up together: it takes a minute.", "muted"),
        ),
        (Button("first_start", "Start", primary=True), Button("close", "Close")),
    )


def first_name(typed: str, error: str) -> Content:
    return Content(
        "What should we call you?",
        (),
        (Button("first_name_next", "Next", primary=True),),
        Field("Your first name, or the code your clinic gave you", typed, error, NAME_HINT),
        submit="first_name_next",
    )


def first_camera() -> Content:
    return Content(
        "Check your camera",
        (
            Line("Stand where you will exercise: we show you what the camera sees."),
            Line("You can also do this later from the home screen.", "muted"),
        ),
        (Button("first_camera_check", "Check my camera", primary=True), Button("first_camera_skip", "Skip")),
    )


def first_done(patient: str) -> Content:
    return Content(
        f"All set, {patient}",
        (
            Line("Your home screen comes next."),
            Line("Start today's session from there whenever you are ready.", "muted"),
        ),
        (Button("first_done", "Go to my home screen", primary=True),),
    )
