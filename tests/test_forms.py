"""Plans, postings and bids exported as Word and PDF documents that open and hold the data."""

from __future__ import annotations

import base64
import re
import zlib
from pathlib import Path
from typing import BinaryIO

import pytest

from cerules.forms.calls import Bid, Posting, load_bid, load_posting
from cerules.forms.documents import CHECKED, UNCHECKED, document_of, export, plan_document
from cerules.forms.framework import FormError
from cerules.forms.plans import StudyPlan, load_plan

docx = pytest.importorskip("docx")
pytest.importorskip("reportlab")

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan(ROOT / "examples" / "plans" / "health-2023.toml")
POSTING = load_posting(ROOT / "examples" / "calls" / "posting.toml")
BID = load_bid(ROOT / "examples" / "calls" / "bid.toml")


def docx_text(path: Path) -> tuple[str, list[list[str]]]:
    """The paragraphs' text and each table's rows (distinct cells, merged cells once)."""
    document = docx.Document(str(path))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    rows = []
    for table in document.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                if not cells or cell.text != cells[-1]:
                    cells.append(cell.text)
            rows.append(cells)
    return text, rows


def _unescape_pdf_string(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < len(raw):
        byte = raw[i]
        if byte == 0x5C:  # backslash
            nxt = raw[i + 1]
            if nxt in escapes:
                out += escapes[nxt]
                i += 2
            elif 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
                assert digits is not None
                out.append(int(digits.group(), 8) & 0xFF)
                i += 1 + len(digits.group())
            else:
                out.append(nxt)
                i += 2
        else:
            out.append(byte)
            i += 1
    return bytes(out)


def pdf_text(path: Path) -> str:
    """The text a PDF shows: its content streams (ASCII85 + Flate) decoded, the strings drawn in
    the CID font read as UTF-16BE — enough to read what reportlab writes, with no PDF library."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pieces = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        try:
            stream = zlib.decompress(base64.a85decode(raw.removesuffix(b"~>")))
        except (ValueError, zlib.error):
            continue
        for string in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            pieces.append(_unescape_pdf_string(string.group(1)).decode("utf-16-be", errors="replace"))
    return "".join(pieces)


ITEMS = [("plan", PLAN), ("posting", POSTING), ("bid", BID)]


@pytest.mark.parametrize(("name", "item"), ITEMS)
@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_every_text_of_the_layout_is_in_the_document(tmp_path: Path, name: str, item: StudyPlan | Posting | Bid, suffix: str) -> None:
    path = export(item, tmp_path / f"{name}{suffix}")
    assert path.exists() and path.stat().st_size > 1000
    if suffix == ".docx":
        text, rows = docx_text(path)
        shown = text + "".join("".join(row) for row in rows)
    else:
        shown = pdf_text(path)
    compact = re.sub(r"\s", "", shown)
    for block in document_of(item).blocks:
        texts = [cell.text for row in block.rows for cell in row] if block.kind == "table" else [block.text]
        for text in texts:
            assert re.sub(r"\s", "", text) in compact, f"{text!r} missing from {name}{suffix}"


def test_the_posting_docx_follows_annex_2(tmp_path: Path) -> None:
    text, rows = docx_text(export(POSTING, tmp_path / "posting.docx"))
    assert text.startswith("附件2\n继续教育培训项目张榜申请表")
    labels = [row[0] for row in rows]
    assert labels == ["张榜单位（盖章）", "项目名称", "项目简介", "项目类型", "是否有财政资金支持", "是否允许揭榜单位收费",
                      "揭榜单位资质要求", "其他要求", "联系人", "电子邮箱"]  # fmt: skip
    table = dict((row[0], row[1:]) for row in rows)
    assert table["张榜单位（盖章）"] == ["山东省卫生健康委员会"]  # one merged cell across the form
    assert table["项目类型"] == [f"{CHECKED}开发课件　{UNCHECKED}搭建网站　{UNCHECKED}线下培训　{UNCHECKED}其他（＿＿＿＿）"]
    assert table["是否有财政资金支持"] == [f"{CHECKED}是　{UNCHECKED}否", "金额（万元）", "30"]
    assert table["是否允许揭榜单位收费"] == [f"{UNCHECKED}是　{CHECKED}否"]
    assert table["联系人"] == ["王示例", "联系电话", "0531-55501234"]
    assert "备案日期：2023年5月8日" in text and "揭榜截止：2023年6月15日" in text
    assert docx.Document(str(tmp_path / "posting.docx")).core_properties.title.startswith("继续教育培训项目张榜申请表")


def test_the_bid_docx_follows_annex_3(tmp_path: Path) -> None:
    text, rows = docx_text(export(BID, tmp_path / "bid.docx"))
    assert text.startswith("附件3\n继续教育培训项目揭榜申请表")
    table = dict((row[0], row[1:]) for row in rows)
    assert table["统一社会信用代码"] == ["12370800MB2J3K4L5E"]
    assert table["注册资本（万元）"] == ["500", "成立日期", "2006年9月1日"]
    assert table["联系电话"] == ["13800000000", "传真", "0537-55505678"]
    assert set(table) >= {"揭榜单位（盖章）", "单位地址", "法定代表人", "单位简介", "揭榜项目名称", "项目类型", "揭榜理由"}


def test_the_plan_has_the_five_parts_of_annex_1_in_order(tmp_path: Path) -> None:
    headings = [block.text for block in plan_document(PLAN).blocks if block.kind == "heading"]
    assert headings == ["一、专业科目范围", "二、学习内容", "三、学时要求", "四、学习形式", "五、其他事项"]
    text, rows = docx_text(export(PLAN, tmp_path / "plan.docx"))
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "专业科目每人每年累计不少于60学时。" in text
    assert "职称系列：卫生。" in text and "组织方式：分级组织。" in text
    assert rows[0] == ["学习网站", "网址", "类别"] and rows[1][1] == "https://cme.example.gov.cn/"


def test_the_pdf_uses_the_builtin_cjk_font_and_is_reproducible(tmp_path: Path) -> None:
    first = export(BID, tmp_path / "a.pdf").read_bytes()
    second = export(BID, tmp_path / "b.pdf").read_bytes()
    assert b"/BaseFont /STSong-Light" in first
    assert first == second
    assert "继续教育培训项目揭榜申请表" in pdf_text(tmp_path / "a.pdf")


def test_an_incomplete_form_still_exports_with_blanks(tmp_path: Path) -> None:
    text, rows = docx_text(export(Posting(project="只有名称"), tmp_path / "draft.docx"))
    table = dict((row[0], row[1:]) for row in rows)
    assert table["项目名称"] == ["只有名称"] and table["张榜单位（盖章）"] == [""]
    assert table["项目类型"] == [f"{UNCHECKED}开发课件　{UNCHECKED}搭建网站　{UNCHECKED}线下培训　{UNCHECKED}其他（＿＿＿＿）"]


def test_only_docx_and_pdf_are_written(tmp_path: Path) -> None:
    with pytest.raises(FormError, match=r"expected \.docx or \.pdf"):
        export(PLAN, tmp_path / "plan.odt")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_the_old_file_and_nothing_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cerules.forms.docx_writer

    target = tmp_path / "plan.docx"
    target.write_bytes(b"the old document")

    def broken(document: object, stream: BinaryIO) -> None:
        stream.write(b"half a document")
        raise RuntimeError("disk full")

    monkeypatch.setattr(cerules.forms.docx_writer, "render_docx", broken)
    with pytest.raises(RuntimeError):
        export(PLAN, target)
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == b"the old document"
    with pytest.raises(TypeError):
        export("not a form", tmp_path / "x.docx")  # type: ignore[arg-type]
