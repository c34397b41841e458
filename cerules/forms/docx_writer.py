"""Writing a laid-out document as Word (.docx) with python-docx (the optional extra `cerules[forms]`).

A4 with 2.5 cm margins, 宋体 for the text and 黑体 for titles (set as the East Asian font of each
run, which is what Word uses for Chinese), form tables ruled with merged cells.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .framework import missing_library

if TYPE_CHECKING:
    from .documents import Document

DOCX_FONT = "宋体"
DOCX_TITLE_FONT = "黑体"


def render_docx(document: Document, path: Path | BinaryIO) -> None:
    """Write the document as Word to a path or a binary stream."""
    try:
        import docx
        from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt
    except ModuleNotFoundError:
        raise missing_library("python-docx") from None

    out = docx.Document()
    section = out.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    text_width = 21 - 5.0

    def font(run_or_style: Any, name: str, size: float | None = None, bold: bool | None = None) -> None:
        run_or_style.font.name = name
        if size is not None:
            run_or_style.font.size = Pt(size)
        if bold is not None:
            run_or_style.font.bold = bold
        # python-docx sets the Latin font; Chinese text uses the East Asian font of the run.
        element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
        properties = element.get_or_add_rPr()
        properties.get_or_add_rFonts().set(qn("w:eastAsia"), name)

    font(out.styles["Normal"], DOCX_FONT, 12)
    out.core_properties.title = document.title
    out.core_properties.author = document.author or "cerules"
    out.core_properties.comments = "cerules"

    for block in document.blocks:
        if block.kind == "annex":
            font(out.add_paragraph().add_run(block.text), DOCX_TITLE_FONT, 14)
        elif block.kind == "title":
            paragraph = out.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            font(paragraph.add_run(block.text), DOCX_TITLE_FONT, 16, bold=True)
        elif block.kind == "subtitle":
            paragraph = out.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(block.text)
        elif block.kind == "heading":
            font(out.add_paragraph().add_run(block.text), DOCX_TITLE_FONT, 14, bold=True)
        elif block.kind == "paragraph":
            paragraph = out.add_paragraph(block.text)
            paragraph.paragraph_format.first_line_indent = Pt(24)
        elif block.kind == "signature":
            for line in block.text.split("\n"):
                out.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif block.kind == "table":
            columns = len(block.widths)
            table = out.add_table(rows=len(block.rows), cols=columns)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            table.autofit = False
            for r, cells in enumerate(block.rows):
                row = table.rows[r]
                row.height = Cm(0.9)
                c = 0
                for cell in cells:
                    target = row.cells[c]
                    if cell.span > 1:
                        target = target.merge(row.cells[c + cell.span - 1])
                    target.width = Cm(text_width * sum(block.widths[c : c + cell.span]))
                    target.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
                    run = target.paragraphs[0].add_run(cell.text)
                    run.font.size = Pt(10.5)
                    if cell.label:
                        run.font.bold = True
                    c += cell.span
            for c, width in enumerate(block.widths):
                table.columns[c].width = Cm(text_width * width)
        else:  # pragma: no cover - the layouts use only the kinds above
            raise ValueError(f"unknown block kind {block.kind!r}")
    out.save(path if hasattr(path, "write") else str(path))


__all__ = ["DOCX_FONT", "DOCX_TITLE_FONT", "render_docx"]
