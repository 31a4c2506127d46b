"""The home screen's screens as content: what each says and which buttons it offers, from the
facts and settings. No state changes and no drawing here (``state`` moves between screens)."""

from __future__ import annotations

from rehab.app.home_screen.content import Bar, Button, Content, Field, Line
from rehab.app.home_screen.facts import HomeFacts
from rehab.app.home_screen.notices import Notice, notice_title
from rehab.app.home_screen.settings import HomeSettings
from rehab.core.i18n import LANGUAGES, N_, _, ngettext

#: marked here, translated when a screen is built (the language may change while the screen is up)
NAME_HINT = N_("Letters and numbers, no spaces: for example Marie or P-0042")


def back() -> Button:
    return Button("back", _("Back"))


def home(facts: HomeFacts) -> Content:
    today = facts.today
    lines: list[Line] = []
    buttons: list[Button] = []
    if facts.notices:
        first = facts.notices[0]
        count = len(facts.notices)
        if count > 1:
            more = ngettext("Press to read it ({count} new)", "Press to read it ({count} new)", count)
        else:
            more = _("Press to read it (new)")
        buttons.append(Button("notices", notice_title(first), more.format(count=count), wide=True))
    if facts.resumable and today.ready:
        start_detail = _("{plan}; you stopped early last time").format(plan=today.summary())
    else:
        start_detail = today.summary()
    buttons.append(Button("start", _("Start today's session"), start_detail, primary=True))
    buttons += [
        Button("progress", _("My progress")),
        Button("relax", _("Relax")),
        Button("camera", _("Check my camera")),
        Button("settings", _("Settings")),
        Button("link", _("My clinic") if facts.link else _("Link to my clinic")),
        Button("close", _("Close")),
    ]
    return Content(_("Hello, {name}").format(name=facts.patient), tuple(lines), tuple(buttons))


def resume_question() -> Content:
    return Content(
        _("Carry on where you stopped?"),
        (
            Line(_("Your last session was cut short. Everything you did is saved.")),
            Line(_("Yes: carry on with what is left. No: start today's session from the beginning."), "muted"),
        ),
        (Button("resume_yes", _("Yes, carry on"), primary=True), Button("resume_no", _("No, start again")), back()),
    )


def progress(facts: HomeFacts) -> Content:
    p = facts.progress
    lines: list[Line] = []
    if p.streak_days:
        streak = ngettext(
            "You exercised {count} day. Keep it up!", "You exercised {count} days in a row. Keep it up!", p.streak_days
        )
        lines.append(Line(streak.format(count=p.streak_days), "good"))
    for m in p.movements:
        reached = m.goal_deg is not None and m.best_deg >= m.goal_deg
        lines.append(Line(m.words, bar=Bar(m.share, reached)))
        lines.append(Line(m.sentence(), "muted"))
    if not p.movements:
        lines.append(Line(_("Nothing to show yet: your best movements of the last two weeks will be here.")))
    else:
        lines.append(Line(_("The bar fills as you reach your goal; your best of the last two weeks."), "muted"))
    return Content(_("My progress"), tuple(lines), (back(),))


def settings(s: HomeSettings) -> Content:
    on_off = {True: _("On"), False: _("Off")}
    return Content(
        _("Settings"),
        (Line(_("Press a setting to change it. It is kept for next time."), "muted"),),
        (
            Button("text_size", _("Text size: {size}").format(size=s.text_size_name)),
            Button("contrast", _("High contrast: {on_off}").format(on_off=on_off[s.high_contrast])),
            Button("sound", _("Sound: {on_off}").format(on_off=on_off[s.sound])),
            Button("input", _("Input: {input}").format(input=s.input_name)),
            Button("hand", _("Point with my hand: {on_off}").format(on_off=on_off[s.hand_pointer])),
            # the language's own name, never translated: a patient who cannot read the current one
            # still finds theirs
            Button("language", _("Language: {language}").format(language=LANGUAGES[s.language_code])),
            Button("back", _("Done"), primary=True),
        ),
    )


