"""The patient's languages: every string the code passes to ``_()``, ``ngettext()`` or ``N_()`` has a
French entry, not empty, with the same ``{placeholders}``; the catalog holds nothing the code no
longer says; no call translates an f-string (which extraction cannot see); the language comes from
the settings, else the environment; French plurals follow French rules."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from rehab.app.home_screen.settings import HomeSettings, load_settings, save_settings, settings_path
from rehab.core import i18n
from rehab.core.i18n import _, catalog_path, language_from_environment, ngettext, set_language

ROOT = Path(__file__).resolve().parent.parent
#: where patient-facing words live (the clinic web app, reports and the terminal are English only)
SOURCES = ("rehab", "games")
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}


@pytest.fixture(autouse=True)
def _english_after():
    yield
    set_language("en")


def extracted() -> dict[str | tuple[str, ...], list[str]]:
    """Every message the code marks, with where (file:line)."""
    found: dict[str | tuple[str, ...], list[str]] = {}
    for folder in SOURCES:
        for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.setdefault(message, []).append(f"{folder}/{filename}:{line}")
    return found


def french():
    with catalog_path("fr").open("rb") as po:
        return read_po(po, locale="fr")


def placeholders(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name is not None}


def test_every_marked_string_has_a_french_entry_with_the_same_placeholders():
    catalog = french()
    problems = []
    for message, where in extracted().items():
        entry = catalog.get(message)
        if entry is None or not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            problems.append(f"{where[0]}: no French for {message!r}")
            continue
        if entry.fuzzy:
            problems.append(f"{where[0]}: French for {message!r} is marked fuzzy (unchecked)")
        english = message if isinstance(message, tuple) else (message,)
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set().union(*(placeholders(e) for e in english))
        for form in forms:
            # a plural's singular may say "1" in words only in English; French keeps every value
            if placeholders(form) != wanted:
                problems.append(f"{where[0]}: {form!r} has {placeholders(form)}, the English {wanted}")
    assert not problems, "\n".join(problems)
    assert len(extracted()) >= 140  # the extraction really read the code


def test_the_catalog_holds_nothing_the_code_no_longer_says():
    used = set(extracted())
    unused = [m.id for m in french() if m.id and m.id not in used]
    assert not unused, f"in rehab.po but not in the code (remove them, or run pybabel update): {unused}"


def test_the_catalog_uses_the_french_plural_rule():
    assert french().plural_forms == "nplurals=2; plural=(n > 1);"
    set_language("fr")
    parts = ("{parts}: about {count} minute", "{parts}: about {count} minutes")
    assert [ngettext(*parts, n).format(parts="Respiration", count=n) for n in (0, 1, 2)] == [
        "Respiration : environ 0 minute",
        "Respiration : environ 1 minute",
        "Respiration : environ 2 minutes",
    ]


def _translated_calls(path: Path) -> list[tuple[int, str]]:
    """Calls of _/ngettext/N_ whose message is not a plain string literal (an f-string, a variable,
    a concatenation), or made inside an f-string: extraction misses them, so their French would
    silently never exist. And functions that call ``_`` but also assign the name ``_`` (``w, _ =``):
    the call then fails at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for joined in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
        for inner in ast.walk(joined):
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in KEYWORDS:
                bad.append((inner.lineno, "inside an f-string: " + ast.unparse(inner)))
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
        names = list(ast.walk(function))
        calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in names)
        stores = [n for n in names if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
        if calls and stores:
            bad.append((stores[0].lineno, f"{function.name} assigns '_' and calls _()"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS:
            messages = node.args[: 2 if node.func.id == "ngettext" else 1]
            built = any(isinstance(m, ast.JoinedStr | ast.BinOp) for m in messages)
            literal = all(isinstance(m, ast.Constant) and isinstance(m.value, str) for m in messages)
            # _() may be given a table's value (its values are marked with N_, checked here too)
            if built or (node.func.id != "_" and not literal):
                bad.append((node.lineno, ast.unparse(node)))
    return bad


def test_no_translation_is_asked_of_an_f_string_or_a_concatenation():
    problems = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            problems += [f"{path.relative_to(ROOT)}:{line}: {call}" for line, call in _translated_calls(path)]
    assert not problems, "\n".join(problems)


def test_the_checker_above_finds_an_f_string(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'side = "left"\nwords = _(f"Bend your knee, {side} side")\nn = N_(side)\nrow = f"{_(\'rep\'):>4}"\n'
        "def draw(size):\n    w, _ = size\n    return _('Back')\n"
    )
    assert sorted(line for line, _ in _translated_calls(sample)) == [2, 3, 4, 6]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANGUAGE": "de:fr_CA", "LANG": "en_GB.UTF-8"}, "fr"),  # the first supported preference
        ({"LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_the_environment_when_none_is_chosen(environ, expected):
    assert language_from_environment(environ) == expected


def test_set_language_switches_every_later_word():
    assert set_language("fr") == "fr"
    assert (_("Back"), i18n.language()) == ("Retour", "fr")
    assert set_language("en") == "en"
    assert _("Back") == "Back"


def test_the_language_setting_is_saved_with_the_others_and_a_bad_one_is_dropped(tmp_path):
    chosen = HomeSettings(patient="P-0042").next_language()
    assert chosen.language in ("en", "fr") and chosen.language != HomeSettings().language_code
    save_settings(tmp_path, HomeSettings(patient="P-0042", language="fr"))
    assert load_settings(tmp_path).language == "fr"
    settings_path(tmp_path).write_text('{"language": "klingon", "patient": "P-0042"}')
    assert load_settings(tmp_path).language == ""


def test_motion_words_are_french_with_their_side():
    from rehab.app.home_screen.progress_view import movement_words

    set_language("fr")
    assert movement_words("knee_flexion_left") == "Pliez le genou, côté gauche"
    assert movement_words("cervical_rotation") == "Tournez la tête"


def test_a_placeholder_kept_in_french_is_filled():
    set_language("fr")
    french_line = _("{movement}, right side").format(movement="Pliez le coude")
    assert french_line == "Pliez le coude, côté droit"
    assert not re.search(r"[{}]", french_line)


def test_with_no_language_chosen_the_first_word_asks_the_environment(monkeypatch):
    """What 'LANGUAGE=fr rehab play squat' relies on: nothing sets a language, the environment does."""
    monkeypatch.setenv("LANGUAGE", "fr_FR:en")
    monkeypatch.setattr(i18n, "_current", [None])
    monkeypatch.setattr(i18n, "_code", [""])
    assert _("Get ready") == "Préparez-vous"
    assert i18n.language() == "fr"


def test_the_french_tower_has_the_english_towers_levels_and_settings():
    """heights.fr.toml differs from heights.toml in its words only: a French patient climbs the same
    tower, with the same SUDS rules."""
    import tomllib

    folder = ROOT / "games" / "exposure"
    english, french_tower = (
        tomllib.loads((folder / name).read_text("utf-8")) for name in ("heights.toml", "heights.fr.toml")
    )
    assert french_tower["settings"] == english["settings"] and french_tower["phobia"] == english["phobia"]
    shape = [(level["scene"], level["height_m"]) for level in english["levels"]]
    assert [(level["scene"], level["height_m"]) for level in french_tower["levels"]] == shape
    assert all(f["name"] != e["name"] for f, e in zip(french_tower["levels"], english["levels"], strict=True))
    set_language("fr")
    from games.exposure.hierarchy import load_hierarchy

    assert load_hierarchy().levels[0].name == "Au pied de la tour"
    set_language("en")
    assert load_hierarchy().levels[0].name == "At the foot of the tower"


def test_the_french_safety_card_gives_the_french_suicide_prevention_line():
    """A French patient reporting thoughts of self-harm is given France's national line (3114, day and
    night) besides the emergency numbers; the English card keeps the emergency numbers only."""
    from rehab.engine.questionnaire_scene import SAFETY_TEXT

    set_language("fr")
    assert "3114" in _(SAFETY_TEXT) and "112" in _(SAFETY_TEXT)
    set_language("en")
    assert "3114" not in _(SAFETY_TEXT) and "112 in Europe" in _(SAFETY_TEXT)
