"""Placing a screen's content in pixels for the text size in use, so that nothing overlaps or
leaves the screen at any size the settings offer: text is wrapped to the width it really takes,
buttons go in two columns only when their labels fit, and what does not fit goes on a next page
reached with a "More" button (at the largest text size a screen may take two pages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rehab.app.home_screen.content import Button, Content, Field, Line
from rehab.core.i18n import _
from rehab.engine.hud import font, wrap_to_width
from rehab.engine.palette import PALETTE, Color

#: pygame point sizes; the smallest, 36, is 24 px high at the normal text size
TITLE_SIZE, LINE_SIZE, LABEL_SIZE, DETAIL_SIZE = 56, 40, 44, 36
MARGIN, GAP, PAD = 28, 12, 12
BAR_H = 26
MORE, FIRST_PAGE = "_more", "_first_page"


@dataclass(frozen=True)
class Row:
    """One line of text where it is drawn, with the colour behind it (for the contrast check)."""

    words: str
    size: int
    color: Color
    background: Color
    rect: tuple[int, int, int, int]  # left, top, width, height


@dataclass(frozen=True)
class PlacedButton:
    key: str
    rect: tuple[int, int, int, int]
    primary: bool
    fill: Color


@dataclass(frozen=True)
class PlacedBar:
    rect: tuple[int, int, int, int]
    share: float
    reached: bool


@dataclass
class Page:
    rows: list[Row] = field(default_factory=list)
    buttons: list[PlacedButton] = field(default_factory=list)
    bars: list[PlacedBar] = field(default_factory=list)
    field_box: tuple[int, int, int, int] | None = None
    number: int = 0
    count: int = 1


# a block places itself at a top edge and says how tall it is
_Place = Callable[[Page, int], None]


@dataclass(frozen=True)
class _Block:
    height: int
    place: _Place
    #: space below it: none between the rows of one wrapped line
    gap: int = GAP


def tone_color(tone: str) -> Color:
    return {"muted": PALETTE.muted, "warning": PALETTE.target, "good": PALETTE.good}.get(tone, PALETTE.text)


def line_height(size: int) -> int:
    return font(size).get_linesize()


def layout(content: Content, size: tuple[int, int], page: int = 0) -> Page:
    """The ``page``-th page of ``content`` on a ``size`` screen (the last one if there are fewer)."""
    width, height = size
    pages = _paginate(content, size, reserve=0)
    if len(pages) > 1:
        pages = _paginate(content, size, reserve=_button_height(Button(MORE, _("More")), width - 2 * MARGIN) + GAP)
    number = min(page, len(pages) - 1)
    placed = Page(number=number, count=len(pages))
    title_bottom = _place_title(placed, content.title, width)
    y = title_bottom
    for block in pages[number]:
        block.place(placed, y)
        y += block.height + block.gap
    if len(pages) > 1:
        nav = Button(MORE, _("More")) if number + 1 < len(pages) else Button(FIRST_PAGE, _("Back to the first page"))
        inner = width - 2 * MARGIN
        h = _button_height(nav, inner)
        _place_button(placed, nav, (MARGIN, height - MARGIN - h, inner, h))
    return placed


def _paginate(content: Content, size: tuple[int, int], reserve: int) -> list[list[_Block]]:
    width, height = size
    top = _title_height(content.title, width)
    bottom = height - MARGIN - reserve
    pages: list[list[_Block]] = [[]]
    y = top
    for block in _blocks(content, width):
        if y + block.height > bottom and pages[-1]:
            pages.append([])
            y = top
        pages[-1].append(block)
        y += block.height + block.gap
    return pages


def _title_height(title: str, width: int) -> int:
    return MARGIN // 2 + len(wrap_to_width(title, TITLE_SIZE, width - 2 * MARGIN)) * line_height(TITLE_SIZE) + GAP


def _place_title(page: Page, title: str, width: int) -> int:
    y = MARGIN // 2
    for words in wrap_to_width(title, TITLE_SIZE, width - 2 * MARGIN):
        page.rows.append(_row(words, TITLE_SIZE, PALETTE.text, PALETTE.background_top, MARGIN, y))
        y += line_height(TITLE_SIZE)
    return y + GAP


def _row(words: str, size: int, color: Color, background: Color, left: int, top: int) -> Row:
    w, h = font(size).size(words)
    return Row(words, size, color, background, (left, top, w, h))


def _blocks(content: Content, width: int) -> list[_Block]:
    inner = width - 2 * MARGIN
    lines = [b for line in content.lines for b in _line_blocks(line, inner)]
    buttons = _button_blocks(content.buttons, inner)
    if content.field is None:
        return lines + buttons
    # a form: the field (with its error) and its buttons first, the explanations after them
    return [_field_block(content.field, inner), *buttons, *lines]


def _line_blocks(line: Line, inner: int) -> list[_Block]:
    rows = wrap_to_width(line.words, LINE_SIZE, inner) or [""]
    blocks = []
    for index, words in enumerate(rows):

        def place(page: Page, y: int, words: str = words) -> None:
            page.rows.append(_row(words, LINE_SIZE, tone_color(line.tone), PALETTE.background_top, MARGIN, y))

        last = index == len(rows) - 1 and line.bar is None
        blocks.append(_Block(line_height(LINE_SIZE), place, GAP if last else 0))
    if line.bar is not None:
        bar = line.bar

        def place_bar(page: Page, y: int) -> None:
            page.bars.append(PlacedBar((MARGIN, y, inner, BAR_H), bar.share, bar.reached))

        blocks.append(_Block(BAR_H, place_bar))
    return blocks


def _field_block(f: Field, inner: int) -> _Block:
    """The label, the box and the error (or the hint) as one block: an error never leaves its field."""
    label = wrap_to_width(f.label, LINE_SIZE, inner)
    below = wrap_to_width(f.error or f.hint, LINE_SIZE, inner)
    box_h = line_height(LABEL_SIZE) + 2 * PAD
    height = (len(label) + len(below)) * line_height(LINE_SIZE) + box_h + 2 * PAD // 2

    def place(page: Page, y: int) -> None:
        for words in label:
            page.rows.append(_row(words, LINE_SIZE, PALETTE.text, PALETTE.background_top, MARGIN, y))
            y += line_height(LINE_SIZE)
        y += PAD // 2
        page.field_box = (MARGIN, y, inner, box_h)
        shown = _fit_end(f.value + "_", LABEL_SIZE, inner - 2 * PAD)
        page.rows.append(_row(shown, LABEL_SIZE, PALETTE.text, PALETTE.panel, MARGIN + PAD, y + PAD))
        y += box_h + PAD // 2
        tone = "warning" if f.error else "muted"
        for words in below:
            page.rows.append(_row(words, LINE_SIZE, tone_color(tone), PALETTE.background_top, MARGIN, y))
            y += line_height(LINE_SIZE)

    return _Block(height, place)


def _fit_end(words: str, size: int, width: int) -> str:
    """The end of ``words`` that fits ``width`` (a long address scrolls, its end stays in view)."""
    while words and font(size).size(words)[0] > width:
        words = words[1:]
    return words


def _columns(buttons: tuple[Button, ...], inner: int) -> int:
    """Two columns when every label fits half the width in two lines at most (no word cut)."""
    half = (inner - GAP) // 2 - 2 * PAD
    grid = [b for b in buttons if not b.spans]

    def fits(label: str) -> bool:
        rows = wrap_to_width(label, LABEL_SIZE, half)
        return len(rows) <= 2 and all(font(LABEL_SIZE).size(row)[0] <= half for row in rows)

    return 2 if len(grid) >= 3 and all(fits(b.label) for b in grid) else 1


def _button_height(button: Button, width: int) -> int:
    rows = len(wrap_to_width(button.label, LABEL_SIZE, width - 2 * PAD)) * line_height(LABEL_SIZE)
    if button.detail:
        rows += len(wrap_to_width(button.detail, DETAIL_SIZE, width - 2 * PAD)) * line_height(DETAIL_SIZE)
    return rows + 2 * PAD


def _button_blocks(buttons: tuple[Button, ...], inner: int) -> list[_Block]:
    columns = _columns(buttons, inner)
    rows: list[list[Button]] = []
    for button in buttons:
        if button.spans or columns == 1 or not rows or len(rows[-1]) == columns or rows[-1][0].spans:
            rows.append([button])
        else:
            rows[-1].append(button)
    blocks = []
    for row in rows:
        span = 1 if row[0].spans else columns
        w = (inner - (span - 1) * GAP) // span
        h = max(_button_height(b, w) for b in row)

        def place(page: Page, y: int, row: list[Button] = row, w: int = w, h: int = h) -> None:
            for i, b in enumerate(row):
                _place_button(page, b, (MARGIN + i * (w + GAP), y, w, h))

        blocks.append(_Block(h, place))
    return blocks


def _place_button(page: Page, button: Button, rect: tuple[int, int, int, int]) -> None:
    left, top, w, _ = rect
    fill = PALETTE.accent if button.primary else PALETTE.panel
    ink = PALETTE.panel if button.primary else PALETTE.text
    quiet = PALETTE.panel if button.primary else PALETTE.muted
    page.buttons.append(PlacedButton(button.key, rect, button.primary, fill))
    y = top + PAD
    for words in wrap_to_width(button.label, LABEL_SIZE, w - 2 * PAD):
        page.rows.append(_row(words, LABEL_SIZE, ink, fill, left + PAD, y))
        y += line_height(LABEL_SIZE)
    if button.detail:
        for words in wrap_to_width(button.detail, DETAIL_SIZE, w - 2 * PAD):
            page.rows.append(_row(words, DETAIL_SIZE, quiet, fill, left + PAD, y))
            y += line_height(DETAIL_SIZE)
