"""The patient's language: every word a patient sees on screen goes through ``_()`` (or
``ngettext()`` when it counts something), and ``set_language`` picks the catalog.

The catalogs are GNU gettext ``.po`` files in the package (``rehab/locale/<code>/LC_MESSAGES/rehab.po``),
the one source of truth: no compiled ``.mo`` is kept in the repository. The first time a language
is chosen its ``.po`` is read and compiled in memory by Babel, then handed to Python's own
``gettext``. English is the source language (the ``msgid``), so it needs no catalog.

Strings with values use named placeholders, filled after translation, so a translator can move
them: ``_("Bend your knee, {side} side").format(side=...)``. Words defined before a language is
known (a module's table of titles) are marked with ``N_()`` for extraction and translated with
``_()`` where they are shown.

The language is process-wide, like the text size: the home screen's setting, ``--language`` on
the command line, else ``$LANGUAGE``/``$LC_ALL``/``$LC_MESSAGES``/``$LANG``, else English.
"""

from __future__ import annotations

import gettext
import io
import os
from functools import cache
from pathlib import Path

DOMAIN = "rehab"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: the languages a patient can choose, each named in itself (what the settings button shows)
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"

#: the catalog in use and its code; None until chosen: the first word shown asks the environment
_current: list[gettext.NullTranslations | None] = [None]
_code = [""]


def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The catalog for ``code``, compiled from its ``.po`` in memory (once per process)."""
    if code == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(code).open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    # fuzzy entries are a translator's unchecked guesses: English is shown rather than those
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def normalise(code: str) -> str:
    """``fr_FR.UTF-8`` -> ``fr``; a language without a catalog gives "" (the caller falls back)."""
    short = code.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return short if short in LANGUAGES else ""


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """The first supported language the environment asks for, in gettext's order; English else."""
    env = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for wanted in env.get(variable, "").split(":"):  # $LANGUAGE is a list of preferences
            code = normalise(wanted)
            if code:
                return code
    return DEFAULT_LANGUAGE


def set_language(code: str) -> str:
    """Show every later word in ``code`` ("" or one without a catalog: the environment's); returns
    the language chosen."""
    chosen = normalise(code) or language_from_environment()
    _current[0] = translations(chosen)
    _code[0] = chosen
    return chosen


def _in_use() -> gettext.NullTranslations:
    chosen = _current[0]
    if chosen is None:  # nothing chose yet (``rehab play`` in a French terminal): the environment's
        set_language("")
        chosen = _current[0]
        assert chosen is not None
    return chosen


def language() -> str:
    """The language words are shown in now."""
    _in_use()
    return _code[0]


def _(message: str) -> str:
    """``message`` in the patient's language."""
    return _in_use().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the patient's language (French says
    "1 mouvement", "0 mouvement", "2 mouvements": the catalog's plural rule decides)."""
    return _in_use().ngettext(singular, plural, n)


def N_(message: str) -> str:  # gettext's conventional name, which extraction looks for
    """Marks ``message`` for the catalog without translating it yet (a table built at import)."""
    return message
