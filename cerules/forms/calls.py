"""Open calls for training projects (揭榜挂帅, SD-2023 §3(3), §4(2), Annexes 2 and 3) as data.

An industry department posts a training need (张榜, the posting form of Annex 2), files it with
the provincial department (报备案) before publishing it, and Shandong's continuing-education
bases answer it (揭榜, the bid form of Annex 3); a successful pair signs a cooperation agreement.

- `load_posting`, `load_bid`, `load_call` read the TOML files (see docs/plans-and-calls.md);
- `check_posting`, `check_bid` return `Finding`s (zh/en, key path, citation);
- `load_registry` reads the registry of CE bases a bidder must belong to;
- the lifecycle draft → filed → published → bid → agreed is `CallState`, `CallEvent` and
  `transition`, which returns the next state or raises `TransitionRefused` saying why;
  `call_state` replays a posting's dates (and its bids') through it.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pendulum

from ..base.instants import SHANGHAI
from ..rules.model import Text
from ..rules.regions import city_code
from .plans import Finding, FindingList, FormError, Moment, TableReader, is_email, is_landline, is_phone, parse_toml, read_toml
from .uscc import check_uscc

CITE_CALLS = "SD-2023 §3(3)"
CITE_FILING = "SD-2023 §4(2)"
CITE_POSTING = "SD-2023 Annex 2"
CITE_BID = "SD-2023 Annex 3"
CITE_USCC = "GB 32100-2015; SD-2023 Annex 3"

PROJECT_TYPES: dict[str, Text] = {
    "courseware": Text("开发课件", "courseware development"),
    "website": Text("搭建网站", "website building"),
    "offline-training": Text("线下培训", "offline training"),
    "other": Text("其他", "other"),
}
"""The four project types of Annexes 2 and 3 (§3(3))."""

_TYPE_WORDS = {
    "courseware": "courseware", "开发课件": "courseware", "课件开发": "courseware", "课件": "courseware",
    "website": "website", "搭建网站": "website", "网站搭建": "website", "网站": "website",
    "offline-training": "offline-training", "offline training": "offline-training", "线下培训": "offline-training",
    "other": "other", "其他": "other", "其它": "other",
}  # fmt: skip

BASE_LEVELS: dict[str, Text] = {
    "national": Text("国家级", "national"),
    "provincial": Text("省级", "provincial"),
    "city": Text("市级", "city"),
}
"""Levels of continuing-education bases (§3(3): bases of every level in Shandong may bid)."""

MAX_AMOUNT_WAN = Decimal(10) ** 9
"""A sanity bound on amounts in 万元 (10^9 万元 = 10 万亿元, beyond any registered capital)."""
EARLIEST_FOUNDING = pendulum.datetime(1800, 1, 1, tz=SHANGHAI)
"""A guard against mistyped founding dates (0203 for 2003), not a rule of the notice."""
SAMPLE_REGISTRY = "cerules/forms/data/ce_bases.toml"
"""How messages name the shipped (illustrative) registry."""


# --------------------------------------------------------------------------------------------
# The lifecycle.
# --------------------------------------------------------------------------------------------


class CallState(enum.StrEnum):
    """Where an open call stands."""

    DRAFT = "draft"
    FILED = "filed"
    PUBLISHED = "published"
    BID = "bid"
    AGREED = "agreed"

    @property
    def label(self) -> Text:
        return STATE_LABELS[self]


class CallEvent(enum.StrEnum):
    """What can happen to an open call."""

    FILE = "file"
    PUBLISH = "publish"
    BID = "bid"
    AGREE = "agree"

    @property
    def label(self) -> Text:
        return EVENT_LABELS[self]


STATE_LABELS = {
    CallState.DRAFT: Text("草拟", "draft"),
    CallState.FILED: Text("已备案", "filed"),
    CallState.PUBLISHED: Text("已发布（张榜）", "published"),
    CallState.BID: Text("已有揭榜", "bid received"),
    CallState.AGREED: Text("已签订合作协议", "agreed"),
}
EVENT_LABELS = {
    CallEvent.FILE: Text("报省人力资源社会保障厅备案", "file with the provincial department"),
    CallEvent.PUBLISH: Text("发布张榜", "publish"),
    CallEvent.BID: Text("揭榜（提交揭榜申请表）", "bid"),
    CallEvent.AGREE: Text("签订合作协议", "sign the cooperation agreement"),
}

TRANSITIONS: dict[tuple[CallState, CallEvent], tuple[CallState, str]] = {
    (CallState.DRAFT, CallEvent.FILE): (CallState.FILED, CITE_FILING),
    (CallState.FILED, CallEvent.PUBLISH): (CallState.PUBLISHED, CITE_FILING),
    (CallState.PUBLISHED, CallEvent.BID): (CallState.BID, CITE_CALLS),
    (CallState.BID, CallEvent.BID): (CallState.BID, CITE_CALLS),
    (CallState.BID, CallEvent.AGREE): (CallState.AGREED, CITE_CALLS),
}
"""The allowed transitions: (state, event) → (next state, the clause that allows it)."""

_CLOSED = ("the call is closed: a cooperation agreement has been signed", "揭榜已结束：已签订合作协议")
REFUSALS: dict[tuple[CallState, CallEvent], tuple[str, str, str]] = {
    (CallState.DRAFT, CallEvent.PUBLISH): (
        "a posting is filed with the provincial department before it is published",
        "张榜项目须先报省人力资源社会保障厅备案，方可发布",
        CITE_FILING,
    ),
    (CallState.DRAFT, CallEvent.BID): (
        "bids come only for published postings; this posting is still a draft",
        "只能对已发布的张榜项目揭榜；该项目尚在草拟中",
        f"{CITE_CALLS}; {CITE_FILING}",
    ),
    (CallState.DRAFT, CallEvent.AGREE): (
        "an agreement is signed with a bidder of a published posting; this posting is still a draft",
        "合作协议须与已发布张榜项目的揭榜单位签订；该项目尚在草拟中",
        CITE_CALLS,
    ),
    (CallState.FILED, CallEvent.FILE): ("the posting has already been filed", "该张榜项目已经备案", CITE_FILING),
    (CallState.FILED, CallEvent.BID): (
        "the posting is filed but not yet published; bids come only for published postings",
        "该项目已备案但尚未发布，只能对已发布的张榜项目揭榜",
        f"{CITE_CALLS}; {CITE_FILING}",
    ),
    (CallState.FILED, CallEvent.AGREE): (
        "the posting is not yet published, so there is no bidder to agree with",
        "该项目尚未发布，没有可签订合作协议的揭榜单位",
        CITE_CALLS,
    ),
    (CallState.PUBLISHED, CallEvent.FILE): ("the posting was filed before it was published", "该项目已备案并已发布", CITE_FILING),
    (CallState.PUBLISHED, CallEvent.PUBLISH): ("the posting is already published", "该项目已经发布", CITE_FILING),
    (CallState.PUBLISHED, CallEvent.AGREE): (
        "no bid has been received: an agreement is signed with a successful bidder",
        "尚无单位揭榜：合作协议须与揭榜成功的单位签订",
        CITE_CALLS,
    ),
    (CallState.BID, CallEvent.FILE): ("the posting was filed before it was published", "该项目已备案并已发布", CITE_FILING),
    (CallState.BID, CallEvent.PUBLISH): ("the posting is already published", "该项目已经发布", CITE_FILING),
    (CallState.AGREED, CallEvent.FILE): (*_CLOSED, CITE_CALLS),
    (CallState.AGREED, CallEvent.PUBLISH): (*_CLOSED, CITE_CALLS),
    (CallState.AGREED, CallEvent.BID): (
        "the call is closed: a cooperation agreement has been signed, no more bids are taken",
        "揭榜已结束：已签订合作协议，不再接受揭榜",
        CITE_CALLS,
    ),
    (CallState.AGREED, CallEvent.AGREE): ("a cooperation agreement has already been signed", "已经签订过合作协议", CITE_CALLS),
}
"""Why each other (state, event) pair is refused: English, Chinese, citation."""


class TransitionRefused(ValueError):
    """An event that the call's state does not allow, with the reason in Chinese and English."""

    def __init__(self, state: CallState, event: CallEvent, reason_en: str, reason_zh: str, citation: str) -> None:
        self.state, self.event = state, event
        self.reason_en, self.reason_zh, self.citation = reason_en, reason_zh, citation
        super().__init__(f"cannot {event.value} a call that is {state.value}: {reason_en} ({citation})")

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            return f"cannot {self.event.label.en} in state '{self.state.value}': {self.reason_en}"
        return f"在“{self.state.label.zh}”状态下不能{self.event.label.zh}：{self.reason_zh}"


