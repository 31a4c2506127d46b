"""`rehab play` and the loop behind it, headless, on simulated input."""

import json
import math

import pytest

from devices.replay import ReplaySource
from progress.store import DB_FILENAME, Store
from rehab.app.cli import main
from rehab.core.clock import SimulatedClock
from rehab.engine.display import HeadlessDisplay
from rehab.engine.exercise import Exercise
from rehab.engine.game import available_games
from rehab.engine.play import SceneTimes, play
from rehab.engine.scripted_motion import MotionScript, simulate_angles
from rehab.sim.patients import nan_gap

GAMES = sorted(available_games())


@pytest.mark.parametrize("name", GAMES)
def test_every_game_plays_headless_on_sim_input_and_produces_reps(name, tmp_path, capsys):
    stats = tmp_path / "stats.json"
    shot = tmp_path / "shot.png"
    code = main(
        [
            "--home",
            str(tmp_path),
            "play",
            name,
            "--input",
            "sim",
            "--seconds",
            "60",
            "--stats",
            str(stats),
            "--screenshot",
            str(shot),
            "--screenshot-at",
            "8",
        ]
    )
    assert code == 0
    data = json.loads(stats.read_text())
    assert {"frames", "fps", "frame_time_p50_ms", "frame_time_p99_ms", "reps"} <= set(data)
    assert data["frames"] > 100 and data["fps"] > 0
    if available_games()[name].kind == "physical":
        assert len(data["reps"]) >= 3, data["reps"]
    assert all(rep["peak_deg"] is not None and rep["rom_deg"] > 0 for rep in data["reps"])
    assert shot.stat().st_size > 10_000
    store = Store.open(tmp_path / DB_FILENAME)
    (session,) = store.sessions("guest")
    assert session["game"] == name and session["status"] == "completed"
    assert len(store.reps(session["id"])) == len(data["reps"])
    store.close()
    assert "Stored as session" in capsys.readouterr().out


def test_unknown_game_lists_the_installed_ones(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "play", "pong"]) == 2
    assert "installed games: " in capsys.readouterr().err


def test_keyboard_input_needs_a_window(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "play", "lift", "--input", "keyboard:"]) == 2
    assert "needs --window" in capsys.readouterr().err


def test_unknown_input_is_a_clear_error(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "play", "lift", "--input", "nosuch:x"]) == 2
    assert "known inputs are" in capsys.readouterr().err


NO_SCENES = SceneTimes(0.0, 0.0, 0.0)


def run_lift(samples, scenes=NO_SCENES):
    lift = available_games()["lift"]
    exercise = Exercise.for_game(lift, "left", reps_planned=6)
    reps = []
    result = play(
        ReplaySource(samples, "sim:test"),
        lift,
        exercise,
        SimulatedClock(),
        HeadlessDisplay(),
        on_rep=reps.append,
        scenes=scenes,
    )
    return result, reps


def test_each_rep_is_handed_over_the_moment_it_completes():
    samples = simulate_angles([MotionScript("elbow_flexion_left", 10.0, (125.0, 130.0, 100.0))], seed=3)
    result, reps = run_lift(samples)
    assert reps == result.reps
    assert [r.success for r in reps] == [True, True, False]
    assert all(math.isfinite(r.smoothness_sparc) for r in reps)


def test_losing_the_patient_pauses_and_is_counted():
    samples = simulate_angles([MotionScript("elbow_flexion_left", 10.0, (125.0, 130.0))], seed=3)
    result, _ = run_lift(nan_gap(samples, 2.0, 5.0))
    assert result.untracked_s == pytest.approx(3.0, abs=0.1)


def test_scenes_come_before_play_and_input_waits_for_them():
    samples = simulate_angles([MotionScript("elbow_flexion_left", 10.0, (125.0,))], seed=3)
    plain, _ = run_lift(samples)
    with_scenes, _ = run_lift(samples, SceneTimes(instructions_s=2.0, countdown_s=1.0, summary_s=1.0))
    assert len(with_scenes.reps) == len(plain.reps) == 1
    assert with_scenes.play_s == pytest.approx(plain.play_s, abs=0.05)
    assert with_scenes.frames >= plain.frames + 60 * 3 - 2  # instructions and countdown frames


