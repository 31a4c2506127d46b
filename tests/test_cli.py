import argparse
import subprocess
import sys

import pytest

from rehab import __version__
from rehab.app.cli import COMMANDS, build_parser, main
from rehab.app.cli.notbuilt import NOT_BUILT_EXIT


def rehab(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rehab", *args], capture_output=True, text=True, timeout=120, env=env)


def test_help_lists_every_command_group():
    out = rehab("--help")
    assert out.returncode == 0
    for name in ("demo", "play", "games", "track", "devices", "plan", "session", "patients", "report", "db"):
        assert name in COMMANDS
        assert f"    {name} " in out.stdout


def test_version():
    assert rehab("--version").stdout.strip() == f"rehab {__version__}"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_help_text(command, capsys):
    subparsers = build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    assert subparsers.choices[command].description, command
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: rehab {command}" in capsys.readouterr().out


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "from rehab.app.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'pygame', 'cv2', 'mediapipe', 'pymunk', 'sqlite_utils') if m in sys.modules]\n"
        "print('heavy:' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "heavy:"


def test_commands_not_built_yet_say_so_and_fail(capsys):
    built = {"demo", "games", "patients", "play", "report", "db", "track", "plan", "session"}
    for command, (module, _) in COMMANDS.items():
        if module != "rehab.app.cli.notbuilt":
            continue
        assert command not in built
        assert main([command]) == NOT_BUILT_EXIT
        assert "not built yet" in capsys.readouterr().err


def test_games_lists_every_installed_game_with_its_movements(capsys):
    assert main(["games"]) == 0
    out = capsys.readouterr().out
    for name in ("lift", "reach", "squat", "tilt", "neck", "breathe", "exposure", "focus"):
        assert f"\n{name} " in "\n" + out, name
    assert "movements: elbow_flexion" in out


def test_patients_add_and_list(tmp_path, capsys):
    home = str(tmp_path)
    assert main(["--home", home, "patients", "add", "P-0042"]) == 0
    assert main(["--home", home, "patients", "list"]) == 0
    assert "P-0042\t0 sessions" in capsys.readouterr().out


def test_patient_id_that_could_identify_someone_is_refused(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "patients", "add", "Jane Doe/1970"]) == 2
    assert "not allowed" in capsys.readouterr().err


def _commands_and_options(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """Every (command path, parser, help in its parent's list) below ``parser``, subcommands included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            listed = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), sub, listed.get(name)
                yield from _commands_and_options(sub, (*path, name))


def test_every_subcommand_and_option_has_help_text():
    found = list(_commands_and_options(build_parser()))
    assert ("devices", "record") in [path for path, _, _ in found]  # the walk reaches subcommands
    for path, parser, listed_help in found:
        assert listed_help, f"'rehab {' '.join(path)}' has no line in its parent's --help"
        assert parser.description, f"'rehab {' '.join(path)} --help' has no description"
        for action in parser._actions:
            if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                assert action.help, f"'rehab {' '.join(path)}' option {action.dest} has no help text"