def transition(state: CallState | str, event: CallEvent | str) -> CallState:
    """The state after `event`; raises TransitionRefused (with zh/en reason) when not allowed."""
    state, event = CallState(state), CallEvent(event)
    allowed = TRANSITIONS.get((state, event))
    if allowed is not None:
        return allowed[0]
    en, zh, citation = REFUSALS[(state, event)]
    raise TransitionRefused(state, event, en, zh, citation)


def allowed_events(state: CallState | str) -> tuple[CallEvent, ...]:
    return tuple(event for (s, event) in TRANSITIONS if s == CallState(state))


@attrs.frozen
class TimedEvent:
    """An event of a call at a moment, with the file and key that record it."""

    event: CallEvent
    at: Moment
    file: str
    key: str


def replay(events: Iterable[TimedEvent]) -> tuple[CallState, list[Finding]]:
    """Run events through the lifecycle in time order (equal times in lifecycle order).

    A refused event becomes an error finding at the key that records it, and is skipped.
    """
    order = list(CallEvent)
    state = CallState.DRAFT
    findings: list[Finding] = []
    for item in sorted(events, key=lambda e: (e.at.start, order.index(e.event))):
        try:
            state = transition(state, item.event)
        except TransitionRefused as refused:
            findings.append(
                Finding(
                    "error",
                    item.file,
                    item.key,
                    f"call.lifecycle.{refused.state.value}-{refused.event.value}",
                    f"{refused.message('en')} (on {item.at})",
                    f"{refused.message('zh')}（{item.at}）",
                    refused.citation,
                )
            )
    return state, findings


