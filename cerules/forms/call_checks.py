"""Checking postings (Annex 2) and bids (Annex 3): every `Finding`, each with its key and clause.

Required fields, the project type, funding consistent with its amount, contacts, the bidder's
unified social credit code and its place in the registry of CE bases, and the call's lifecycle
and dates (a bid against its posting).
"""

from __future__ import annotations

from decimal import Decimal

import pendulum

from ..base.instants import SHANGHAI
from .call_lifecycle import CITE_CALLS, CITE_FILING, replay
from .calls import CITE_BID, CITE_POSTING, CITE_USCC, PROJECT_TYPES, Bid, BiddingUnit, Contacts, Funding, Posting
from .framework import Finding, FindingList
from .registry import BaseRegistry, load_registry
from .uscc import check_uscc
from .validators import is_email, is_landline, is_phone

MAX_AMOUNT_WAN = Decimal(10) ** 9
"""A sanity bound on amounts in 万元 (10^9 万元 = 10 万亿元, beyond any registered capital)."""
EARLIEST_FOUNDING = pendulum.datetime(1800, 1, 1, tz=SHANGHAI)
"""A guard against mistyped founding dates (0203 for 2003), not a rule of the notice."""

_TYPE_CHOICES = tuple((code, text.zh) for code, text in PROJECT_TYPES.items())
_CONTACT_FORMATS = (
    (
        "phone",
        is_phone,
        "{!r} is neither a mobile number (1[3-9] and 9 digits) nor a landline with area code (0531-12345678)",
        "{!r} 既不是手机号码（1[3-9] 开头共11位），也不是带区号的固定电话（如 0531-12345678）",
    ),
    ("email", is_email, "{!r} is not an e-mail address", "{!r} 不是有效的电子邮箱地址"),
    ("fax", is_landline, "{!r} is not a fax number with area code (0531-12345678)", "{!r} 不是带区号的传真号码（如 0531-12345678）"),
)
"""Each contact that has a format: the check, and what is said (en, zh) of a value that fails it."""


def check_posting(posting: Posting) -> list[Finding]:
    """Every problem in a posting (Annex 2), errors first."""
    found = FindingList(posting.file)
    found.required(
        "call.posting.required",
        CITE_POSTING,
        [
            ("posting.id", posting.id, "the posting's id, which bids refer to", "张榜项目标识 id（揭榜申请据此引用）"),
            ("posting.unit", posting.unit, "the posting unit", "张榜单位 unit"),
            ("posting.project", posting.project, "the project name", "项目名称 project"),
            ("posting.description", posting.description, "the project description", "项目简介 description"),
            (
                "posting.contractor_may_charge",
                posting.contractor_may_charge,
                "whether the contractor may charge fees",
                "是否允许揭榜单位收费 contractor_may_charge",
            ),
            (
                "posting.qualifications",
                posting.qualifications,
                "the qualifications required of the contractor",
                "揭榜单位资质要求 qualifications",
            ),
        ],
    )
    _check_type(found, posting.type, posting.type_detail, "posting", CITE_POSTING)
    _check_funding(found, posting.funding)
    _check_contacts(found, posting.contacts, CITE_POSTING, fax=False)
    found.extend(replay(posting.events())[1])
    if posting.deadline is not None and posting.published_at is not None and posting.deadline.last < posting.published_at.start:
        found.error(
            "posting.deadline",
            "call.dates.order",
            f"the deadline for bids ({posting.deadline}) is before the posting is published ({posting.published_at})",
            f"揭榜截止时间（{posting.deadline}）早于发布时间（{posting.published_at}）",
            CITE_CALLS,
        )
    return found.in_order()


def check_bid(
    bid: Bid,
    *,
    posting: Posting | None = None,
    registry: BaseRegistry | None = None,
    lenient_uscc: bool = False,
) -> list[Finding]:
    """Every problem in a bid (Annex 3), errors first.

    With the posting, the bid is also checked against it: its id, type and name, that it came
    while the posting was published (the lifecycle) and by its deadline. Without it those checks
    are skipped with a warning. `registry` defaults to the shipped (illustrative) one.
    """
    registry = registry if registry is not None else load_registry(lenient_uscc=lenient_uscc)
    found = FindingList(bid.file)
    found.required(
        "call.bid.required",
        CITE_BID,
        [
            ("bid.posting_id", bid.posting_id, "the id of the posting bid for", "所揭榜项目的标识 posting_id"),
            ("bid.project", bid.project, "the name of the project bid for", "揭榜项目名称 project"),
            ("bid.reasons", bid.reasons, "the reasons for the bid", "揭榜理由 reasons"),
            ("bid.submitted_at", bid.submitted_at, "when the bid was submitted", "揭榜申请提交时间 submitted_at"),
        ],
    )
    _check_type(found, bid.type, bid.type_detail, "bid", CITE_BID)
    if bid.unit is None:
        found.missing("unit", "call.bid.required", "the bidding unit ([unit])", "揭榜单位信息（[unit]）", CITE_BID)
    else:
        _check_unit(found, bid, bid.unit, lenient_uscc)
        _check_registry(found, bid.unit, registry)
    _check_contacts(found, bid.contacts, CITE_BID, fax=True)
    if posting is None:
        found.warning(
            "bid.posting_file",
            "call.bid.posting",
            "the posting is not given (bid.posting_file or --posting): whether it was published, its type and deadline are not checked",
            "未提供张榜申请（bid.posting_file 或 --posting）：未核对其是否已发布、项目类型和揭榜截止时间",
            f"{CITE_CALLS}; {CITE_FILING}",
        )
    else:
        _check_against_posting(found, bid, posting)
    return found.in_order()