def test_a_rep_past_the_safety_ceiling_is_never_a_success():
    from dataclasses import replace

    lift = available_games()["lift"]
    exercise = replace(Exercise.for_game(lift, "left", reps_planned=3), ceiling_deg=128.0)
    samples = simulate_angles([MotionScript("elbow_flexion_left", 10.0, (125.0, 140.0))], seed=3)
    reps = []
    play(ReplaySource(samples, "sim:test"), lift, exercise, SimulatedClock(), HeadlessDisplay(), on_rep=reps.append)
    assert [(r.success, r.over_ceiling) for r in reps] == [(True, False), (False, True)]


def test_games_get_only_the_options_their_factory_declares():
    from rehab.engine.game import GameSpec, build_game

    made = []
    old_style = GameSpec(
        "old",
        "Old",
        (),
        (),
        "",
        factory=lambda hold_s=1.0: made.append(hold_s) or "game",  # type: ignore[arg-type,return-value]
        renderer=lambda surface, snapshot: None,
        simulate=lambda side, seed: [],
    )
    assert build_game(old_style, hold_s=2.0, side="left") == "game"
    assert made == [2.0]
    reach = build_game(available_games()["reach"], hold_s=1.0, side="left")
    assert reach.mirrored  # a left arm moving out to the side moves the hand left


def test_untracked_time_counts_from_the_first_frame_whatever_the_clock_reads():
    class LateClock(SimulatedClock):
        def now(self) -> float:
            return 5000.0 + super().now()

    lift = available_games()["lift"]
    samples = nan_gap(simulate_angles([MotionScript("elbow_flexion_left", 10.0, (125.0,))], seed=3), 2.0, 4.0)
    result = play(
        ReplaySource(samples, "sim:test"),
        lift,
        Exercise.for_game(lift, "left"),
        LateClock(),
        HeadlessDisplay(),
        on_rep=lambda rep: None,
    )
    assert result.untracked_s == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("game,posture_field", [("neck", "cervical_rotation"), ("tilt", "trunk_lateral_flexion")])
@pytest.mark.parametrize("degrees", [-25.0, 25.0])
def test_a_camera_seen_movement_to_the_right_steers_right(game, posture_field, degrees):
    """From skeleton to game control, one sign convention: the patient's right is positive."""
    import numpy as np

    from rehab.core.types import PoseFrame
    from rehab.engine.controls import ControlMapper
    from rehab.engine.kinematics import pose_angles
    from rehab.sim.skeleton import Posture, world_points

    exercise = Exercise.for_game(available_games()[game], "left")
    mapper = ControlMapper(exercise.calibration, exercise.axes)
    posture = Posture(**{posture_field: degrees}, facing_deg=15)
    controls = None
    for i in range(30):
        frame = PoseFrame(t=i / 30, world=world_points(posture), visibility=np.ones(33))
        controls = mapper(pose_angles(frame))
    assert controls is not None and controls.tracking
    assert np.sign(controls.level) == np.sign(degrees)