def link_url(typed: str, error: str) -> Content:
    return Content(
        _("Link to my clinic"),
        (Line(_("Your clinic then sees your sessions and can send you a new plan."), "muted"),),
        (Button("link_next", _("Next"), primary=True), back()),
        Field(
            _("Your clinic's address"),
            typed,
            error,
            _("Your physiotherapist gives it, like {example}").format(example="https://clinic.example.org"),
        ),
        submit="link_next",
    )


def link_code(typed: str, error: str) -> Content:
    return Content(
        _("Link to my clinic"),
        (),
        (Button("link_go", _("Link"), primary=True), back()),
        Field(_("The code from your clinic"), typed, error, _("It looks like {example}").format(example="K7PM-3QXA")),
        submit="link_go",
    )


def linked(facts: HomeFacts) -> Content:
    assert facts.link is not None
    return Content(
        _("My clinic"),
        (
            Line(_("This home is linked to {address}.").format(address=facts.link.url)),
            Line(_("Your sessions are sent after each one, when the internet is there."), "muted"),
        ),
        (back(),),
    )


def notice(item: Notice) -> Content:
    return Content(notice_title(item), (Line(item.text),), (Button("notice_read", _("OK"), primary=True),))


def info(title: str, lines: tuple[str, ...]) -> Content:
    return Content(title, tuple(Line(words) for words in lines), (Button("ok", _("OK"), primary=True),))


def welcome(s: HomeSettings) -> Content:
    """The first run's first screen; the language is offered here, before any other word is read."""
    return Content(
        _("Welcome to rehab"),
        (
            Line(_("Your exercises at home, guided by your camera.")),
            Line(_("Let us set it up together: it takes a minute."), "muted"),
        ),
        (
            Button("first_start", _("Start"), primary=True),
            Button("language", _("Language: {language}").format(language=LANGUAGES[s.language_code])),
            Button("close", _("Close")),
        ),
    )


def first_link() -> Content:
    """Before the name: a patient whose clinic gave a pairing code links now, and the clinic's
    plan (and the patient's code) come with it."""
    return Content(
        _("Do you have a code from your clinic?"),
        (
            Line(_("With it, your sessions go to your physiotherapist and your plan comes to you.")),
            Line(_("You can also link later from the home screen."), "muted"),
        ),
        (Button("first_link_yes", _("Yes, link to my clinic"), primary=True), Button("first_link_no", _("Not now"))),
    )


def first_name(typed: str, error: str) -> Content:
    return Content(
        _("What should we call you?"),
        (),
        (Button("first_name_next", _("Next"), primary=True),),
        Field(_("Your first name, or the code your clinic gave you"), typed, error, _(NAME_HINT)),
        submit="first_name_next",
    )


def first_camera() -> Content:
    return Content(
        _("Check your camera"),
        (
            Line(_("Stand where you will exercise: we show you what the camera sees.")),
            Line(_("You can also do this later from the home screen."), "muted"),
        ),
        (Button("first_camera_check", _("Check my camera"), primary=True), Button("first_camera_skip", _("Skip"))),
    )


def first_measure(movements: tuple[str, ...]) -> Content:
    """The first run's measurement: what will be measured and how, or why nothing is yet."""
    if not movements:
        return Content(
            _("Measure your movement"),
            (
                Line(_("Your exercise plan has not come yet.")),
                Line(_("Your first session measures how far you move comfortably."), "muted"),
            ),
            (Button("first_measure_skip", _("Next"), primary=True),),
        )
    return Content(
        _("Measure your movement"),
        (
            Line(_("We measure how far you move comfortably: {movements}.").format(movements=_(", ").join(movements))),
            # no third line: at the largest text size it pushed "Measure now" onto a second page
            Line(_("Move as far as is comfortable, three times. Do not push into pain.")),
        ),
        (Button("first_measure_go", _("Measure now"), primary=True), Button("first_measure_skip", _("Later"))),
    )


def first_done(patient: str) -> Content:
    return Content(
        _("All set, {name}").format(name=patient),
        (
            Line(_("Your home screen comes next.")),
            Line(_("Start today's session from there whenever you are ready."), "muted"),
        ),
        (Button("first_done", _("Go to my home screen"), primary=True),),
    )
