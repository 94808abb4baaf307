"""The daily report as a PDF (fpdf2), embedding the CJK font named by
``LIFELINE_REPORT_FONT`` (Debian's fonts-noto-cjk by default, installed by
``scripts/ensure_fonts.sh``). Without the font, ``FontMissing`` says so in the reader's
language: the page answers 503, never a 500."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lifeline.command.document import Document, document_of
from lifeline.command.models import DailyReport
from lifeline.core.errors import ServiceError

FONT = "cjk"
WIDTH = 180  # mm between the margins of an A4 page
CHILD_COLUMNS = 5  # children per table across the page
GREY = (235, 238, 242)


class FontMissing(ServiceError):
    status = 503

    def __init__(self) -> None:
        super().__init__(
            _(
                "The PDF cannot be made: the Chinese font it needs is not installed on the "
                "server. Ask the administrator to install it (scripts/ensure_fonts.sh)."
            ),
            code="font_missing",
        )


def _pdf_class() -> Any:
    from fpdf import FPDF

    class ReportPDF(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, size=8)
            text = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
            self.cell(0, 6, text, align="C")

    return ReportPDF


def _new_pdf(title: str) -> Any:
    path = Path(str(getattr(settings, "LIFELINE_REPORT_FONT", "")))
    if not path.is_file():
        raise FontMissing()
    pdf = _pdf_class()(format="A4")
    index = int(getattr(settings, "LIFELINE_REPORT_FONT_INDEX", 0))
    extra = {"collection_font_number": index} if path.suffix.lower() == ".ttc" else {}
    try:
        # The one face also stands for bold: tables ask for it in their headings.
        pdf.add_font(FONT, fname=str(path), **extra)
        pdf.add_font(FONT, style="B", fname=str(path), **extra)
    except Exception as exc:  # an unreadable file or a wrong face number
        raise FontMissing() from exc
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(title)
    pdf.set_creator("Lifeline")
    pdf.add_page()
    return pdf


def _heading(pdf: Any, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, size=12)
    pdf.set_fill_color(*GREY)
    pdf.cell(WIDTH, 8, text, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.ln(1)


def _table(
    pdf: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
    numbers: int = 0,
) -> None:
    """A table with ``header``; the last ``numbers`` columns right-aligned."""
    if not rows:
        pdf.cell(WIDTH, 6, _("None."), new_x="LMARGIN", new_y="NEXT")
        return
    from fpdf.fonts import FontFace

    heads = FontFace(fill_color=GREY)
    align = ("LEFT",) * (len(widths) - numbers) + ("RIGHT",) * numbers
    with pdf.table(
        col_widths=tuple(widths), text_align=align, headings_style=heads, line_height=5.5
    ) as table:
        for row in (header, *rows):
            cells = table.row()
            if isinstance(row, tuple) and len(row) == 1:  # a group's title across the table
                cells.cell(str(row[0]), colspan=len(header))
                continue
            for value in row:
                cells.cell(str(value))


def _figures(pdf: Any, doc: Document) -> None:
    _heading(pdf, _("Figures of the day"))
    rows: list[Any] = []
    for group, lines in doc.groups:
        rows.append((group,))
        rows.extend([line.label, line.value, line.before, line.delta] for line in lines)
    header = [
        _("Figure"),
        pgettext("report column", "Day"),
        pgettext("report column", "Day before"),
        pgettext("report column", "Change"),
    ]
    _table(pdf, header, rows, (90, 30, 30, 30), numbers=3)


def _children(pdf: Any, doc: Document) -> None:
    if not doc.children:
        return
    _heading(pdf, _("Areas below"))
    table = doc.by_figure
    titles = [title for title, _values in doc.children]
    for start in range(0, len(titles), CHILD_COLUMNS):
        part = titles[start : start + CHILD_COLUMNS]
        width = (WIDTH - 60) // len(part)
        rows = [[label, *values[start : start + CHILD_COLUMNS]] for label, values in table]
        _table(pdf, [_("Figure"), *part], rows, (60, *[width] * len(part)), numbers=len(part))
        pdf.ln(2)


def _lists(pdf: Any, doc: Document) -> None:
    _heading(pdf, _("Alerts of the day"))
    yes, no = _("yes"), _("no")
    _table(
        pdf,
        [_("Where"), _("Figure"), _("Value"), _("Threshold"), _("Acknowledged")],
        [
            [
                a["place"],
                a["label"],
                a["value"],
                f"{a['comparison']} {a['threshold']}",
                yes if a["acknowledged"] else no,
            ]
            for a in doc.alerts
        ],
        (50, 50, 25, 30, 25),
    )
    _heading(pdf, _("Problems of the lifeline units"))
    _table(
        pdf,
        [_("Problem"), pgettext("lifeline unit", "Unit"), _("Opened"), _("Status"), _("Due")],
        [[p["title"], p["unit"], p["opened_at"], p["status"], p["due"]] for p in doc.problems],
        (60, 40, 28, 24, 28),
    )
    _heading(pdf, _("Actions from the last review"))
    _table(
        pdf,
        [_("Action"), _("Owner"), _("Due"), _("Status")],
        [[a["text"], a["owner"], a["due"], a["status"]] for a in doc.actions],
        (80, 40, 30, 30),
    )
    _heading(pdf, _("Revisions of the day before"))
    _table(
        pdf,
        [
            _("Where"),
            _("Figure"),
            pgettext("report column", "Signed"),
            pgettext("report column", "Now"),
        ],
        [[r["place"], r["label"], r["old"], r["new"]] for r in doc.revisions],
        (60, 60, 30, 30),
    )


def report_pdf(report: DailyReport) -> bytes:
    """The report's stored content as a PDF in the active language (FontMissing when
    the font is not there)."""
    doc = document_of(report)
    title = _("%(area)s daily report, %(day)s") % {"area": doc.title, "day": doc.day}
    pdf = _new_pdf(title)
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(WIDTH, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    if report.is_signed and report.signed_at:
        at = formats.date_format(timezone.localtime(report.signed_at), "Y-m-d H:i")
        status = _("Signed by %(name)s at %(at)s") % {"name": report.signer_name, "at": at}
    else:
        status = _("Draft: not signed")
    taken = formats.date_format(timezone.localtime(report.taken_at), "Y-m-d H:i")
    for line in (
        status,
        _("Cut-off %(cutoff)s; figures taken at %(taken)s")
        % {"cutoff": doc.cutoff, "taken": taken},
        f"SHA-256 {report.content_hash}",
    ):
        pdf.cell(WIDTH, 5, line, new_x="LMARGIN", new_y="NEXT")
    _figures(pdf, doc)
    _children(pdf, doc)
    _lists(pdf, doc)
    for _name, heading, text in doc.sections:
        _heading(pdf, heading)
        pdf.multi_cell(WIDTH, 5.5, text or "–", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
