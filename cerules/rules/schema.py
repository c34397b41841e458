"""Every rule parameter, defined once: its path, kind, default, unit, meaning, reason code and wording.

A parameter path is dotted: `public.required_hours`, `public.focus.count_topics`,
`quality_course.teacher_multiplier`. Requirements are the paths that carry an amount
(`required_hours`, or `required` with a `unit`); their first segment names the subject.

Everything else reads this table: rule files are checked against it, `Policy` takes its defaults
from it, the explorer starts its controls from them, the explain view words its messages with
its templates, and the parameter table of `docs/rules.md` is generated from it
(`python -m cerules.rules.docs --update docs/rules.md`).
"""

from __future__ import annotations

from typing import Any

import attrs

from ..base.text import Text
from .kinds import AMOUNT, BOOLEAN, CODES, DATE, FACTOR, MODES, POSITIVE, REQUIREMENT_IDS, SOURCES, YEAR, YEARS, Kind, SchemaError

PUBLIC = "public"
PROFESSIONAL = "professional"
SUBJECTS: tuple[str, ...] = (PUBLIC, PROFESSIONAL)
"""The two subjects every person has, in output order; their names are in the rule catalogue
(`[catalog.subjects.*]`), where a layer may add more."""

UNITS: dict[str, Text] = {"hours": Text("学时", "hours"), "credits": Text("学分", "credits")}
"""Units a requirement may be counted in (`unit = "credits"`), with their names."""


@attrs.frozen
class Parameter:
    """What one kind of rule parameter means, how its value is checked, and how explain words it.

    `default` is what the engine assumes when no layer sets the parameter (None: nothing is
    assumed, `unset` says what that means). `reason` is the contract name of the reason code a
    record gets when this parameter refuses it. `explain` is a zh/en `str.format` template.
    """

    pattern: str
    """`<requirement>.required_hours`, `<subject>.platforms` or a fixed path."""
    kind: Kind
    meaning: Text
    default: Any = None
    unset: Text | None = None
    unit: Text | None = None
    reason: str | None = None
    explain: Text | None = None

    @property
    def name(self) -> str:
        """The last segment of the path (`required_hours`), or the whole of a fixed path."""
        return self.pattern.split(".", 1)[1] if self.pattern.startswith("<") else self.pattern

    @property
    def check(self) -> Any:
        return self.kind.check

    def words(self, **fields: Any) -> Text:
        """The explain template filled in; a `Text` field gives its zh form to zh and en form to en."""
        if self.explain is None:
            raise LookupError(f"{self.pattern} has no explain wording")
        zh = {key: value.zh if isinstance(value, Text) else value for key, value in fields.items()}
        en = {key: value.en if isinstance(value, Text) else value for key, value in fields.items()}
        return Text(self.explain.zh.format(**zh), self.explain.en.format(**en))


_HOURS = Text("学时", "hours")
_REQUIREMENT_UNIT = Text("该要求的单位", "the requirement's unit")
_SHORTFALL = Text("差 {shortfall} {unit}（已认定 {credited}，应修 {required}）", "{shortfall} {unit} short ({credited} of {required})")
_NO_REQUIREMENT = Text("不设该要求", "no such requirement")
_ANY_COUNTS = Text("所有记录均计入", "every record counts")

PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "<requirement>.required_hours",
        AMOUNT,
        Text("年度应修学时", "hours required in the year"),
        default=0,
        unset=_NO_REQUIREMENT,
        unit=_HOURS,
        explain=_SHORTFALL,
    ),
    Parameter(
        "<requirement>.required",
        AMOUNT,
        Text("年度应修数量（按要求的单位 `unit`）", "amount required in the year, in the requirement's `unit`"),
        default=0,
        unset=_NO_REQUIREMENT,
        unit=_REQUIREMENT_UNIT,
        explain=_SHORTFALL,
    ),
    Parameter(
        "<requirement>.count_topics",
        CODES,
        Text("仅计入这些主题的学习", "only records on these topics count towards it"),
        unset=_ANY_COUNTS,
    ),
    Parameter(
        "<requirement>.count_kinds",
        CODES,
        Text("仅计入这些类型的学习活动", "only records of these activity kinds count towards it"),
        unset=_ANY_COUNTS,
    ),
    Parameter(
        "<requirement>.counts_at_most",
        POSITIVE,
        Text("计入该要求的数量上限", "at most this amount counts towards it"),
        unset=Text("不设上限", "no limit"),
        unit=_REQUIREMENT_UNIT,
    ),
    Parameter(
        "<requirement>.sum_of",
        REQUIREMENT_IDS,
        Text(
            "由这些要求的合计认定（各自按其上限计入；可以是合计的合计，但不能经由成员合计到自身）",
            "it is met by the sum of these requirements (each counted up to its own limit); "
            "sums of sums are allowed, a requirement that is through its members a sum of itself is refused",
        ),
        unset=Text("按本要求自身的记录认定", "met by its own records"),
    ),
    Parameter(
        "<requirement>.hours_per_credit",
        POSITIVE,
        Text("多少学时折合一学分（用于没有学分的记录）", "hours that make one credit, for records without credits"),
        unset=Text("没有学分的记录不计入", "records without credits do not count"),
        unit=_HOURS,
    ),
    Parameter(
        "<requirement>.count_subjects",
        CODES,
        Text(
            "计入这些科目的学习：跨科目的要求（如三类科目合计 90 学时），其编号可不以科目开头",
            "records of these subjects count towards it: a requirement over several subjects (a total of 90 hours, say), "
            "whose id need not start with a subject",
        ),
        unset=Text("计入编号首段所指科目的学习", "records of the subject its id starts with"),
    ),
    Parameter(
        "<requirement>.window_years",
        YEARS,
        Text(
            "计算期的年数：1 为评定的自然年度；N 为截至评定年度的 N 年（滚动），设 cycle_start 时为含评定年度的 N 年周期",
            "years the requirement counts over: 1 is the evaluated calendar year; N is the N years ending with the evaluated "
            "year (rolling), or with cycle_start the N-year cycle that holds it",
        ),
        default=1,
        unit=Text("年", "years"),
        reason="out_of_window",
        explain=Text(
            "计算期 {first} 至 {last}（北京时间），共 {years} 年",
            "counted over {first} to {last} (Asia/Shanghai), {years} years",
        ),
    ),
    Parameter(
        "<requirement>.cycle_start",
        YEAR,
        Text(
            "周期的起始年份：自该年起每 window_years 年为一个周期（如 2021 年起每 3 年）",
            "the first year of a cycle: every window_years years from it is one cycle (from 2021 every 3 years, say)",
        ),
        unset=Text("截至评定年度的 window_years 年（滚动）", "the window_years years ending with the evaluated one (rolling)"),
    ),
    Parameter(
        "<subject>.topics",
        CODES,
        Text("认可的学习主题（其他主题不予认定）", "accepted topics (others are rejected)"),
        unset=Text("认可任何主题", "any topic"),
        reason="topic_not_accepted",
        explain=Text("主题“{topic}”不在认可的{subject}主题内", "topic {topic!r} is not an accepted {subject} topic"),
    ),
    Parameter(
        "<subject>.deadline",
        DATE,
        Text("学习截止日期（北京时间）", "last day (Asia/Shanghai) on which learning counts"),
        unset=Text("不设截止日期", "no deadline"),
        reason="past_deadline",
        explain=Text(
            "完成于 {day}（北京时间），晚于{subject}截止日期 {deadline}",
            "completed on {day} (Asia/Shanghai), after the {subject}-subject deadline of {deadline}",
        ),
    ),
    Parameter(
        "<subject>.listed_courses_only",
        BOOLEAN,
        Text("仅认定覆盖本人的课程目录中的课程", "only courses in a course list covering the person count"),
        default=False,
        reason="course_not_accepted",
        explain=Text("课程 {course} 不在认可的课程目录中", "course {course} is not in an accepted course list"),
    ),
    Parameter(
        "<subject>.platforms",
        CODES,
        Text("认可的网络学习平台（线下培训均予认定）", "accepted online platforms (offline training always counts)"),
        unset=Text("认可任何平台", "any platform"),
        reason="platform_not_accepted",
        explain=Text("平台 {platform} 不予认定，认可的平台：{accepted}", "platform {platform} is not accepted; accepted: {accepted}"),
    ),
    Parameter(
        "quality_course.teacher_multiplier",
        FACTOR,
        Text("优质在线公需课授课教师学时倍数", "hours multiplier for teachers of selected quality online public courses"),
        default=1,
        unit=Text("倍", "×"),
        explain=Text("优质在线公需课授课教师，学时按 {factor} 倍计", "teacher of a quality online public course: hours × {factor}"),
    ),
    Parameter(
        "daily_cap.max_hours",
        POSITIVE,
        Text(
            "每人每天计入的学时上限：所有学习，或由 sources、modes、subjects 限定的学习",
            "hours credited per person per day at most: of all learning, or of what sources, modes and subjects name",
        ),
        unset=Text("不设上限", "no cap"),
        unit=Text("学时/天", "hours a day"),
        reason="cap_exceeded",
        explain=Text(
            "{day} 的学时超过每日上限 {cap} 学时：记录 {hours}，认定 {credited}",
            "hours on {day} exceed the daily cap of {cap}: {hours} recorded, {credited} credited",
        ),
    ),
    Parameter(
        "daily_cap.sources",
        SOURCES,
        Text("每日上限只计这些来源的学习（declared 申报，provider 平台）", "the daily cap counts learning from these sources only"),
        unset=Text("所有来源", "every source"),
    ),
    Parameter(
        "daily_cap.modes",
        MODES,
        Text("每日上限只计这些方式的学习（online 网络，offline 线下）", "the daily cap counts learning in these modes only"),
        unset=Text("所有方式", "every mode"),
    ),
    Parameter(
        "daily_cap.subjects",
        CODES,
        Text("每日上限只计这些科目的学习", "the daily cap counts learning of these subjects only"),
        unset=Text("所有科目", "every subject"),
    ),
    Parameter(
        "counting.minutes_per_hour",
        POSITIVE,
        Text(
            "多少分钟折合一学时：记录以 minutes 给出时长时，在上限之前换算（精确到万分之一学时，四舍五入）",
            "minutes that make one hour, for records that give `minutes`: converted before any cap "
            "(to the ten-thousandth of an hour, rounded half up)",
        ),
        default=60,
        unit=Text("分钟", "minutes"),
    ),
    Parameter(
        "declared.requires_approval",
        BOOLEAN,
        Text("申报学时须经单位审核", "declared hours count only when approved by the employer"),
        default=True,
        reason="not_approved",
    ),
    Parameter(
        "declared.max_hours_per_day",
        POSITIVE,
        Text("每人每天申报学时上限", "declared hours credited per person per day at most"),
        unset=Text("不设上限", "no cap"),
        unit=Text("学时/天", "hours a day"),
        reason="cap_exceeded",
        explain=Text(
            "{day} 申报学时超过每日上限 {cap} 学时：申报 {hours}，认定 {credited}",
            "declared hours on {day} exceed the daily cap of {cap}: {hours} declared, {credited} credited",
        ),
    ),
)
"""All rule parameters; the order is the order of the table in `docs/rules.md`."""