# --------------------------------------------------------------------------------------------
# The registry of continuing-education bases.
# --------------------------------------------------------------------------------------------


@attrs.frozen
class CeBase:
    """A continuing-education base (继续教育基地) in Shandong."""

    name: str
    uscc: str
    level: str
    city: str


@attrs.frozen
class BaseRegistry:
    """The CE bases a bidder must be one of (§3(3)), given as data."""

    bases: tuple[CeBase, ...]
    file: str = "<memory>"
    illustrative: bool = False

    def by_uscc(self, code: str) -> CeBase | None:
        return next((base for base in self.bases if base.uscc == code), None)

    def by_name(self, name: str) -> CeBase | None:
        return next((base for base in self.bases if base.name == name), None)


def load_registry(path: str | os.PathLike[str] | None = None, *, lenient_uscc: bool = False) -> BaseRegistry:
    """Read a registry of CE bases (default: the illustrative sample shipped in cerules/forms/data).

    Every base needs a name, a valid USCC, a level (national/provincial/city) and a Shandong
    city; a registry that breaks this is unusable (FormError).
    """
    if path is None:
        file = SAMPLE_REGISTRY
        document = parse_toml((resources.files("cerules.forms") / "data" / "ce_bases.toml").read_text(encoding="utf-8"), file)
    else:
        file, document = read_toml(path)
    r = TableReader(file)
    r.keys(document, ("registry", "bases"), "")
    meta = r.table(document, "registry") or {}
    r.keys(meta, ("title", "illustrative", "note"), "registry")
    bases: list[CeBase] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(r.tables(document, "bases", "")):
        where = f"bases[{index}]"
        r.keys(entry, ("name", "uscc", "level", "city"), where)
        values = {key: r.string(entry, key, where) for key in ("name", "uscc", "level", "city")}
        for key, value in values.items():
            if value is None:
                raise r.fail(f"{where}.{key}", "missing", "缺少此项")
        name, code, level, city = (str(values[k]) for k in ("name", "uscc", "level", "city"))
        result = check_uscc(code, lenient=lenient_uscc)
        if not result.valid:
            problem = result.errors[0]
            raise r.fail(f"{where}.uscc", problem.message_en, problem.message_zh)
        if code in seen:
            raise r.fail(f"{where}.uscc", f"the same code as bases[{seen[code]}]", f"与 bases[{seen[code]}] 代码重复")
        seen[code] = index
        if level not in BASE_LEVELS:
            raise r.fail(
                f"{where}.level",
                f"expected one of {', '.join(BASE_LEVELS)}, got {level!r}",
                f"应为 {', '.join(BASE_LEVELS)} 之一，实为 {level!r}",
            )
        try:
            city = city_code(city)
        except ValueError as exc:
            raise r.fail(f"{where}.city", str(exc), getattr(exc, "zh", str(exc))) from None
        bases.append(CeBase(name=name, uscc=code, level=level, city=city))
    return BaseRegistry(bases=tuple(bases), file=file, illustrative=bool(r.boolean(meta, "illustrative", "registry")))


