"""Professional-subject study plans (专业科目学习计划, SD-2023 §3(2) and Annex 1) as data.

A provincial industry department writes one plan a year for its field, in five parts (Annex 1):
scope, content, hours, form and other matters, and sends it to the provincial department by the
end of April (§4(1)). Here a plan is a TOML file (see docs/plans-and-calls.md):

- `load_plan(path)` reads it; a file that is not UTF-8 TOML, or a value of the wrong type or an
  unknown key, is unusable and raises `FormError` naming file and key (as rule files do);
- `check_plan(plan, submitted_at=…)` returns every `Finding` (errors and warnings, zh/en, each
  with the key path and the notice's citation): parts missing, hours below the provincial
  floor, bad site addresses, a scope the engine does not know, a late submission…;
- `plan_to_layer(plan)` turns the plan into the department's rule layer (its professional
  subjects), so that the published plan and the engine cannot disagree.

The shared pieces of the form modules live here too: `Finding`, `FormError`, `Moment` and the
checks of phone numbers, e-mail addresses and web addresses.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import pendulum

from ..base.instants import SHANGHAI, parse_instant
from ..rules import RulesError, available_years, provincial_layer
from ..rules.model import CitedValue, Layer, Scope, Text
from ..rules.ruleset import RuleSet

# --------------------------------------------------------------------------------------------
# Shared by plans and calls: findings, unusable files, dates, contacts and addresses.
# --------------------------------------------------------------------------------------------

SEVERITIES = ("error", "warning")


@attrs.frozen
class Finding:
    """One problem in a plan, posting or bid: an `error` makes the form invalid, a `warning` does not.

    `key` is the path in the file (`scope.title_series[1]`, `contacts.phone`); `rule` names the
    validation rule (docs/plans-and-calls.md lists them all); `citation` the clause it enforces.
    """

    severity: str
    file: str
    key: str
    rule: str
    message_en: str
    message_zh: str
    citation: str | None = None

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def line(self, lang: str = "zh") -> str:
        """One line in the engine's style: `plan.toml: error: key 'hours.required': … (SD-2023 §3(1))`."""
        cite = ""
        if self.citation:
            cite = f" ({self.citation})" if lang == "en" else f"（{self.citation}）"
        return f"{self.file}: {self.severity}: key '{self.key}': {self.message(lang)}{cite}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "file": self.file,
            "key": self.key,
            "rule": self.rule,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "citation": self.citation,
        }


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(finding.severity == "error" for finding in findings)


class FormError(ValueError):
    """A plan, posting, bid or registry file that cannot be used at all (CLI exit 2).

    Like `RulesError` it names the file and the key path; the message is in English and Chinese.
    """

    def __init__(self, file: str, key: str | None, message_en: str, message_zh: str | None = None) -> None:
        self.file, self.key = file, key
        self.message_en, self.message_zh = message_en, message_zh or message_en
        super().__init__(self.localized("en"))

    def localized(self, lang: str = "zh") -> str:
        where = f"{self.file}: key '{self.key}'" if self.key else self.file
        return f"{where}: {self.message_en if lang == 'en' else self.message_zh}"


@attrs.frozen
class Moment:
    """A date or date-time in Asia/Shanghai. A bare date is the whole day: from its first
    instant (`start`) to its last (`last`)."""

    start: pendulum.DateTime
    date_only: bool = False

    @property
    def last(self) -> pendulum.DateTime:
        return self.start.add(days=1).subtract(microseconds=1) if self.date_only else self.start

    @property
    def date(self) -> dt.date:
        return self.start.date()

    def iso(self) -> str:
        return self.start.date().isoformat() if self.date_only else self.start.isoformat()

    def __str__(self) -> str:
        return self.iso()

    @classmethod
    def of(cls, value: Any) -> Moment:
        """From a TOML date or date-time, a `datetime`, or ISO 8601 text (naive means Shanghai time).

        Raises ValueError (with `.zh`) when the text is not a date.
        """
        if isinstance(value, Moment):
            return value
        if isinstance(value, dt.datetime):
            instant = pendulum.instance(value, tz=SHANGHAI) if value.tzinfo is None else pendulum.instance(value)
            return cls(instant.in_timezone(SHANGHAI))
        if isinstance(value, dt.date):
            return cls(pendulum.datetime(value.year, value.month, value.day, tz=SHANGHAI), date_only=True)
        if isinstance(value, str):
            text = value.strip()
            instant = parse_instant(text)
            date_only = re.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}", text) is not None
            return cls(instant, date_only=date_only)
        raise TypeError(f"expected a date or date-time, got {value!r}")


MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
_HOST_LABEL = re.compile(r"(?!-)[^\W_](?:[^\W_]|-){0,62}(?<!-)")
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)")


