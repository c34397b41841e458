"""Open calls for training projects (揭榜挂帅, SD-2023 §3(3), §4(2), Annexes 2 and 3) as data.

An industry department posts a training need (张榜, the posting form of Annex 2), files it with
the provincial department (报备案) before publishing it, and Shandong's continuing-education
bases answer it (揭榜, the bid form of Annex 3); a successful pair signs a cooperation agreement.

- `load_posting`, `load_bid`, `load_call` read the TOML files (see docs/plans-and-calls.md);
- `check_posting`, `check_bid` (in `call_checks`) return `Finding`s (zh/en, key path, citation);
- `load_registry` (in `registry`) reads the registry of CE bases a bidder must belong to;
- the lifecycle draft → filed → published → bid → agreed is in `call_lifecycle`; `call_state`
  replays a posting's dates (and its bids') through it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ..base.text import Text
from .call_lifecycle import CallEvent, CallState, TimedEvent, replay
from .framework import Finding, FormError, Moment, TableReader, read_form

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


# What each table of a posting or bid file may hold, and as what (see TableReader.fields).
_POSTING_FIELDS: dict[str, type] = {
    "id": str,
    "unit": str,
    "project": str,
    "description": str,
    "type": str,
    "type_detail": str,
    "contractor_may_charge": bool,
    "qualifications": str,
    "other_requirements": str,
    "filed_at": Moment,
    "published_at": Moment,
    "deadline": Moment,
}
_FUNDING_FIELDS: dict[str, type] = {"provided": bool, "amount": Decimal}
_BID_FIELDS: dict[str, type] = {
    "posting_id": str,
    "posting_file": str,
    "project": str,
    "type": str,
    "type_detail": str,
    "reasons": str,
    "submitted_at": Moment,
    "agreed_at": Moment,
}
_UNIT_FIELDS: dict[str, type] = {
    "name": str,
    "address": str,
    "uscc": str,
    "registered_capital": Decimal,
    "founded": Moment,
    "legal_representative": str,
    "introduction": str,
}
_CONTACT_FIELDS: dict[str, type] = {"person": str, "phone": str, "email": str}


def _contacts(r: TableReader, table: Mapping[str, Any] | None, *, fax: bool) -> Contacts | None:
    """The contacts; a posting's form has no fax, a bid's has."""
    if table is None:
        return None
    return Contacts(**r.fields(table, {**_CONTACT_FIELDS, "fax": str} if fax else _CONTACT_FIELDS, "contacts"))


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    """The fields with the project type as its code (`开发课件` → `courseware`)."""
    kind = values["type"]
    return {**values, "type": _TYPE_WORDS.get(kind or "", kind)}


def posting_from_dict(document: Mapping[str, Any], *, file: str = "<memory>") -> Posting:
    r = TableReader(file)
    tables = r.fields(document, {"posting": dict, "funding": dict, "contacts": dict}, "")
    funding = tables["funding"]
    return Posting(
        **_typed(r.fields(tables["posting"] or {}, _POSTING_FIELDS, "posting")),
        funding=Funding(**r.fields(funding, _FUNDING_FIELDS, "funding")) if funding is not None else None,
        contacts=_contacts(r, tables["contacts"], fax=False),
        file=file,
    )


def bid_from_dict(document: Mapping[str, Any], *, file: str = "<memory>") -> Bid:
    r = TableReader(file)
    tables = r.fields(document, {"bid": dict, "unit": dict, "contacts": dict}, "")
    unit = tables["unit"]
    return Bid(
        **_typed(r.fields(tables["bid"] or {}, _BID_FIELDS, "bid")),
        unit=BiddingUnit(**r.fields(unit, _UNIT_FIELDS, "unit")) if unit is not None else None,
        contacts=_contacts(r, tables["contacts"], fax=True),
        file=file,
    )


def load_call(path: str | os.PathLike[str]) -> Posting | Bid:
    """A posting (a file with `[posting]`) or a bid (a file with `[bid]`)."""
    file, document = read_form(path)
    if "posting" in document and "bid" not in document:
        return posting_from_dict(document, file=file)
    if "bid" in document and "posting" not in document:
        return bid_from_dict(document, file=file)
    raise FormError(
        "应为张榜申请（含 [posting] 表，附件2）或揭榜申请（含 [bid] 表，附件3）",
        "expected a posting (a [posting] table, Annex 2) or a bid (a [bid] table, Annex 3)",
        file=file,
    )


def load_posting(path: str | os.PathLike[str]) -> Posting:
    call = load_call(path)
    if not isinstance(call, Posting):
        raise FormError("应为张榜申请（[posting]），实为揭榜申请", "expected a posting ([posting]), got a bid", file=call.file)
    return call


def load_bid(path: str | os.PathLike[str]) -> Bid:
    call = load_call(path)
    if not isinstance(call, Bid):
        raise FormError("应为揭榜申请（[bid]），实为张榜申请", "expected a bid ([bid]), got a posting", file=call.file)
    return call


def call_state(posting: Posting, bids: Iterable[Bid] = ()) -> tuple[CallState, list[Finding]]:
    """Where a call stands after its posting's dates and its bids' (refused events as findings)."""
    events = list(posting.events())
    for bid in bids:
        events += bid.events()
    return replay(events)


__all__ = [
    "PROJECT_TYPES",
    "Bid",
    "BiddingUnit",
    "Contacts",
    "Funding",
    "Posting",
    "bid_from_dict",
    "call_state",
    "load_bid",
    "load_call",
    "load_posting",
    "posting_from_dict",
]
