"""The typed shapes of requests and answers: the OpenAPI schema is generated from these.

Rows are the contract's columns (`docs/contract.md`); every cell is optional here, because a
row with a missing or unreadable value is not a bad request but a record the engine rejects
with a reason code (nothing is lost). A request is refused (422) only for what no row can
mend: a cell that is not a scalar, a key the request does not know, a year without rules.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..kernel.reasons import NAMES
from .examples import EXAMPLE_DRAFT, EXAMPLE_PERSON, EXAMPLE_RECORDS

Cell = str | int | float | bool | None
"""A cell: text, a number or a boolean, as a CSV cell or a JSON Lines value would be."""

Lang = Literal["zh", "en"]

ReasonCode = enum.StrEnum("ReasonCode", {name: name for name in NAMES if name != "credited"})  # type: ignore[misc]
"""The contract's reason codes (v1 and its extensions): they only ever grow."""


def _examples(*examples: dict[str, Any]) -> Any:
    """`json_schema_extra` with examples (from the example cohort) shown in the OpenAPI schema."""
    return {"examples": list(examples)}


def _cell(description: str) -> Any:
    return Field(default=None, description=description)


class Person(BaseModel):
    """A row of the persons table. Other keys are kept as further columns (ignored unless a rule reads them)."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_examples(EXAMPLE_PERSON))

    person_id: Cell = _cell("non-empty, unique among the persons")
    city: Cell = _cell("GB/T 2260 code (370200) or the Chinese name (青岛市, 青岛)")
    unit_level: Cell = _cell("province (省直) or city (市属, default)")
    title_series: Cell = _cell("professional-title series (职称系列): 卫生, 工程, 中小学教师, …")
    industry: Cell = _cell("industry or field")
    specialty: Cell = _cell("specialty, free text")


class Record(BaseModel):
    """A learning record (one activity). Other keys are kept as further columns."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_examples(EXAMPLE_RECORDS[0]))

    record_id: Cell = _cell("non-empty, unique among the records")
    person_id: Cell = _cell("the person it belongs to; else rejected unknown_person")
    subject: Cell = _cell("public (公需科目) or professional (专业科目), or a subject a layer adds")
    hours: Cell = _cell("decimal > 0 (1.5); or give minutes")
    minutes: Cell = _cell("the length in minutes instead of hours (extension)")
    completed_at: Cell = _cell("ISO 8601 date or date-time; without an offset, Asia/Shanghai")
    platform: Cell = _cell("learning platform code (sdou, xkyx, zjzd, …); empty for offline")
    mode: Cell = _cell("online or offline")
    topic: Cell = _cell("topic code or Chinese topic name")
    course_id: Cell = _cell("the same course is credited once a year")
    role: Cell = _cell("learner (default) or teacher")
    quality_course: Cell = _cell("true for a selected quality online public course (优质在线公需课)")
    source: Cell = _cell("provider (default) or declared (学时申报)")
    approved: Cell = _cell("for declared hours: false when the employer has not approved them")
    kind: Cell = _cell("activity kind, default course; plugins add more (cme-1, …)")
    credits: Cell = _cell("an amount in another unit (CME credits)")


class EvaluateOptions(BaseModel):
    """How to evaluate: the year and the options of `cerules evaluate`."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1900, le=2200, description="the calendar year evaluated")
    lang: Lang = Field("zh", description="language of the messages")
    strict: bool = Field(False, description="any invalid row fails the request (422 naming the row and column)")
    unit_level_default: Literal["city", "province"] | None = Field(None, description="the unit level of persons without one")
    max_record_amount: float | None = Field(None, gt=0, le=1e9, description="the most hours (or credits) one record may carry")
    max_rejected: str | None = Field(
        None, max_length=32, description="fail (422) when more rows than this cannot be used: a count (50), a fraction (0.05) or 5%"
    )


class EvaluateRequest(EvaluateOptions):
    """A cohort's year, as `cerules evaluate` takes it: persons and records as rows."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_examples({"year": 2023, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS, "lang": "zh"}),
    )

    persons: list[Person]
    records: list[Record]