def is_phone(text: str) -> bool:
    """A Chinese mobile number (`13812345678`) or landline with area code (`0531-86912345`)."""
    compact = text.strip().replace(" ", "")
    return bool(MOBILE.fullmatch(compact) or LANDLINE.fullmatch(compact))


def is_landline(text: str) -> bool:
    return bool(LANDLINE.fullmatch(text.strip().replace(" ", "")))


def is_email(text: str) -> bool:
    return bool(EMAIL.fullmatch(text.strip()))


def url_problem(text: str) -> tuple[str, str] | None:
    """What is wrong with a web address (en, zh), or None: http(s), a host with a dot or an IPv4."""
    if text != text.strip() or any(c.isspace() for c in text):
        return "a web address may not contain spaces", "网址中不应有空白字符"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return f"not a web address ({exc})", f"不是有效网址（{exc}）"
    if parts.scheme not in ("http", "https"):
        return "expected an http:// or https:// address", "网址应以 http:// 或 https:// 开头"
    host = parts.hostname or ""
    if not host:
        return "the address has no host name", "网址缺少主机名（域名）"
    if port == 0:
        return "port 0 is not a port", "端口号不能为 0"
    if _IPV4.fullmatch(host):
        return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return f"{host!r} is not a host name such as www.example.gov.cn", f"{host!r} 不是有效的主机名（如 www.example.gov.cn）"
    return None


class TableReader:
    """Reads a parsed TOML document into model values: wrong types and unknown keys are unusable
    (`FormError`); a missing or blank value is None, for the checks to report."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str | None, en: str, zh: str) -> FormError:
        return FormError(self.file, key, en, zh)

    def keys(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                path = f"{where}.{key}" if where else key
                raise self.fail(path, f"unknown key; expected one of {', '.join(allowed)}", f"未知的键；应为 {', '.join(allowed)} 之一")

    def table(self, document: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any] | None:
        path = f"{where}.{key}" if where else key
        value = document.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a table, got {value!r}", f"应为表（table），实为 {value!r}")
        return value

    def tables(self, document: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        path = f"{where}.{key}"
        value = document.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(path, f"expected an array of tables ([[{path}]]), got {value!r}", f"应为表数组（[[{path}]]），实为 {value!r}")
        return value

    def string(self, table: Mapping[str, Any], key: str, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"expected a string, got {value!r}", f"应为字符串，实为 {value!r}")
        return value.strip() or None

    def strings(self, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", f"expected a list of strings, got {value!r}", f"应为字符串列表，实为 {value!r}")
        return tuple(v.strip() for v in value)

    def text(self, table: Mapping[str, Any], key: str, where: str) -> Text | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return Text(zh=value.strip(), en=value.strip()) if value.strip() else None
        if isinstance(value, Mapping) and set(value) <= {"zh", "en"} and isinstance(value.get("zh"), str):
            zh = value["zh"].strip()
            en = value.get("en", zh)
            if not isinstance(en, str):
                raise self.fail(f"{where}.{key}.en", f"expected a string, got {en!r}", f"应为字符串，实为 {en!r}")
            return Text(zh=zh, en=en.strip() or zh) if zh else None
        raise self.fail(
            f"{where}.{key}",
            f'expected a string or {{ zh = "…", en = "…" }}, got {value!r}',
            f'应为字符串或 {{ zh = "…", en = "…" }}，实为 {value!r}',
        )

    def number(self, table: Mapping[str, Any], key: str, where: str) -> Decimal | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{where}.{key}", f"expected a number, got {value!r}", f"应为数字，实为 {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:  # pragma: no cover - TOML numbers are always decimal text
            raise self.fail(f"{where}.{key}", f"expected a number, got {value!r}", f"应为数字，实为 {value!r}") from None
        if not number.is_finite():
            raise self.fail(f"{where}.{key}", f"expected a finite number, got {value!r}", f"应为有限数值，实为 {value!r}")
        return number

    def integer(self, table: Mapping[str, Any], key: str, where: str) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where}.{key}", f"expected a whole number, got {value!r}", f"应为整数，实为 {value!r}")
        return value

    def boolean(self, table: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected true or false, got {value!r}", f"应为 true 或 false，实为 {value!r}")
        return value

    def moment(self, table: Mapping[str, Any], key: str, where: str) -> Moment | None:
        value = table.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.time) or not isinstance(value, (dt.date, str)):
            raise self.fail(
                f"{where}.{key}", f"expected a date such as 2023-04-28, got {value!r}", f"应为日期（如 2023-04-28），实为 {value!r}"
            )
        try:
            return Moment.of(value)
        except ValueError as exc:
            raise self.fail(f"{where}.{key}", str(exc), getattr(exc, "zh", str(exc))) from None


def read_toml(path: str | os.PathLike[str]) -> tuple[str, dict[str, Any]]:
    """The file's name as given and its parsed TOML; FormError when it cannot be read."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormError(file, None, "file not found", "文件不存在") from None
    except IsADirectoryError:
        raise FormError(file, None, "is a folder, not a file", "这是文件夹，不是文件") from None
    except UnicodeDecodeError as exc:
        raise FormError(
            file, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})", f"不是 UTF-8 文本（第 {exc.start} 字节）"
        ) from None
    except OSError as exc:
        raise FormError(file, None, f"cannot read the file: {exc.strerror}", f"无法读取文件：{exc.strerror}") from None
    return file, parse_toml(text, file)


def parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormError(file, None, f"not valid TOML: {exc}", f"不是有效的 TOML：{exc}") from None


class FindingList(list[Finding]):
    """Findings of one file, added with `error(...)` / `warning(...)`."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def error(self, key: str, rule: str, en: str, zh: str, citation: str | None = None) -> None:
        self.append(Finding("error", self.file, key, rule, en, zh, citation))

    def warning(self, key: str, rule: str, en: str, zh: str, citation: str | None = None) -> None:
        self.append(Finding("warning", self.file, key, rule, en, zh, citation))

    def missing(self, key: str, rule: str, what_en: str, what_zh: str, citation: str | None) -> None:
        self.error(key, rule, f"missing: {what_en}", f"缺少{what_zh}", citation)


# --------------------------------------------------------------------------------------------
# The vocabulary of scopes the engine knows.
# --------------------------------------------------------------------------------------------


@attrs.frozen
class Vocabulary:
    """Title series and industries the engine knows (the words persons files and layers use).

    `aliases` maps a longer name (`卫生技术人员`, `卫生系列`) to the word the engine uses (`卫生`).
    """

    title_series: frozenset[str]
    industries: frozenset[str]
    aliases: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def default(cls) -> Vocabulary:
        """The vocabulary shipped in `cerules/forms/data/vocabulary.toml` (only what is evidenced)."""
        resource = resources.files("cerules.forms") / "data" / "vocabulary.toml"
        document = tomllib.loads(resource.read_text(encoding="utf-8"))
        return cls(
            title_series=frozenset(document["title_series"]["known"]),
            industries=frozenset(document["industries"]["known"]),
            aliases=dict(document["title_series"].get("aliases", {})),
        )

    def with_layers(self, layers: Iterable[Layer]) -> Vocabulary:
        """This vocabulary with the title series and industries that layers' scopes name."""
        series, industries = set(self.title_series), set(self.industries)
        for layer in layers:
            for scope in (layer.scope, *(value.when for _, value in layer.cited_values())):
                series |= scope.get("title_series") or set()
                industries |= scope.get("industry") or set()
        return attrs.evolve(self, title_series=frozenset(series), industries=frozenset(industries))

    def extended(self, *, title_series: Iterable[str] = (), industries: Iterable[str] = ()) -> Vocabulary:
        return attrs.evolve(self, title_series=self.title_series | set(title_series), industries=self.industries | set(industries))


# --------------------------------------------------------------------------------------------
# The plan.
# --------------------------------------------------------------------------------------------

PARTS: tuple[str, ...] = ("scope", "content", "hours", "form", "other")
"""The five parts of Annex 1, in order."""

PART_NAMES: dict[str, Text] = {
    "scope": Text("专业科目范围", "Scope of the professional subjects"),
    "content": Text("学习内容", "Content"),
    "hours": Text("学时要求", "Hours"),
    "form": Text("学习形式", "Form of study"),
    "other": Text("其他事项", "Other matters"),
}

ORGANISATIONS: dict[str, Text] = {
    "province-wide": Text("全省统一组织", "organised province-wide"),
    "level-by-level": Text("分级组织", "organised level by level"),
}
MODES: dict[str, Text] = {"online": Text("远程（线上）", "remote (online)"), "offline": Text("线下", "offline")}
SITE_KINDS: dict[str, Text] = {"recommended": Text("推荐", "recommended"), "self-built": Text("自建", "self-built")}

_ORGANISATION_WORDS = {
    "province-wide": "province-wide", "全省统一": "province-wide", "全省统一组织": "province-wide", "全省统一实施": "province-wide",
    "level-by-level": "level-by-level", "分级": "level-by-level", "分级组织": "level-by-level", "分级组织实施": "level-by-level",
}  # fmt: skip
_MODE_WORDS = {
    "online": "online", "remote": "online", "远程": "online", "线上": "online", "网络": "online", "在线": "online",
    "offline": "offline", "线下": "offline", "面授": "offline", "现场": "offline",
}  # fmt: skip
_SITE_KIND_WORDS = {"recommended": "recommended", "推荐": "recommended", "self-built": "self-built", "自建": "self-built"}

