"""A new plugin package, ready to edit: `cerules new-plugin city yantai`.

`create_plugin` writes a working `cerules-<name>` package: its `pyproject.toml` (hatchling, entry
point in the group `cerules`), a README, the module `cerules_<name>` with its two hook
implementations, one rule layer (TOML) in its jurisdiction, and rule tests that pass as soon as
the package is installed (`pip install -e .`, then `cerules test .`).

The layer's example rule is written as comments, between two marker lines, and is not in force
until the author edits it: an unedited package, once installed, changes no one's verdict (its
citations are placeholders, `待填写 TODO: …`, which `cerules rules lint` refuses). The rule tests
check just that, and hold the example rule's own cases as comments too, to put in force with it
(`put_example_in_force` does by hand what the comments say). The files are made from templates
kept as package data (`templates/*.tmpl`). See docs/plugins.md.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import tempfile
from collections.abc import Sequence
from importlib import resources
from string import Template

from ..base.errors import CeruleError
from ..plugins.loading import load_rules
from ..rules import available_years, parse_layer, provincial_layer
from ..rules.shipped import CITIES, city_code
from .ruletests import load_cases

KINDS = ("city", "department")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
MAX_NAME = 40
"""Characters a plugin name may have: it names a folder, a module and files (`<name>-<year>.toml`)."""
RESERVED_NAMES = frozenset({"province", "draft"})
"""Layer ids the engine already uses: the shipped provincial layer, and drafts without an id."""

TODO = "待填写 TODO"
"""How a placeholder citation starts; `grep -rn "TODO" .` finds what the author must still fill in."""

EXAMPLE_BEGIN = "# >>> 示例（删去以下各行开头的“# ”即生效）· example (delete the “# ” starting each line below to put it in force)"
EXAMPLE_END = "# <<< 示例到此为止 · end of the example"
UNTIL_BEGIN = "# >>> 示例规则生效时删去以下用例 · delete the case below when the example rule is put in force"
UNTIL_END = "# <<< 删去到此为止 · delete up to here"
_MARKERS = {"example_begin": EXAMPLE_BEGIN, "example_end": EXAMPLE_END, "until_begin": UNTIL_BEGIN, "until_end": UNTIL_END}

OTHER_TITLE_SERIES = ("工程", "经济", "会计", "卫生", "中小学教师")
"""Series for the rule test of "people outside the department's field" (the first one not in it)."""


def create_plugin(
    kind: str,
    name: str,
    directory: str | os.PathLike[str] = ".",
    *,
    city: str | None = None,
    title_series: Sequence[str] = (),
    year: int = 2023,
) -> pathlib.Path:
    """Write a working plugin package `cerules-<name>` under directory/<name>/ and return its folder.

    `kind` is `city` (public subjects of one city's city-level staff; the city comes from `city`,
    or else from the name, e.g. `yantai`) or `department` (professional subjects of the people
    in `title_series`). Raises ValueError, in Chinese and English, for a bad kind, name, city,
    title series or year, and FileExistsError when directory/<name> exists already.
    """
    if kind not in KINDS:
        raise ValueError(
            _both(
                f"插件类型须为 city（城市）或 department（行业部门），而不是 {kind!r}",
                f"the kind of plugin must be city or department, not {kind!r}",
            )
        )
    _check_name(name)
    if year not in available_years():
        shipped = ", ".join(map(str, available_years()))
        raise ValueError(
            _both(
                f"{year} 年没有全省规则，插件的规则无法叠加（已有年度：{shipped}）",
                f"there are no provincial rules for {year} to build on (shipped years: {shipped})",
            )
        )
    if kind == "city":
        if title_series:
            raise ValueError(
                _both(
                    "城市插件不按职称系列划分适用范围，请勿给出 title_series",
                    "a city plugin is not scoped by title series; leave title_series out",
                )
            )
        files = _city_files(name, _city_of(name, city), year)
    else:
        if city is not None:
            raise ValueError(
                _both("行业部门插件不按城市划分适用范围，请勿给出 city", "a department plugin is not scoped by city; leave city out")
            )
        files = _department_files(name, _series(title_series), year)

    folder = pathlib.Path(directory) / name
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir()
    except FileExistsError:
        raise FileExistsError(
            _both(
                f"{folder} 已存在，不会覆盖；请换一个名称或目录",
                f"{folder} exists already and is not overwritten; choose another name or directory",
            )
        ) from None
    try:
        for relative, text in files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _check(folder, name, year)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # nothing half-written is left behind
        raise
    return folder


def next_steps(folder: str | os.PathLike[str], lang: str = "zh") -> str:
    """What to do after `create_plugin`, for the command line to print."""
    folder = pathlib.Path(folder)
    name = folder.name
    if lang == "en":
        return (
            f"Created {folder}. Next:\n"
            f"  1. edit {folder / f'cerules_{name}'}/rules/{name}-*.toml: your values, and a citation for each (replace every TODO)\n"
            f"  2. edit the rule tests in {folder / f'cerules_{name}' / 'tests'}\n"
            f"  3. pip install -e {folder}\n"
            f"  4. cerules test {folder}   (or: cd {folder} && pytest)\n"
            f"See docs/plugins.md."
        )
    return (
        f"已创建 {folder}。接下来：\n"
        f"  1. 编辑 {folder / f'cerules_{name}'}/rules/{name}-*.toml：填写规则取值及每个取值的依据（替换所有 TODO）\n"
        f"  2. 编辑 {folder / f'cerules_{name}' / 'tests'} 中的规则测试用例\n"
        f"  3. pip install -e {folder}\n"
        f"  4. cerules test {folder}   （或：cd {folder} && pytest）\n"
        f"详见 docs/plugins.md。"
    )


class ScaffoldError(CeruleError, ValueError):
    """A plugin package that cannot be written (the folder cannot be created, the disk is full…)."""


def put_example_in_force(text: str) -> str:
    """A generated layer or rule-test file as its author makes it when taking up the example rule:
    the lines between the example's markers uncommented, the case that expects no change deleted.
    (The author still replaces the placeholder citations.)"""
    lines: list[str] = []
    region = None
    for line in text.split("\n"):
        if line in (EXAMPLE_BEGIN, UNTIL_BEGIN):
            region = line
        elif line in (EXAMPLE_END, UNTIL_END):
            region = None
        elif region == EXAMPLE_BEGIN:
            lines.append(line[2:] if line.startswith("# ") else line.removeprefix("#"))
        elif region is None:
            lines.append(line)
    return "\n".join(lines)


def _both(zh: str, en: str) -> str:
    """A message in Chinese, then English."""
    return f"{zh} / {en}"


# --- checking what the author gave ------------------------------------------------------------


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        zh = f"插件名称须以小写英文字母开头，只含小写英文字母、数字和下划线（如 yantai、health），而不是 {name!r}"
        en = f"the plugin name must be a lowercase ASCII identifier such as yantai or health ([a-z][a-z0-9_]*), not {name!r}"
        raise ValueError(_both(zh, en))
    if len(name) > MAX_NAME:
        raise ValueError(
            _both(
                f"插件名称最多 {MAX_NAME} 个字符，而这个名称有 {len(name)} 个",
                f"the plugin name may have at most {MAX_NAME} characters, not {len(name)}",
            )
        )
    if name in RESERVED_NAMES:
        raise ValueError(
            _both(
                f"名称 {name!r} 已被引擎使用（全省规则层或草案层），请换一个",
                f"the name {name!r} is taken by the engine (the provincial or draft layer); choose another",
            )
        )


def _city_of(name: str, city: str | None) -> str:
    if city is not None:
        try:
            return city_code(city)
        except ValueError:
            zh = f"{city!r} 不是山东省的市（请给出代码如 370600 或名称如 烟台）"
            en = f"{city!r} is not a Shandong city (give a code such as 370600 or a name such as yantai)"
            raise ValueError(_both(zh, en)) from None
    try:
        return city_code(name)
    except ValueError:
        zh = f"无法从名称 {name!r} 判断是山东省哪个市，请用 city 指定（命令行：--city 370600）"
        en = f"cannot tell which Shandong city {name!r} is; give the city (on the command line: --city 370600)"
        raise ValueError(_both(zh, en)) from None


def _series(title_series: Sequence[str]) -> tuple[str, ...]:
    if isinstance(title_series, str):
        title_series = [title_series]
    chosen: list[str] = []
    for series in title_series:
        text = str(series).strip()
        if text and not text.isprintable():
            raise ValueError(_both(f"职称系列名称含有控制字符：{series!r}", f"a title series contains control characters: {series!r}"))
        if text and text not in chosen:
            chosen.append(text)
    if not chosen:
        raise ValueError(
            _both(
                "行业部门插件须给出适用的职称系列（命令行：--title-series 工程）",
                "a department plugin needs the title series it covers (on the command line: --title-series 工程)",
            )
        )
    return tuple(chosen)


def _check(folder: pathlib.Path, name: str, year: int) -> None:
    """The files just written load, and so do they with the example in force: the layer, the rule
    tests and the module (a guard on the templates)."""
    package = folder / f"cerules_{name}"
    layer_file = package / "rules" / f"{name}-{year}.toml"
    tests_file = package / "tests" / f"test_{name}_{year}.yaml"
    provincial = load_rules(year, plugins=False)
    text = layer_file.read_text(encoding="utf-8")
    for layer_text in (text, put_example_in_force(text)):
        layer = parse_layer(layer_text, file=str(layer_file), plugin=f"cerules-{name}")
        provincial.with_layer(layer)  # in its jurisdiction, above the floors
    load_cases(tests_file)
    with tempfile.TemporaryDirectory() as scratch:
        example = pathlib.Path(scratch) / tests_file.name
        example.write_text(put_example_in_force(tests_file.read_text(encoding="utf-8")), encoding="utf-8")
        load_cases(example)
    module = package / "__init__.py"
    compile(module.read_text(encoding="utf-8"), str(module), "exec")


# --- the files ---------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A quoted string, valid in TOML (basic string) and in YAML (double-quoted)."""
    return json.dumps(text, ensure_ascii=False)