class ExplainRequest(BaseModel):
    """One person's year and their records."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_examples({"year": 2023, "person": EXAMPLE_PERSON, "records": EXAMPLE_RECORDS, "lang": "zh"}),
    )

    year: int = Field(ge=1900, le=2200)
    person: Person
    records: list[Record]
    lang: Lang = "zh"
    unit_level_default: Literal["city", "province"] | None = None


class ImpactOptions(BaseModel):
    """The year whose rules a draft goes on top of, and the language of the answer."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1900, le=2200, description="the year whose rules the draft goes on top of")
    lang: Lang = "zh"


class ImpactRequest(ImpactOptions):
    """A draft (a TOML rule file, or rule paths to values) against a cohort."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_examples(
            {"year": 2023, "draft": EXAMPLE_DRAFT, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS, "lang": "zh"}
        ),
    )

    draft: str | dict[str, Any] = Field(
        description="a draft rule file as TOML text, or dotted rule paths to values ({'public.required_hours': 35}) "
        "as Draft.from_dict takes"
    )
    persons: list[Person]
    records: list[Record]


# --- answers -------------------------------------------------------------------------------------


class Layer(BaseModel):
    id: str
    rank: str
    source: str | None = None
    version: str | None = None
    plugin: str | None = None


class RulesEntry(BaseModel):
    """The contract's `rules`: the digest of the rules used and their layers."""

    sha256: str
    layers: list[Layer]
    skipped_plugins: list[str] = []
    pack: str | None = None
    based_on: int | None = None


class Requirement(BaseModel):
    id: str
    unit: str
    required: float
    credited: float
    shortfall: float
    met: bool
    set_by: str
    citation: str | None
    required_hours: float | None = None
    credited_hours: float | None = None
    shortfall_hours: float | None = None
    plugin: str | None = None
    verified: bool | None = None


class RecordResult(BaseModel):
    record_id: str | None
    status: Literal["credited", "rejected"]
    credited_hours: float
    reason: ReasonCode | None
    message: str


class PersonResult(BaseModel):
    person_id: str
    compliant: bool
    requirements: list[Requirement]
    records: list[RecordResult]
    defaults: dict[str, str] | None = None


class RejectedInput(BaseModel):
    record_id: str | None
    reason: ReasonCode
    line: int
    message: str


class Summary(BaseModel):
    people: int
    compliant: int
    records: int
    credited: int
    rejected: int


class EvaluationDocument(BaseModel):
    """The contract's JSON document, as `cerules evaluate --format json` writes it."""

    year: int
    rules: RulesEntry
    engine: dict[str, str]
    people: list[PersonResult]
    rejected_input: list[RejectedInput]
    summary: Summary
    rejected_persons: list[dict[str, Any]] | None = None
    data_quality: dict[str, Any]


class Explanation(BaseModel):
    """One person's year: the verdict in a sentence, the explanation as text, and as data."""

    person_id: str
    compliant: bool
    summary: str
    explanation: str
    result: PersonResult
    rules: RulesEntry


class ImpactDocument(BaseModel):
    """A draft's impact: compliance before and after, who flips, by group, and what the draft changes."""

    year: int
    draft: dict[str, Any]
    changes: list[dict[str, Any]]
    summary: dict[str, Any]
    summary_line: str
    rules: dict[str, str]
    pass_to_fail: list[str]
    fail_to_pass: list[str]
    by: dict[str, list[dict[str, Any]]]
    changed_record_ids: list[str | None]


class RulesDocument(BaseModel):
    """A year's effective rules: every layer and every value with its citation, and the digest."""

    year: int
    pack: str
    based_on: int | None
    sha256: str
    layers: list[dict[str, Any]]
    skipped_plugins: list[str]


class YearsDocument(BaseModel):
    pack: str
    years: list[int]
    sha256: dict[str, str]
    generation: int
    loaded_at: str


class Problem(BaseModel):
    """Where a request went wrong: the part (`persons`, an uploaded file's name, a field), the row and the column."""

    file: str | None = None
    line: int | None = None
    column: str | None = None
    message: str
    message_en: str


class ErrorBody(BaseModel):
    code: str = Field(description="invalid_input, invalid_rules, no_rules, too_large, unsupported_media_type, unauthorized, …")
    message: str = Field(description="in Chinese, naming the file, line and column where known")
    message_en: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    problems: list[Problem] = []


class ErrorResponse(BaseModel):
    """Every error answer: never a traceback."""

    error: ErrorBody


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    pack: str | None = None
    years: list[int] = []
    generation: int | None = None
