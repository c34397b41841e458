"""The work behind `/v1/evaluate`: a small cohort at once and a large one in chunks give the same bytes,
and the time limit stops the chunked path between chunks."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

from cerules.evaluation.cohort import read_inputs  # noqa: E402
from cerules.rules import RuleSet  # noqa: E402
from cerules.service import work  # noqa: E402

from .live_server import ROOT  # noqa: E402

PERSONS, RECORDS = ROOT / "examples" / "persons.csv", ROOT / "examples" / "records.csv"


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_at_once_and_in_chunks_the_bytes_are_the_same(rules: RuleSet, monkeypatch: pytest.MonkeyPatch, fmt: str, lang: str) -> None:
    persons, records = read_inputs(PERSONS, RECORDS)
    at_once = work.evaluation_bytes(rules, persons, records, fmt=fmt, lang=lang)
    monkeypatch.setattr(work, "AT_ONCE_RECORDS", 0)
    assert work.evaluation_bytes(rules, persons, records, fmt=fmt, lang=lang) == at_once


def test_the_chunked_path_gives_up_at_the_deadline(rules: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    persons, records = read_inputs(PERSONS, RECORDS)
    monkeypatch.setattr(work, "AT_ONCE_RECORDS", 0)
    with pytest.raises(work.EvaluationTimeout):
        work.evaluation_bytes(rules, persons, records, fmt="json", deadline=work.Deadline(-1))
    assert work.evaluation_bytes(rules, persons, records, fmt="json", deadline=work.Deadline(600))


@pytest.mark.parametrize("strict", [False, True])
def test_strict_and_max_rejected_refuse_alike_on_both_paths(rules: RuleSet, monkeypatch: pytest.MonkeyPatch, strict: bool) -> None:
    persons, records = read_inputs(PERSONS, RECORDS)
    options = {"strict": True} if strict else {"max_rejected": "2"}

    def refusal() -> str:
        with pytest.raises(Exception) as caught:
            work.evaluation_bytes(rules, persons, records, fmt="json", **options)
        return str(caught.value)

    at_once = refusal()
    monkeypatch.setattr(work, "AT_ONCE_RECORDS", 0)
    assert refusal() == at_once