def test_a_camera_session_waits_for_the_patient_to_be_well_placed():
    """Setup guidance holds the instructions while the camera cannot see the arm, then play starts."""
    import numpy as np

    from rehab.core.types import PoseFrame
    from rehab.sim.skeleton import Posture, image_points, world_points

    world = world_points(Posture())

    class Camera:
        url = "webcam:test"

        def poll(self, now):
            # for the first 3 s the patient stands too close (cut off at the picture's top and bottom)
            distance = 0.8 if now < 3.0 else 3.0
            image = image_points(world, distance_m=distance)
            return [PoseFrame(t=now, world=world, visibility=np.ones(33), image=image)]

        def status_events(self):
            return []

        def close(self):
            pass

    lift = available_games()["lift"]
    shots = []

    class Recording(HeadlessDisplay):
        def present(self):
            shots.append(self.surface.copy())

    result = play(
        Camera(),
        lift,
        Exercise.for_game(lift, "left"),
        SimulatedClock(),
        Recording(),
        on_rep=lambda rep: None,
        max_seconds=1.0,
        scenes=SceneTimes(1.0, 0.0, 0.0),
        setup_check=True,
    )
    # 3 s held by the check, then 1 s of instructions, then 1 s of play, at 60 frames a second
    assert result.frames == pytest.approx(60 * 5, abs=3)
    from rehab.engine.setup_guidance import advise

    too_close = PoseFrame(t=0.0, world=world, visibility=np.ones(33), image=image_points(world, distance_m=0.8))
    assert "step back" in advise(too_close, ["elbow_flexion_left"]).messages[0]


def test_an_unplugged_device_pauses_the_game_and_says_why():
    from rehab.core.types import DeviceStatus, JointAngles

    class Serial:
        url = "witmotion:/dev/ttyUSB0"

        def __init__(self):
            self.events = []
            self.said_lost = False

        def poll(self, now):
            if now < 2.0 or now >= 5.0:  # unplugged from 2 s to 5 s, then back
                if now >= 5.0 and self.said_lost:
                    self.events.append(DeviceStatus(now, self.url, "reconnected"))
                    self.said_lost = False
                return [JointAngles(t=now, values={"elbow_flexion_left": 60.0})]
            if not self.said_lost:
                self.events.append(DeviceStatus(now, self.url, "lost", "unplugged"))
                self.said_lost = True
            return []

        def status_events(self):
            events, self.events = self.events, []
            return events

        def close(self):
            pass

    lift = available_games()["lift"]
    result = play(
        Serial(),
        lift,
        Exercise.for_game(lift, "left"),
        SimulatedClock(),
        HeadlessDisplay(),
        on_rep=lambda rep: None,
        max_seconds=7.0,
        screenshot=None,
    )
    assert [e.kind for e in result.events] == ["lost", "reconnected"]
    assert result.untracked_s == pytest.approx(3.0, abs=0.1)
    from rehab.engine.play import _pause_reason

    assert "disconnected" in _pause_reason(result.events[:1])


def test_a_camera_that_sees_others_says_so_and_asks_the_patient_to_raise_a_hand():
    """Several people in view and no patient chosen yet is not "we cannot see you": the patient is
    in view, and a hand held up tells the camera which person they are (devices.mediapipe_pose)."""
    from rehab.core.types import DeviceStatus
    from rehab.engine.play import _pause_reason

    camera = "webcam:0"

    def said(*details: str) -> list:
        return [DeviceStatus(float(i), camera, "person", d) for i, d in enumerate(details)]

    assert "Raise a hand above your head" in _pause_reason(said("tracking", "choosing patient"), camera)
    assert "someone else, but not you" in _pause_reason(said("other person"), camera)
    assert "We cannot see you" in _pause_reason(said("choosing patient", "no person"), camera)
    lost = [*said("choosing patient"), DeviceStatus(5.0, camera, "lost", "unplugged")]
    assert "disconnected" in _pause_reason(lost, camera), "a lost camera comes first"


def test_input_that_goes_silent_counts_as_lost():
    from rehab.core.types import JointAngles

    class Silent:
        url = "imu-csv:/dev/ttyACM0"

        def poll(self, now):
            return [JointAngles(t=now, values={"elbow_flexion_left": 60.0})] if now < 2.0 else []

        def status_events(self):
            return []

        def close(self):
            pass

    lift = available_games()["lift"]
    result = play(
        Silent(),
        lift,
        Exercise.for_game(lift, "left"),
        SimulatedClock(),
        HeadlessDisplay(),
        on_rep=lambda rep: None,
        max_seconds=5.0,
    )
    # silent from 2 s; counted as lost once 2 s have passed without a sample
    assert result.untracked_s == pytest.approx(1.0, abs=0.1)