def _codes(codes: Sequence[str]) -> str:
    return "[" + ", ".join(_q(code) for code in codes) + "]"


def _focus_topics(year: int) -> tuple[str, ...]:
    topics = provincial_layer(year).catalog.entries("topics")
    focus = tuple(code for code, entry in topics.items() if entry.group == "focus")
    if not focus:
        raise ValueError(
            _both(
                f'{year} 年全省规则没有重点内容主题（group = "focus"），无法生成示例规则',
                f'the provincial rules of {year} name no focus topics (group = "focus") for the example rule',
            )
        )
    return focus


def _template(name: str) -> Template:
    """One file of a new plugin as a `string.Template` (`$name`, `$year`, …): package data in
    `cerules/authoring/templates/<file>.tmpl`, so the templates read as the files they make."""
    return Template((resources.files("cerules.authoring") / "templates" / f"{name}.tmpl").read_text(encoding="utf-8"))


def _common(name: str, year: int, title_zh: str, title_en: str, layer: str, tests: str, readme: str) -> dict[str, str]:
    package = f"cerules_{name}"
    return {
        "pyproject.toml": _template("pyproject.toml").substitute(name=name, description=_q(f"{title_zh} · {title_en} (cerules plugin)")),
        "README.md": readme,
        f"{package}/__init__.py": _template("module.py").substitute(
            name=name, year=year, doc=_q(f"{title_zh} (cerules plugin: {title_en})")
        ),
        f"{package}/rules/{name}-{year}.toml": layer,
        f"{package}/tests/test_{name}_{year}.yaml": tests,
    }


