"""Screenshots of every page of the clinic's web app, for docs/web.md.

Builds a demo clinic in a temporary folder (SQLite): the accounts and patients of
tests/clinic_demo.py, four homes linked with ``rehab link`` and pushed with ``rehab sync`` from
stores of simulated sessions (the same builder as the end-to-end browser test), then starts a real
``rehab clinic serve`` and photographs its pages with Debian's chromium, headless, through Playwright.
The live page (docs/live.md) is photographed while a simulated home streams a session to it.

Run with ``make web-screenshots`` (or ``.venv/bin/python docs/make_web_screenshots.py``); look at
every picture before committing it. The data are dated from today, so the dates in the pictures
are the day they were made. Desktop pictures are 1280 px wide, the tablet's 800 px; each is saved as
a 256-colour PNG and must stay under MAX_BYTES. Names given on the command line (``live``,
``caseload``...) save only those pictures.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "web"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 800, "height": 1280}
#: the most a picture may weigh in the repository
MAX_BYTES = 250_000
#: a clinical note as a physio writes one (the notes picture shows it)
NOTE = (
    "Seen in clinic. Knee flexion 104° measured with the goniometer, close to the home camera's 106°. "
    "Swelling down. Keep the mini-squat target; add a second set from next week."
)
MESSAGE = "Well done this week! Please try the second set of knee bends from Monday, and rest if the pain is above 5."
#: what the physio sends to the game in the live page's picture
LIVE_MESSAGE = "Good depth: keep the knee over your toes"


def has_page(method: str, path: str) -> bool:
    """Whether the web app has a route for ``method path`` (the plan editor is another module's)."""
    from starlette.routing import Match

    from clinic.app import create_app
    from clinic.config import ClinicConfig

    app = create_app(ClinicConfig(db_url="sqlite://"))
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "app": app}
    return any(route.matches(scope)[0] == Match.FULL for route in app.routes if not path.startswith("/static"))


def save(png: bytes, name: str, width: int) -> Path:
    """The picture as a 256-colour PNG in docs/web (text stays crisp: the pages use few colours)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width != width:
        raise SystemExit(f"{name}: {image.width} px wide, expected {width}")
    path = OUT / f"{name}.png"
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{path}: {size} bytes, more than {MAX_BYTES}: crop it")
    print(f"{path.relative_to(ROOT)}  {image.width}x{image.height}  {size // 1000} kB")
    return path


def region(page: Any, selector: str, pad: int = 12) -> bytes:
    """The full width of the page from just above ``selector`` to just below it."""
    box = page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {y: r.top + window.scrollY, height: r.height}; }"
    )
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": max(0, box["y"] - pad), "width": width, "height": box["height"] + 2 * pad}
    shot: bytes = page.screenshot(full_page=True, clip=clip)
    return shot


def wait_for_charts(page: Any) -> None:
    """Until every chart on the page is drawn (plotly adds its SVG into each plot's box)."""
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.plot')).every(p => p.querySelector('.main-svg'))"
    )


def overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0: nothing spills sideways)."""
    found: int = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return found


class Camera:
    """Browser contexts (each its own cookies) on the demo server, and the pictures taken so far."""

    def __init__(self, browser: Any, url: str, only: frozenset[str] = frozenset()) -> None:
        self.browser, self.url = browser, url
        self.only = only  # the pictures to save (all when empty)
        self.made: list[Path] = []
        self.contexts: list[Any] = []

    def fresh(self, viewport: dict[str, int] = DESKTOP) -> Any:
        context = self.browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC")
        context.set_default_timeout(30_000)
        self.contexts.append(context)
        return context.new_page()

    def as_user(self, email: str, path: str, viewport: dict[str, int] = DESKTOP) -> Any:
        from tests.browser_fixtures import log_in

        return log_in(self.fresh(viewport), self.url, email, path=path)

    def shot(self, name: str, take: Callable[[], bytes], width: int = DESKTOP["width"]) -> None:
        if not self.only or name in self.only:
            self.made.append(save(take(), name, width))

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def hover_a_dot(page: Any, chart: str, from_end: int) -> None:
    """The mouse on a dot of the chart's first line, so the picture shows a hover label."""
    dots = page.locator(f"{chart} .scatterlayer .trace").first.locator("path.point")
    dot = dots.nth(dots.count() - from_end)
    dot.scroll_into_view_if_needed()
    box = dot.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(f"{chart} .hoverlayer .hovertext").wait_for()


