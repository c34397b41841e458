"""The work a request asks for, as plain functions over the library: run on a worker thread.

Each takes the rule set the request started with (a snapshot: a reload meanwhile changes
nothing here) and gives what the answer holds. A `Deadline` stops a long evaluation between
chunks of people.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

from ..evaluation.batch import ChunkedRun
from ..evaluation.cohort import Evaluation, evaluate
from ..evaluation.quality import RejectedLimit
from ..inputs.reading import Table
from ..render.csv import write_csv_stream
from ..render.json import write_json_stream
from ..render.report import render
from ..render.xlsx import to_xlsx, write_xlsx
from ..rules.ruleset import RuleSet
from ..whatif.draft import Draft
from ..whatif.impact import Baseline
from .errors import ApiError

AT_ONCE_RECORDS = 20_000
"""Cohorts with at most this many records are evaluated in one piece."""


class EvaluationTimeout(Exception):
    """The request's time is up."""


class Deadline:
    """A point in time after which the work gives up (checked between chunks)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self, *_: int) -> None:
        if time.monotonic() > self.at:
            raise EvaluationTimeout()


def evaluation_bytes(
    rules: RuleSet,
    persons: Table,
    records: Table,
    *,
    fmt: str,
    lang: str = "zh",
    strict: bool = False,
    unit_level_default: str | None = None,
    max_record_amount: float | str | None = None,
    max_rejected: str | None = None,
    deadline: Deadline | None = None,
) -> bytes:
    """The contract's JSON document (or its CSV, workbook or report page), byte for byte what `cerules evaluate`
    writes for the same input (the report page says when it was made).

    A small cohort is evaluated at once (half the time of the chunked path for one person); a
    larger one chunk by chunk with bounded memory, the deadline checked between chunks. The report
    page is made of one evaluation, as on the command line.
    """
    limit = RejectedLimit.parse(max_rejected) if max_rejected else None
    if len(records) <= AT_ONCE_RECORDS or fmt == "html":
        evaluation = evaluate(
            rules, persons, records, strict=strict, unit_level_default=unit_level_default, max_record_amount=max_record_amount
        )
        if limit is not None:
            limit.check(evaluation.data_quality(), f"{persons.path}, {records.path}")
        return _whole(evaluation, fmt, lang)
    run = ChunkedRun(rules, persons, records, unit_level_default=unit_level_default, max_record_amount=max_record_amount)
    if strict and (problem := run.strict_problem()) is not None:
        raise problem
    stream = io.BytesIO()
    progress = deadline.check if deadline is not None else None
    if fmt == "json":
        write_json_stream(run, stream, lang, progress=progress)
    elif fmt == "xlsx":
        write_xlsx(run, stream, lang, progress=progress)
    else:
        write_csv_stream(run, stream, progress=progress)
    if strict and (problem := run.strict_problem()) is not None:
        raise problem
    if limit is not None:
        limit.check(run.data_quality(), f"{persons.path}, {records.path}")
    return stream.getvalue()


def _whole(evaluation: Evaluation, fmt: str, lang: str) -> bytes:
    """One evaluation in a format: the workbook's bytes, or the text `cerules evaluate` renders."""
    return to_xlsx(evaluation, lang) if fmt == "xlsx" else render(evaluation, fmt, lang).encode("utf-8")


def explanation(
    rules: RuleSet, person: dict[str, Any], records: list[dict[str, Any]], *, lang: str, unit_level_default: str | None
) -> dict[str, Any]:
    """One person's year as `PersonResult` gives it: the verdict, the text and the data."""
    evaluation = evaluate(rules, [person], records, unit_level_default=unit_level_default)
    if evaluation.rejected_persons:
        problem = evaluation.rejected_persons[0].problem
        raise ApiError(422, "invalid_person", problem.text.zh, problem.text.en, file="person", line=1, column=problem.column)
    strays = evaluation.ledger.rejected_input
    if len(strays):
        outcome = evaluation.rejected_input_entries("en")[0]
        zh = evaluation.rejected_input_entries("zh")[0]["message"]
        raise ApiError(
            422,
            "invalid_record",
            f"第 {outcome['line']} 条记录不属于此人：{zh}",
            f"record {outcome['line']} does not belong to this person: {outcome['message']}",
            file="records",
            line=outcome["line"],
            column="person_id",
        )
    result = next(iter(evaluation))
    return {
        "person_id": result.person_id,
        "compliant": result.compliant,
        "summary": result.summary(lang),
        "explanation": result.explain(lang),
        "result": result.to_dict(lang),
        "rules": rules.document_entry(),
    }


def draft_of(source: str | dict[str, Any]) -> Draft:
    """A draft from TOML text or from rule paths to values; refused whole (422) when any part is wrong."""
    if isinstance(source, str):
        return Draft.from_text(source, file="draft")
    return Draft.from_dict(source)


def impact_document(rules: RuleSet, draft: Draft, persons: Table, records: Table, *, lang: str) -> dict[str, Any]:
    """The draft's impact on the cohort, the draft itself and what it changes in the resolved rules."""
    draft_rules = draft.apply(rules)
    impact = Baseline(rules, (persons, records)).impact(draft_rules)
    document = {"year": rules.year, "draft": draft.to_dict(), "changes": [change.to_dict() for change in draft.diff(rules)]}
    document |= impact.to_document(lang)
    return plain(document)


def plain(value: Any) -> Any:
    """JSON-safe data: dates and other values a rule file can hold become text."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


__all__ = ["Deadline", "EvaluationTimeout", "draft_of", "evaluation_bytes", "explanation", "impact_document", "plain"]
