"""Writing a laid-out document as PDF with reportlab (the optional extra `cerules[forms]`).

The PDF uses reportlab's built-in CID font `STSong-Light` (Adobe-GB1): no font file is needed, and
the font is not embedded — a PDF reader supplies a Song typeface for it (Adobe Reader and poppler
with its CJK data do). The same input gives the same bytes (`invariant`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.sax.saxutils import escape

from .framework import missing_library

if TYPE_CHECKING:
    from .documents import Document

PDF_FONT = "STSong-Light"


def render_pdf(document: Document, path: Path | BinaryIO) -> None:
    """Write the document as PDF to a path or a binary stream."""
    try:
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_CENTER, TA_RIGHT
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import cm
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle, XPreformatted
    except ModuleNotFoundError:
        raise missing_library("reportlab") from None

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=11, leading=17, wordWrap="CJK", firstLineIndent=22)
    cell_style = ParagraphStyle("cell", parent=body, firstLineIndent=0, leading=15)
    label_style = ParagraphStyle("label", parent=cell_style)
    styles = {
        "annex": ParagraphStyle("annex", fontName=PDF_FONT, fontSize=13, leading=18),
        "title": ParagraphStyle("title", fontName=PDF_FONT, fontSize=17, leading=26, alignment=TA_CENTER, spaceAfter=8),
        "subtitle": ParagraphStyle("subtitle", fontName=PDF_FONT, fontSize=11, leading=17, alignment=TA_CENTER, spaceAfter=6),
        "heading": ParagraphStyle("heading", fontName=PDF_FONT, fontSize=13, leading=20, spaceBefore=6),
        "paragraph": body,
        "signature": ParagraphStyle("signature", fontName=PDF_FONT, fontSize=11, leading=20, alignment=TA_RIGHT, spaceBefore=18),
    }
    width = A4[0] - 5 * cm
    story: list[Any] = []
    for block in document.blocks:
        if block.kind == "table":
            data: list[list[Any]] = []
            spans = []
            for r, cells in enumerate(block.rows):
                row: list[Any] = []
                for cell in cells:
                    start = len(row)
                    row.append(Paragraph(escape(cell.text), label_style if cell.label else cell_style))
                    row.extend([""] * (cell.span - 1))
                    if cell.span > 1:
                        spans.append(("SPAN", (start, r), (start + cell.span - 1, r)))
                data.append(row)
            table = Table(data, colWidths=[width * w for w in block.widths])
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                        *spans,
                    ]
                )
            )
            story += [table, Spacer(1, 8)]
        elif block.kind == "signature":  # kept as written: its ideographic spaces leave room for the date
            story.append(XPreformatted(escape(block.text), styles[block.kind]))
        else:
            story.append(Paragraph(escape(block.text), styles[block.kind]))
    pdf = SimpleDocTemplate(
        path if hasattr(path, "write") else str(path),
        pagesize=A4,
        leftMargin=2.5 * cm,
        rightMargin=2.5 * cm,
        topMargin=2.5 * cm,
        bottomMargin=2.5 * cm,
        title=document.title,
        author=document.author or "cerules",
        creator="cerules",
        invariant=1,
    )
    pdf.build(story)


__all__ = ["PDF_FONT", "render_pdf"]