def _city_files(name: str, code: str, year: int) -> dict[str, str]:
    city = CITIES[code]
    title_zh = f"{city.zh}{year}年度专业技术人员继续教育要求（市属单位公需科目）"
    title_en = f"{city.en} {year} continuing-education rules (public subjects of city staff)"
    focus = _focus_topics(year)
    other = next(c for c in CITIES if c != code)
    values = {"name": name, "year": year, "code": code, "city_zh": city.zh, "city_en": city.en, "todo": TODO, **_MARKERS}
    layer = _template("city-layer.toml").substitute(values, title_zh=_q(title_zh), title_en=_q(title_en), focus=_codes(focus))
    tests = _template("city-tests.yaml").substitute(values, focus_topic=focus[0], other_code=other, other_zh=CITIES[other].zh)
    readme = _template("README.md").substitute(
        values,
        title_zh=title_zh,
        title_en=title_en,
        kind_zh="城市",
        kind_en="city",
        issuer_zh="市",
        scope_zh=f"按省通知 §2(2)，市属单位人员的公需科目按所在市要求学习：本层只适用于**{city.zh}的市属单位人员**"
        f'（`scope = {{ city = ["{code}"], unit_level = ["city"] }}`），只规定公需科目，不低于全省 30 学时。'
        f"{city.zh}的省直单位人员仍按全省规则；专业科目由行业部门规定。",
        scope_en=f"Under the notice §2(2), city-level staff follow their own city for public subjects: this layer "
        f'applies only to **{city.en}\'s city-level staff** (`scope = {{ city = ["{code}"], unit_level = ["city"] }}`), '
        f"sets public subjects only, and never goes below the provincial 30 hours. Provincial-unit staff in "
        f"{city.en} keep the provincial rules; professional subjects belong to the industry departments.",
        example_zh="`[public.focus]`：公需科目中至少 10 学时为四项重点内容",
        example_en="`[public.focus]`: at least 10 public hours on the four focus topics",
    )
    return _common(name, year, title_zh, title_en, layer, tests, readme)