# --------------------------------------------------------------------------------------------
# Postings and bids.
# --------------------------------------------------------------------------------------------


@attrs.frozen
class Contacts:
    person: str | None = None
    phone: str | None = None
    email: str | None = None
    fax: str | None = None


@attrs.frozen
class Funding:
    """Financial support (财政资金支持): yes or no, and the amount in 万元 (ten thousand yuan)."""

    provided: bool | None = None
    amount: Decimal | None = None


@attrs.frozen
class Posting:
    """A posting (张榜, Annex 2): a department's training-project need."""

    id: str | None = None
    unit: str | None = None
    project: str | None = None
    description: str | None = None
    type: str | None = None
    type_detail: str | None = None
    funding: Funding | None = None
    contractor_may_charge: bool | None = None
    qualifications: str | None = None
    other_requirements: str | None = None
    contacts: Contacts | None = None
    filed_at: Moment | None = None
    published_at: Moment | None = None
    deadline: Moment | None = None
    """The last moment bids are taken (a bare date: the whole day)."""
    file: str = "<memory>"

    def events(self) -> list[TimedEvent]:
        events = []
        if self.filed_at is not None:
            events.append(TimedEvent(CallEvent.FILE, self.filed_at, self.file, "posting.filed_at"))
        if self.published_at is not None:
            events.append(TimedEvent(CallEvent.PUBLISH, self.published_at, self.file, "posting.published_at"))
        return events


@attrs.frozen
class BiddingUnit:
    """The bidding unit (揭榜单位) of Annex 3."""

    name: str | None = None
    address: str | None = None
    uscc: str | None = None
    registered_capital: Decimal | None = None
    """In 万元 (ten thousand yuan)."""
    founded: Moment | None = None
    legal_representative: str | None = None
    introduction: str | None = None


@attrs.frozen
class Bid:
    """A bid (揭榜, Annex 3) for a posting."""

    posting_id: str | None = None
    posting_file: str | None = None
    """The posting's file, relative to the bid's file (optional)."""
    project: str | None = None
    type: str | None = None
    type_detail: str | None = None
    reasons: str | None = None
    submitted_at: Moment | None = None
    agreed_at: Moment | None = None
    """When the cooperation agreement with this bidder was signed, if it was."""
    unit: BiddingUnit | None = None
    contacts: Contacts | None = None
    file: str = "<memory>"

    def events(self) -> list[TimedEvent]:
        events = []
        if self.submitted_at is not None:
            events.append(TimedEvent(CallEvent.BID, self.submitted_at, self.file, "bid.submitted_at"))
        if self.agreed_at is not None:
            events.append(TimedEvent(CallEvent.AGREE, self.agreed_at, self.file, "bid.agreed_at"))
        return events

    def posting_path(self) -> Path | None:
        if not self.posting_file:
            return None
        return Path(self.file).parent / self.posting_file


