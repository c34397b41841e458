"""`cerules.scaffold.create_plugin`: a plugin package that works before its author edits it, and
changes no one's verdict until its author puts a rule in force."""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import cerules
from cerules.authoring import scaffold
from cerules.authoring.ruletests import RuleTestCase, find_files, load_cases
from cerules.authoring.scaffold import create_plugin
from cerules.plugins.manager import Plugins, as_path
from cerules.rules.lint import lint_file

YEAR = 2023
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def city(tmp_path: Path) -> Path:
    return create_plugin("city", "yantai", tmp_path)


@pytest.fixture
def department(tmp_path: Path) -> Path:
    return create_plugin("department", "engineering", tmp_path, title_series=["工程"])


@contextmanager
def imported(folder: Path) -> Iterator[ModuleType]:
    """The generated module `cerules_<name>`, imported from its folder without installing it."""
    name = f"cerules_{folder.name}"
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def run_with_module(case: RuleTestCase, module: ModuleType) -> list[str]:
    """The case's problems under the imported (not installed) module in place of its plugin names."""
    return case.check(cerules.load_rules(case.year, plugins=[module], strict=True))


def layer_file(folder: Path) -> Path:
    return folder / f"cerules_{folder.name}" / "rules" / f"{folder.name}-{YEAR}.toml"


def rule_tests_file(folder: Path) -> Path:
    return folder / f"cerules_{folder.name}" / "tests" / f"test_{folder.name}_{YEAR}.yaml"


def take_up_example(folder: Path, *, cite: bool = False) -> None:
    """Edit the package as its author would to put the example rule in force (uncommented, its
    cases too); `cite` also replaces the placeholder citations by a real-looking one."""
    for file in (layer_file(folder), rule_tests_file(folder)):
        text = scaffold.put_example_in_force(file.read_text(encoding="utf-8"))
        if cite and file.suffix == ".toml":
            text = re.sub(r'citation = "待填写 TODO[^"]*"', 'citation = "烟人社发〔2023〕5号 第三条"', text)
        file.write_text(text, encoding="utf-8")


