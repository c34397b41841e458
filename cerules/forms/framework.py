"""What every form (study plan, posting, bid, registry) is built on.

A form file is TOML (read by `cerules.base.toml_file`). Two things can be wrong with it:

- it cannot be used at all (not TOML, a value of the wrong type, an unknown key): `FormError`,
  naming the file and the key, raised by `TableReader` while the file becomes a model;
- it can be read but breaks a rule of the notice: a `Finding` (error or warning, zh/en, with the
  key path and the clause it enforces), collected in a `FindingList` by the form's checks.

`Moment` is how forms hold their dates: a bare date is the whole day in Asia/Shanghai.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
import pendulum

from ..base.errors import CeruleError
from ..base.instants import SHANGHAI, parse_instant
from ..base.text import Text
from ..base.toml_file import TomlError, parse_toml, read_toml


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


class FindingList(list[Finding]):
    """Findings of one file. Each check says once what it enforces; the helpers word the finding."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def error(self, key: str, rule: str, en: str, zh: str, citation: str | None = None) -> None:
        self.append(Finding("error", self.file, key, rule, en, zh, citation))

    def warning(self, key: str, rule: str, en: str, zh: str, citation: str | None = None) -> None:
        self.append(Finding("warning", self.file, key, rule, en, zh, citation))

    def missing(self, key: str, rule: str, what_en: str, what_zh: str, citation: str | None) -> None:
        self.error(key, rule, f"missing: {what_en}", f"缺少{what_zh}", citation)

    def required(self, rule: str, citation: str | None, fields: Sequence[tuple[str, Any, str, str]]) -> None:
        """`missing` for each (key, value, what_en, what_zh) whose value is None."""
        for key, value, what_en, what_zh in fields:
            if value is None:
                self.missing(key, rule, what_en, what_zh, citation)

    def one_of(
        self,
        key: str,
        rule: str,
        value: str,
        choices: Sequence[tuple[str, str]],
        subject_zh: str,
        citation: str | None,
        *,
        quoted: bool = True,
    ) -> bool:
        """An error unless `value` is one of the (code, Chinese word) choices; True when it is."""
        if value in (code for code, _ in choices):
            return True
        quote = '"' if quoted else ""
        en = [f"{quote}{code}{quote} ({word})" for code, word in choices]
        zh = [f"{word}（{code}）" for code, word in choices]
        self.error(
            key,
            rule,
            f"expected {', '.join(en[:-1])} or {en[-1]}, got {value!r}",
            f"{subject_zh}应为{'、'.join(zh[:-1])}或{zh[-1]}，实为 {value!r}",
            citation,
        )
        return False

    def problem(self, key: str, rule: str, found: tuple[str, str] | None, citation: str | None) -> None:
        """An error when a validator (such as `url_problem`) found an (en, zh) problem."""
        if found is not None:
            self.error(key, rule, found[0], found[1], citation)

    def in_order(self) -> list[Finding]:
        """Errors first, each group in the order found."""
        return sorted(self, key=lambda f: f.severity != "error")


class FormError(CeruleError, ValueError):
    """A plan, posting, bid or registry file that cannot be used at all (CLI exit 2).

    Like `RulesError` it names the file and the key path: `message_zh` and `message_en` say what
    is wrong there, and the error's own message is `plan.toml: key 'hours.required': …`.
    """

    def __init__(self, zh: str, en: str, *, file: str, key: str | None = None) -> None:
        self.file, self.key = file, key
        self.message_zh, self.message_en = zh, en
        where = f"{file}: key '{key}'" if key else file
        super().__init__(f"{where}: {zh}", f"{where}: {en}")


def missing_library(name: str) -> FormError:
    """The error for an optional library of the extra `cerules[forms]` that is not installed."""
    return FormError(
        f"未安装 {name}：请执行 pip install 'cerules[forms]'", f"{name} is not installed: pip install 'cerules[forms]'", file=name
    )


def read_form(path: str | os.PathLike[str]) -> tuple[str, dict[str, Any]]:
    """The file's name as given and its parsed TOML; FormError when it cannot be read."""
    with _unusable_toml():
        return str(path), read_toml(path)


