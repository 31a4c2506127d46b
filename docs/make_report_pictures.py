"""Renders every page of three sample reports (a physical, a mental and a mixed patient, made by
``rehab.sim.history.make_history`` with stopped sessions and questionnaires) as PNG pictures for
docs/reports.md.

Run with ``.venv/bin/python docs/make_report_pictures.py``; look at every picture before committing
it. Dates are fixed, so the same code gives the same pictures.
"""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent / "reports"
FIRST_DAY = date(2026, 10, 5)
GENERATED_AT = "2026-11-16T15:00:00+00:00"
#: pixels across a page: readable on a screen, and each picture well under 150 KB as a palette PNG
WIDTH_PX = 900


def headers():  # type: ignore[no-untyped-def]
    from progress.reports.data import ReportHeader

    knee = ReportHeader(
        clinic="Riverside Physiotherapy",
        clinician="Dr A. Example",
        diagnosis="Total knee replacement",
        operated_side="right",
        surgery_date=date(2026, 9, 28),
    )
    mental = ReportHeader(clinic="Riverside Physiotherapy", clinician="Dr A. Example", diagnosis="Anxiety after injury")
    return {"physical": knee, "mental": mental, "mixed": knee}


def page_pictures(pdf: bytes) -> list[bytes]:
    """Each page as a small palette PNG (a report has few colours, so 128 of them lose nothing)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    pictures = []
    for index in range(len(document)):
        page = document[index]
        image = page.render(scale=WIDTH_PX / page.get_width()).to_pil().convert("RGB")
        buffer = io.BytesIO()
        image.quantize(colors=128).save(buffer, format="PNG", optimize=True)
        pictures.append(buffer.getvalue())
    return pictures


def main() -> int:
    from progress.reports.data import load_report
    from progress.reports.pdf import render_pdf
    from progress.store import Store
    from rehab.sim.history import make_history

    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*-page-*.png"):
        old.unlink()
    store = Store.memory()
    for kind, header in headers().items():
        patient = f"P-{kind}"
        make_history(store, patient, FIRST_DAY, 42, kind=kind)
        data = load_report(store, patient, GENERATED_AT, header=header)
        for number, picture in enumerate(page_pictures(render_pdf(data)), start=1):
            path = OUT / f"{kind}-page-{number}.png"
            path.write_bytes(picture)
            print(f"{path.relative_to(OUT.parent.parent)}  {len(picture) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