def _check_type(found: FindingList, kind: str | None, detail: str | None, where: str, citation: str) -> None:
    if kind is None:
        found.missing(f"{where}.type", "call.type", "the project type", "项目类型 type", citation)
    elif found.one_of(f"{where}.type", "call.type", kind, _TYPE_CHOICES, "项目类型", f"{CITE_CALLS}; {citation}", quoted=False):
        if kind == "other" and not detail:
            what_zh = "项目类型为“其他”时，须说明具体内容 type_detail"
            found.missing(f"{where}.type_detail", "call.type-detail", "what the project is, for type other", what_zh, citation)


def _check_contacts(found: FindingList, contacts: Contacts | None, citation: str, *, fax: bool) -> None:
    if contacts is None:
        what_zh = "联系方式（[contacts]：联系人、电话、电子邮箱）"
        found.missing("contacts", "call.contacts", "the contacts ([contacts]: person, phone, email)", what_zh, citation)
        return
    found.required(
        "call.contacts",
        citation,
        [
            ("contacts.person", contacts.person, "the contact person", "联系人 person"),
            ("contacts.phone", contacts.phone, "the contact phone", "联系电话 phone"),
            ("contacts.email", contacts.email, "the contact e-mail", "电子邮箱 email"),
        ],
    )
    for name, valid, en, zh in _CONTACT_FORMATS:
        value = getattr(contacts, name)
        if value and not valid(value) and (fax or name != "fax"):
            found.error(f"contacts.{name}", f"call.contacts.{name}", en.format(value), zh.format(value), citation)


def _amount_problem(amount: Decimal) -> tuple[str, str] | None:
    if amount < 0:
        return f"expected an amount >= 0 (万元), got {amount}", f"金额（万元）不能为负数，实为 {amount}"
    if amount != amount.quantize(Decimal("0.0001")):
        return (
            f"expected at most four decimals of 万元 (one yuan), got {amount}",
            f"金额（万元）至多保留四位小数（精确到元），实为 {amount}",
        )
    if amount >= MAX_AMOUNT_WAN:
        return f"{amount} 万元 is not a plausible amount", f"{amount} 万元不是合理的金额"
    return None


def _check_funding(found: FindingList, funding: Funding | None) -> None:
    if funding is None:
        what_zh = "财政资金支持情况（[funding]：provided 是否支持、amount 金额）"
        found.missing("funding", "call.funding", "the financial support ([funding]: provided, amount)", what_zh, CITE_POSTING)
        return
    if funding.provided is None:
        what_zh = "是否有财政资金支持 provided（true/false）"
        found.missing("funding.provided", "call.funding", "whether there is financial support (true/false)", what_zh, CITE_POSTING)
    elif funding.provided and (funding.amount is None or funding.amount == 0):
        en = "financial support is provided, so give its amount (万元, > 0)"
        found.error("funding.amount", "call.funding", en, "有财政资金支持，须填写金额（万元，大于 0）", CITE_POSTING)
    elif not funding.provided and funding.amount:
        en = f"no financial support is provided, yet an amount of {funding.amount} 万元 is given"
        found.error("funding.amount", "call.funding", en, f"无财政资金支持，却填写了金额 {funding.amount} 万元", CITE_POSTING)
    if funding.amount is not None:
        found.problem("funding.amount", "call.funding.amount", _amount_problem(funding.amount), CITE_POSTING)