def parse_form(text: str, file: str) -> dict[str, Any]:
    """Parsed TOML text; FormError naming `file` when it is not TOML."""
    with _unusable_toml():
        return parse_toml(text, file=file)


@contextlib.contextmanager
def _unusable_toml() -> Iterator[None]:
    """A TOML file that cannot be read is a form that cannot be used."""
    try:
        yield
    except TomlError as exc:
        raise FormError(exc.problem.zh, exc.problem.en, file=exc.file) from None


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


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class TableReader:
    """Reads a parsed TOML document into model values: wrong types and unknown keys are unusable
    (`FormError`); a missing or blank value is None, for the checks to report.

    `fields(table, {"id": str, "year": int, …}, where)` reads a whole table by its field types:
    str, tuple (of strings), Text, Decimal, int, bool, Moment, dict (a table) and list (of tables).
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self._readers: dict[type, Callable[[Mapping[str, Any], str, str], Any]] = {
            str: self.string,
            tuple: self.strings,
            Text: self.text,
            Decimal: self.number,
            int: self.integer,
            bool: self.boolean,
            Moment: self.moment,
            dict: self.table,
            list: self.tables,
        }

    def fail(self, key: str | None, zh: str, en: str) -> FormError:
        return FormError(zh, en, file=self.file, key=key)

    def wrong(self, key: str, value: Any, expected_zh: str, expected_en: str) -> FormError:
        return self.fail(key, f"应为{expected_zh}，实为 {value!r}", f"expected {expected_en}, got {value!r}")

    def keys(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                names = ", ".join(allowed)
                raise self.fail(_path(where, key), f"未知的键；应为 {names} 之一", f"unknown key; expected one of {names}")

    def fields(self, table: Mapping[str, Any], types: Mapping[str, type], where: str) -> dict[str, Any]:
        """Every field of a table, read by its type, after checking that it has no other keys."""
        self.keys(table, types, where)
        return {key: self._readers[kind](table, key, where) for key, kind in types.items()}

    def table(self, document: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any] | None:
        value = document.get(key)
        if value is not None and not isinstance(value, Mapping):
            raise self.wrong(_path(where, key), value, "表（table）", "a table")
        return value

    def tables(self, document: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        path = _path(where, key)
        value = document.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.wrong(path, value, f"表数组（[[{path}]]）", f"an array of tables ([[{path}]])")
        return value

    def string(self, table: Mapping[str, Any], key: str, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.wrong(_path(where, key), value, "字符串", "a string")
        return value.strip() or None

    def strings(self, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.wrong(_path(where, key), value, "字符串列表", "a list of strings")
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
                raise self.wrong(_path(where, f"{key}.en"), en, "字符串", "a string")
            return Text(zh=zh, en=en.strip() or zh) if zh else None
        bilingual = '{ zh = "…", en = "…" }'
        raise self.wrong(_path(where, key), value, f"字符串或 {bilingual}", f"a string or {bilingual}")

    def number(self, table: Mapping[str, Any], key: str, where: str) -> Decimal | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.wrong(_path(where, key), value, "数字", "a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:  # pragma: no cover - TOML numbers are always decimal text
            raise self.wrong(_path(where, key), value, "数字", "a number") from None
        if not number.is_finite():
            raise self.wrong(_path(where, key), value, "有限数值", "a finite number")
        return number

    def integer(self, table: Mapping[str, Any], key: str, where: str) -> int | None:
        value = table.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.wrong(_path(where, key), value, "整数", "a whole number")
        return value

    def boolean(self, table: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = table.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.wrong(_path(where, key), value, " true 或 false", "true or false")
        return value

    def moment(self, table: Mapping[str, Any], key: str, where: str) -> Moment | None:
        value = table.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.time) or not isinstance(value, (dt.date, str)):
            raise self.wrong(_path(where, key), value, "日期（如 2023-04-28）", "a date such as 2023-04-28")
        try:
            return Moment.of(value)
        except ValueError as exc:
            raise self.fail(_path(where, key), getattr(exc, "zh", str(exc)), str(exc)) from None


__all__ = ["Finding", "FindingList", "FormError", "Moment", "TableReader", "has_errors", "missing_library", "parse_form", "read_form"]