REQUIREMENT_PARAMETERS: dict[str, Parameter] = {p.name: p for p in PARAMETERS if p.pattern.startswith("<requirement>.")}
"""Parameters that belong to a requirement (`<requirement>.<name>`)."""

SUBJECT_PARAMETERS: dict[str, Parameter] = {p.name: p for p in PARAMETERS if p.pattern.startswith("<subject>.")}
"""Parameters that belong to a subject as a whole (`<subject>.<name>`)."""

GLOBAL_PARAMETERS: dict[str, Parameter] = {p.pattern: p for p in PARAMETERS if not p.pattern.startswith("<")}
"""Parameters with a fixed path."""

GLOBAL_ROOTS: frozenset[str] = frozenset(path.split(".")[0] for path in GLOBAL_PARAMETERS)
"""First segments of the fixed paths (`quality_course`, `declared`): not subjects."""


def parameter_for(path: str) -> Parameter:
    """The parameter a path names, or SchemaError listing what exists."""
    if path in GLOBAL_PARAMETERS:
        return GLOBAL_PARAMETERS[path]
    prefix, _, name = path.rpartition(".")
    if prefix and name in REQUIREMENT_PARAMETERS:
        return REQUIREMENT_PARAMETERS[name]
    if prefix and "." not in prefix and name in SUBJECT_PARAMETERS:
        return SUBJECT_PARAMETERS[name]
    known = ", ".join(sorted(p.pattern for p in PARAMETERS))
    raise SchemaError(f"未知的规则参数；已知参数：{known}", f"unknown rule parameter; known parameters: {known}")


def default_for(path: str) -> Any:
    """What the engine assumes for a path no layer sets: the parameter's default, else None."""
    try:
        return parameter_for(path).default
    except SchemaError:
        return None


def requirement_of(path: str) -> str | None:
    """The requirement id an amount path sets (`public.focus.required_hours` → `public.focus`)."""
    prefix, _, name = path.rpartition(".")
    return prefix if prefix and name in ("required_hours", "required") else None


def unit_name(unit: str) -> Text:
    """How people call a unit (`学时` / `hours`); an unknown unit by its code."""
    return UNITS.get(unit, Text(unit, unit))
