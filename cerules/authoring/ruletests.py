"""Rule tests: cases of persons, records and expected verdicts, written by rule authors.

A rule-test file (`test_*.yaml`) holds a list of cases, in the spirit of OpenFisca's YAML tests:

    - name: 青岛市属人员的公需科目 / Qingdao city staff, public subjects
      year: 2023
      plugins: [qingdao]            # optional: only these plugins (default: all installed)
      persons:
        - {person_id: p1, city: 青岛, unit_level: 市属}
      records:
        - {record_id: r1, person_id: p1, subject: public, hours: 30, completed_at: "2023-05-01", platform: qdjxjy}
      expect:
        p1:
          compliant: false
          requirements:
            public: {credited: 30, met: true, set_by: qingdao}
          records:
            r1: {status: credited, reason: null}

`cerules test PATH` runs them, and pytest collects them (through the `cerules` pytest plugin).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from ..base.errors import CeruleError
from ..base.hours import to_hundredths
from ..base.text import Text
from ..evaluation.cohort import evaluate
from ..evaluation.explain import PersonResult
from ..plugins.loading import load_rules
from ..rules.ruleset import RuleSet
from .naming import is_rule_test_file

CASE_KEYS = frozenset({"name", "year", "plugins", "no_plugins", "rules", "persons", "records", "expect", "rejected_input"})
PERSON_KEYS = frozenset({"compliant", "requirements", "records"})
REQUIREMENT_KEYS = frozenset({"required", "credited", "shortfall", "met", "set_by", "citation", "unit", "plugin"})
RECORD_KEYS = frozenset({"status", "credited_hours", "reason"})


class RuleTestError(CeruleError, ValueError):
    """A rule-test file that cannot be read, naming the file and the case."""


class RuleTestFailure(CeruleError):
    """A case whose verdicts differ from the expected ones: one line per difference."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(["规则测试的结果与预期不符：", *problems]), "\n".join(problems))
        self.problems = problems


@attrs.frozen
class RuleTestCase:
    """One case: a small cohort, the rules to use, and what must come out."""

    name: str
    file: str
    year: int
    persons: tuple[Mapping[str, Any], ...]
    records: tuple[Mapping[str, Any], ...]
    expect: Mapping[str, Any]
    rejected_input: tuple[str, ...] | None = None
    plugins: tuple[str, ...] | None = None
    no_plugins: bool = False
    rules: tuple[str, ...] = ()

    def run(self) -> list[str]:
        """The differences between what the engine says and what the case expects (empty: it passes)."""
        if self.no_plugins:
            plugins: Any = False
        elif self.plugins is not None:
            plugins = list(self.plugins)
        else:
            plugins = True
        return self.check(load_rules(self.year, rules=list(self.rules), plugins=plugins, strict=True))

    def check(self, rules: RuleSet) -> list[str]:
        """The differences under the given rules (for plugins not yet installed, say)."""
        evaluation = evaluate(rules, list(self.persons), list(self.records))
        problems: list[str] = []
        for person_id, expected in self.expect.items():
            try:
                result = evaluation.person(str(person_id))
            except KeyError:
                problems.append(f"{person_id}: not evaluated (check the persons of the case)")
                continue
            problems += _compare_person(result, expected)
        if self.rejected_input is not None:
            got = sorted(str(entry["record_id"]) for entry in evaluation.to_document("en")["rejected_input"])
            if got != sorted(self.rejected_input):
                problems.append(f"rejected_input: expected {sorted(self.rejected_input)}, got {got}")
        return problems


def _number(value: Any) -> int:
    return to_hundredths(value)


def _compare_person(result: PersonResult, expected: Mapping[str, Any]) -> list[str]:
    pid = result.person_id
    problems = []
    if "compliant" in expected and result.compliant != expected["compliant"]:
        problems.append(f"{pid}: compliant: expected {expected['compliant']}, got {result.compliant} — {result.summary('en')}")
    for requirement_id, wanted in (expected.get("requirements") or {}).items():
        try:
            requirement = result.requirement(requirement_id)
        except KeyError:
            have = ", ".join(r.id for r in result.requirements)
            problems.append(f"{pid}: no requirement {requirement_id!r} (has {have})")
            continue
        actual: dict[str, Any] = {
            "required": requirement.required,
            "credited": requirement.credited,
            "shortfall": requirement.shortfall,
            "met": requirement.met,
            "set_by": requirement.set_by,
            "citation": requirement.provenance.citation,
            "unit": requirement.unit,
            "plugin": requirement.provenance.plugin,
        }
        for key, value in wanted.items():
            expected_value = _number(value) if key in ("required", "credited", "shortfall") else value
            if actual[key] != expected_value:
                shown = actual[key] / 100 if key in ("required", "credited", "shortfall") else actual[key]
                problems.append(f"{pid}: {requirement_id}.{key}: expected {value!r}, got {shown!r}")
    records = {r.record_id: r for r in result.records}
    for record_id, wanted in (expected.get("records") or {}).items():
        record = records.get(str(record_id))
        if record is None:
            problems.append(f"{pid}: no record {record_id!r}")
            continue
        outcome: dict[str, Any] = {"status": record.status, "credited_hours": record.credited, "reason": record.reason}
        for key, value in wanted.items():
            expected_value = _number(value) if key == "credited_hours" else value
            if outcome[key] != expected_value:
                shown = outcome[key] / 100 if key == "credited_hours" else outcome[key]
                problems.append(f"{pid}: record {record_id}.{key}: expected {value!r}, got {shown!r} ({record.message.en})")
    return problems