_POSTING_KEYS = (
    "id", "unit", "project", "description", "type", "type_detail", "contractor_may_charge", "qualifications",
    "other_requirements", "filed_at", "published_at", "deadline",
)  # fmt: skip
_BID_KEYS = ("posting_id", "posting_file", "project", "type", "type_detail", "reasons", "submitted_at", "agreed_at")
_UNIT_KEYS = ("name", "address", "uscc", "registered_capital", "founded", "legal_representative", "introduction")


def _contacts(r: TableReader, document: Mapping[str, Any], *, fax: bool) -> Contacts | None:
    table = r.table(document, "contacts")
    if table is None:
        return None
    r.keys(table, ("person", "phone", "email", "fax") if fax else ("person", "phone", "email"), "contacts")
    return Contacts(
        person=r.string(table, "person", "contacts"),
        phone=r.string(table, "phone", "contacts"),
        email=r.string(table, "email", "contacts"),
        fax=r.string(table, "fax", "contacts") if fax else None,
    )


def posting_from_dict(document: Mapping[str, Any], *, file: str = "<memory>") -> Posting:
    r = TableReader(file)
    r.keys(document, ("posting", "funding", "contacts"), "")
    meta = r.table(document, "posting") or {}
    r.keys(meta, _POSTING_KEYS, "posting")
    funding = None
    if (table := r.table(document, "funding")) is not None:
        r.keys(table, ("provided", "amount"), "funding")
        funding = Funding(provided=r.boolean(table, "provided", "funding"), amount=r.number(table, "amount", "funding"))
    kind = r.string(meta, "type", "posting")
    return Posting(
        id=r.string(meta, "id", "posting"),
        unit=r.string(meta, "unit", "posting"),
        project=r.string(meta, "project", "posting"),
        description=r.string(meta, "description", "posting"),
        type=_TYPE_WORDS.get(kind or "", kind),
        type_detail=r.string(meta, "type_detail", "posting"),
        funding=funding,
        contractor_may_charge=r.boolean(meta, "contractor_may_charge", "posting"),
        qualifications=r.string(meta, "qualifications", "posting"),
        other_requirements=r.string(meta, "other_requirements", "posting"),
        contacts=_contacts(r, document, fax=False),
        filed_at=r.moment(meta, "filed_at", "posting"),
        published_at=r.moment(meta, "published_at", "posting"),
        deadline=r.moment(meta, "deadline", "posting"),
        file=file,
    )


def bid_from_dict(document: Mapping[str, Any], *, file: str = "<memory>") -> Bid:
    r = TableReader(file)
    r.keys(document, ("bid", "unit", "contacts"), "")
    meta = r.table(document, "bid") or {}
    r.keys(meta, _BID_KEYS, "bid")
    unit = None
    if (table := r.table(document, "unit")) is not None:
        r.keys(table, _UNIT_KEYS, "unit")
        unit = BiddingUnit(
            name=r.string(table, "name", "unit"),
            address=r.string(table, "address", "unit"),
            uscc=r.string(table, "uscc", "unit"),
            registered_capital=r.number(table, "registered_capital", "unit"),
            founded=r.moment(table, "founded", "unit"),
            legal_representative=r.string(table, "legal_representative", "unit"),
            introduction=r.string(table, "introduction", "unit"),
        )
    kind = r.string(meta, "type", "bid")
    return Bid(
        posting_id=r.string(meta, "posting_id", "bid"),
        posting_file=r.string(meta, "posting_file", "bid"),
        project=r.string(meta, "project", "bid"),
        type=_TYPE_WORDS.get(kind or "", kind),
        type_detail=r.string(meta, "type_detail", "bid"),
        reasons=r.string(meta, "reasons", "bid"),
        submitted_at=r.moment(meta, "submitted_at", "bid"),
        agreed_at=r.moment(meta, "agreed_at", "bid"),
        unit=unit,
        contacts=_contacts(r, document, fax=True),
        file=file,
    )