ANNEX = "SD-2023 Annex 1"
CITE_PART = {part: f"{ANNEX}({i})" for i, part in enumerate(PARTS, start=1)}
CITE_FLOOR = "SD-2023 §3(1)"
CITE_DEPARTMENT = "SD-2023 §3(2)"
CITE_DEADLINE = "SD-2023 §4(1)"

_PLAN_KEYS = ("id", "year", "department", "title", "document", "published_url", "submitted_at")
_SCOPE_KEYS = ("industries", "fields", "title_series", "specialties")
_CONTENT_KEYS = ("summary", "topics")
_HOURS_KEYS = ("required", "note", "deadline")
_FORM_KEYS = ("organisation", "modes", "sites")
_SITE_KEYS = ("name", "url", "kind")
_OTHER_KEYS = ("text",)


@attrs.frozen
class PlanScope:
    """Part 1: which industries, fields, title series and specialties the plan covers."""

    industries: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    title_series: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()


@attrs.frozen
class PlanContent:
    """Part 2: what is to be learnt."""

    summary: str | None = None
    topics: tuple[str, ...] = ()


@attrs.frozen
class PlanHours:
    """Part 3: professional-subject hours a year (and, optionally, the last day learning counts)."""

    required: Decimal | None = None
    note: str | None = None
    deadline: Moment | None = None


@attrs.frozen
class Site:
    """A recommended or self-built learning site."""

    name: str | None = None
    url: str | None = None
    kind: str | None = None


@attrs.frozen
class PlanForm:
    """Part 4: province-wide or level by level; remote or offline; the sites' addresses."""

    organisation: str | None = None
    modes: tuple[str, ...] = ()
    sites: tuple[Site, ...] = ()


@attrs.frozen
class StudyPlan:
    """A department's professional-subject study plan for one year (Annex 1). Parts the file
    lacks are None; `check_plan` reports them."""

    id: str | None = None
    year: int | None = None
    department: Text | None = None
    title: Text | None = None
    document: str | None = None
    """How citations name the plan (its document number or title); default: the title."""
    published_url: str | None = None
    submitted_at: Moment | None = None
    scope: PlanScope | None = None
    content: PlanContent | None = None
    hours: PlanHours | None = None
    form: PlanForm | None = None
    other: str | None = None
    other_present: bool = False
    file: str = "<memory>"

    @property
    def document_name(self) -> str:
        if self.document:
            return self.document
        if self.title:
            return f"《{self.title.zh}》"
        return f"study plan {self.id or self.file}"

    @property
    def deadline(self) -> pendulum.DateTime | None:
        """The first instant after the submission deadline: 1 May of the plan's year, Shanghai."""
        return submission_deadline(self.year) if self.year else None


def submission_deadline(year: int) -> pendulum.DateTime:
    """Plans are due by the end of April (§4(1)): the first instant that is late, 1 May 00:00 Shanghai."""
    return pendulum.datetime(year, 5, 1, tz=SHANGHAI)


def load_plan(path: str | os.PathLike[str]) -> StudyPlan:
    """Read a plan file. Raises FormError when it is unusable (not TOML, a wrong type, an unknown key)."""
    file, document = read_toml(path)
    return plan_from_dict(document, file=file)


def parse_plan(text: str, *, file: str = "<string>") -> StudyPlan:
    return plan_from_dict(parse_toml(text, file), file=file)


