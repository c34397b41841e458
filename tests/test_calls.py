"""Open calls (揭榜挂帅): postings (Annex 2), bids (Annex 3), the registry of CE bases and the
lifecycle draft → filed → published → bid → agreed."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from cerules.forms.call_checks import check_bid, check_posting
from cerules.forms.call_lifecycle import REFUSALS, TRANSITIONS, CallEvent, CallState, TransitionRefused, allowed_events, transition
from cerules.forms.calls import PROJECT_TYPES, Bid, Posting, bid_from_dict, call_state, load_bid, load_call, load_posting, posting_from_dict
from cerules.forms.framework import Finding, FormError
from cerules.forms.registry import load_registry
from cerules.forms.uscc import check_character

CALLS = Path(__file__).resolve().parent.parent / "examples" / "calls"
POSTING: dict[str, Any] = tomllib.loads((CALLS / "posting.toml").read_text(encoding="utf-8"))
BID: dict[str, Any] = tomllib.loads((CALLS / "bid.toml").read_text(encoding="utf-8"))
DELETE = object()
OUTSIDER = "91370100MA3ABCDE1" + check_character("91370100MA3ABCDE1")  # valid, but not a CE base


def changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        table = doc
        for key in parents:
            table = table.setdefault(key, {})
        if value is DELETE:
            table.pop(last, None)
        else:
            table[last] = value
    return doc


def posting(**changes: Any) -> Posting:
    return posting_from_dict(changed(POSTING, changes), file="posting.toml")


def bid(**changes: Any) -> Bid:
    return bid_from_dict(changed(BID, changes), file="bid.toml")


def rules_of(found: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.severity, f.rule, f.key) for f in found}


def bid_findings(*, posting_changes: dict[str, Any] | None = None, lenient: bool = False, **changes: Any) -> list[Finding]:
    return check_bid(bid(**changes), posting=posting(**(posting_changes or {})), registry=load_registry(), lenient_uscc=lenient)


# --- the lifecycle -----------------------------------------------------------------------------------

ALL_PAIRS = list(itertools.product(CallState, CallEvent))
ALLOWED = {
    (CallState.DRAFT, CallEvent.FILE): CallState.FILED,
    (CallState.FILED, CallEvent.PUBLISH): CallState.PUBLISHED,
    (CallState.PUBLISHED, CallEvent.BID): CallState.BID,
    (CallState.BID, CallEvent.BID): CallState.BID,
    (CallState.BID, CallEvent.AGREE): CallState.AGREED,
}


def test_every_state_and_event_is_either_allowed_or_refused_with_a_reason() -> None:
    assert set(TRANSITIONS) | set(REFUSALS) == set(ALL_PAIRS)
    assert not set(TRANSITIONS) & set(REFUSALS)
    assert {pair: target for pair, (target, _) in TRANSITIONS.items()} == ALLOWED


@pytest.mark.parametrize(("state", "event"), list(ALLOWED), ids=lambda x: x.value)
def test_allowed_transitions(state: CallState, event: CallEvent) -> None:
    assert transition(state, event) is ALLOWED[(state, event)]
    assert transition(state.value, event.value) is ALLOWED[(state, event)]  # words work too
    assert event in allowed_events(state)


@pytest.mark.parametrize(("state", "event"), [pair for pair in ALL_PAIRS if pair not in ALLOWED], ids=lambda x: x.value)
def test_refused_transitions_explain_why_in_both_languages(state: CallState, event: CallEvent) -> None:
    with pytest.raises(TransitionRefused) as caught:
        transition(state, event)
    refused = caught.value
    assert (refused.state, refused.event) == (state, event)
    assert refused.reason_en and refused.reason_zh and refused.citation.startswith("SD-2023 §")
    assert refused.reason_en in refused.message("en") and refused.reason_zh in refused.message("zh")
    assert event not in allowed_events(state)


def test_publishing_a_draft_is_refused_because_it_must_be_filed_first() -> None:
    with pytest.raises(TransitionRefused, match="filed with the provincial department before it is published") as caught:
        transition("draft", "publish")
    assert "备案" in caught.value.reason_zh and caught.value.citation == "SD-2023 §4(2)"


def test_a_whole_call_from_draft_to_agreement() -> None:
    state = CallState.DRAFT
    for event in ("file", "publish", "bid", "bid", "agree"):
        state = transition(state, event)
    assert state is CallState.AGREED
    with pytest.raises(TransitionRefused, match="closed"):
        transition(state, "bid")


def test_an_unknown_state_or_event_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        transition("archived", "file")
    with pytest.raises(ValueError):
        transition("draft", "withdraw")


# --- postings -------------------------------------------------------------------------------------------


def test_the_example_posting_is_valid_and_published() -> None:
    example = load_posting(CALLS / "posting.toml")
    assert check_posting(example) == []
    assert call_state(example)[0] is CallState.PUBLISHED


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"posting__id": DELETE}, "posting.id"),
        ({"posting__unit": DELETE}, "posting.unit"),
        ({"posting__project": ""}, "posting.project"),
        ({"posting__description": DELETE}, "posting.description"),
        ({"posting__contractor_may_charge": DELETE}, "posting.contractor_may_charge"),
        ({"posting__qualifications": DELETE}, "posting.qualifications"),
    ],
)
def test_a_posting_needs_every_field_of_annex_2(changes: dict[str, Any], key: str) -> None:
    assert ("error", "call.posting.required", key) in rules_of(check_posting(posting(**changes)))


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("courseware", "courseware"),
        ("开发课件", "courseware"),
        ("website", "website"),
        ("搭建网站", "website"),
        ("offline-training", "offline-training"),
        ("线下培训", "offline-training"),
    ],
)
def test_the_four_project_types_pass(word: str, code: str) -> None:
    item = posting(posting__type=word)
    assert item.type == code and check_posting(item) == []


def test_another_project_type_fails() -> None:
    assert ("error", "call.type", "posting.type") in rules_of(check_posting(posting(posting__type="consulting")))
    assert ("error", "call.type", "posting.type") in rules_of(check_posting(posting(posting__type=DELETE)))
    assert set(PROJECT_TYPES) == {"courseware", "website", "offline-training", "other"}


def test_type_other_needs_to_say_what() -> None:
    assert ("error", "call.type-detail", "posting.type_detail") in rules_of(check_posting(posting(posting__type="其他")))
    assert check_posting(posting(posting__type="other", posting__type_detail="教材编写")) == []


@pytest.mark.parametrize(
    "funding", [{"provided": True, "amount": 30}, {"provided": True, "amount": 0.5}, {"provided": False}, {"provided": False, "amount": 0}]
)
def test_funding_consistent_with_the_amount_passes(funding: dict[str, Any]) -> None:
    assert check_posting(posting(funding=funding)) == []


@pytest.mark.parametrize(
    ("funding", "rule"),
    [
        ({"provided": True}, "call.funding"),
        ({"provided": True, "amount": 0}, "call.funding"),
        ({"provided": False, "amount": 5}, "call.funding"),
        ({"provided": True, "amount": -3}, "call.funding.amount"),
        ({"provided": True, "amount": 1.23456}, "call.funding.amount"),
        ({"provided": True, "amount": 2e9}, "call.funding.amount"),
    ],
)
def test_funding_inconsistent_with_the_amount_fails(funding: dict[str, Any], rule: str) -> None:
    assert ("error", rule, "funding.amount") in rules_of(check_posting(posting(funding=funding)))


def test_funding_must_be_stated() -> None:
    assert ("error", "call.funding", "funding") in rules_of(check_posting(posting(funding=DELETE)))
    assert ("error", "call.funding", "funding.provided") in rules_of(check_posting(posting(funding={"amount": 3})))


def test_contacts_are_required_and_well_formed() -> None:
    assert ("error", "call.contacts", "contacts") in rules_of(check_posting(posting(contacts=DELETE)))
    assert ("error", "call.contacts", "contacts.person") in rules_of(check_posting(posting(contacts__person=DELETE)))
    assert ("error", "call.contacts.phone", "contacts.phone") in rules_of(check_posting(posting(contacts__phone="12345")))
    assert ("error", "call.contacts.email", "contacts.email") in rules_of(check_posting(posting(contacts__email="cme@example")))
    assert check_posting(posting(contacts__phone="13912345678")) == []


def test_a_posting_has_no_fax() -> None:
    with pytest.raises(FormError, match="key 'contacts.fax'"):
        posting(contacts__fax="0531-1234567")


def test_a_posting_is_filed_before_it_is_published() -> None:
    unfiled = check_posting(posting(posting__filed_at=DELETE))
    assert ("error", "call.lifecycle.draft-publish", "posting.published_at") in rules_of(unfiled)
    late = posting(posting__filed_at=dt.date(2023, 5, 20))
    [error] = check_posting(late)
    assert (error.rule, error.key) == ("call.lifecycle.draft-publish", "posting.published_at")
    assert "2023-05-15" in error.message_en
    assert call_state(late)[0] is CallState.FILED  # the refused publication did not happen
    same_day = posting(posting__filed_at=dt.date(2023, 5, 15))
    assert check_posting(same_day) == []


def test_the_state_follows_the_dates() -> None:
    assert call_state(posting(posting__filed_at=DELETE, posting__published_at=DELETE))[0] is CallState.DRAFT
    assert call_state(posting(posting__published_at=DELETE))[0] is CallState.FILED
    assert call_state(posting())[0] is CallState.PUBLISHED


def test_the_bid_deadline_comes_after_publication() -> None:
    found = check_posting(posting(posting__deadline=dt.date(2023, 5, 14)))
    assert rules_of(found) == {("error", "call.dates.order", "posting.deadline")}
    assert check_posting(posting(posting__deadline=dt.date(2023, 5, 15))) == []  # the whole day of publication


# --- bids ---------------------------------------------------------------------------------------------


def test_the_example_bid_is_valid_and_the_call_agreed() -> None:
    example = load_bid(CALLS / "bid.toml")
    the_posting = load_posting(example.posting_path() or "")
    assert check_bid(example, posting=the_posting) == []
    assert call_state(the_posting, [example])[0] is CallState.AGREED


@pytest.mark.parametrize(
    "key",
    [
        "bid__posting_id",
        "bid__project",
        "bid__reasons",
        "bid__submitted_at",
        "unit__name",
        "unit__address",
        "unit__uscc",
        "unit__registered_capital",
        "unit__founded",
        "unit__legal_representative",
        "unit__introduction",
        "contacts__person",
        "contacts__phone",
        "contacts__email",
    ],
)
def test_a_bid_needs_every_field_of_annex_3(key: str) -> None:
    found = check_bid(bid(**{key: DELETE}), posting=None)
    assert any(f.severity == "error" and f.key == key.replace("__", ".") for f in found)


def test_a_bid_needs_its_unit_and_a_known_type() -> None:
    assert ("error", "call.bid.required", "unit") in rules_of(check_bid(bid(unit=DELETE)))
    assert ("error", "call.type", "bid.type") in rules_of(check_bid(bid(bid__type="培训")))


def test_fax_is_optional_but_must_be_a_landline() -> None:
    assert bid_findings(contacts__fax=DELETE) == []
    assert ("error", "call.contacts.fax", "contacts.fax") in rules_of(bid_findings(contacts__fax="13812345678"))


def test_the_uscc_is_checked_by_its_check_character() -> None:
    wrong = "12370800MB2J3K4L5A"  # the example's code with another check character
    found = bid_findings(unit__uscc=wrong)
    assert ("error", "call.uscc.check", "unit.uscc") in rules_of(found)
    assert any("'E'" in f.message_en for f in found if f.rule == "call.uscc.check")


def test_lenient_mode_reports_a_failed_check_character_as_a_warning(tmp_path: Path) -> None:
    wrong = "12370800MB2J3K4L5A"
    path = tmp_path / "bases.toml"
    path.write_text(
        tomli_w.dumps({"bases": [{"name": BID["unit"]["name"], "uscc": wrong, "level": "provincial", "city": "济宁"}]}), encoding="utf-8"
    )
    with pytest.raises(FormError, match="check character"):
        load_registry(path)
    registry = load_registry(path, lenient_uscc=True)
    found = check_bid(bid(unit__uscc=wrong), posting=posting(), registry=registry, lenient_uscc=True)
    assert rules_of(found) == {("warning", "call.uscc.check", "unit.uscc")}


@pytest.mark.parametrize(
    ("code", "reason"), [("12370800MB2J3K4L5", "length"), ("12370800MB2J3K4LSE", "alphabet"), ("12AB0800MB2J3K4L5E", "division")]
)
def test_malformed_codes_fail_even_when_lenient(code: str, reason: str) -> None:
    assert ("error", f"call.uscc.{reason}", "unit.uscc") in rules_of(bid_findings(unit__uscc=code, lenient=True))


@pytest.mark.parametrize("capital", [0.01, 500, 123456.7891])
def test_a_sane_registered_capital_passes(capital: float) -> None:
    assert bid_findings(unit__registered_capital=capital) == []


@pytest.mark.parametrize("capital", [0, -10, 1e10, 1.000001])
def test_an_insane_registered_capital_fails(capital: float) -> None:
    assert ("error", "call.bid.capital", "unit.registered_capital") in rules_of(bid_findings(unit__registered_capital=capital))


def test_the_founding_date_is_before_the_bid_and_plausible() -> None:
    assert bid_findings(unit__founded=dt.date(2023, 6, 1)) == []  # the day of the bid
    assert ("error", "call.bid.founded", "unit.founded") in rules_of(bid_findings(unit__founded=dt.date(2023, 6, 2)))
    assert ("error", "call.bid.founded", "unit.founded") in rules_of(bid_findings(unit__founded=dt.date(203, 9, 1)))
    assert ("error", "call.bid.founded", "unit.founded") in rules_of(
        check_bid(bid(bid__submitted_at=DELETE, unit__founded=dt.date(2999, 1, 1)))
    )


def test_the_bidder_must_be_a_shandong_ce_base() -> None:
    found = bid_findings(unit__uscc=OUTSIDER, unit__name="某某咨询有限公司")
    assert rules_of(found) == {("error", "call.bid.base", "unit.uscc")}
    [error] = found
    assert error.citation == "SD-2023 §3(3); SD-2023 §4(3)" and "cerules/forms/data/ce_bases.toml" in error.message_en


def test_a_base_named_with_another_code_is_an_error_and_a_renamed_base_a_warning() -> None:
    wrong_code = bid_findings(unit__uscc=OUTSIDER)
    assert rules_of(wrong_code) == {("error", "call.bid.base", "unit.uscc")}
    assert "12370800MB2J3K4L5E" in wrong_code[0].message_en
    renamed = bid_findings(unit__name="黄河示例医学院")
    assert rules_of(renamed) == {("warning", "call.bid.base", "unit.name")}


def test_the_bid_matches_its_posting() -> None:
    assert ("error", "call.bid.posting", "bid.posting_id") in rules_of(bid_findings(bid__posting_id="another"))
    assert ("error", "call.bid.type", "bid.type") in rules_of(bid_findings(bid__type="website"))
    assert rules_of(bid_findings(bid__project="合理用药课件")) == {("warning", "call.bid.project", "bid.project")}


def test_without_the_posting_the_posting_checks_are_skipped_with_a_warning() -> None:
    assert rules_of(check_bid(bid(), posting=None)) == {("warning", "call.bid.posting", "bid.posting_file")}


def test_bids_come_only_for_published_postings() -> None:
    before = bid_findings(bid__submitted_at=dt.datetime(2023, 5, 10, 9, 0), unit__founded=dt.date(2006, 9, 1))
    assert ("error", "call.lifecycle.filed-bid", "bid.submitted_at") in rules_of(before)
    unpublished = bid_findings(posting_changes={"posting__published_at": DELETE, "posting__deadline": DELETE})
    assert ("error", "call.lifecycle.filed-bid", "bid.submitted_at") in rules_of(unpublished)
    draft = bid_findings(posting_changes={"posting__filed_at": DELETE, "posting__published_at": DELETE, "posting__deadline": DELETE})
    assert ("error", "call.lifecycle.draft-bid", "bid.submitted_at") in rules_of(draft)


def test_a_posting_with_a_broken_lifecycle_breaks_its_bids() -> None:
    found = bid_findings(posting_changes={"posting__filed_at": DELETE})
    assert ("error", "call.bid.posting", "bid.posting_id") in rules_of(found)


def test_bids_come_by_the_deadline() -> None:
    assert bid_findings(bid__submitted_at=dt.datetime(2023, 6, 15, 23, 59, 59), bid__agreed_at=DELETE) == []
    late = bid_findings(bid__submitted_at=dt.datetime(2023, 6, 16, 0, 0), bid__agreed_at=DELETE)
    assert rules_of(late) == {("error", "call.dates.order", "bid.submitted_at")}


def test_the_agreement_comes_after_the_bid() -> None:
    early = bid_findings(bid__agreed_at=dt.date(2023, 5, 20))
    assert ("error", "call.lifecycle.published-agree", "bid.agreed_at") in rules_of(early)


def test_a_call_with_several_bids_and_one_agreement() -> None:
    first = bid(bid__agreed_at=DELETE)
    second = bid(bid__submitted_at=dt.datetime(2023, 6, 10, 9, 0), bid__agreed_at=dt.date(2023, 6, 20))
    assert call_state(posting(), [first, second]) == (CallState.AGREED, [])
    third = bid(bid__submitted_at=dt.date(2023, 6, 21), bid__agreed_at=dt.date(2023, 6, 22))
    state, found = call_state(posting(), [first, second, third])
    assert state is CallState.AGREED
    assert {f.rule for f in found} == {"call.lifecycle.agreed-bid", "call.lifecycle.agreed-agree"}


# --- files -------------------------------------------------------------------------------------------


def test_load_call_tells_a_posting_from_a_bid(tmp_path: Path) -> None:
    assert isinstance(load_call(CALLS / "posting.toml"), Posting)
    assert isinstance(load_call(CALLS / "bid.toml"), Bid)
    neither = tmp_path / "x.toml"
    neither.write_text('[plan]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(FormError, match=r"a posting \(a \[posting\] table"):
        load_call(neither)
    with pytest.raises(FormError, match="expected a bid"):
        load_bid(CALLS / "posting.toml")
    with pytest.raises(FormError, match="expected a posting"):
        load_posting(CALLS / "bid.toml")


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"unit__registered_capital": "500万"}, "unit.registered_capital"),
        ({"bid__submitted_at": 20230601}, "bid.submitted_at"),
        ({"unit__founded": "yesterday"}, "unit.founded"),
        ({"bid__budget": 3}, "bid.budget"),
        ({"unit__uscc": 12370800}, "unit.uscc"),
    ],
)
def test_a_bid_value_of_the_wrong_type_is_unusable(changes: dict[str, Any], key: str) -> None:
    with pytest.raises(FormError) as caught:
        bid(**changes)
    assert caught.value.key == key


# --- the registry ----------------------------------------------------------------------------------


def test_the_shipped_registry_is_illustrative_and_valid() -> None:
    registry = load_registry()
    assert registry.illustrative and len(registry.bases) >= 3
    assert {base.level for base in registry.bases} <= {"national", "provincial", "city"}
    assert all(base.city.startswith("37") for base in registry.bases)
    assert all("示例" in base.name for base in registry.bases)  # invented names say so


@pytest.mark.parametrize(
    ("entry", "key", "message"),
    [
        ({"name": "x", "uscc": OUTSIDER[:-1] + "0", "level": "city", "city": "济南"}, "bases[0].uscc", "check character"),
        ({"name": "x", "uscc": OUTSIDER, "level": "county", "city": "济南"}, "bases[0].level", "expected one of"),
        ({"name": "x", "uscc": OUTSIDER, "level": "city", "city": "北京"}, "bases[0].city", "not a Shandong city"),
        ({"uscc": OUTSIDER, "level": "city", "city": "济南"}, "bases[0].name", "missing"),
        ({"name": "x", "uscc": OUTSIDER, "level": "city", "city": "济南", "phone": "1"}, "bases[0].phone", "unknown key"),
    ],
)
def test_a_broken_registry_is_unusable(tmp_path: Path, entry: dict[str, Any], key: str, message: str) -> None:
    path = tmp_path / "bases.toml"
    path.write_text(tomli_w.dumps({"bases": [entry]}), encoding="utf-8")
    with pytest.raises(FormError, match=message) as caught:
        load_registry(path)
    assert caught.value.key == key


def test_a_registry_may_not_list_a_code_twice(tmp_path: Path) -> None:
    path = tmp_path / "bases.toml"
    entry = {"name": "x", "uscc": OUTSIDER, "level": "city", "city": "370100"}
    path.write_text(tomli_w.dumps({"bases": [entry, {**entry, "name": "y"}]}), encoding="utf-8")
    with pytest.raises(FormError, match=r"bases\[0\]") as caught:
        load_registry(path)
    assert caught.value.key == "bases[1].uscc"


def test_a_given_registry_replaces_the_sample(tmp_path: Path) -> None:
    path = tmp_path / "bases.toml"
    path.write_text(
        tomli_w.dumps({"bases": [{"name": "某某咨询有限公司", "uscc": OUTSIDER, "level": "city", "city": "济南"}]}), encoding="utf-8"
    )
    registry = load_registry(path)
    assert not registry.illustrative
    assert bid_findings(unit__uscc=OUTSIDER, unit__name="某某咨询有限公司") != []  # not in the sample
    assert check_bid(bid(unit__uscc=OUTSIDER, unit__name="某某咨询有限公司"), posting=posting(), registry=registry) == []