def test_calibrate_measures_the_comfortable_range_and_sets_the_goal_from_it(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "play", "lift", "--calibrate", "--seconds", "20"]) == 0
    store = Store.open(tmp_path / DB_FILENAME)
    (calibration,) = store.calibrations("guest")
    (session,) = store.sessions("guest")
    store.close()
    # the simulated patient's first three curls peak at 128, 131 and 125 degrees: the median is 128
    assert calibration["max_deg"] == pytest.approx(128, abs=4)
    rest = available_games()["lift"].rest_deg
    assert session["target_deg"] == pytest.approx(rest + 0.9 * (calibration["max_deg"] - rest), abs=0.1)
    assert "Calibrated: comfortable range up to" in capsys.readouterr().out


def test_calibrate_is_refused_for_mental_games(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "play", "breathe", "--calibrate"]) == 2
    assert "movement games" in capsys.readouterr().err


def test_the_driving_channel_is_recorded_while_playing_at_most_once_a_frame():
    samples = simulate_angles([MotionScript("elbow_flexion_left", 10.0, (125.0, 130.0))], seed=3)
    result, _ = run_lift(samples, SceneTimes(instructions_s=1.0, countdown_s=1.0, summary_s=0.0))
    times, values = result.streams["elbow_flexion_left"]
    assert 0 < len(times) == len(values) <= result.frames
    assert all(b > a for a, b in zip(times, times[1:], strict=False))
    by_time = {s.t: s.values["elbow_flexion_left"] for s in samples}
    assert all(by_time[t] == v for t, v in zip(times, values, strict=True))
    assert max(values) == pytest.approx(max(by_time.values()), abs=3.0)


def test_a_device_status_seen_while_paused_is_kept():
    from rehab.core.types import DeviceStatus, JointAngles

    class Flaky:
        """A device that reports its short dropout only in the frame it happens (no queue)."""

        url = "witmotion:/dev/ttyUSB0"
        now = 0.0

        def poll(self, now):
            self.now = now
            return [JointAngles(t=now, values={"elbow_flexion_left": 60.0})]

        def status_events(self):
            return [DeviceStatus(self.now, self.url, "lost", "unplugged")] if abs(self.now - 2.0) < 0.008 else []

        def close(self):
            pass

    class PausedFromOneToThree(HeadlessDisplay):
        frames = 0

        def present(self):
            self.frames += 1

        def pause_pressed(self):
            return self.frames in (60, 180)

    lift = available_games()["lift"]
    result = play(
        Flaky(),
        lift,
        Exercise.for_game(lift, "left"),
        SimulatedClock(),
        PausedFromOneToThree(),
        on_rep=lambda rep: None,
        max_seconds=4.0,
    )
    assert [e.kind for e in result.events] == ["lost"]


def test_each_answer_is_handed_over_the_moment_it_is_given():
    """A crash late in a breathing exercise must not lose the stress rating given at its start: the
    engine hands every answer to the caller (the store) as it is given, not at the end."""
    breathe = available_games()["breathe"]
    exercise = Exercise.for_game(breathe, "left", reps_planned=1)
    clock = SimulatedClock()
    handed = []
    result = play(
        ReplaySource(breathe.simulate("left", 1), "sim:test"),
        breathe,
        exercise,
        clock,
        HeadlessDisplay(),
        on_rep=lambda rep: None,
        on_rating=lambda rating: handed.append((rating, clock.now())),
    )
    given = result.extras["rating_list"]
    assert [(r.kind, r.moment, r.value) for r, _ in handed] == [(g["kind"], g["moment"], g["value"]) for g in given]
    assert [r.moment for r, _ in handed] == ["before", "after"]
    stress_before_at = handed[0][1]
    assert stress_before_at < clock.now() - 60.0  # stored minutes before the exercise ended
