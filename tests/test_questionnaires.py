"""Outcome measures: every instrument scored against worked examples computed by hand from its authors'
published rule (best, worst, mixed, the missing-answer limit on both sides), answers off the scale
refused, and the clinic item-text file checked line by line.

The clinic files here use made-up wording ("Knee question 3"): the real OKS text is licensed and
must not be copied into this repository, tests included.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from rehab.core.errors import DataError, NotFoundError
from rehab.core.questionnaires import (
    INSTRUMENTS,
    KOOS_PS_TABLE,
    LOCAL_CODE_SYSTEM,
    SELF_HARM_FLAG,
    AnswerError,
    Instrument,
    ItemTextError,
    instrument,
    score,
    with_item_text,
)


def answers(measure: str, values: Sequence[int | None]) -> dict[str, int | None]:
    """Answers to the scored items of ``measure`` in order, None for an unanswered item."""
    items = INSTRUMENTS[measure].scored_items
    assert len(values) == len(items)
    return {item.key: value for item, value in zip(items, values, strict=True)}


def total(measure: str, values: Sequence[int | None]) -> float | None:
    return score(INSTRUMENTS[measure], answers(measure, values)).total


# -- the catalogue -----------------------------------------------------------------------------


def test_every_instrument_has_its_published_shape() -> None:
    shape = {
        "oks": (12, (0, 4), (0, 48), True),
        "koos_ps": (7, (0, 4), (0, 100), False),
        "quickdash": (11, (1, 5), (0, 100), False),
        "ndi": (10, (0, 5), (0, 50), False),
        "phq9": (9, (0, 3), (0, 27), False),
        "gad7": (7, (0, 3), (0, 21), False),
        "pss10": (10, (0, 4), (0, 40), False),
    }
    assert set(INSTRUMENTS) == set(shape)
    for measure, (count, (low, high), (smin, smax), better) in shape.items():
        inst = INSTRUMENTS[measure]
        assert len(inst.scored_items) == count, measure
        for item in inst.scored_items:
            assert item.values == frozenset(range(low, high + 1)), item.key
        assert (inst.score_min, inst.score_max, inst.higher_is_better) == (smin, smax, better), measure
        assert inst.licence and inst.title and inst.short_title and inst.intro


def test_text_ships_only_where_the_terms_allow_it() -> None:
    shipped = {m for m, inst in INSTRUMENTS.items() if inst.text_shipped}
    assert shipped == {"phq9", "gad7"}
    for measure in set(INSTRUMENTS) - shipped:
        texts = [item.text for item in INSTRUMENTS[measure].items]
        assert texts == [f"Question {n}" for n in range(1, len(texts) + 1)]
    assert INSTRUMENTS["phq9"].items[8].text.startswith("Thoughts that you would be better off dead")
    assert [c.label for c in INSTRUMENTS["gad7"].items[0].choices][-1] == "Nearly every day"


def test_only_verified_loinc_codes_are_given() -> None:
    codes = {m: (i.loinc_panel, i.loinc_total) for m, i in INSTRUMENTS.items()}
    assert codes["phq9"] == ("44249-1", "44261-6")
    assert codes["gad7"] == ("69737-5", "70274-6")
    for measure in ("oks", "koos_ps", "quickdash", "ndi", "pss10"):
        assert codes[measure] == (None, None)
    assert LOCAL_CODE_SYSTEM == "urn:rehab:codesystem:outcome-measure"


def test_an_unknown_measure_suggests_the_nearest() -> None:
    assert instrument("gad7") is INSTRUMENTS["gad7"]
    with pytest.raises(NotFoundError, match="did you mean 'phq9'"):
        instrument("PHQ-9")
    with pytest.raises(NotFoundError, match="known: oks"):
        instrument("womac")


# -- scoring, instrument by instrument ---------------------------------------------------------


def test_oks_sums_0_to_48_and_imputes_up_to_two_missing_by_the_mean() -> None:
    assert total("oks", [4] * 12) == 48
    assert total("oks", [0] * 12) == 0
    assert total("oks", [4, 3, 2, 1, 0, 4, 3, 2, 1, 0, 4, 3]) == 27
    # two missing: 10 answered summing 31, mean 3.1, so 31 + 2 * 3.1
    assert total("oks", [4, 4, 4, 4, 4, 3, 2, 2, 2, 2, None, None]) == 37.2
    three_missing = score(INSTRUMENTS["oks"], answers("oks", [4] * 9 + [None] * 3))
    assert (three_missing.total, three_missing.band, three_missing.answered) == (None, None, 9)


def test_koos_ps_converts_the_raw_sum_by_the_rasch_table() -> None:
    assert total("koos_ps", [0] * 7) == 0.0
    assert total("koos_ps", [4] * 7) == 100.0
    assert total("koos_ps", [2] * 7) == 40.3  # raw 14
    assert total("koos_ps", [1, 0, 0, 0, 0, 0, 0]) == 5.6  # raw 1
    assert total("koos_ps", [4, 4, 4, 4, 4, 4, 3]) == 91.8  # raw 27
    assert len(KOOS_PS_TABLE) == 29 and all(a < b for a, b in zip(KOOS_PS_TABLE, KOOS_PS_TABLE[1:], strict=False))
    for raw in range(29):  # every raw sum reaches its own row
        values = [4] * (raw // 4) + ([raw % 4] if raw % 4 else [])
        assert total("koos_ps", values + [0] * (7 - len(values))) == KOOS_PS_TABLE[raw]
    # the table is defined for a complete raw sum only
    assert total("koos_ps", [0, 0, 0, 0, 0, 0, None]) is None


def test_quickdash_is_mean_minus_one_times_25_with_at_most_one_missing() -> None:
    assert total("quickdash", [1] * 11) == 0
    assert total("quickdash", [5] * 11) == 100
    assert total("quickdash", [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 2]) == 47.73  # (32/11 - 1) * 25
    assert total("quickdash", [2] * 10 + [None]) == 25
    assert total("quickdash", [2] * 9 + [None, None]) is None


def test_ndi_totals_0_to_50_with_a_percent_and_one_missing_section_imputed() -> None:
    best = score(INSTRUMENTS["ndi"], answers("ndi", [0] * 10))
    worst = score(INSTRUMENTS["ndi"], answers("ndi", [5] * 10))
    assert (best.total, best.percent, best.band) == (0, 0, "no disability")
    assert (worst.total, worst.percent, worst.band) == (50, 100, "complete")
    mixed = score(INSTRUMENTS["ndi"], answers("ndi", [0, 1, 2, 3, 4, 5, 0, 1, 2, 3]))
    assert (mixed.total, mixed.percent, mixed.band) == (21, 42, "moderate")
    one_missing = score(INSTRUMENTS["ndi"], answers("ndi", [2] * 9 + [None]))
    assert (one_missing.total, one_missing.percent) == (20, 40)
    assert total("ndi", [2] * 8 + [None, None]) is None


def test_phq9_bands_at_their_edges() -> None:
    edges = {0: "minimal", 4: "minimal", 5: "mild", 9: "mild", 10: "moderate", 14: "moderate"}
    edges |= {15: "moderately severe", 19: "moderately severe", 20: "severe", 27: "severe"}
    for wanted, band in edges.items():
        values = [3] * (wanted // 3) + ([wanted % 3] if wanted % 3 else [])
        values = values + [0] * (9 - len(values))
        result = score(INSTRUMENTS["phq9"], answers("phq9", values[::-1]))  # item 9 last, so 0 unless 27
        assert (result.total, result.band) == (wanted, band)
    assert total("phq9", [1, 2, 1, 2, 1, 2, 1, 2, 0]) == 12


def test_phq9_item_9_flags_self_harm_whatever_the_total() -> None:
    low = score(INSTRUMENTS["phq9"], answers("phq9", [0] * 8 + [1]))
    assert (low.total, low.band, low.flags) == (1, "minimal", (SELF_HARM_FLAG,))
    assert score(INSTRUMENTS["phq9"], answers("phq9", [3] * 8 + [0])).flags == ()
    # even when too much is missing for a total, the answer the patient did give is flagged
    partial = score(INSTRUMENTS["phq9"], {"phq9_9": 2})
    assert (partial.total, partial.flags) == (None, (SELF_HARM_FLAG,))


def test_phq9_difficulty_question_is_optional_and_unscored() -> None:
    phq9 = INSTRUMENTS["phq9"]
    base = answers("phq9", [1] * 9)
    with_difficulty = score(phq9, base | {"phq9_10": 3})
    assert with_difficulty.total == score(phq9, base).total == 9
    assert with_difficulty.answered == 9
    assert not phq9.item("phq9_10").scored


def test_phq9_and_gad7_need_every_scored_item() -> None:
    assert total("phq9", [0] * 8 + [None]) is None
    assert total("gad7", [0] * 6 + [None]) is None


def test_gad7_sums_0_to_21_with_bands_at_5_10_15() -> None:
    assert score(INSTRUMENTS["gad7"], answers("gad7", [0] * 7)).band == "minimal"
    assert (total("gad7", [3] * 7), score(INSTRUMENTS["gad7"], answers("gad7", [3] * 7)).band) == (21, "severe")
    assert score(INSTRUMENTS["gad7"], answers("gad7", [1, 1, 1, 1, 1, 0, 0])).band == "mild"
    assert score(INSTRUMENTS["gad7"], answers("gad7", [2, 2, 2, 2, 2, 0, 0])).band == "moderate"
    assert score(INSTRUMENTS["gad7"], answers("gad7", [3, 3, 3, 3, 3, 0, 0])).band == "severe"


def test_pss10_reverses_items_4_5_7_8() -> None:
    # least stress: the positive items (4, 5, 7, 8) answered "very often" count 0
    least = score(INSTRUMENTS["pss10"], answers("pss10", [0, 0, 0, 4, 4, 0, 4, 4, 0, 0]))
    most = score(INSTRUMENTS["pss10"], answers("pss10", [4, 4, 4, 0, 0, 4, 0, 0, 4, 4]))
    assert (least.total, least.band) == (0, "low")
    assert (most.total, most.band) == (40, "high")
    assert total("pss10", [0] * 10) == 16  # the four reversed items count 4 each
    assert total("pss10", [2] * 10) == 20
    assert score(INSTRUMENTS["pss10"], answers("pss10", [3, 3, 3, 1, 1, 3, 1, 1, 3, 3])).band == "high"  # 18 + 12
    assert score(INSTRUMENTS["pss10"], answers("pss10", [1, 1, 1, 3, 3, 1, 3, 3, 1, 1])).band == "low"  # 6 + 4
    assert total("pss10", [2] * 9 + [None]) is None


# -- bad answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "given", "message"),
    [
        ("phq9", {"phq9_3": 4}, r"PHQ-9 phq9_3: 4 is not an answer \(allowed: 0, 1, 2, 3\)"),
        ("quickdash", {"quickdash_1": 0}, r"allowed: 1, 2, 3, 4, 5"),
        ("oks", {"oks_1": -1}, r"-1 is not an answer"),
        ("gad7", {"gad7_1": True}, r"True is not an answer"),
        ("gad7", {"gad7_1": "2"}, r"'2' is not an answer"),
        ("phq9", {"phq9_11": 1}, r"no item 'phq9_11' \(did you mean 'phq9_1"),
        ("ndi", {"q1": 1}, r"no item 'q1'"),
    ],
)
def test_answers_off_the_scale_are_refused(measure: str, given: dict[str, int], message: str) -> None:
    with pytest.raises(AnswerError, match=message) as caught:
        score(INSTRUMENTS[measure], given)
    assert isinstance(caught.value, DataError)
    assert "\n" not in str(caught.value)


# -- clinic item text --------------------------------------------------------------------------


def oks_file(items: int = 12, values: tuple[int, ...] = (4, 3, 2, 1, 0), head: str = "") -> str:
    lines = [head or 'measure = "oks"\nlicence = "Test licence 42"\nintro = "About your knee."', ""]
    for n in range(1, items + 1):
        lines += ["[[item]]", f'key = "oks_{n}"', f'text = "Knee question {n}"', "choices = ["]
        lines += [f'  {{ value = {v}, label = "Answer {v}" }},' for v in values]
        lines += ["]", ""]
    return "\n".join(lines)


def load(tmp_path: Path, text: str) -> Instrument:
    path = tmp_path / "oks-en.toml"
    path.write_text(text, encoding="utf-8")
    return with_item_text(INSTRUMENTS["oks"], path)


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(ItemTextError) as caught:
        load(tmp_path, text)
    assert isinstance(caught.value, DataError)
    return str(caught.value)


def test_a_good_clinic_file_gives_the_wording_and_keeps_the_scoring(tmp_path: Path) -> None:
    oks = load(tmp_path, oks_file())
    assert oks.text_shipped and oks.text_source.endswith("oks-en.toml")
    assert oks.licence == "Test licence 42" and oks.intro == "About your knee."
    assert [i.text for i in oks.items][:2] == ["Knee question 1", "Knee question 2"]
    assert oks.items[0].choices[0].label == "Answer 4"
    assert oks.rule == INSTRUMENTS["oks"].rule
    assert score(oks, answers("oks", [4] * 12)).total == 48
    assert not INSTRUMENTS["oks"].text_shipped  # the shipped instrument is unchanged


def test_the_file_must_name_its_measure_and_licence(tmp_path: Path) -> None:
    message = problem(tmp_path, oks_file(head='measure = "ndi"\ncolour = "red"'))
    assert "oks-en.toml, line 1: measure: is 'ndi', this file must say 'oks'" in message
    assert "line 2: colour: unknown field" in message
    assert "licence: missing" in message


def test_the_wrong_number_of_items_is_refused(tmp_path: Path) -> None:
    assert "item: 11 [[item]] tables; OKS has 12" in problem(tmp_path, oks_file(items=11))


def test_choices_must_match_the_scoring_values(tmp_path: Path) -> None:
    text = oks_file()
    text = text.replace(
        '  { value = 0, label = "Answer 0" },\n]\n\n[[item]]\nkey = "oks_4"', ']\n\n[[item]]\nkey = "oks_4"'
    )
    message = problem(tmp_path, text)
    third = text.splitlines().index('text = "Knee question 3"') + 2  # the choices = [ line of item 3
    assert f"line {third}: item[3].choices: values are 4, 3, 2, 1; the scoring needs each of 0, 1, 2, 3, 4 once" in (
        message
    )


def test_a_bad_answer_names_its_own_line(tmp_path: Path) -> None:
    text = oks_file().replace('{ value = 2, label = "Answer 2" }', '{ value = "two", label = "Answer 2" }', 1)
    message = problem(tmp_path, text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if '"two"' in t)
    assert f"line {line}: item[1].choices[3]: needs an integer value and a label" in message


def test_a_wrong_key_or_missing_text_names_the_line(tmp_path: Path) -> None:
    text = oks_file().replace('key = "oks_5"', 'key = "oks_6"').replace('text = "Knee question 7"', 'text = ""')
    message = problem(tmp_path, text)
    lines = text.splitlines()
    key_line = lines.index('key = "oks_6"') + 1
    text_line = lines.index('text = ""') + 1
    assert f"line {key_line}: item[5].key: is 'oks_6', item 5 is 'oks_5'" in message
    assert f"line {text_line}: item[7].text: missing" in message
    assert message.index(f"line {key_line}") < message.index(f"line {text_line}")  # in file order


def test_toml_syntax_errors_and_unreadable_files(tmp_path: Path) -> None:
    assert "oks-en.toml, line 3: TOML syntax" in problem(tmp_path, 'measure = "oks"\nlicence = "x"\ntext = \n')
    with pytest.raises(ItemTextError, match="cannot be read"):
        with_item_text(INSTRUMENTS["oks"], tmp_path / "absent.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'measure = "oks"\nlicence = "caf\xe9"\n')
    with pytest.raises(ItemTextError, match="not UTF-8"):
        with_item_text(INSTRUMENTS["oks"], bad)
