"""Plans, postings and bids as documents: Word (.docx) and PDF, in the layout of the annexes.

The notice asks for the study plans in Word and PDF (§4(1)) and for the posting and bid forms of
Annexes 2 and 3. Each document is first laid out once as a list of blocks (headings, paragraphs,
form tables with merged cells), then written by `docx_writer` (python-docx) or `pdf_writer`
(reportlab), so the two formats hold the same text. Both libraries are the optional extra
`cerules[forms]`.

Every text of a laid-out document passes through `document_text` when the document is built:
controls and characters XML cannot hold (U+0001, ESC, U+FFFE, lone surrogates) are left out, line
separators become line breaks, so an odd character in a form never makes the export fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import attrs

from ..base.files import atomic_output
from ..base.printable import document_text
from . import docx_writer, pdf_writer
from .calls import PROJECT_TYPES, Bid, Posting
from .framework import FormError, Moment
from .plans import MODES, ORGANISATIONS, SITE_KINDS, StudyPlan

SUFFIXES = (".docx", ".pdf")
CHECKED, UNCHECKED = "■", "□"
"""Check boxes; ■ and □ are in GB 2312, so the PDF font has them."""


@attrs.frozen
class Cell:
    text: str = attrs.field(converter=document_text)
    span: int = 1
    label: bool = False


@attrs.frozen
class Block:
    """One piece of a document: `annex`, `title`, `subtitle`, `heading`, `paragraph`, `table`
    (rows of cells over columns of relative `widths`) or `signature`."""

    kind: str
    text: str = attrs.field(default="", converter=document_text)
    rows: tuple[tuple[Cell, ...], ...] = ()
    widths: tuple[float, ...] = ()


@attrs.frozen
class Document:
    title: str = attrs.field(converter=document_text)
    author: str = attrs.field(converter=document_text)
    blocks: tuple[Block, ...]


# --------------------------------------------------------------------------------------------
# Layouts.
# --------------------------------------------------------------------------------------------


def _v(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Moment):
        return _zh_date(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _zh_date(moment: Moment) -> str:
    start = moment.start
    text = f"{start.year}年{start.month}月{start.day}日"
    return text if moment.date_only else f"{text} {start.format('HH:mm')}"


def _boxes(options: Sequence[tuple[str, str]], chosen: str | None, other_detail: str | None = None) -> str:
    parts = []
    for code, label in options:
        box = CHECKED if code == chosen else UNCHECKED
        text = f"{box}{label}"
        if code == "other":
            text += f"（{other_detail or '＿＿＿＿'}）"
        parts.append(text)
    return "　".join(parts)


def _yes_no(value: bool | None) -> str:
    return _boxes([("yes", "是"), ("no", "否")], None if value is None else ("yes" if value else "no"))


def _types(kind: str | None, detail: str | None) -> str:
    return _boxes([(code, text.zh) for code, text in PROJECT_TYPES.items()], kind, detail)


def _wide(label: str, value: Any) -> tuple[Cell, ...]:
    return (Cell(label, label=True), Cell(_v(value), span=3))


def _pair(label1: str, value1: Any, label2: str, value2: Any) -> tuple[Cell, ...]:
    return (Cell(label1, label=True), Cell(_v(value1)), Cell(label2, label=True), Cell(_v(value2)))


FORM_WIDTHS = (0.24, 0.27, 0.22, 0.27)


def plan_document(plan: StudyPlan) -> Document:
    """A study plan in the five parts of Annex 1."""
    department = plan.department.zh if plan.department else ""
    title = plan.title.zh if plan.title else f"{plan.year or ''}年度专业科目学习计划"
    blocks = [Block("title", title)]
    sub = "　".join(part for part in (department, plan.document or "", f"{plan.year}年度" if plan.year else "") if part)
    if sub:
        blocks.append(Block("subtitle", sub))
    blocks.append(Block("heading", "一、专业科目范围"))
    scope = plan.scope
    if scope is not None:
        for label, values in (
            ("行业", scope.industries),
            ("领域", scope.fields),
            ("职称系列", scope.title_series),
            ("专业", scope.specialties),
        ):
            if values:
                blocks.append(Block("paragraph", f"{label}：{'、'.join(values)}。"))
    blocks.append(Block("heading", "二、学习内容"))
    if plan.content is not None:
        if plan.content.summary:
            blocks.append(Block("paragraph", plan.content.summary))
        for index, topic in enumerate(plan.content.topics, start=1):
            blocks.append(Block("paragraph", f"（{_chinese_number(index)}）{topic}"))
    blocks.append(Block("heading", "三、学时要求"))
    if plan.hours is not None:
        if plan.hours.required is not None:
            blocks.append(Block("paragraph", f"专业科目每人每年累计不少于{_v(plan.hours.required)}学时。"))
        if plan.hours.deadline is not None:
            blocks.append(Block("paragraph", f"学习截止日期：{_v(plan.hours.deadline)}。"))
        if plan.hours.note:
            blocks.append(Block("paragraph", plan.hours.note))
    blocks.append(Block("heading", "四、学习形式"))
    form = plan.form
    if form is not None:
        if form.organisation:
            organisation = ORGANISATIONS[form.organisation].zh if form.organisation in ORGANISATIONS else form.organisation
            blocks.append(Block("paragraph", f"组织方式：{organisation}。"))
        if form.modes:
            modes = "、".join(MODES[m].zh if m in MODES else m for m in form.modes)
            blocks.append(Block("paragraph", f"学习方式：{modes}。"))
        if form.sites:
            rows = [(Cell("学习网站", label=True), Cell("网址", label=True), Cell("类别", label=True))]
            for site in form.sites:
                kind = SITE_KINDS[site.kind].zh if site.kind in SITE_KINDS else _v(site.kind)
                rows.append((Cell(_v(site.name)), Cell(_v(site.url)), Cell(kind)))
            blocks.append(Block("table", rows=tuple(rows), widths=(0.38, 0.47, 0.15)))
    blocks.append(Block("heading", "五、其他事项"))
    if plan.other:
        blocks.append(Block("paragraph", plan.other))
    when = plan.submitted_at
    blocks.append(Block("signature", f"{department}\n{_zh_date(Moment(when.start, date_only=True)) if when else '　　年　　月　　日'}"))
    return Document(title=title, author=department, blocks=tuple(blocks))


def posting_document(posting: Posting) -> Document:
    """A posting on the form of Annex 2 (继续教育培训项目张榜申请表)."""
    funding = posting.funding
    provided = funding.provided if funding else None
    amount = funding.amount if funding and funding.amount is not None else None
    rows = [
        _wide("张榜单位（盖章）", posting.unit),
        _wide("项目名称", posting.project),
        _wide("项目简介", posting.description),
        _wide("项目类型", _types(posting.type, posting.type_detail)),
        _pair("是否有财政资金支持", _yes_no(provided), "金额（万元）", amount),
        _wide("是否允许揭榜单位收费", _yes_no(posting.contractor_may_charge)),
        _wide("揭榜单位资质要求", posting.qualifications),
        _wide("其他要求", posting.other_requirements),
        _pair(
            "联系人",
            posting.contacts.person if posting.contacts else None,
            "联系电话",
            posting.contacts.phone if posting.contacts else None,
        ),
        _wide("电子邮箱", posting.contacts.email if posting.contacts else None),
    ]
    blocks = [
        Block("annex", "附件2"),
        Block("title", "继续教育培训项目张榜申请表"),
        Block("table", rows=tuple(rows), widths=FORM_WIDTHS),
    ]
    dates = [
        (label, m) for label, m in (("备案日期", posting.filed_at), ("发布日期", posting.published_at), ("揭榜截止", posting.deadline)) if m
    ]
    if dates:
        blocks.append(Block("paragraph", "；".join(f"{label}：{_v(m)}" for label, m in dates) + "。"))
    blocks.append(Block("signature", "张榜单位（盖章）\n　　年　　月　　日"))
    return Document(title=f"继续教育培训项目张榜申请表：{_v(posting.project)}", author=_v(posting.unit), blocks=tuple(blocks))


def bid_document(bid: Bid) -> Document:
    """A bid on the form of Annex 3 (继续教育培训项目揭榜申请表)."""
    unit = bid.unit
    contacts = bid.contacts

    def u(name: str) -> Any:
        return getattr(unit, name) if unit else None

    def c(name: str) -> Any:
        return getattr(contacts, name) if contacts else None

    rows = [
        _wide("揭榜单位（盖章）", u("name")),
        _wide("单位地址", u("address")),
        _wide("统一社会信用代码", u("uscc")),
        _pair("注册资本（万元）", u("registered_capital"), "成立日期", u("founded")),
        _pair("法定代表人", u("legal_representative"), "联系人", c("person")),
        _pair("联系电话", c("phone"), "传真", c("fax")),
        _wide("电子邮箱", c("email")),
        _wide("单位简介", u("introduction")),
        _wide("揭榜项目名称", bid.project),
        _wide("项目类型", _types(bid.type, bid.type_detail)),
        _wide("揭榜理由", bid.reasons),
    ]
    blocks = [Block("annex", "附件3"), Block("title", "继续教育培训项目揭榜申请表"), Block("table", rows=tuple(rows), widths=FORM_WIDTHS)]
    if bid.submitted_at:
        blocks.append(Block("paragraph", f"提交日期：{_v(bid.submitted_at)}。"))
    blocks.append(Block("signature", "揭榜单位（盖章）\n　　年　　月　　日"))
    return Document(title=f"继续教育培训项目揭榜申请表：{_v(bid.project)}", author=_v(u("name")), blocks=tuple(blocks))


def document_of(item: StudyPlan | Posting | Bid) -> Document:
    if isinstance(item, StudyPlan):
        return plan_document(item)
    if isinstance(item, Posting):
        return posting_document(item)
    if isinstance(item, Bid):
        return bid_document(item)
    raise TypeError(f"expected a StudyPlan, Posting or Bid, got {type(item).__name__}")


_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"


# --------------------------------------------------------------------------------------------
# Rendering.
# --------------------------------------------------------------------------------------------


def export(item: StudyPlan | Posting | Bid, path: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Write a plan, posting or bid as `.docx` or `.pdf` (by the suffix), all or nothing.

    Written as every output is (`cerules.base.files`): never over one of `inputs` (the form's own
    file), nor over a read-only file; through a link to its target; with the umask's mode.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        en = f"cannot export to {suffix or 'a file without suffix'}: expected .docx or .pdf"
        raise FormError("只能导出为 .docx 或 .pdf 文件", en, file=str(path))
    document = document_of(item)
    renderer: Callable[[Document, BinaryIO], None] = docx_writer.render_docx if suffix == ".docx" else pdf_writer.render_pdf
    with atomic_output(target, inputs=inputs) as stream:
        renderer(document, stream)
    return target


__all__ = ["Block", "Cell", "Document", "bid_document", "document_of", "export", "plan_document", "posting_document"]