def _department_files(name: str, series: tuple[str, ...], year: int) -> dict[str, str]:
    series_zh = "、".join(series) + ("" if series[-1].endswith("系列") else "系列")
    series_en = ", ".join(series)
    title_zh = f"{series_zh}专业技术人员{year}年度继续教育要求（专业科目）"
    title_en = f"{year} professional-subject rules for the title series {series_en}"
    other = next((s for s in OTHER_TITLE_SERIES if s not in series), f"{series[0]}以外的系列")
    values = {"name": name, "year": year, "series_zh": series_zh, "series_en": series_en, "todo": TODO, **_MARKERS}
    layer = _template("department-layer.toml").substitute(values, title_zh=_q(title_zh), title_en=_q(title_en), series=_codes(series))
    tests = _template("department-tests.yaml").substitute(
        values,
        first=_q(series[0]),
        other=_q(other),
        case_unchanged=_q(
            f"{series_zh}人员仍按全省要求（本层尚未规定任何取值）/ "
            f"the series {series_en} keeps the provincial requirements (the layer sets nothing yet)"
        ),
        case_raised=_q(f"{series_zh}人员专业科目须满 72 学时 / the series {series_en} needs 72 professional hours"),
        case_met=_q(f"学满 72 学时的{series_zh}人员达标 / 72 professional hours comply"),
    )
    readme = _template("README.md").substitute(
        values,
        title_zh=title_zh,
        title_en=title_en,
        kind_zh="行业部门",
        kind_en="department",
        issuer_zh="部门",
        scope_zh=f"按省通知 §3(2)，专业科目由行业主管部门组织：本层适用于职称系列为 {series_en} 的所有人员"
        f"（`scope = {{ title_series = {_codes(series)} }}`），不分城市和单位层级，只规定专业科目，不低于全省 60 学时。",
        scope_en=f"Under the notice §3(2), professional subjects are organised by the industry departments: this "
        f"layer covers everyone in the title series {series_en} (`scope = {{ title_series = {_codes(series)} }}`), in any "
        f"city and at any unit level; it sets professional subjects only and never goes below the provincial 60 hours.",
        example_zh="`professional.required_hours = 72`：专业科目 72 学时",
        example_en="`professional.required_hours = 72`: 72 professional hours",
    )
    return _common(name, year, title_zh, title_en, layer, tests, readme)