def load_cases(path: str | Path) -> list[RuleTestCase]:
    """The cases of one rule-test file."""
    file = Path(path)
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleTestError(f"{file}：不是有效的 YAML：{exc}", f"{file}: not valid YAML: {exc}") from None
    if not isinstance(document, list):
        raise RuleTestError(f"{file}：应为用例的列表", f"{file}: expected a list of cases")
    return [_case(file, index, raw) for index, raw in enumerate(document)]


def _case(file: Path, index: int, raw: Any) -> RuleTestCase:
    where = Text(f"{file}：第 {index + 1} 个用例", f"{file}: case {index + 1}")
    if not isinstance(raw, Mapping):
        raise RuleTestError(
            f"{where.zh}：应为含 name、year、persons、records 和 expect 的映射",
            f"{where.en}: expected a mapping with name, year, persons, records and expect",
        )
    unknown = set(raw) - CASE_KEYS
    if unknown:
        raise _unknown_key(where, unknown, CASE_KEYS)
    for key in ("year", "persons", "expect"):
        if key not in raw:
            raise RuleTestError(f"{where.zh}：缺少 {key!r}", f"{where.en}: missing {key!r}")
    name = str(raw.get("name", f"case {index + 1}"))
    for person_id, expected in (raw["expect"] or {}).items():
        _check_keys(expected, PERSON_KEYS, _within(where, name, f"expect.{person_id}"))
        for requirement_id, wanted in (expected.get("requirements") or {}).items():
            _check_keys(wanted, REQUIREMENT_KEYS, _within(where, name, f"expect.{person_id}.requirements.{requirement_id}"))
        for record_id, wanted in (expected.get("records") or {}).items():
            _check_keys(wanted, RECORD_KEYS, _within(where, name, f"expect.{person_id}.records.{record_id}"))
    plugins = raw.get("plugins")
    return RuleTestCase(
        name=name,
        file=str(file),
        year=int(raw["year"]),
        persons=tuple(raw["persons"] or ()),
        records=tuple(raw.get("records") or ()),
        expect={str(k): v for k, v in (raw["expect"] or {}).items()},
        rejected_input=None if raw.get("rejected_input") is None else tuple(map(str, raw["rejected_input"])),
        plugins=None if plugins is None else tuple(map(str, plugins)),
        no_plugins=bool(raw.get("no_plugins", False)),
        rules=tuple(str(file.parent / rule) for rule in raw.get("rules") or ()),
    )


def _unknown_key(where: Text, unknown: set[str], allowed: frozenset[str]) -> RuleTestError:
    key, expected = sorted(unknown)[0], ", ".join(sorted(allowed))
    return RuleTestError(f"{where.zh}：未知的键 {key!r}；可用的键：{expected}", f"{where.en}: unknown key {key!r}; expected {expected}")


def _within(where: Text, name: str, key: str) -> Text:
    """The place of a key inside a named case, for messages."""
    return Text(f"{where.zh}（{name}）：{key}", f"{where.en} ({name}): {key}")


def _check_keys(table: Any, allowed: frozenset[str], where: Text) -> None:
    if not isinstance(table, Mapping):
        raise RuleTestError(f"{where.zh}：应为映射", f"{where.en}: expected a mapping")
    unknown = set(table) - allowed
    if unknown:
        raise _unknown_key(where, unknown, allowed)


def find_files(path: str | Path) -> Iterator[Path]:
    """Rule-test files at a path: the file itself, or every `test_*.yaml` below a folder."""
    root = Path(path)
    if root.is_file():
        if not is_rule_test_file(root):
            raise RuleTestError(f"{root}：不是规则测试文件（应为 test_*.yaml）", f"{root}: not a rule-test file (expected test_*.yaml)")
        yield root
        return
    if not root.exists():
        raise RuleTestError(f"{root}：文件或文件夹不存在", f"{root}: no such file or folder")
    for candidate in sorted(root.rglob("test_*.y*ml")):
        if is_rule_test_file(candidate) and ".venv" not in candidate.parts:
            yield candidate