def plan_from_dict(document: Mapping[str, Any], *, file: str = "<memory>") -> StudyPlan:
    """Build a plan from the mapping its TOML file parses to."""
    r = TableReader(file)
    r.keys(document, ("plan", *PARTS), "")
    meta = r.table(document, "plan") or {}
    r.keys(meta, _PLAN_KEYS, "plan")
    scope = content = hours = form = None
    if (table := r.table(document, "scope")) is not None:
        r.keys(table, _SCOPE_KEYS, "scope")
        scope = PlanScope(**{key: r.strings(table, key, "scope") for key in _SCOPE_KEYS})
    if (table := r.table(document, "content")) is not None:
        r.keys(table, _CONTENT_KEYS, "content")
        content = PlanContent(summary=r.string(table, "summary", "content"), topics=r.strings(table, "topics", "content"))
    if (table := r.table(document, "hours")) is not None:
        r.keys(table, _HOURS_KEYS, "hours")
        hours = PlanHours(
            required=r.number(table, "required", "hours"),
            note=r.string(table, "note", "hours"),
            deadline=r.moment(table, "deadline", "hours"),
        )
    if (table := r.table(document, "form")) is not None:
        r.keys(table, _FORM_KEYS, "form")
        sites = []
        for index, site in enumerate(r.tables(table, "sites", "form")):
            where = f"form.sites[{index}]"
            r.keys(site, _SITE_KEYS, where)
            kind = r.string(site, "kind", where)
            sites.append(
                Site(name=r.string(site, "name", where), url=r.string(site, "url", where), kind=_SITE_KIND_WORDS.get(kind or "", kind))
            )
        organisation = r.string(table, "organisation", "form")
        form = PlanForm(
            organisation=_ORGANISATION_WORDS.get(organisation or "", organisation),
            modes=tuple(_MODE_WORDS.get(mode, mode) for mode in r.strings(table, "modes", "form")),
            sites=tuple(sites),
        )
    other_table = r.table(document, "other")
    if other_table is not None:
        r.keys(other_table, _OTHER_KEYS, "other")
    return StudyPlan(
        id=r.string(meta, "id", "plan"),
        year=r.integer(meta, "year", "plan"),
        department=r.text(meta, "department", "plan"),
        title=r.text(meta, "title", "plan"),
        document=r.string(meta, "document", "plan"),
        published_url=r.string(meta, "published_url", "plan"),
        submitted_at=r.moment(meta, "submitted_at", "plan"),
        scope=scope,
        content=content,
        hours=hours,
        form=form,
        other=r.string(other_table, "text", "other") if other_table is not None else None,
        other_present=other_table is not None,
        file=file,
    )


# --------------------------------------------------------------------------------------------
# Checking a plan.
# --------------------------------------------------------------------------------------------

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


def check_plan(
    plan: StudyPlan,
    *,
    submitted_at: Any = None,
    known: Vocabulary | None = None,
    rules: RuleSet | None = None,
) -> list[Finding]:
    """Every problem in a plan, errors first in the order of the file, then warnings.

    `submitted_at` (a date-time, ISO text or `Moment`; naive means Shanghai time) is checked
    against the end-of-April deadline; without it, the plan's own `plan.submitted_at`, if any.
    `known` is the vocabulary of title series and industries (default: the shipped one).
    `rules` is the rule set the plan's layer must fit into (default: the provincial rules of the
    plan's year alone).
    """
    known = known or Vocabulary.default()
    found = FindingList(plan.file)
    _check_meta(plan, found)
    _check_scope(plan, found, known)
    _check_content(plan, found)
    floor_known = _check_hours(plan, found)
    _check_form(plan, found)
    if not plan.other_present:
        found.missing(
            "other",
            "plan.part-missing",
            f"part 5, {PART_NAMES['other'].en} ([other])",
            f"第五部分“{PART_NAMES['other'].zh}”（[other]）",
            CITE_PART["other"],
        )
    elif not plan.other:
        found.missing(
            "other.text",
            "plan.other.text",
            "the text of the other matters (write 无 when there are none)",
            "其他事项的内容（没有可写“无”）",
            CITE_PART["other"],
        )
    _check_deadline(plan, found, submitted_at)
    if not has_errors(found) and floor_known:
        _check_layer(plan, found, rules)
    return sorted(found, key=lambda f: f.severity != "error")


def _check_meta(plan: StudyPlan, found: FindingList) -> None:
    if plan.id is None:
        found.missing("plan.id", "plan.meta", "the plan's id (e.g. health-2023)", "计划标识 id（如 health-2023）", None)
    elif not _ID.fullmatch(plan.id):
        found.error(
            "plan.id",
            "plan.meta",
            f"an id is lower-case letters, digits, - and _, got {plan.id!r}",
            f"标识只能由小写字母、数字、- 和 _ 组成，实为 {plan.id!r}",
        )
    if plan.year is None:
        found.missing("plan.year", "plan.meta", "the year the plan is for", "计划所属年度 year", None)
    elif not 2000 <= plan.year <= 2100:
        found.error("plan.year", "plan.meta", f"expected a year such as 2023, got {plan.year}", f"年度应如 2023，实为 {plan.year}")
    if plan.department is None:
        found.missing(
            "plan.department", "plan.meta", "the department that issues the plan", "制定计划的省级行业主管部门 department", CITE_DEPARTMENT
        )
    if plan.title is None:
        found.missing("plan.title", "plan.meta", "the plan's title", "计划名称 title", None)
    if plan.published_url is not None and (problem := url_problem(plan.published_url)):
        found.error("plan.published_url", "plan.url", problem[0], problem[1], CITE_DEPARTMENT)