def _check_unit(found: FindingList, bid: Bid, unit: BiddingUnit, lenient_uscc: bool) -> None:
    found.required(
        "call.bid.required",
        CITE_BID,
        [
            ("unit.name", unit.name, "the bidding unit's name", "揭榜单位名称 name"),
            ("unit.address", unit.address, "the unit's address", "单位地址 address"),
            ("unit.uscc", unit.uscc, "the unified social credit code", "统一社会信用代码 uscc"),
            ("unit.registered_capital", unit.registered_capital, "the registered capital (万元)", "注册资本（万元）registered_capital"),
            ("unit.founded", unit.founded, "the date the unit was founded", "成立日期 founded"),
            ("unit.legal_representative", unit.legal_representative, "the legal representative", "法定代表人 legal_representative"),
            ("unit.introduction", unit.introduction, "an introduction of the unit", "单位简介 introduction"),
        ],
    )
    if unit.uscc:
        for uscc_problem in check_uscc(unit.uscc, lenient=lenient_uscc).problems:
            report = found.error if uscc_problem.severity == "error" else found.warning
            report("unit.uscc", f"call.uscc.{uscc_problem.reason}", uscc_problem.message_en, uscc_problem.message_zh, CITE_USCC)
    if (capital := unit.registered_capital) is not None:
        problem = ("expected an amount > 0 (万元)", "注册资本（万元）应大于 0") if capital <= 0 else _amount_problem(capital)
        found.problem("unit.registered_capital", "call.bid.capital", problem, CITE_BID)
    if (founded := unit.founded) is not None:
        submitted = bid.submitted_at
        if founded.start > (submitted.last if submitted else pendulum.now(SHANGHAI)):
            en = f"founded {founded}, after the bid was submitted" if submitted else f"founded {founded}, in the future"
            zh = f"成立日期 {founded} 晚于揭榜申请提交时间" if submitted else f"成立日期 {founded} 在未来"
            found.error("unit.founded", "call.bid.founded", en, zh, CITE_BID)
        elif founded.start < EARLIEST_FOUNDING:
            found.error(
                "unit.founded", "call.bid.founded", f"founded {founded}: not a plausible date", f"成立日期 {founded} 不合常理", CITE_BID
            )


def _check_registry(found: FindingList, unit: BiddingUnit, registry: BaseRegistry) -> None:
    """The bidder must be one of Shandong's CE bases (§3(3)): matched by its code, then its name."""
    if not unit.uscc and not unit.name:
        return
    base = registry.by_uscc(unit.uscc) if unit.uscc else None
    named = registry.by_name(unit.name) if unit.name else None
    cite = f"{CITE_CALLS}; SD-2023 §4(3)"
    listed = registry.file
    if base is not None:
        if unit.name and base.name != unit.name:
            found.warning(
                "unit.name",
                "call.bid.base",
                f"the registry ({listed}) names the base with this code {base.name!r}, not {unit.name!r}",
                f"基地名录（{listed}）中该代码对应的基地名称为 {base.name!r}，而非 {unit.name!r}",
                cite,
            )
    elif named is not None:
        found.error(
            "unit.uscc",
            "call.bid.base",
            f"{unit.name!r} is a CE base in the registry ({listed}) with the code {named.uscc}, not {unit.uscc}",
            f"{unit.name!r} 在基地名录（{listed}）中的统一社会信用代码为 {named.uscc}，而非 {unit.uscc}",
            cite,
        )
    else:
        found.error(
            "unit.uscc" if unit.uscc else "unit.name",
            "call.bid.base",
            f"the bidder is not a Shandong continuing-education base in the registry ({listed}): only CE bases may bid",
            f"揭榜单位不在山东省继续教育基地名录（{listed}）中：只有继续教育基地可以揭榜",
            cite,
        )


def _check_against_posting(found: FindingList, bid: Bid, posting: Posting) -> None:
    if bid.posting_id and posting.id and bid.posting_id != posting.id:
        found.error(
            "bid.posting_id",
            "call.bid.posting",
            f"the bid is for posting {bid.posting_id!r}, but the posting given is {posting.id!r} ({posting.file})",
            f"揭榜申请针对的张榜项目为 {bid.posting_id!r}，但提供的张榜申请为 {posting.id!r}（{posting.file}）",
            CITE_BID,
        )
        return
    if bid.type in PROJECT_TYPES and posting.type in PROJECT_TYPES and bid.type != posting.type:
        found.error(
            "bid.type",
            "call.bid.type",
            f"the bid's type {bid.type!r} differs from the posting's {posting.type!r}",
            f"揭榜项目类型（{PROJECT_TYPES[bid.type].zh}）与张榜项目类型（{PROJECT_TYPES[posting.type].zh}）不一致",
            f"{CITE_BID}; {CITE_POSTING}",
        )
    if bid.project and posting.project and bid.project != posting.project:
        found.warning(
            "bid.project",
            "call.bid.project",
            f"the project name {bid.project!r} differs from the posting's {posting.project!r}",
            f"揭榜项目名称 {bid.project!r} 与张榜项目名称 {posting.project!r} 不一致",
            CITE_BID,
        )
    _, findings = replay([*posting.events(), *bid.events()])
    found.extend(f for f in findings if f.file == bid.file)
    if any(f.file == posting.file for f in findings):
        found.error(
            "bid.posting_id",
            "call.bid.posting",
            f"the posting ({posting.file}) has lifecycle errors of its own; check it first",
            f"张榜申请（{posting.file}）本身的流程有误，请先检查张榜申请",
            CITE_FILING,
        )
    if bid.submitted_at and posting.deadline and bid.submitted_at.start > posting.deadline.last:
        found.error(
            "bid.submitted_at",
            "call.dates.order",
            f"submitted {bid.submitted_at}, after the posting's deadline {posting.deadline}",
            f"揭榜申请提交时间 {bid.submitted_at} 晚于揭榜截止时间 {posting.deadline}",
            CITE_CALLS,
        )


__all__ = ["EARLIEST_FOUNDING", "MAX_AMOUNT_WAN", "check_bid", "check_posting"]
