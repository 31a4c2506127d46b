"""The outcome measures rehab knows, with their published scoring and, where the terms allow, their text.

Item text ships only where its copyright holder clearly lets free software reproduce it (PHQ-9 and
GAD-7: Pfizer, "no permission required to reproduce, translate, display or distribute"). For the
others rehab ships the scoring, the item count and the answer values, with "Question N"
placeholders; a clinic that holds a licence loads the wording from its own file
(``clinic_text.with_item_text``). Sources for every rule, licence and code: docs/outcome_measures.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from rehab.core.errors import NotFoundError
from rehab.core.questionnaires.model import SELF_HARM_FLAG, Band, Choice, Flag, Instrument, Item, Rule

PLACEHOLDER_INTRO = "The wording of this questionnaire is not shipped with rehab; the clinic supplies it."

FREQUENCY = (
    Choice(0, "Not at all"),
    Choice(1, "Several days"),
    Choice(2, "More than half the days"),
    Choice(3, "Nearly every day"),
)

PHQ9_TEXT = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself - or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite - being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
PHQ9_DIFFICULTY = Item(
    "phq9_10",
    "If you checked off any problems, how difficult have these problems made it for you to do your "
    "work, take care of things at home, or get along with other people?",
    (
        Choice(0, "Not difficult at all"),
        Choice(1, "Somewhat difficult"),
        Choice(2, "Very difficult"),
        Choice(3, "Extremely difficult"),
    ),
    scored=False,
)

GAD7_TEXT = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)

PFIZER_LICENCE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
    "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute."
)

#: KOOS-PS raw sum (0-28) to the 0-100 interval score, 0 = no difficulty, 100 = extreme difficulty:
#: the Rasch conversion of Perruccio et al. 2008 (Osteoarthritis Cartilage 16:542-550), in the
#: direction of the original publication
KOOS_PS_TABLE = (
    0.0, 5.6, 10.5, 14.8, 18.6, 22.0, 24.9, 27.5, 29.7, 31.8,
    33.6, 35.3, 37.0, 38.6, 40.3, 42.0, 44.0, 46.1, 48.5, 51.2,
    54.4, 57.9, 62.0, 66.6, 71.8, 77.7, 84.3, 91.8, 100.0,
)  # fmt: skip


def _placeholders(prefix: str, count: int, low: int, high: int) -> tuple[Item, ...]:
    choices = tuple(Choice(v, str(v)) for v in range(low, high + 1))
    return tuple(Item(f"{prefix}_{n}", f"Question {n}", choices) for n in range(1, count + 1))


def _texts(prefix: str, texts: tuple[str, ...], choices: tuple[Choice, ...]) -> tuple[Item, ...]:
    return tuple(Item(f"{prefix}_{n}", text, choices) for n, text in enumerate(texts, start=1))


def _oks() -> Instrument:
    return Instrument(
        id="oks",
        title="Oxford Knee Score",
        short_title="OKS",
        intro=PLACEHOLDER_INTRO,
        items=_placeholders("oks", 12, 0, 4),
        text_shipped=False,
        licence="Copyright Oxford University Innovation Limited; use needs a licence from Oxford University "
        "Innovation (free of charge for non-commercial academic or publicly funded healthcare use).",
        score_min=0,
        score_max=48,
        higher_is_better=True,
        unit="points",
        loinc_panel=None,
        loinc_total=None,
        bands=(),
        rule=Rule("sum", max_missing=2, source="OKS scoring guide, Oxford University Innovation 2018"),
    )


def _koos_ps() -> Instrument:
    return Instrument(
        id="koos_ps",
        title="KOOS Physical Function Short Form",
        short_title="KOOS-PS",
        intro=PLACEHOLDER_INTRO,
        items=_placeholders("koos_ps", 7, 0, 4),
        text_shipped=False,
        licence="Copyright the KOOS authors (koos.nu); free to use, but no licence found that clearly lets "
        "free software redistribute the wording.",
        score_min=0,
        score_max=100,
        higher_is_better=False,
        unit="points",
        loinc_panel=None,
        loinc_total=None,
        bands=(),
        rule=Rule("table", table=KOOS_PS_TABLE, source="Perruccio et al. 2008, Osteoarthritis Cartilage 16:542-550"),
    )


def _quickdash() -> Instrument:
    return Instrument(
        id="quickdash",
        title="QuickDASH (Disabilities of the Arm, Shoulder and Hand, short form)",
        short_title="QuickDASH",
        intro=PLACEHOLDER_INTRO,
        items=_placeholders("quickdash", 11, 1, 5),
        text_shipped=False,
        licence="Copyright Institute for Work & Health; software use needs a licence from the Institute "
        "(commercial software is a paid Category B licence).",
        score_min=0,
        score_max=100,
        higher_is_better=False,
        unit="points",
        loinc_panel=None,
        loinc_total=None,
        bands=(),
        rule=Rule("quickdash", max_missing=1, source="Beaton et al. 2005, J Bone Joint Surg Am 87:1038-1046"),
    )


def _ndi() -> Instrument:
    return Instrument(
        id="ndi",
        title="Neck Disability Index",
        short_title="NDI",
        intro=PLACEHOLDER_INTRO,
        items=_placeholders("ndi", 10, 0, 5),
        text_shipped=False,
        licence="Copyright Howard Vernon (Vernon & Mior 1991); use is encouraged but no licence found that "
        "clearly lets free software redistribute the wording.",
        score_min=0,
        score_max=50,
        higher_is_better=False,
        unit="points",
        loinc_panel=None,
        loinc_total=None,
        bands=(
            Band(0, 4, "no disability"),
            Band(5, 14, "mild"),
            Band(15, 24, "moderate"),
            Band(25, 34, "severe"),
            Band(35, 50, "complete"),
        ),
        rule=Rule("sum", max_missing=1, percent_of=50, source="Vernon & Mior 1991, J Manipulative Physiol Ther"),
    )


def _phq9() -> Instrument:
    return Instrument(
        id="phq9",
        title="Patient Health Questionnaire-9",
        short_title="PHQ-9",
        intro="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
        items=_texts("phq9", PHQ9_TEXT, FREQUENCY) + (PHQ9_DIFFICULTY,),
        text_shipped=True,
        licence=PFIZER_LICENCE,
        score_min=0,
        score_max=27,
        higher_is_better=False,
        unit="points",
        loinc_panel="44249-1",
        loinc_total="44261-6",
        bands=(
            Band(0, 4, "minimal"),
            Band(5, 9, "mild"),
            Band(10, 14, "moderate"),
            Band(15, 19, "moderately severe"),
            Band(20, 27, "severe"),
        ),
        rule=Rule(
            "sum",
            flags=(Flag("phq9_9", 0, SELF_HARM_FLAG),),
            source="Kroenke, Spitzer & Williams 2001, J Gen Intern Med 16:606-613",
        ),
    )


def _gad7() -> Instrument:
    return Instrument(
        id="gad7",
        title="Generalized Anxiety Disorder 7-item scale",
        short_title="GAD-7",
        intro="Over the last 2 weeks, how often have you been bothered by the following problems?",
        items=_texts("gad7", GAD7_TEXT, FREQUENCY),
        text_shipped=True,
        licence=PFIZER_LICENCE,
        score_min=0,
        score_max=21,
        higher_is_better=False,
        unit="points",
        loinc_panel="69737-5",
        loinc_total="70274-6",
        bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"), Band(15, 21, "severe")),
        rule=Rule("sum", source="Spitzer, Kroenke, Williams & Lowe 2006, Arch Intern Med 166:1092-1097"),
    )


def _pss10() -> Instrument:
    return Instrument(
        id="pss10",
        title="Perceived Stress Scale (10 items)",
        short_title="PSS-10",
        intro=PLACEHOLDER_INTRO,
        items=_placeholders("pss10", 10, 0, 4),
        text_shipped=False,
        licence="Copyright Sheldon Cohen (Cohen, Kamarck & Mermelstein 1983); free for academic research and "
        "non-profit education, no licence found that clearly covers free software redistribution.",
        score_min=0,
        score_max=40,
        higher_is_better=False,
        unit="points",
        loinc_panel=None,
        loinc_total=None,
        bands=(Band(0, 13, "low"), Band(14, 26, "moderate"), Band(27, 40, "high")),
        rule=Rule(
            "sum",
            reverse=frozenset({"pss10_4", "pss10_5", "pss10_7", "pss10_8"}),
            source="Cohen & Williamson 1988; Cohen, Kamarck & Mermelstein 1983",
        ),
    )


INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {i.id: i for i in (_oks(), _koos_ps(), _quickdash(), _ndi(), _phq9(), _gad7(), _pss10())}
)


def instrument(measure_id: str) -> Instrument:
    """The instrument with this id; NotFoundError (with a "did you mean") for an unknown one."""
    if measure_id in INSTRUMENTS:
        return INSTRUMENTS[measure_id]
    near = difflib.get_close_matches(measure_id.lower().replace("-", ""), list(INSTRUMENTS), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise NotFoundError(f"no outcome measure {measure_id!r}{hint} (known: {', '.join(INSTRUMENTS)})")
