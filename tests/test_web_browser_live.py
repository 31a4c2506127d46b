"""The live page in a real browser (headless chromium) against a real ``rehab clinic serve`` on
SQLite and PostgreSQL: a home streams a simulated patient's skeleton with the real sender, the
page draws it and redraws it as it moves, says that no camera image leaves the home, sends the
physio's message to the home, and says "connection lost" when the home's line drops.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from rehab.app.live_share import LiveShare
from rehab.engine.live import landmarks_2d
from rehab.sim.poses import SimulatedSession
from tests.clinic_fixtures import ClinicServer, actions_reaching_home

PATIENCE_MS = 60_000


def skeleton_frames() -> list[dict[str, Any]]:
    """A simulated patient's elbow bends as the game would send them: 2D landmarks and the angle."""
    poses = list(SimulatedSession(exercise="elbow_flexion", side="left").frames())[::10]
    return [
        {
            "type": "frame",
            "t": pose.t,
            "landmarks": landmarks_2d(pose),
            "angle": {"name": "elbow_flexion_left", "value": 20.0 + n, "goal": 100.0, "ceiling": 150.0},
            "scene": "play",
            "device": "sim: tracking",
        }
        for n, pose in enumerate(poses)
    ]


def canvas_picture(page: Any) -> str:
    return str(page.evaluate("document.getElementById('skeleton').toDataURL()"))


def frames_seen(page: Any) -> int:
    return int(page.locator("#frames").inner_text())


def test_browser_live_page_draws_the_moving_skeleton_and_sends_a_message(
    clinic_server: ClinicServer, web_page: Callable[..., Any]
) -> None:
    clinic_server.physio("physio@a.test", "team-a")
    clinic_server.patient("P1", "physio@a.test")
    token = clinic_server.pair("P1")
    page = web_page("physio@a.test", "/patients/P1/live")
    assert "No camera image leaves the patient's home: only landmarks and angles." in page.locator("main").inner_text()
    page.wait_for_function("document.getElementById('live-status').dataset.status === 'waiting'", timeout=PATIENCE_MS)
    blank = canvas_picture(page)
    frames = skeleton_frames()
    live = LiveShare(clinic_server.url, token)
    live.start()
    try:
        live.send(dict(frames[0]))
        page.wait_for_function("Number(document.getElementById('frames').textContent) >= 1", timeout=PATIENCE_MS)
        first = canvas_picture(page)
        assert first != blank  # the skeleton is drawn
        assert page.locator("#live-status").get_attribute("data-status") == "connected"
        assert page.locator("#live-badge").is_visible()
        for frame in frames[1:6]:
            live.send(dict(frame))
        page.wait_for_function("Number(document.getElementById('frames').textContent) >= 2", timeout=PATIENCE_MS)
        page.wait_for_function(f"document.getElementById('skeleton').toDataURL() !== {json.dumps(first)}")
        assert page.locator("#angle-name").inner_text() == "Elbow flexion, left"  # as the patient page names it
        # the physio's message goes to the home
        page.fill("#live-message", "slower on the way down")
        page.click("#send-message button[type=submit]")
        assert [(a.kind, a.text) for a in actions_reaching_home(live)] == [("message", "slower on the way down")]
        page.wait_for_function("document.getElementById('actions').textContent.includes('slower on the way down')")
        # a new target with its reason, pause, and end (after the browser's "are you sure?")
        page.fill("#live-value", "90")
        page.fill("#live-reason", "elbow sore today")
        page.click("#change-target button[type=submit]")
        page.click("#live-pause")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#live-end")
        deadline = time.monotonic() + PATIENCE_MS / 1000
        while len(live.waiting_actions) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        taken = [(a.kind, a.value if a.kind == "target" else None, a.reason) for a in live.take_actions()]
        assert taken == [("target", 90.0, "elbow sore today"), ("pause", None, ""), ("end", None, "")]
        if os.environ.get("REHAB_SHOTS"):
            page.screenshot(path=str(Path(os.environ["REHAB_SHOTS"]) / "live_page.png"), full_page=True)
    finally:
        live.close()
    page.wait_for_function("document.getElementById('live-status').dataset.status === 'ended'", timeout=PATIENCE_MS)
    # a home whose line drops (no goodbye): the page says the connection is lost
    home = connect(
        "ws://" + clinic_server.url.split("://", 1)[1] + "/api/v1/live/home",
        additional_headers={"Authorization": f"Bearer {token}"},
    )
    home.send(json.dumps(frames[0], separators=(",", ":")))
    page.wait_for_function("document.getElementById('live-status').dataset.status === 'connected'", timeout=PATIENCE_MS)
    home.close()
    page.wait_for_function("document.getElementById('live-status').dataset.status === 'lost'", timeout=PATIENCE_MS)
    assert "Connection lost" in page.locator("#live-status").inner_text()


def test_browser_live_pause_then_resume_both_applied_and_scenes_in_words(
    clinic_server: ClinicServer, web_page: Callable[..., Any]
) -> None:
    """Pause, then Resume, on the live page: each reaches the home, whose ``LiveBreak`` (the rest
    between sets) applies it, and the page says the game applied both. The scene is shown in words
    ("Exercising", "Paused", "Rest between sets"), never as the home's code."""
    from rehab.engine.director import Keys

    clinic_server.physio("physio@a.test", "team-a")
    clinic_server.patient("P1", "physio@a.test")
    token = clinic_server.pair("P1")
    page = web_page("physio@a.test", "/patients/P1/live")
    page.wait_for_function("document.getElementById('live-status').dataset.status === 'waiting'", timeout=PATIENCE_MS)
    live = LiveShare(clinic_server.url, token)
    live.start()

    def scene_is(words: str) -> None:
        page.wait_for_function(
            f"document.getElementById('scene').textContent === {json.dumps(words)}", timeout=PATIENCE_MS
        )

    def home_takes(kind: str) -> None:
        """The home's rest screen takes the action on its next frame (as ``HeldScene`` steps it)."""
        deadline = time.monotonic() + PATIENCE_MS / 1000
        while not live.waiting_actions and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [a.kind for a in live.waiting_actions] == [kind], f"the {kind} never reached the home"
        live.between.step(time.monotonic(), Keys(), "rest")

    try:
        live.send(dict(skeleton_frames()[0]))
        scene_is("Exercising")
        live.send({"type": "scene", "scene": "rest", "seconds": 30, "next": "Biceps curl"})
        scene_is("Rest between sets")
        assert page.locator("#scene").get_attribute("data-scene") == "rest"
        page.click("#live-pause")
        home_takes("pause")
        assert live.between.paused
        scene_is("Paused")
        page.click("#live-resume")
        home_takes("resume")
        assert not live.between.paused
        scene_is("Rest between sets")
        page.wait_for_function(
            "document.getElementById('actions').textContent.includes('The game applied the resume')",
            timeout=PATIENCE_MS,
        )
        done = page.locator("#actions li").all_inner_texts()
        assert done[:2] == ["The game applied the resume", "Sent resume"]
        assert "The game applied the pause" in done and page.locator("#live-error").is_hidden()
    finally:
        live.close()