def physio_pages(camera: Camera) -> str:
    """The physio's pages; returns the URL of the session pictured."""
    from tests.clinic_demo import MIXED_PATIENT, NEW_PATIENT, PAIN_PATIENT, PHYSIO

    url = camera.url
    login = camera.fresh({"width": 1280, "height": 620})
    login.goto(url + "/login?next=/caseload")
    camera.shot("login", lambda: login.screenshot())

    ana = camera.as_user(PHYSIO, "/caseload")
    camera.shot("caseload", lambda: ana.screenshot(full_page=True))
    ana.goto(f"{url}/patients/{PAIN_PATIENT}")
    wait_for_charts(ana)
    camera.shot("patient-top", lambda: ana.screenshot())

    mixed = camera.as_user(PHYSIO, f"/patients/{MIXED_PATIENT}")
    wait_for_charts(mixed)
    hover_a_dot(mixed, "#rom-knee-flexion-right", from_end=6)
    camera.shot("patient-charts", lambda: region(mixed, ".charts"))

    with ana.expect_navigation():
        ana.locator("#session-table tbody a").first.click()  # the newest: today's painful session
    session = str(ana.url)
    camera.shot("session", lambda: ana.screenshot(full_page=True))

    ana.goto(f"{url}/patients/{PAIN_PATIENT}")
    ana.fill("#note-text", NOTE)
    with ana.expect_navigation():
        ana.get_by_role("button", name="Save note").click()
    ana.fill("#message-text", MESSAGE)
    with ana.expect_navigation():
        ana.get_by_role("button", name="Send message").click()
    camera.shot("notes", lambda: region(ana, "section[aria-labelledby=notes]"))

    if has_page("GET", f"/patients/{NEW_PATIENT}/plan"):
        ana.goto(f"{url}/patients/{NEW_PATIENT}/plan")
        camera.shot("plan-editor", lambda: ana.screenshot(full_page=True))
    else:
        print("note: the web app has no plan editor (GET /patients/{id}/plan) yet: no plan-editor.png")
    return session


def other_pages(camera: Camera) -> None:
    """The admin's pages, the 403 page another team's physio gets, the caseload on a tablet."""
    from tests.clinic_demo import CLINICIAN, OTHER_PHYSIO, PAIN_PATIENT
    from tests.clinic_fixtures import ADMIN_EMAIL

    admin = camera.as_user(ADMIN_EMAIL, "/admin/users")
    camera.shot("admin-users", lambda: admin.screenshot(full_page=True))
    admin.goto(camera.url + "/admin/audit")
    camera.shot("admin-audit", lambda: admin.screenshot())

    bo = camera.as_user(OTHER_PHYSIO, "/caseload")
    bo.goto(f"{camera.url}/patients/{PAIN_PATIENT}")
    camera.shot("forbidden", lambda: bo.screenshot(clip={"x": 0, "y": 0, "width": 1280, "height": 480}))

    tablet = camera.as_user(CLINICIAN, "/caseload", TABLET)
    camera.shot("caseload-tablet", lambda: tablet.screenshot(), TABLET["width"])


#: the simulated patient's peaks: three reps done, the fourth at its deepest in the picture
LIVE_PEAKS = (96.0, 101.0, 98.0, 97.0)
#: the reps done as the game measures them: peak and range (degrees), duration (seconds)
LIVE_REPS = ((96.2, 88.1, 3.4), (100.8, 93.0, 3.6), (97.9, 90.2, 3.3))


def live_frames() -> list[dict[str, Any]]:
    """A simulated patient's knee bends (right, seen from the side) as the game streams them, at
    10 Hz up to the fourth rep's deepest bend: 2D landmarks, the angle against the plan's goal and
    ceiling, the scene, set and device."""
    from rehab.engine.live import landmarks_2d
    from rehab.sim.poses import SimulatedSession
    from tests.clinic_demo import KNEE

    session = SimulatedSession(exercise="knee_flexion", side="right", peaks_deg=LIVE_PEAKS, facing_deg=70)
    fourth = sum(script.total_s for script in session.scripts[:3])
    poses = list(session.frames())[::3]
    deepest = max((p for p in poses if p.t >= fourth), key=lambda p: session.true_angle(p.t))
    return [
        {
            "type": "frame",
            "t": round(pose.t, 3),
            "landmarks": landmarks_2d(pose),
            "angle": {"name": KNEE, "value": round(session.true_angle(pose.t), 1), "goal": 95.0, "ceiling": 120.0},
            "scene": "play",
            "set": "Knee bends, set 2 of 3",
            "reps": sum(pose.t >= sum(s.total_s for s in session.scripts[: n + 1]) for n in range(4)),
            "reps_planned": 10,
            "device": "webcam:0: tracking",
        }
        for pose in poses
        if pose.t <= deepest.t
    ]