def _check_scope(plan: StudyPlan, found: FindingList, known: Vocabulary) -> None:
    scope = plan.scope
    cite = CITE_PART["scope"]
    if scope is None:
        found.missing("scope", "plan.part-missing", "part 1, the scope ([scope])", "第一部分“专业科目范围”（[scope]）", cite)
        return
    if not (scope.title_series or scope.industries or scope.specialties):
        found.error(
            "scope",
            "plan.scope.empty",
            "the scope names no title series, industry or specialty: the plan would cover nobody in particular",
            "范围未列出任何职称系列、行业或专业，计划无法确定适用人员",
            f"{cite}; {CITE_DEPARTMENT}",
        )
    for key in _SCOPE_KEYS:
        values: Sequence[str] = getattr(scope, key)
        seen: set[str] = set()
        for index, value in enumerate(values):
            where = f"scope.{key}[{index}]"
            if not value:
                found.error(where, "plan.scope.blank", "an empty entry", "空白条目", cite)
            elif value in seen:
                found.warning(where, "plan.scope.duplicate", f"{value!r} is listed twice", f"{value!r} 重复列出", cite)
            seen.add(value)
    for index, series in enumerate(scope.title_series):
        if series and series not in known.title_series:
            names = "、".join(sorted(known.title_series))
            hint_en = hint_zh = ""
            if series in known.aliases:
                hint_en = f"; write {known.aliases[series]!r}, the engine's word for it"
                hint_zh = f"；应写作引擎使用的名称 {known.aliases[series]!r}"
            found.error(
                f"scope.title_series[{index}]",
                "plan.scope.title-series",
                f"unknown title series {series!r}; the engine knows {names}{hint_en}",
                f"未知的职称系列 {series!r}；引擎已知：{names}{hint_zh}",
                cite,
            )
    for index, industry in enumerate(scope.industries):
        if industry and industry not in known.industries:
            names = "、".join(sorted(known.industries))
            found.warning(
                f"scope.industries[{index}]",
                "plan.scope.industry",
                f"industry {industry!r} is not one the engine knows ({names}); only people whose data uses this word will be covered",
                f"行业 {industry!r} 不在引擎已知行业中（{names}）；只有数据中行业填写相同的人员才适用本计划",
                cite,
            )


def _check_content(plan: StudyPlan, found: FindingList) -> None:
    cite = CITE_PART["content"]
    if plan.content is None:
        found.missing("content", "plan.part-missing", "part 2, the content ([content])", "第二部分“学习内容”（[content]）", cite)
        return
    if not plan.content.summary:
        found.missing("content.summary", "plan.content.summary", "a summary of what is to be learnt", "学习内容概述 summary", cite)
    for index, topic in enumerate(plan.content.topics):
        if not topic:
            found.error(f"content.topics[{index}]", "plan.content.topics", "an empty topic", "空白的学习专题", cite)


def provincial_floor(year: int, scope: Scope | None = None) -> tuple[Decimal, str] | None:
    """The provincial professional-subject hours for people in `scope` and its citation, or None
    when no provincial rules ship for the year."""
    if year not in available_years():
        return None
    best: tuple[Decimal, str] | None = None
    scope = scope or Scope()
    layer = provincial_layer(year)
    for value in layer.parameters.get("professional.required_hours", ()):
        if scope.overlaps(layer.scope.intersect(value.when)):
            amount = Decimal(str(value.value))
            if best is None or amount > best[0]:
                best = (amount, value.citation or CITE_FLOOR)
    return best


def _layer_scope(plan: StudyPlan) -> Scope:
    scope = plan.scope or PlanScope()
    criteria = {"title_series": scope.title_series, "industry": scope.industries, "specialty": scope.specialties}
    return Scope.of({key: [v for v in values if v] for key, values in criteria.items() if any(values)})


