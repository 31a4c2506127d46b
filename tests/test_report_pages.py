"""The report a clinician reads (PDF and HTML): first page at a glance, statuses, mental measures in
their own units, outcome measures, human dates, and the charts' axes and labels.

Text is read back out of the PDF with PDFium (pypdfium2) and out of the HTML as written, so each
test checks what a reader sees; charts are checked through matplotlib's own objects (tick labels,
limits, texts), not pixels.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser

import pypdfium2
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from progress.reports import figures, figures_adherence, figures_mental
from progress.reports.data import (
    STATUS_TEXT,
    Adherence,
    MovementGlance,
    PlanEvent,
    ReportHeader,
    WeekAdherence,
    load_report,
)
from progress.reports.dates import date_ticks, human_date, human_datetime, minutes, plural, signed
from progress.reports.html import render_html
from progress.reports.pdf import render_pdf
from progress.store import Store
from rehab.sim.history import make_history

NOW = "2026-11-16T15:00:00+00:00"
FIRST = date(2026, 10, 5)
HEADER = ReportHeader(
    clinic="Riverside Physiotherapy",
    clinician="Dr A. Example",
    diagnosis="Total knee replacement",
    operated_side="right",
    surgery_date=date(2026, 9, 28),
)


@pytest.fixture(scope="module")
def reports():
    """One patient of each kind, with stopped sessions and questionnaires (rehab.sim.history)."""
    store = Store.memory()
    for kind in ("physical", "mental", "mixed"):
        make_history(store, f"P-{kind}", FIRST, 42, kind=kind)
    return {kind: load_report(store, f"P-{kind}", NOW, header=HEADER) for kind in ("physical", "mental", "mixed")}


_PDFS: dict[int, tuple[object, bytes]] = {}


def pdf_bytes(data) -> bytes:
    """The PDF of ``data``, made once per report object (the tests read the same three many times)."""
    if id(data) not in _PDFS or _PDFS[id(data)][0] is not data:
        _PDFS[id(data)] = (data, render_pdf(data))
    return _PDFS[id(data)][1]


def pdf_pages(data) -> list[str]:
    document = pypdfium2.PdfDocument(pdf_bytes(data))
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def html_text(data) -> str:
    """The words of the HTML page, charts left out (their SVG draws glyphs as paths)."""
    page = re.sub(r"<svg.*?</svg>", " ", render_html(data), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def drawn(fig):
    FigureCanvasAgg(fig).draw()  # tick labels and offsets are only final once drawn
    return fig


# -- words and dates --------------------------------------------------------------------------


def test_plural_dates_and_numbers_as_people_read_them():
    assert plural(1, "session") == "1 session" and plural(0, "session") == "0 sessions"
    assert plural(2, "rep") == "2 reps" and plural(1, "day") == "1 day"
    assert human_date(date(2026, 11, 1)) == "1 Nov 2026"
    assert human_datetime("2026-11-01T09:30:00+00:00") == "1 Nov 2026 09:30"
    assert human_datetime("2026-11-01") == "1 Nov 2026"  # pseudonymised: the date alone
    assert signed(12.4, unit="°") == "+12°" and signed(-3.2) == "-3" and signed(0.2) == "0"
    assert minutes(95) == "1 min 35 s" and minutes(120) == "2 min" and minutes(30) == "30 s"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 11, 2), date(2026, 11, 30)),
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 11, 5), date(2026, 11, 9)),
        (date(2026, 9, 1), date(2026, 11, 30)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2026, 6, 3), date(2027, 2, 10)),
    ],
)
def test_date_ticks_stay_inside_the_period_and_name_the_year_once(start, end):
    ticks = date_ticks(start, end)
    assert ticks and all(start <= day <= end for day, _ in ticks)
    labels = [label for _, label in ticks]
    assert str(start.year) in labels[0]
    assert sum(1 for label in labels if re.search(r"\d{4}", label)) == len({day.year for day, _ in ticks})


def test_a_november_chart_is_labelled_november(reports):
    # a period of November only: matplotlib's concise formatter wrote "2026-Dec" under it, taken
    # from a tick on 1 December in the day of margin after the period
    data = reports["physical"]
    november = replace(data, start=date(2026, 11, 2), end=date(2026, 11, 30))
    for fig in (figures.rom_trend(november), figures.pain_trend(november)):
        assert fig is not None
        for ax in drawn(fig).axes:
            labels = [t.get_text() for t in ax.get_xticklabels()]
            assert labels and all("Dec" not in label for label in labels), labels
            assert "Nov" in " ".join(labels)
            assert ax.xaxis.get_offset_text().get_text() == ""


# -- charts -----------------------------------------------------------------------------------


def test_value_limits_fit_the_values_and_leave_far_references_out():
    lo, hi = figures.value_limits([42.0, 44.0, 46.0], [100.0, 135.0])
    assert 25 <= lo < 42 and 46 < hi <= 65
    lo, hi = figures.value_limits([80.0, 95.0], [105.0, 135.0])
    assert lo < 80 and 105 < hi < 135  # a goal near the values is shown; the normal far off is not


def test_a_rom_axis_fits_values_of_42_to_46_and_says_where_the_goal_is(reports):
    data = reports["physical"]
    knee = "knee_flexion_right"
    sessions = tuple(
        replace(s, best_peak_deg=42.0 + i % 5, mean_peak_deg=42.0 + i % 5) if s.movement == knee else s
        for i, s in enumerate(data.sessions)
    )
    fig = drawn(figures.rom_trend(replace(data, sessions=sessions)))
    ax = next(ax for ax in fig.axes if ax.get_title(loc="left") == "Knee flexion, right")
    lo, hi = ax.get_ylim()
    assert 25 <= lo < 42 and 46 < hi <= 65, (lo, hi)  # not 0-150
    edge = " ".join(t.get_text() for t in ax.texts)
    assert "goal" in edge and "above" in edge and "AAOS normal 135° above" in edge


def test_the_calendar_numbers_every_day_and_hatches_stopped_ones(reports):
    data = reports["physical"]
    fig = figures_adherence.adherence_calendar(data)
    months = {ax.get_title(loc="left"): ax for ax in fig.axes if ax.get_title(loc="left")}
    assert set(months) == {"Oct 2026", "Nov 2026"}
    numbers = [t.get_text() for t in months["Oct 2026"].texts if t.get_text().isdigit()]
    assert numbers == [str(d) for d in range(1, 32)]
    states = figures_adherence.day_states(data)
    stopped = {day for day, (_, was) in states.items() if was}
    visits = {v.day for v in data.visits if v.status in ("stopped_for_pain", "pain_too_high", "device_lost")}
    assert visits and visits <= stopped
    hatched = [c for ax in fig.axes for c in ax.collections if c.get_hatch()]
    assert hatched


def test_mental_charts_are_in_their_own_units(reports):
    data = reports["mental"]
    assert data.movements == [] and figures.rom_trend(data) is None
    charts = [figures_mental.breathing(data), figures_mental.exposure(data), figures_mental.stress_and_calm(data)]
    assert all(fig is not None for fig in charts)
    words = " ".join(
        text.get_text()
        for fig in charts
        for ax in drawn(fig).axes
        for text in (ax.yaxis.label, ax.xaxis.label, ax.title, *ax.texts, *ax.get_yticklabels())
    )
    assert "breaths/min" in words and "SUDS 0-100" in words and "stress 0-10" in words
    assert "°" not in words and "degree" not in words and "rep" not in words
    rate = drawn(charts[0]).axes[0]
    assert rate.get_lines() and len(rate.get_lines()[0].get_xdata()) == sum(
        1 for m in data.mental if m.mean_rate_bpm is not None
    )  # the breathing-rate chart is not empty


# -- the first page ---------------------------------------------------------------------------


def test_the_first_page_has_the_headline_numbers_made_for_it(reports):
    data = reports["physical"]
    knee = MovementGlance(
        movement="knee_flexion_right",
        title="Knee flexion, right",
        baseline_deg=42.0,
        latest_deg=58.4,
        change_deg=16.4,
        goal_deg=90.0,
        goal_met=False,
        normal_deg=135.0,
        sessions=9,
        best_hold_s=3.0,
        mean_hold_s=2.1,
        mean_sparc=-1.73,
        compensations={"trunk_lean": 1},
        over_ceiling=1,
    )
    week = WeekAdherence(week_start=date(2026, 10, 5), prescribed=6, done=1, stopped=2, percent=100 / 6)
    adherence = Adherence((week,), prescribed=6, done=1, stopped_for_safety=2, not_started=1, percent=100 / 6,
                          free_play_sessions=1)  # fmt: skip
    made = replace(data, adherence=adherence, glance=replace(data.glance, movements=(knee,), adherence=adherence))
    first = flat(pdf_pages(made)[0])
    for words in (
        "Knee flexion, right 42° 58° +16° 90° not yet 135° 9",
        "1 of 6 prescribed sessions done (17%)",
        "trunk lean 1 rep",
        "1 session, not counted as prescribed",
        "Stopped for safety 2",
        "-1.73",
    ):
        assert words in first, words
    assert words_in_html(made, "Knee flexion, right 42° 58° +16° 90° not yet", "1 of 6 prescribed sessions done")


def words_in_html(data, *phrases: str) -> bool:
    text = html_text(data)
    missing = [p for p in phrases if p not in text]
    assert not missing, missing
    return True


def test_header_fields_are_shown_when_given_and_left_out_when_not(reports):
    first = flat(pdf_pages(reports["physical"])[0])
    for words in ("Riverside Physiotherapy", "Dr A. Example", "Total knee replacement", "Operated side Right"):
        assert words in first
    assert "Surgery 28 Sep 2026 (47 days before the period's last day)" in first
    bare = replace(reports["physical"], header=ReportHeader())
    plain = flat(pdf_pages(bare)[0])
    assert "Clinic" not in plain and "Surgery" not in plain and "Diagnosis" not in plain
    assert "Patient P-physical" in plain


def test_plan_progression_pain_trend_and_outcomes_are_on_the_first_page(reports):
    data = reports["physical"]
    first = flat(pdf_pages(data)[0])
    for event in data.glance.plan_events:
        assert f"{event.version} {human_date(event.effective_from)} {event.reason}" in first
    assert f"in the last: {data.glance.pain_trend}" in first
    oks = [o for o in data.outcomes if o.measure == "oks" and o.total is not None]
    assert f"OKS (higher is better) {oks[-1].total:g} of 48 {human_date(oks[-1].day)}" in first


def test_a_self_harm_answer_is_a_warning_at_the_top_of_the_first_page(reports):
    for kind in ("mental", "mixed"):
        first = flat(pdf_pages(reports[kind])[0])
        warning = first.index("Safety: thoughts of self-harm reported")
        assert warning < first.index("Patient")
    assert "Safety:" not in flat(pdf_pages(reports["physical"])[0])
    assert "role='alert'" in render_html(reports["mental"])


# -- every page -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["physical", "mixed"])
def test_every_status_is_in_words_in_the_pdf_and_the_html(reports, kind):
    data = reports[kind]
    pdf = flat(" ".join(pdf_pages(data)))
    html = html_text(data)
    for key in ("stopped_for_pain", "stopped_by_patient", "pain_too_high", "device_lost", "completed", "free_play"):
        assert STATUS_TEXT[key] in pdf and STATUS_TEXT[key] in html, key
    assert html.count("class='marked'") == 0  # classes are markup, not words
    assert render_html(data).count("<tr class='marked'>") >= 4


def test_mental_pages_have_no_degrees_and_no_reps(reports):
    for kind in ("mental", "mixed"):
        pdf = flat(" ".join(pdf_pages(reports[kind])))
        start = pdf.index("Breathing, exposure and focus")
        mental = pdf[start : pdf.index("Outcome measures", start)]
        assert "Breathing sessions" in mental and "Exposure sessions" in mental
        assert "Rate /min" in mental and "SUDS peak" in mental
        assert "°" not in mental and not re.search(r"\breps?\b", mental, re.I)
    only_mental = flat(" ".join(pdf_pages(reports["mental"])))
    assert "°" not in only_mental and not re.search(r"\breps?\b", only_mental, re.I)
    assert "Range of motion" not in only_mental
    html = html_text(reports["mental"])
    assert "°" not in html and not re.search(r"\breps?\b", html, re.I)


def test_outcome_measures_have_scores_direction_and_bands(reports):
    pdf = flat(" ".join(pdf_pages(reports["mental"])))
    for title in ("Patient Health Questionnaire-9 (PHQ-9): lower is better", "Questionnaires answered"):
        assert title in pdf
    phq9 = [o for o in reports["mental"].outcomes if o.measure == "phq9"]
    for score in phq9:
        assert f"{human_date(score.day)} PHQ-9 completed {score.total:g} of 27 {score.band}" in pdf
    assert "thoughts of self-harm" in pdf


def test_people_read_dates_not_iso_timestamps(reports):
    for data in reports.values():
        pdf = " ".join(pdf_pages(data))
        assert not re.search(r"\d{4}-\d{2}-\d{2}", pdf)
        assert not re.search(r"\d{4}-\d{2}-\d{2}", html_text(data))
        assert "16 Nov 2026 15:00" in pdf


def test_the_report_ends_with_signature_lines(reports):
    last = flat(pdf_pages(reports["physical"])[-1])
    assert "Clinician:" in last and "Signature:" in last and "Date:" in last


@pytest.mark.parametrize("kind", ["physical", "mental", "mixed"])
def test_every_pdf_page_is_drawn(reports, kind):
    document = pypdfium2.PdfDocument(pdf_bytes(reports[kind]))
    assert 2 <= len(document) <= 12
    for number in range(len(document)):
        pixels = document[number].render(scale=30 / 72).to_numpy() / 255.0
        # the last page may hold only a note and the signature lines: little ink, but not none
        assert (pixels.mean(axis=2) < 0.5).mean() > 0.001, f"page {number + 1} looks blank"
    first = document[0].render(scale=30 / 72).to_numpy()[..., :3] / 255.0
    assert (first.std(axis=2) > 0.08).mean() > 0.002, "the first page has no coloured chart"


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_html_page_is_accessible_and_self_contained(reports):
    page = render_html(reports["mixed"])
    outline = _Outline()
    outline.feed(page)
    tags = [tag for tag, _ in outline.tags]
    assert tags.count("h1") == 1 and "h2" in tags and "main" in tags
    assert tags.count("table") == tags.count("caption") > 3
    assert all(attrs.get("scope") == "col" for tag, attrs in outline.tags if tag == "th")
    charts = [attrs for tag, attrs in outline.tags if tag == "svg"]
    assert charts and all(a.get("role") == "img" and a.get("aria-labelledby") for a in charts)
    assert page.count("<desc id=") == len(charts)
    assert "<script" not in page and "src=" not in page and not re.search(r"href=['\"]https?:", page)


def test_many_sessions_are_summed_up_by_week_with_their_statuses():
    store = Store.memory()
    make_history(store, "P-long", FIRST, 100, kind="mixed")
    data = load_report(store, "P-long", NOW)
    text = flat(" ".join(pdf_pages(data)))
    assert "Breathing sessions by week (means of" in text and "Exposure sessions by week" in text
    assert "Exercise sessions by week" in text
    assert "week of 5 Oct 2026" in text and "1 stopped for pain" in text
    events = tuple(PlanEvent(v, date(2026, 10, 5), f"reason {v}", ()) for v in range(1, 21))
    first = flat(" ".join(pdf_pages(replace(data, glance=replace(data.glance, plan_events=events)))))
    assert "reason 1 " in first and "12 versions in between" in first and "reason 20" in first
    assert (
        "reason 2 " not in first and "reason 13 " not in first
    )  # a year of progressions does not push the glance onto three pages


def test_a_year_of_pain_is_drawn_as_weekly_means(reports):
    data = reports["physical"]
    year = replace(data, end=date(2027, 10, 4))
    ax = figures.pain_trend(year).axes[0]
    before = [line for line in ax.get_lines() if line.get_label() == "before session, weekly mean"]
    weeks = {r.day.isocalendar()[:2] for r in data.ratings if r.kind == "pain" and r.moment == "before"}
    assert before and len(before[0].get_xdata()) == len(weeks)
    short = figures.pain_trend(data).axes[0]
    assert any(line.get_label() == "before session" for line in short.get_lines())