def load_call(path: str | os.PathLike[str]) -> Posting | Bid:
    """A posting (a file with `[posting]`) or a bid (a file with `[bid]`)."""
    file, document = read_toml(path)
    if "posting" in document and "bid" not in document:
        return posting_from_dict(document, file=file)
    if "bid" in document and "posting" not in document:
        return bid_from_dict(document, file=file)
    raise FormError(
        file,
        None,
        "expected a posting (a [posting] table, Annex 2) or a bid (a [bid] table, Annex 3)",
        "应为张榜申请（含 [posting] 表，附件2）或揭榜申请（含 [bid] 表，附件3）",
    )


def load_posting(path: str | os.PathLike[str]) -> Posting:
    call = load_call(path)
    if not isinstance(call, Posting):
        raise FormError(call.file, None, "expected a posting ([posting]), got a bid", "应为张榜申请（[posting]），实为揭榜申请")
    return call


def load_bid(path: str | os.PathLike[str]) -> Bid:
    call = load_call(path)
    if not isinstance(call, Bid):
        raise FormError(call.file, None, "expected a bid ([bid]), got a posting", "应为揭榜申请（[bid]），实为张榜申请")
    return call


# --------------------------------------------------------------------------------------------
# Checks.
# --------------------------------------------------------------------------------------------


def _required(found: FindingList, items: Sequence[tuple[str, Any, str, str]], rule: str, citation: str) -> None:
    for key, value, en, zh in items:
        if value is None:
            found.missing(key, rule, en, zh, citation)


def _check_type(found: FindingList, kind: str | None, detail: str | None, where: str, citation: str) -> None:
    if kind is None:
        found.missing(f"{where}.type", "call.type", "the project type", "项目类型 type", citation)
    elif kind not in PROJECT_TYPES:
        found.error(
            f"{where}.type",
            "call.type",
            f"expected courseware (开发课件), website (搭建网站), offline-training (线下培训) or other (其他), got {kind!r}",
            f"项目类型应为开发课件（courseware）、搭建网站（website）、线下培训（offline-training）或其他（other），实为 {kind!r}",
            f"{CITE_CALLS}; {citation}",
        )
    elif kind == "other" and not detail:
        found.missing(
            f"{where}.type_detail",
            "call.type-detail",
            "what the project is, for type other",
            "项目类型为“其他”时，须说明具体内容 type_detail",
            citation,
        )


def _check_contacts(found: FindingList, contacts: Contacts | None, citation: str, *, fax: bool) -> None:
    if contacts is None:
        found.missing(
            "contacts",
            "call.contacts",
            "the contacts ([contacts]: person, phone, email)",
            "联系方式（[contacts]：联系人、电话、电子邮箱）",
            citation,
        )
        return
    _required(
        found,
        [
            ("contacts.person", contacts.person, "the contact person", "联系人 person"),
            ("contacts.phone", contacts.phone, "the contact phone", "联系电话 phone"),
            ("contacts.email", contacts.email, "the contact e-mail", "电子邮箱 email"),
        ],
        "call.contacts",
        citation,
    )
    if contacts.phone and not is_phone(contacts.phone):
        found.error(
            "contacts.phone",
            "call.contacts.phone",
            f"{contacts.phone!r} is neither a mobile number (1[3-9] and 9 digits) nor a landline with area code (0531-12345678)",
            f"{contacts.phone!r} 既不是手机号码（1[3-9] 开头共11位），也不是带区号的固定电话（如 0531-12345678）",
            citation,
        )
    if contacts.email and not is_email(contacts.email):
        found.error(
            "contacts.email",
            "call.contacts.email",
            f"{contacts.email!r} is not an e-mail address",
            f"{contacts.email!r} 不是有效的电子邮箱地址",
            citation,
        )
    if fax and contacts.fax and not is_landline(contacts.fax):
        found.error(
            "contacts.fax",
            "call.contacts.fax",
            f"{contacts.fax!r} is not a fax number with area code (0531-12345678)",
            f"{contacts.fax!r} 不是带区号的传真号码（如 0531-12345678）",
            citation,
        )


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