def _check_hours(plan: StudyPlan, found: FindingList) -> bool:
    """Check part 3; True when the provincial floor was known (so the layer can be checked)."""
    cite = CITE_PART["hours"]
    if plan.hours is None:
        found.missing("hours", "plan.part-missing", "part 3, the hours ([hours])", "第三部分“学时要求”（[hours]）", cite)
        return False
    required = plan.hours.required
    if required is None:
        found.missing("hours.required", "plan.hours.required", "the professional-subject hours a year", "每年专业科目学时 required", cite)
    elif required <= 0 or required != required.quantize(Decimal("0.01")):
        found.error(
            "hours.required",
            "plan.hours.required",
            f"expected a number of hours > 0 with at most two decimals, got {required}",
            f"学时应为大于 0、至多两位小数的数，实为 {required}",
            cite,
        )
    floor_known = True
    if plan.year is not None and 2000 <= plan.year <= 2100:
        floor = provincial_floor(plan.year, _layer_scope(plan))
        if floor is None:
            floor_known = False
            shipped = ", ".join(map(str, available_years()))
            found.warning(
                "plan.year",
                "plan.hours.no-floor",
                f"no provincial rules for {plan.year} ship with this engine ({shipped}): hours and layer are not checked against them",
                f"本引擎没有 {plan.year} 年度全省规则（已有：{shipped}），未能核对学时下限和规则层",
                CITE_FLOOR,
            )
        elif required is not None and required < floor[0]:
            found.error(
                "hours.required",
                "plan.hours.floor",
                f"{_plain(required)} hours are below the provincial professional-subject floor of {_plain(floor[0])} hours",
                f"{_plain(required)} 学时低于全省专业科目每年不少于 {_plain(floor[0])} 学时的要求",
                floor[1],
            )
    deadline = plan.hours.deadline
    if deadline is not None and plan.year is not None and deadline.date.year != plan.year:
        found.error(
            "hours.deadline",
            "plan.hours.deadline",
            f"the last day for learning ({deadline}) is not in the plan's year {plan.year}",
            f"学习截止日期（{deadline}）不在计划年度 {plan.year} 内",
            cite,
        )
    return floor_known


def _check_form(plan: StudyPlan, found: FindingList) -> None:
    cite = CITE_PART["form"]
    form = plan.form
    if form is None:
        found.missing("form", "plan.part-missing", "part 4, the form of study ([form])", "第四部分“学习形式”（[form]）", cite)
        return
    if form.organisation is None:
        found.missing(
            "form.organisation",
            "plan.form.organisation",
            'how it is organised: "province-wide" or "level-by-level"',
            "组织方式：全省统一组织（province-wide）或分级组织（level-by-level）",
            cite,
        )
    elif form.organisation not in ORGANISATIONS:
        found.error(
            "form.organisation",
            "plan.form.organisation",
            f'expected "province-wide" (全省统一组织) or "level-by-level" (分级组织), got {form.organisation!r}',
            f"组织方式应为全省统一组织（province-wide）或分级组织（level-by-level），实为 {form.organisation!r}",
            cite,
        )
    if not form.modes:
        found.missing(
            "form.modes",
            "plan.form.modes",
            'the modes of study: "online" (remote), "offline" or both',
            "学习方式：远程（online）、线下（offline）或两者",
            cite,
        )
    for index, mode in enumerate(form.modes):
        if mode not in MODES:
            found.error(
                f"form.modes[{index}]",
                "plan.form.modes",
                f'expected "online" (远程) or "offline" (线下), got {mode!r}',
                f"学习方式应为远程（online）或线下（offline），实为 {mode!r}",
                cite,
            )
    urls: dict[str, int] = {}
    for index, site in enumerate(form.sites):
        where = f"form.sites[{index}]"
        if not site.name:
            found.missing(f"{where}.name", "plan.form.site-name", "the site's name", "学习网站名称 name", cite)
        if not site.url:
            found.missing(f"{where}.url", "plan.form.site-url", "the site's web address", "学习网站网址 url", cite)
        elif problem := url_problem(site.url):
            found.error(f"{where}.url", "plan.form.site-url", f"{site.url!r}: {problem[0]}", f"{site.url!r}：{problem[1]}", cite)
        elif site.url in urls:
            found.warning(
                f"{where}.url",
                "plan.form.site-url",
                f"the same address as form.sites[{urls[site.url]}]",
                f"与 form.sites[{urls[site.url]}] 网址相同",
                cite,
            )
        else:
            urls[site.url] = index
        if site.kind is None:
            found.missing(
                f"{where}.kind",
                "plan.form.site-kind",
                'whether the site is "recommended" (推荐) or "self-built" (自建)',
                "网站类别：推荐（recommended）或自建（self-built）",
                cite,
            )
        elif site.kind not in SITE_KINDS:
            found.error(
                f"{where}.kind",
                "plan.form.site-kind",
                f'expected "recommended" (推荐) or "self-built" (自建), got {site.kind!r}',
                f"网站类别应为推荐（recommended）或自建（self-built），实为 {site.kind!r}",
                cite,
            )
    if "online" in form.modes and not form.sites:
        found.warning(
            "form.sites",
            "plan.form.no-site",
            "remote learning is planned but no learning site is given: learners cannot tell where to study",
            "计划采用远程学习，但未给出学习网站网址，学员无从得知在何处学习",
            f"{cite}; {CITE_DEPARTMENT}",
        )