def live_page(camera: Camera, server: Any) -> None:
    """The live page while a simulated home streams: the skeleton at the fourth rep's deepest bend,
    the angle against its goal and ceiling, three reps, the pain asked before, and a message the
    physio sent that the game applied. The home is a WebSocket client with a device token, as
    ``rehab link`` gets one, sending what ``rehab.app.live_share`` sends."""
    from websockets.sync.client import connect

    from clinic.live import HOME_PATH
    from tests.clinic_demo import PAIN_PATIENT, PHYSIO

    token = server.pair(PAIN_PATIENT, "live demo")
    ana = camera.as_user(PHYSIO, f"/patients/{PAIN_PATIENT}/live")
    ana.wait_for_function("document.getElementById('live-status').dataset.status === 'waiting'")
    frames = live_frames()
    home_url = "ws://" + camera.url.split("://", 1)[1] + HOME_PATH

    def send(message: dict[str, Any]) -> None:
        home.send(json.dumps(message, separators=(",", ":")))

    with connect(home_url, additional_headers={"Authorization": f"Bearer {token}"}) as home:
        send({"type": "pain", "moment": "before", "value": 2})
        done = 0
        for frame in frames:  # each rep's message as the rep completes, between the frames
            while done < frame["reps"]:
                peak, rom, seconds = LIVE_REPS[done]
                done += 1
                rep = {"type": "rep", "index": done, "peak_deg": peak, "rom_deg": rom, "duration_s": seconds}
                send({**rep, "success": peak >= 95.0, "over_ceiling": False, "compensations": []})
            send(frame)
        ana.fill("#live-message", LIVE_MESSAGE)
        ana.get_by_role("button", name="Send message").click()
        action = json.loads(home.recv(timeout=30))
        send({"type": "action_done", "id": action["id"], "kind": action["kind"], "applied": True, "note": ""})
        ana.wait_for_function("document.querySelectorAll('#actions li').length === 2")
        send(frames[-1])  # drawn last: the deepest bend
        last = json.dumps(frames[-1]["t"])
        ana.wait_for_function(
            "document.getElementById('live-status').dataset.status === 'connected'"
            f" && document.getElementById('live').dataset.lastFrame === String({last})"
        )
        camera.shot("live", lambda: ana.screenshot(full_page=True))


def tablet_overflow(camera: Camera, session: str) -> None:
    """Prints how far each page spills sideways on the tablet (a wide table must scroll in its box)."""
    from tests.clinic_demo import MIXED_PATIENT, NEW_PATIENT, PHYSIO
    from tests.clinic_fixtures import ADMIN_EMAIL

    ana = camera.as_user(PHYSIO, "/caseload", TABLET)
    admin = camera.as_user(ADMIN_EMAIL, "/admin/users", TABLET)
    paths = ["/caseload", f"/patients/{MIXED_PATIENT}", session.removeprefix(camera.url)]
    if has_page("GET", f"/patients/{NEW_PATIENT}/plan"):
        paths.append(f"/patients/{NEW_PATIENT}/plan")
    pages = [(ana, path) for path in paths] + [(admin, "/admin/users"), (admin, "/admin/audit")]
    for page, path in pages:
        page.goto(camera.url + path)
        print(f"tablet {TABLET['width']} px, {path}: the page is {overflow(page)} px wider than the window")


def main() -> int:
    sys.path.insert(0, str(ROOT))  # tests.clinic_demo and its fixtures, run from anywhere
    from playwright.sync_api import sync_playwright

    from tests.browser_fixtures import CHROMIUM, launch_chromium
    from tests.clinic_demo import add_showcase, build_caseload
    from tests.clinic_fixtures import start_clinic_server

    only = frozenset(sys.argv[1:])
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium (`make browser` does, as root)", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rehab-web-shots-") as name:
        folder = Path(name)
        server = start_clinic_server(f"sqlite:///{folder / 'clinic' / 'clinic.sqlite3'}", folder / "server")
        try:
            demo = add_showcase(build_caseload(server, folder / "homes"), folder / "homes")
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                camera = Camera(browser, demo.server.url, only)
                try:
                    session = physio_pages(camera)
                    other_pages(camera)
                    live_page(camera, demo.server)  # after the audit picture: its views stay out of it
                    tablet_overflow(camera, session)  # last: its logins and views stay out of the audit picture
                finally:
                    camera.close()
                    browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