def test_files(city: Path) -> None:
    assert city.name == "yantai"
    package = city / "cerules_yantai"
    assert sorted(p.relative_to(city).as_posix() for p in city.rglob("*") if p.is_file()) == [
        "README.md",
        "cerules_yantai/__init__.py",
        "cerules_yantai/rules/yantai-2023.toml",
        "cerules_yantai/tests/test_yantai_2023.yaml",
        "pyproject.toml",
    ]
    project = tomllib.loads((city / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["build-system"]["build-backend"] == "hatchling.build"
    assert project["project"]["name"] == "cerules-yantai"
    assert project["project"]["version"] == "0.1.0"
    assert project["project"]["requires-python"] == ">=3.11"
    assert project["project"]["dependencies"] == ["cerules"]
    assert project["project"]["entry-points"]["cerules"] == {"yantai": "cerules_yantai"}
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["cerules_yantai"]
    readme = (city / "README.md").read_text(encoding="utf-8")
    for text in ("pip install -e .", "cerules test .", "pytest", "烟台", "Yantai"):
        assert text in readme
    assert "@cerules.hookimpl" in (package / "__init__.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["city", "department"])
def test_the_layer_loads_in_its_jurisdiction_sets_nothing_and_lints_without_errors(kind: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(kind)
    layer = cerules.load_layer(layer_file(folder))
    assert (layer.id, layer.rank, layer.years) == (folder.name, kind, frozenset({YEAR}))
    if kind == "city":
        assert layer.scope.as_dict() == {"city": ["370600"], "unit_level": ["city"]}
    else:
        assert layer.scope.as_dict() == {"title_series": ["工程"]}
    assert dict(layer.parameters) == {}  # the example rule is comments: nothing is in force
    assert layer.source.startswith(scaffold.TODO)
    problems = lint_file(layer_file(folder))
    assert [(p.key, p.severity) for p in problems] == [("layer.source", "warning")]  # a placeholder source, a warning
    cerules.load_rules(YEAR, plugins=False).with_layer(layer)


@pytest.mark.parametrize("kind", ["city", "department"])
def test_the_example_once_uncommented_loads_and_lint_refuses_its_placeholder_citations(kind: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(kind)
    take_up_example(folder)
    layer = cerules.load_layer(layer_file(folder))
    if kind == "city":
        assert set(layer.parameters) == {"public.focus.required_hours", "public.focus.count_topics"}
        provincial = cerules.provincial_layer(YEAR).catalog.entries("topics")
        focus = {code for code, topic in provincial.items() if topic.group == "focus"}
        assert set(layer.parameters["public.focus.count_topics"][0].value) == focus
    else:
        assert set(layer.parameters) == {"professional.required_hours"}
    for _path, value in layer.cited_values():
        assert value.citation and value.citation.startswith(scaffold.TODO)
        assert value.verified is False
    errors = [p for p in lint_file(layer_file(folder)) if p.severity == "error"]
    assert {p.key for p in errors} == set(layer.parameters)
    assert all("placeholder" in p.message_en and "占位" in p.message_zh for p in errors)
    # The engine accepts it on top of the provincial layer (jurisdiction, floors, subjects).
    cerules.load_rules(YEAR, plugins=False).with_layer(layer)
    # Cited, it lints clean but for the warnings that say it is unverified.
    take_up_example(folder, cite=True)
    assert {p.severity for p in lint_file(layer_file(folder))} == {"warning"}


@pytest.mark.parametrize("kind", ["city", "department"])
def test_the_rule_test_cases_load(kind: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(kind)
    (file,) = find_files(folder)
    assert len(load_cases(file)) == 2  # the layer changes nothing; nor for the people outside it
    take_up_example(folder)
    cases = load_cases(file)
    assert len(cases) == 3  # the example's two cases, and the one for the people outside it
    assert all(case.plugins == (folder.name,) and case.year == YEAR for case in cases)


def test_the_hooks_register_the_layer_of_its_year_and_the_tests(city: Path) -> None:
    with imported(city) as module:
        plugins = Plugins([module], installed=False, strict=True)
        # the engine keeps the layers whose declared years cover the year asked for
        assert [layer.id for layer in plugins.layers(YEAR)] == ["yantai"]
        assert plugins.layers(YEAR + 1) == []
        ((plugin, folder),) = plugins.rule_test_paths()
        assert plugin == "cerules_yantai"
        assert list(find_files(as_path(folder))) == [city / "cerules_yantai" / "tests" / "test_yantai_2023.yaml"]
        assert [info.hooks for info in plugins.info()] == [("register_layers", "register_rule_tests")]


@pytest.mark.parametrize(
    ("kind", "name", "folder"),
    [
        ("city", "jinan", "cities/jinan"),
        ("city", "jining", "cities/jining"),
        ("city", "qingdao", "cities/qingdao"),
        ("department", "health", "plugins/health"),
    ],
)
def test_the_shipped_plugins_pick_their_files_by_year_as_the_scaffold_teaches(tmp_path: Path, kind: str, name: str, folder: str) -> None:
    series = ["卫生"] if kind == "department" else []
    generated = create_plugin(kind, name, tmp_path, title_series=series) / f"cerules_{name}" / "__init__.py"
    shipped = ROOT / folder / f"cerules_{name}" / "__init__.py"
    # the same module but for its first line, the docstring
    assert shipped.read_text(encoding="utf-8").split("\n", 1)[1] == generated.read_text(encoding="utf-8").split("\n", 1)[1]


def test_the_templates_are_package_data_that_the_wheel_ships() -> None:
    wheel = pytest.importorskip("hatchling.builders.wheel")
    shipped = {file.distribution_path for file in wheel.WheelBuilder(str(ROOT)).recurse_included_files()}
    templates = {f"cerules/authoring/templates/{path.name}" for path in (ROOT / "cerules" / "authoring" / "templates").glob("*.tmpl")}
    assert len(templates) == 7
    assert templates <= shipped


CITY_STAFF = {"person_id": "c1", "city": "烟台", "unit_level": "市属"}
PROVINCIAL_STAFF = {"person_id": "s1", "city": "烟台", "unit_level": "省直"}
ENGINEER = {"person_id": "e1", "city": "潍坊", "unit_level": "市属", "title_series": "工程"}
ACCOUNTANT = {"person_id": "a1", "city": "潍坊", "unit_level": "市属", "title_series": "会计"}


def year_of(person: dict[str, str]) -> list[dict[str, object]]:
    """30 public hours (none on a focus topic) and 60 professional hours: enough for the province."""
    pid = person["person_id"]
    return [
        {"record_id": f"{pid}-1", "person_id": pid, "subject": "public", "hours": 30, "completed_at": "2023-05-01", "topic": "digital"},
        {"record_id": f"{pid}-2", "person_id": pid, "subject": "professional", "hours": 60, "completed_at": "2023-06-01"},
    ]


def test_an_unedited_plugin_changes_no_verdict(city: Path, department: Path) -> None:
    baseline = cerules.load_rules(YEAR, plugins=False)
    for folder in (city, department):
        with imported(folder) as module:
            rules = cerules.load_rules(YEAR, plugins=[module], strict=True)
        for someone in (CITY_STAFF, PROVINCIAL_STAFF, ENGINEER, ACCOUNTANT):
            before = cerules.evaluate_person(baseline, someone, year_of(someone)).to_dict("en")
            assert cerules.evaluate_person(rules, someone, year_of(someone)).to_dict("en") == before


def test_the_city_example_rule_in_force_changes_the_verdict_of_its_city_staff_only(city: Path) -> None:
    take_up_example(city, cite=True)
    baseline = cerules.load_rules(YEAR, plugins=False)
    with imported(city) as module:
        rules = cerules.load_rules(YEAR, plugins=[module], strict=True)
    assert [layer.id for layer in rules.layers] == ["province", "yantai"]

    before = cerules.evaluate_person(baseline, CITY_STAFF, year_of(CITY_STAFF))
    after = cerules.evaluate_person(rules, CITY_STAFF, year_of(CITY_STAFF))
    assert before.compliant is True
    assert after.compliant is False
    focus = after.requirement("public.focus")
    assert (focus.required, focus.credited, focus.met, focus.set_by) == (1000, 0, False, "yantai")
    assert focus.provenance.plugin == "cerules_yantai"
    assert focus.provenance.citation == "烟人社发〔2023〕5号 第三条"

    unaffected = cerules.evaluate_person(rules, PROVINCIAL_STAFF, year_of(PROVINCIAL_STAFF))
    assert unaffected.compliant is True
    assert [r.id for r in unaffected.requirements] == ["public", "professional"]


def test_the_department_example_rule_in_force_changes_the_verdict_of_its_series_only(department: Path) -> None:
    take_up_example(department, cite=True)
    baseline = cerules.load_rules(YEAR, plugins=False)
    with imported(department) as module:
        rules = cerules.load_rules(YEAR, plugins=[module], strict=True)

    before = cerules.evaluate_person(baseline, ENGINEER, year_of(ENGINEER))
    after = cerules.evaluate_person(rules, ENGINEER, year_of(ENGINEER))
    assert before.compliant is True
    assert after.compliant is False
    professional = after.requirement("professional")
    assert (professional.required, professional.shortfall, professional.set_by) == (7200, 1200, "engineering")

    other = cerules.evaluate_person(rules, ACCOUNTANT, year_of(ACCOUNTANT))
    assert other.compliant is True
    assert other.requirement("professional").set_by == "province"


@pytest.mark.parametrize("kind", ["city", "department"])
def test_the_rule_tests_pass_before_installation_with_and_without_the_example(kind: str, request: pytest.FixtureRequest) -> None:
    """Each case passes, run with the not-yet-installed module in place of its plugin name."""
    folder: Path = request.getfixturevalue(kind)

    def cases_and_problems() -> tuple[list[RuleTestCase], list[list[str]]]:
        cases = load_cases(next(find_files(folder)))
        with imported(folder) as module:
            return cases, [run_with_module(case, module) for case in cases]

    cases, problems = cases_and_problems()
    assert problems == [[]] * len(cases)
    # Unedited, the plugin changes nothing: its cases pass without it too.
    assert [attrs.evolve(case, plugins=None, no_plugins=True).run() for case in cases] == [[]] * len(cases)

    take_up_example(folder)
    cases, problems = cases_and_problems()
    assert problems == [[]] * len(cases)
    # ... and with the example in force, the cases test the plugin: without it, the first one fails.
    without = [attrs.evolve(case, plugins=None, no_plugins=True).run() for case in cases]
    assert any("compliant: expected False, got True" in problem for problem in without[0])


def test_the_case_that_expects_no_change_fails_once_a_rule_is_in_force(city: Path) -> None:
    """An author who puts the example rule in force without changing the cases is told."""
    layer_file(city).write_text(scaffold.put_example_in_force(layer_file(city).read_text(encoding="utf-8")), encoding="utf-8")
    first = load_cases(rule_tests_file(city))[0]
    with imported(city) as module:
        assert any("compliant: expected True, got False" in problem for problem in run_with_module(first, module))


def test_the_city_comes_from_the_option_or_the_name(tmp_path: Path) -> None:
    for name, given in [("ytwest", "烟台"), ("yt2", "370600"), ("yt3", "Yantai"), ("jinan", None)]:
        folder = create_plugin("city", name, tmp_path, city=given)
        expected = "370100" if name == "jinan" else "370600"
        assert cerules.load_layer(layer_file(folder)).scope.get("city") == {expected}


def test_department_title_series_are_kept_in_order_and_quoted(tmp_path: Path) -> None:
    series = ["卫生", " 药学 ", "卫生", 'odd "name": #1 \\ end']
    folder = create_plugin("department", "pharma", tmp_path, title_series=series)
    layer = cerules.load_layer(layer_file(folder))
    assert layer.scope.as_dict() == {"title_series": sorted(["卫生", "药学", 'odd "name": #1 \\ end'])}
    take_up_example(folder)
    cases = load_cases(next(find_files(folder)))
    assert cases[0].persons[0]["title_series"] == "卫生"
    assert cases[-1].persons[0]["title_series"] not in (layer.scope.get("title_series") or ())
    with imported(folder) as module:
        assert "卫生" in (module.__doc__ or "")
        assert all(run_with_module(case, module) == [] for case in cases)


def test_a_single_title_series_may_be_given_as_a_string(tmp_path: Path) -> None:
    folder = create_plugin("department", "teachers", tmp_path, title_series="中小学教师")
    assert cerules.load_layer(layer_file(folder)).scope.get("title_series") == {"中小学教师"}


@pytest.mark.parametrize(
    "name", ["Yantai", "1yantai", "yan-tai", "yan tai", "", "烟台", "yantai\n", "_yantai", "yantai/x", "..", "yan\x00tai"]
)
def test_a_bad_name_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"lowercase ASCII identifier") as caught:
        create_plugin("city", name, tmp_path, city="370600")
    assert "小写英文字母" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_name_too_long_for_a_folder_is_refused_on_the_command_line_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cerules.cli.main import main

    with pytest.raises(ValueError, match="at most 40 characters, not 300") as caught:
        create_plugin("city", "a" * 300, tmp_path, city="370600")
    assert "最多 40 个字符" in str(caught.value)
    assert main(["new-plugin", "city", "a" * 300, "--city", "370600", "--dir", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "at most 40 characters" in line
    assert list(tmp_path.iterdir()) == []
    assert create_plugin("city", "a" * 40, tmp_path, city="370600").name == "a" * 40


def test_a_folder_that_cannot_be_written_is_a_one_line_error_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cerules.cli.main import main

    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    assert main(["new-plugin", "city", "yantai", "--dir", str(blocker)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("cerules: ") and "a-file" in line and "Traceback" not in line


@pytest.mark.parametrize("name", ["province", "draft"])
def test_a_name_the_engine_uses_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="taken by the engine"):
        create_plugin("department", name, tmp_path, title_series=["工程"])


def test_a_bad_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must be city or department") as caught:
        create_plugin("county", "yantai", tmp_path)
    assert "插件类型" in str(caught.value)


def test_a_city_plugin_needs_a_shandong_city(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot tell which Shandong city 'springfield' is.*--city") as caught:
        create_plugin("city", "springfield", tmp_path)
    assert "无法从名称" in str(caught.value)
    with pytest.raises(ValueError, match=r"'苏州' is not a Shandong city"):
        create_plugin("city", "suzhou", tmp_path, city="苏州")
    with pytest.raises(ValueError, match="not scoped by title series"):
        create_plugin("city", "yantai", tmp_path, title_series=["工程"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("series", [(), [], ["", "  "]])
def test_a_department_plugin_needs_its_title_series(tmp_path: Path, series: list[str]) -> None:
    with pytest.raises(ValueError, match="needs the title series") as caught:
        create_plugin("department", "engineering", tmp_path, title_series=series)
    assert "职称系列" in str(caught.value)


def test_a_department_plugin_refuses_a_city_and_control_characters(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not scoped by city"):
        create_plugin("department", "engineering", tmp_path, city="370600", title_series=["工程"])
    with pytest.raises(ValueError, match="control characters"):
        create_plugin("department", "engineering", tmp_path, title_series=["工\n程"])
    assert list(tmp_path.iterdir()) == []


def test_a_year_without_provincial_rules_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no provincial rules for 1999.*shipped years: 2023"):
        create_plugin("city", "yantai", tmp_path, year=1999)


def test_an_existing_folder_is_not_overwritten(city: Path) -> None:
    toml = layer_file(city)
    toml.write_text("# edited by its author\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="exists already and is not overwritten") as caught:
        create_plugin("city", "yantai", city.parent)
    assert "已存在" in str(caught.value)
    assert toml.read_text(encoding="utf-8") == "# edited by its author\n"
    (city.parent / "empty").mkdir()
    with pytest.raises(FileExistsError):
        create_plugin("city", "empty", city.parent, city="370600")


def test_nothing_is_left_behind_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(folder: Path, name: str, year: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(scaffold, "_check", broken)
    with pytest.raises(OSError, match="disk full"):
        create_plugin("city", "yantai", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_directory_is_created_when_missing(tmp_path: Path) -> None:
    folder = create_plugin("city", "weihai", tmp_path / "cities" / "new")
    assert folder == tmp_path / "cities" / "new" / "weihai"
    assert layer_file(folder).is_file()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_next_steps(city: Path, lang: str) -> None:
    text = scaffold.next_steps(city, lang)
    assert f"pip install -e {city}" in text
    assert f"cerules test {city}" in text


GUIDE = ROOT / "docs" / "plugins.md"


def fenced(language: str) -> list[str]:
    """The code blocks of one language in the plugin authors' guide."""
    return re.findall(rf"^```{language}\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_the_guides_example_layers_load_in_their_jurisdiction() -> None:
    layers = [block for block in fenced("toml") if block.lstrip().startswith("[layer]")]
    assert len(layers) >= 5
    for index, block in enumerate(layers):
        layer = cerules.parse_layer(block, file=f"docs/plugins.md toml block {index + 1}")
        cerules.load_rules(YEAR, plugins=False).with_layer(layer)


def test_the_guides_example_rule_test_loads(tmp_path: Path) -> None:
    (block,) = fenced("yaml")
    file = tmp_path / "test_guide.yaml"
    file.write_text(block, encoding="utf-8")
    (case,) = load_cases(file)
    assert case.plugins == ("yantai",)