def _check_deadline(plan: StudyPlan, found: FindingList, submitted_at: Any) -> None:
    key = "plan.submitted_at"
    moment = plan.submitted_at
    if submitted_at is not None:
        key = "--submitted-at"
        try:
            moment = Moment.of(submitted_at)
        except (TypeError, ValueError) as exc:
            raise FormError(plan.file, key, str(exc), getattr(exc, "zh", str(exc))) from None
    if moment is None or plan.year is None:
        return
    deadline = submission_deadline(plan.year)
    if moment.last >= deadline:
        shown = moment.start.format("YYYY-MM-DD HH:mm:ss") if not moment.date_only else moment.iso()
        found.error(
            key,
            "plan.deadline",
            f"submitted {shown} (Asia/Shanghai), after the deadline: plans are due by the end of April {plan.year}",
            f"报送时间 {shown}（北京时间）晚于截止时间：学习计划应于 {plan.year} 年 4 月底前报送",
            CITE_DEADLINE,
        )


def _check_layer(plan: StudyPlan, found: FindingList, rules: RuleSet | None) -> None:
    """The plan's layer must load and fit the engine's jurisdiction rules."""
    try:
        layer = plan_to_layer(plan)
        base = rules if rules is not None else _provincial_rules(plan.year or 0)
        base.with_layer(layer)
    except (FormError, RulesError) as exc:
        key = getattr(exc, "key", None) or "plan"
        key = _PLAN_KEY_OF_LAYER_PATH.get(key, key)
        en = exc.message_en if isinstance(exc, FormError) else exc.message
        zh = exc.message_zh if isinstance(exc, FormError) else f"规则引擎不接受本计划生成的规则层：{exc.message}"
        found.error(key, "plan.layer", f"the engine refuses the plan's rule layer: {en}", zh, CITE_DEPARTMENT)


_PLAN_KEY_OF_LAYER_PATH = {
    "professional.required_hours": "hours.required",
    "professional.deadline": "hours.deadline",
    "layer.scope": "scope",
    "layer.id": "plan.id",
    "layer.years": "plan.year",
}


def _provincial_rules(year: int) -> RuleSet:
    from ..plugins.loading import load_rules

    return load_rules(year, plugins=False)


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


# --------------------------------------------------------------------------------------------
# The plan as the department's rule layer.
# --------------------------------------------------------------------------------------------


def plan_to_layer(plan: StudyPlan) -> Layer:
    """The department layer the plan amounts to: rank `department`, scoped to the plan's title
    series, industries and specialties (each listed dimension narrows it), setting
    `professional.required_hours` (and `professional.deadline` when the plan gives one), each
    value citing the plan and SD-2023 §3(2).

    Raises FormError when the plan lacks what a layer needs (id, year, hours, a scope).
    """
    missing = [
        key
        for key, absent in (
            ("plan.id", plan.id is None),
            ("plan.year", plan.year is None),
            ("scope", not _layer_scope(plan)),
            ("hours.required", plan.hours is None or plan.hours.required is None),
        )
        if absent
    ]
    if missing:
        raise FormError(plan.file, missing[0], "the plan cannot become a rule layer without it", "缺少此项，无法由计划生成规则层")
    assert plan.hours is not None and plan.hours.required is not None and plan.year is not None
    required = plan.hours.required
    value: int | float = int(required) if required == required.to_integral_value() else float(required)
    citation = f"{plan.document_name} 三、学时要求（{CITE_DEPARTMENT}）"
    parameters: dict[str, tuple[CitedValue, ...]] = {"professional.required_hours": (CitedValue(value=value, citation=citation),)}
    if plan.hours.deadline is not None:
        parameters["professional.deadline"] = (
            CitedValue(value=plan.hours.deadline.date.isoformat(), citation=f"{plan.document_name} 三、学时要求（{CITE_DEPARTMENT}）"),
        )
    department = plan.department.zh if plan.department else ""
    title = plan.title or Text(f"{plan.id} 专业科目学习计划", f"{plan.id} professional-subject study plan")
    return Layer(
        id=f"plan-{plan.id}",
        rank="department",
        title=title,
        source=" ".join(part for part in (department, plan.document_name) if part),
        version=str(plan.year),
        years=frozenset({plan.year}),
        scope=_layer_scope(plan),
        parameters=parameters,
        file=plan.file,
    )


__all__ = [
    "MODES",
    "ORGANISATIONS",
    "PARTS",
    "PART_NAMES",
    "SITE_KINDS",
    "Finding",
    "FormError",
    "Moment",
    "PlanContent",
    "PlanForm",
    "PlanHours",
    "PlanScope",
    "Site",
    "StudyPlan",
    "Vocabulary",
    "check_plan",
    "has_errors",
    "is_email",
    "is_landline",
    "is_phone",
    "load_plan",
    "parse_plan",
    "plan_from_dict",
    "plan_to_layer",
    "provincial_floor",
    "submission_deadline",
    "url_problem",
]
