"""The lifecycle of an open call (揭榜挂帅): draft → filed → published → bid → agreed.

A posting is filed with the provincial department (报备案) before it is published (§4(2)); bids come
only while it is published, and a cooperation agreement closes it (§3(3)). `transition` returns
the next state or raises `TransitionRefused` saying why, in Chinese and English; `replay` runs a
call's dated events through it and turns each refused event into an error `Finding`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from ..base.errors import CeruleError
from ..base.text import Text
from .framework import Finding, Moment

CITE_CALLS = "SD-2023 §3(3)"
CITE_FILING = "SD-2023 §4(2)"


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


class TransitionRefused(CeruleError, ValueError):
    """An event that the call's state does not allow, with the reason in Chinese and English."""

    def __init__(self, state: CallState, event: CallEvent, reason_zh: str, reason_en: str, citation: str) -> None:
        self.state, self.event = state, event
        self.reason_en, self.reason_zh, self.citation = reason_en, reason_zh, citation
        super().__init__(
            f"{self.message('zh')}（{citation}）",
            f"cannot {event.value} a call that is {state.value}: {reason_en} ({citation})",
        )

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
    raise TransitionRefused(state, event, zh, en, citation)


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


__all__ = [
    "EVENT_LABELS",
    "REFUSALS",
    "STATE_LABELS",
    "TRANSITIONS",
    "CallEvent",
    "CallState",
    "TimedEvent",
    "TransitionRefused",
    "allowed_events",
    "replay",
    "transition",
]