def check_posting(posting: Posting) -> list[Finding]:
    """Every problem in a posting (Annex 2), errors first."""
    found = FindingList(posting.file)
    _required(
        found,
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
        "call.posting.required",
        CITE_POSTING,
    )
    _check_type(found, posting.type, posting.type_detail, "posting", CITE_POSTING)
    _check_funding(found, posting.funding)
    _check_contacts(found, posting.contacts, CITE_POSTING, fax=False)
    _, lifecycle = replay(posting.events())
    found.extend(lifecycle)
    if posting.deadline is not None and posting.published_at is not None and posting.deadline.last < posting.published_at.start:
        found.error(
            "posting.deadline",
            "call.dates.order",
            f"the deadline for bids ({posting.deadline}) is before the posting is published ({posting.published_at})",
            f"揭榜截止时间（{posting.deadline}）早于发布时间（{posting.published_at}）",
            CITE_CALLS,
        )
    return sorted(found, key=lambda f: f.severity != "error")


def _check_funding(found: FindingList, funding: Funding | None) -> None:
    if funding is None:
        found.missing(
            "funding",
            "call.funding",
            "the financial support ([funding]: provided, amount)",
            "财政资金支持情况（[funding]：provided 是否支持、amount 金额）",
            CITE_POSTING,
        )
        return
    if funding.provided is None:
        found.missing(
            "funding.provided",
            "call.funding",
            "whether there is financial support (true/false)",
            "是否有财政资金支持 provided（true/false）",
            CITE_POSTING,
        )
    elif funding.provided and (funding.amount is None or funding.amount == 0):
        found.error(
            "funding.amount",
            "call.funding",
            "financial support is provided, so give its amount (万元, > 0)",
            "有财政资金支持，须填写金额（万元，大于 0）",
            CITE_POSTING,
        )
    elif not funding.provided and funding.amount:
        found.error(
            "funding.amount",
            "call.funding",
            f"no financial support is provided, yet an amount of {funding.amount} 万元 is given",
            f"无财政资金支持，却填写了金额 {funding.amount} 万元",
            CITE_POSTING,
        )
    if funding.amount is not None and (problem := _amount_problem(funding.amount)):
        found.error("funding.amount", "call.funding.amount", problem[0], problem[1], CITE_POSTING)


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
    _required(
        found,
        [
            ("bid.posting_id", bid.posting_id, "the id of the posting bid for", "所揭榜项目的标识 posting_id"),
            ("bid.project", bid.project, "the name of the project bid for", "揭榜项目名称 project"),
            ("bid.reasons", bid.reasons, "the reasons for the bid", "揭榜理由 reasons"),
            ("bid.submitted_at", bid.submitted_at, "when the bid was submitted", "揭榜申请提交时间 submitted_at"),
        ],
        "call.bid.required",
        CITE_BID,
    )
    _check_type(found, bid.type, bid.type_detail, "bid", CITE_BID)
    _check_unit(found, bid, registry, lenient_uscc)
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
    return sorted(found, key=lambda f: f.severity != "error")


def _check_unit(found: FindingList, bid: Bid, registry: BaseRegistry, lenient_uscc: bool) -> None:
    unit = bid.unit
    if unit is None:
        found.missing("unit", "call.bid.required", "the bidding unit ([unit])", "揭榜单位信息（[unit]）", CITE_BID)
        return
    _required(
        found,
        [
            ("unit.name", unit.name, "the bidding unit's name", "揭榜单位名称 name"),
            ("unit.address", unit.address, "the unit's address", "单位地址 address"),
            ("unit.uscc", unit.uscc, "the unified social credit code", "统一社会信用代码 uscc"),
            ("unit.registered_capital", unit.registered_capital, "the registered capital (万元)", "注册资本（万元）registered_capital"),
            ("unit.founded", unit.founded, "the date the unit was founded", "成立日期 founded"),
            ("unit.legal_representative", unit.legal_representative, "the legal representative", "法定代表人 legal_representative"),
            ("unit.introduction", unit.introduction, "an introduction of the unit", "单位简介 introduction"),
        ],
        "call.bid.required",
        CITE_BID,
    )
    if unit.uscc:
        result = check_uscc(unit.uscc, lenient=lenient_uscc)
        for uscc_problem in result.problems:
            report = found.error if uscc_problem.severity == "error" else found.warning
            report("unit.uscc", f"call.uscc.{uscc_problem.reason}", uscc_problem.message_en, uscc_problem.message_zh, CITE_USCC)
    if unit.registered_capital is not None:
        capital = unit.registered_capital
        problem = ("expected an amount > 0 (万元)", "注册资本（万元）应大于 0") if capital <= 0 else _amount_problem(capital)
        if problem:
            found.error("unit.registered_capital", "call.bid.capital", problem[0], problem[1], CITE_BID)
    if unit.founded is not None:
        latest = bid.submitted_at.last if bid.submitted_at else pendulum.now(SHANGHAI)
        if unit.founded.start > latest:
            found.error(
                "unit.founded",
                "call.bid.founded",
                f"founded {unit.founded}, after the bid was submitted" if bid.submitted_at else f"founded {unit.founded}, in the future",
                f"成立日期 {unit.founded} 晚于揭榜申请提交时间" if bid.submitted_at else f"成立日期 {unit.founded} 在未来",
                CITE_BID,
            )
        elif unit.founded.start < EARLIEST_FOUNDING:
            found.error(
                "unit.founded",
                "call.bid.founded",
                f"founded {unit.founded}: not a plausible date",
                f"成立日期 {unit.founded} 不合常理",
                CITE_BID,
            )
    _check_registry(found, unit, registry)


def _check_registry(found: FindingList, unit: BiddingUnit, registry: BaseRegistry) -> None:
    """The bidder must be one of Shandong's CE bases (§3(3)): matched by its code, then its name."""
    if not unit.uscc and not unit.name:
        return
    base = registry.by_uscc(unit.uscc) if unit.uscc else None
    named = registry.by_name(unit.name) if unit.name else None
    cite = f"{CITE_CALLS}; SD-2023 §4(3)"
    if base is not None:
        if unit.name and base.name != unit.name:
            found.warning(
                "unit.name",
                "call.bid.base",
                f"the registry ({registry.file}) names the base with this code {base.name!r}, not {unit.name!r}",
                f"基地名录（{registry.file}）中该代码对应的基地名称为 {base.name!r}，而非 {unit.name!r}",
                cite,
            )
        return
    if named is not None:
        found.error(
            "unit.uscc",
            "call.bid.base",
            f"{unit.name!r} is a CE base in the registry ({registry.file}) with the code {named.uscc}, not {unit.uscc}",
            f"{unit.name!r} 在基地名录（{registry.file}）中的统一社会信用代码为 {named.uscc}，而非 {unit.uscc}",
            cite,
        )
        return
    found.error(
        "unit.uscc" if unit.uscc else "unit.name",
        "call.bid.base",
        f"the bidder is not a Shandong continuing-education base in the registry ({registry.file}): only CE bases may bid",
        f"揭榜单位不在山东省继续教育基地名录（{registry.file}）中：只有继续教育基地可以揭榜",
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


def call_state(posting: Posting, bids: Iterable[Bid] = ()) -> tuple[CallState, list[Finding]]:
    """Where a call stands after its posting's dates and its bids' (refused events as findings)."""
    events = list(posting.events())
    for bid in bids:
        events += bid.events()
    return replay(events)


__all__ = [
    "BASE_LEVELS",
    "PROJECT_TYPES",
    "REFUSALS",
    "TRANSITIONS",
    "BaseRegistry",
    "Bid",
    "BiddingUnit",
    "CallEvent",
    "CallState",
    "CeBase",
    "Contacts",
    "Funding",
    "Posting",
    "TimedEvent",
    "TransitionRefused",
    "allowed_events",
    "bid_from_dict",
    "call_state",
    "check_bid",
    "check_posting",
    "load_bid",
    "load_call",
    "load_posting",
    "load_registry",
    "posting_from_dict",
    "replay",
]
