"""Rules that cannot be bypassed: what plugins may give, what happens when one breaks, what lint
and the loader refuse, and rule files of the wrong shape: always a named error, never a traceback,
never a silent change of verdict."""

from __future__ import annotations

import io
import json
import math
import types
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cerules
from cerules.cli.main import main
from cerules.evaluation.batch import ChunkedRun
from cerules.plugins import installed
from cerules.plugins.manager import PluginError, Plugins, reset_plugins
from cerules.render.json import to_json, write_json_stream
from cerules.rules import RulesError, layer_from_dict, parse_layer
from cerules.rules.lint import lint_file
from cerules.whatif.draft import Draft, DraftError
from tests.conftest import person, record
from tests.plugin_helpers import city_layer, layer_plugin

DRAFT_ZEROES = (
    '[layer]\nid = "zero"\nrank = "draft"\nyears = [2023]\n\n'
    '[public]\nrequired_hours = { value = 0, citation = "x" }\n'
    '[professional]\nrequired_hours = { value = 0, citation = "x" }\n'
)
QINGDAO = city_layer("qingdao", "370200", '[public]\nrequired_hours = { value = 36, citation = "QD §1" }\n')


@pytest.fixture(autouse=True)
def _fresh_managers() -> Iterator[None]:
    reset_plugins()
    yield
    reset_plugins()


def plugin(name: str, register_layers: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.register_layers = cerules.hookimpl(register_layers)  # type: ignore[attr-defined]
    return module


def install(monkeypatch: pytest.MonkeyPatch, **modules: Any) -> list[str]:
    """Fake installed plugins: entry-point name → module (or an exception its import raises).
    Returns the names whose module was imported, in order."""
    imported: list[str] = []

    def load(self: metadata.EntryPoint) -> Any:
        imported.append(self.name)
        found = modules[self.name]
        if isinstance(found, BaseException):
            raise found
        return found

    points = [metadata.EntryPoint(name=name, value=f"cerules_{name}", group="cerules") for name in modules]
    monkeypatch.setattr(installed, "entry_points", lambda: points)
    monkeypatch.setattr(metadata.EntryPoint, "load", load)
    monkeypatch.delenv("CERULES_LOAD_PLUGINS", raising=False)
    return imported


@pytest.fixture
def cohort(tmp_path: Path) -> tuple[str, str]:
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city,unit_level\np1,青岛,市属\n", encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text("record_id,person_id,subject,hours,completed_at\nr1,p1,public,32,2023-05-01\n", encoding="utf-8")
    return str(persons), str(records)


def evaluate_args(cohort: tuple[str, str], *more: str) -> list[str]:
    return ["evaluate", "--year", "2023", "--persons", cohort[0], "--records", cohort[1], "--format", "json", *more]


# --- a plugin gives only the ranks its kind allows -----------------------------------------------


@pytest.mark.parametrize("rank", ["draft", "province"])
def test_a_plugin_may_not_register_a_draft_or_a_provincial_layer(rank: str) -> None:
    text = DRAFT_ZEROES.replace('rank = "draft"', f'rank = "{rank}"')
    as_object = parse_layer(text, file="zero.toml")
    for module in (layer_plugin("cerules-zero", text), plugin("cerules-zero", lambda register: register(as_object))):
        with pytest.raises(PluginError, match=f"plugin cerules-zero: .*rank city or department only, not {rank}") as caught:
            cerules.load_rules(2023, plugins=[module], strict=True)
        assert "drafts come from the user alone" in str(caught.value)


def test_a_plugin_draft_that_zeroes_everyone_fails_the_run_even_without_strict(monkeypatch, cohort, capsys) -> None:
    install(monkeypatch, zero=layer_plugin("cerules_zero", DRAFT_ZEROES))
    assert main(evaluate_args(cohort)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert "zero" in line and "draft" in line


def test_the_same_layer_given_by_the_user_is_a_draft_and_applies() -> None:
    rules = cerules.load_rules(2023, plugins=False, rules=[parse_layer(DRAFT_ZEROES, file="zero.toml")])
    assert [r.required for r in rules.resolve(cerules.Profile()).requirements] == [0, 0]


def test_a_layer_object_from_a_plugin_is_checked_by_the_schema_like_a_file() -> None:
    good = parse_layer(QINGDAO, file="q.toml")
    value = good.parameters["public.required_hours"][0]
    forged = attrs.evolve(good, parameters={"public.required_hours": (attrs.evolve(value, value=math.inf),)})
    with pytest.raises(PluginError, match="cerules-forged: .*public.required_hours.*expected a finite number"):
        cerules.load_rules(2023, plugins=[plugin("cerules-forged", lambda register: register(forged))])


# --- a broken plugin fails the run, unless the user skips it ----------------------------------------


def exits(code: Any) -> Any:
    def register_layers(register: Any) -> None:
        raise SystemExit(code)

    return register_layers


@pytest.mark.parametrize("raised", [SystemExit(0), SystemExit("bye"), GeneratorExit(), BaseException("odd")])
def test_a_hook_that_exits_or_raises_any_base_exception_is_contained_and_named(raised: BaseException) -> None:
    def register_layers(register: Any) -> None:
        raise raised

    with pytest.raises(PluginError, match=f"plugin cerules-rude: hook register_layers raised {type(raised).__name__}"):
        cerules.load_rules(2023, plugins=[plugin("cerules-rude", register_layers), layer_plugin("cerules-qingdao", QINGDAO)])


def test_a_hook_calling_sys_exit_0_fails_the_run_with_exit_2_and_says_so(monkeypatch, cohort, capsys) -> None:
    install(monkeypatch, rude=plugin("cerules_rude", exits(0)))
    assert main(evaluate_args(cohort)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert "rude" in line and "sys.exit(0)" in line and "--skip-plugin rude" in line


def test_ctrl_c_in_a_hook_still_stops_the_program() -> None:
    def register_layers(register: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cerules.load_rules(2023, plugins=[plugin("cerules-slow", register_layers)])


def test_a_plugin_whose_import_exits_is_named_and_fails_the_load(monkeypatch) -> None:
    install(monkeypatch, rude=SystemExit(3))
    with pytest.raises(PluginError, match=r"plugin rude: cannot be imported: SystemExit: sys.exit\(3\) was called"):
        cerules.load_rules(2023)


def test_a_skipped_plugin_is_not_imported_and_the_rules_record_it(monkeypatch) -> None:
    imported = install(monkeypatch, ghost=ImportError("no module named cerules_ghost"), qingdao=layer_plugin("cerules_qingdao", QINGDAO))
    with pytest.raises(PluginError, match="plugin ghost: cannot be imported"):
        cerules.load_rules(2023)
    imported.clear()
    reset_plugins()
    rules = cerules.load_rules(2023, skip=["ghost"])
    assert imported == ["qingdao"]
    assert [layer.id for layer in rules.layers] == ["province", "qingdao"]
    assert rules.skipped_plugins == ("ghost",)
    assert rules.with_layer(parse_layer("[public]\nrequired_hours = 40\n", default_rank="draft")).skipped_plugins == ("ghost",)
    # CERULES_LOAD_PLUGINS still selects: a skipped plugin that is not selected was not going to load.
    monkeypatch.setenv("CERULES_LOAD_PLUGINS", "qingdao")
    assert cerules.load_rules(2023, skip="ghost").skipped_plugins == ()


def test_skipping_a_plugin_that_is_not_installed_is_an_error(monkeypatch) -> None:
    install(monkeypatch, qingdao=layer_plugin("cerules_qingdao", QINGDAO))
    with pytest.raises(PluginError, match="plugin qingdoa: is to be skipped but is not installed"):
        cerules.load_rules(2023, skip=["qingdoa"])


def test_the_document_lists_skipped_plugins_and_streamed_and_whole_agree(monkeypatch, cohort, capsys) -> None:
    install(monkeypatch, ghost=ImportError("gone"), qingdao=layer_plugin("cerules_qingdao", QINGDAO))
    assert main(evaluate_args(cohort)) == 2
    assert "ghost" in capsys.readouterr().err
    assert main(evaluate_args(cohort, "--skip-plugin", "ghost")) == 0
    captured = capsys.readouterr()
    assert "跳过插件：ghost" in captured.err  # said for every output form; on record in the JSON
    document = json.loads(captured.out)
    assert document["rules"]["skipped_plugins"] == ["ghost"]
    assert document["people"][0]["requirements"][0]["set_by"] == "qingdao"

    rules = cerules.load_rules(2023, skip=["ghost"])
    people, records = [person(city="青岛")], [record(hours=32)]
    whole = cerules.evaluate(rules, people, records)
    assert whole.to_document()["rules"]["skipped_plugins"] == ["ghost"]
    buffer = io.BytesIO()
    write_json_stream(ChunkedRun(rules, people, records), buffer, "en")
    assert buffer.getvalue().decode("utf-8") == to_json(whole, "en")


def test_nothing_skipped_is_an_empty_list(rules) -> None:
    assert cerules.evaluate(rules, [person()], []).to_document()["rules"]["skipped_plugins"] == []


def test_rules_show_and_plugins_take_skip_plugin_too(monkeypatch, capsys) -> None:
    install(monkeypatch, ghost=ImportError("gone"), qingdao=layer_plugin("cerules_qingdao", QINGDAO))
    assert main(["rules", "show", "--year", "2023", "--json"]) == 2
    capsys.readouterr()
    assert main(["rules", "show", "--year", "2023", "--json", "--skip-plugin", "ghost"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped_plugins"] == ["ghost"]
    # The listing shows every plugin, the broken one too, and exits 2 while one is broken.
    assert main(["plugins", "--json"]) == 2
    captured = capsys.readouterr()
    listed = json.loads(captured.out)
    assert [e["plugin"] for e in listed["errors"]] == ["ghost"] and [p["name"] for p in listed["plugins"]] == ["qingdao"]
    assert "ghost" in captured.err.splitlines()[-1]
    assert main(["plugins", "--skip-plugin", "ghost"]) == 0
    assert "skipped: ghost" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("registered", "words"),
    [
        (lambda folder: str(folder), "a folder was registered that holds no layer file (*.toml)"),
        (lambda folder: folder, "a folder was registered that holds no layer file (*.toml)"),
        (lambda folder: 42, "expected the path of a layer's TOML file or a cerules.Layer, not int"),
        (lambda folder: {"layer": {}}, "not dict"),
        (lambda folder: folder / "notes.txt", "not valid TOML"),
    ],
)
def test_registering_a_folder_or_something_else_than_a_layer_is_named(tmp_path: Path, registered: Any, words: str) -> None:
    (tmp_path / "x.toml").mkdir()
    (tmp_path / "notes.txt").write_text("just words\n", encoding="utf-8")
    item = registered(tmp_path / "x.toml")
    if isinstance(item, Path) and item.name == "notes.txt":
        item = tmp_path / "notes.txt"
    with pytest.raises(PluginError) as caught:
        cerules.load_rules(2023, plugins=[plugin("cerules-odd", lambda register: register(item))])
    assert str(caught.value).startswith("plugin cerules-odd: ") and words in str(caught.value)


def test_a_package_resource_folder_is_named_too(tmp_path: Path) -> None:
    from importlib.resources.readers import MultiplexedPath

    (tmp_path / "layers").mkdir()
    folder = MultiplexedPath(str(tmp_path / "layers"))
    with pytest.raises(PluginError, match="cerules-odd: .*a folder was registered"):
        cerules.load_rules(2023, plugins=[plugin("cerules-odd", lambda register: register(folder))])


def test_a_listing_keeps_going_past_a_broken_plugin(capsys) -> None:
    plugins = Plugins([plugin("cerules-rude", exits(0)), layer_plugin("cerules-qingdao", QINGDAO)], installed=False, keep_going=True)
    assert [layer.id for layer in plugins.layers(2023)] == ["qingdao"]
    assert [error.plugin for error in plugins.errors] == ["cerules-rude"]


# --- units of a requirement cannot change under a draft -------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "key"),
    [
        ('[public]\nunit = "credits"\nrequired = { value = 40, citation = "d" }\n', "public.unit"),
        ('[public]\nrequired = { value = 40, citation = "d" }\n', "public.required"),
        ('[professional]\nunit = "credits"\n', "professional.unit"),
    ],
)
def test_a_draft_may_not_change_what_a_subjects_requirement_is_counted_in(tmp_path: Path, draft: str, key: str) -> None:
    file = tmp_path / "draft.toml"
    file.write_text(draft, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        cerules.load_rules(2023, plugins=False, rules=[file])
    assert (caught.value.file, caught.value.key) == (str(file), key)
    assert "required_hours" in str(caught.value)
    assert "required_hours" in caught.value.in_lang("zh")


def test_nor_a_credit_requirement_of_a_plugin_through_a_draft_dict() -> None:
    cme = (
        '[layer]\nid = "health"\nrank = "department"\nyears = [2023]\nscope = { title_series = ["卫生"] }\n'
        '[professional.cme]\nunit = "credits"\nrequired = { value = 25, citation = "CME" }\n'
    )
    rules = cerules.load_rules(2023, plugins=[layer_plugin("cerules-health", cme)])
    with pytest.raises(DraftError) as caught:
        Draft.from_dict({"professional.cme.required_hours": 30}).apply(rules)
    assert caught.value.paths == ("professional.cme.required_hours",)
    assert "professional.cme.required" in str(caught.value)
    raised = Draft.from_dict({"professional.cme.required": 30, "public.required_hours": 35}).apply(rules)
    policy = raised.resolve(cerules.Profile.of(title_series="卫生"))
    assert {(r.id, r.unit, r.required) for r in policy.requirements} >= {("professional.cme", "credits", 3000), ("public", "hours", 3500)}


def test_the_issue_case_credits_beside_hours_no_longer_reads_as_hours(rules) -> None:
    with pytest.raises(DraftError, match="public"):
        Draft.from_dict({"public.required": 40, "public.unit": "credits"}).apply(rules)


# --- numbers the engine cannot use are refused by the loader and by lint ------------------------------


BAD_NUMBERS = [
    ("public.required_hours", "inf", "finite"),
    ("public.required_hours", "nan", "finite"),
    ("public.required_hours", "-inf", "finite"),
    ("public.required_hours", "1e300", "<= 10000"),
    ("public.required_hours", "10001", "<= 10000"),
    ("public.required_hours", "-1", ">= 0"),
    ("public.required_hours", "123456789012345678901234567890", "<= 10000"),
    ("quality_course.teacher_multiplier", "1e17", "<= 100"),
    ("quality_course.teacher_multiplier", "0", "> 0"),
    ("declared.max_hours_per_day", "1e300", "<= 10000"),
    ("public.focus.hours_per_credit", "inf", "finite"),
]


@pytest.mark.parametrize(("path", "value", "words"), BAD_NUMBERS)
def test_the_loader_and_lint_refuse_numbers_the_engine_cannot_use(tmp_path: Path, path: str, value: str, words: str) -> None:
    prefix, _, name = path.rpartition(".")
    text = f'[{prefix}]\n{name} = {{ value = {value}, citation = "x" }}\n'
    with pytest.raises(RulesError, match=words) as caught:
        parse_layer(text, file="d.toml", default_rank="draft")
    assert caught.value.key == f"{path}.value"
    file = tmp_path / "d.toml"
    file.write_text(text, encoding="utf-8")
    assert [(p.key, p.severity) for p in lint_file(file)] == [(f"{path}.value", "error")]


def test_the_largest_numbers_allowed_still_evaluate(rules) -> None:
    draft = Draft.from_dict({"public.required_hours": 10000, "quality_course.teacher_multiplier": 100, "declared.max_hours_per_day": 10000})
    result = cerules.evaluate_person(draft.apply(rules), person(), [record(hours=9999.99, role="teacher", quality_course="true")])
    assert result.requirement("public").required == 1_000_000


# --- lint: every check loading makes, and exit statuses that tell findings from failures ------------------------


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


CITY_28 = city_layer(
    "yt",
    "370600",
    '[public]\nrequired_hours = { value = 28, citation = "待填写 TODO: 条款" }\n'
    'platforms = { value = ["山东开放大学", "sdoo"], citation = "YT §2" }\n\n'
    '[public.focus]\nrequired_hours = { value = 10, citation = "YT §3" }\ncount_topics = { value = ["xi-thougt"], citation = "YT §3" }\n',
)


def test_lint_finds_the_floor_the_placeholder_citation_and_the_unknown_codes(tmp_path: Path, capsys) -> None:
    file = write(tmp_path, "yt.toml", CITY_28)
    assert main(["rules", "lint", "--lang", "en", file]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any("key 'public.required_hours'" in line and "may not lower the provincial floor of 30" in line for line in lines)
    assert any("key 'public.required_hours'" in line and "placeholder" in line for line in lines)
    assert any("'山东开放大学'" in line and "did you mean 'sdou'?" in line for line in lines)
    assert any("'sdoo'" in line and "did you mean 'sdou'?" in line for line in lines)
    assert any("key 'public.focus.count_topics'" in line and "did you mean 'xi-thought'?" in line for line in lines)
    # The loader refuses the floor as well.
    with pytest.raises(RulesError, match="may not lower the provincial floor"):
        cerules.load_rules(2023, plugins=[layer_plugin("cerules-yt", CITY_28)])


def test_lint_reports_every_value_the_schema_refuses_at_once(tmp_path: Path, capsys) -> None:
    text = (
        "[public]\nrequired_hours = { value = inf, citation = 'a' }\nplatforms = { value = 'sdou', citation = 'b' }\n"
        "[quality_course]\nteacher_multiplier = { value = 1e17, citation = 'c' }\n[declared]\nrequires_approval = true\n"
    )
    problems = lint_file(write(tmp_path, "d.toml", text))
    assert [(p.key, p.severity) for p in problems] == [
        ("public.required_hours.value", "error"),
        ("public.platforms.value", "error"),
        ("quality_course.teacher_multiplier.value", "error"),
        ("declared.requires_approval", "error"),  # what is left is still checked: no citation
    ]


def test_lint_of_clean_files_exits_0_and_warnings_do_not_count(capsys) -> None:
    shipped = ["cerules/rules/data/shandong/sd-2023.toml", "cities/qingdao/cerules_qingdao/rules/qingdao-2023.toml"]
    assert main(["rules", "lint", *shipped]) == 0
    assert "warning" in capsys.readouterr().out


UNREADABLE: dict[str, bytes | None] = {
    "file not found": None,
    "is a folder": b"",
    "not valid TOML": b"[public\n",
    "not UTF-8": b"\xff\xfe[public]\n",
    "nested too deeply": ("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n").encode(),
    "cannot be read": ("a = " + "1" * 5000 + "\n").encode(),
}


@pytest.mark.parametrize("words", UNREADABLE)
def test_lint_exits_2_when_a_file_cannot_be_linted_naming_it(tmp_path: Path, capsys, words: str) -> None:
    path = tmp_path / "x.toml"
    content = UNREADABLE[words]
    if words == "is a folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    file = str(path)
    clean = "cerules/rules/data/shandong/sd-2023.toml"
    assert main(["rules", "lint", "--lang", "en", file, clean]) == 2
    err = capsys.readouterr().err
    (line,) = err.splitlines()
    assert file in line and words in line and "Traceback" not in err


def test_findings_and_a_file_that_cannot_be_read_exit_2(tmp_path: Path, capsys) -> None:
    finding = write(tmp_path, "f.toml", "[public]\nrequired_hours = 35\n")
    assert main(["rules", "lint", finding]) == 1
    assert main(["rules", "lint", finding, str(tmp_path / "missing.toml")]) == 2


def test_a_defect_of_lint_itself_exits_2_without_a_traceback(tmp_path: Path, monkeypatch, capsys) -> None:
    def broken(path: Any) -> Any:
        raise TypeError("a defect")

    monkeypatch.setattr("cerules.rules.lint.lint_file", broken)
    assert main(["rules", "lint", write(tmp_path, "f.toml", "")]) == 2
    assert "TypeError: a defect" in capsys.readouterr().err


def test_lint_checks_a_layer_against_the_provincial_layer_of_its_year(tmp_path: Path) -> None:
    department = (
        '[layer]\nid = "x"\nrank = "department"\nyears = [2023]\nscope = { title_series = ["工程"] }\n'
        '[public]\nrequired_hours = { value = 40, citation = "X" }\n'
    )
    (problem,) = lint_file(write(tmp_path, "x.toml", department))
    assert problem.key == "public.required_hours" and "sets professional subjects only" in problem.message_en
    later = department.replace("[2023]", "[2031]").replace("[public]", "[professional]")
    (warning,) = lint_file(write(tmp_path, "y.toml", later))
    assert (warning.key, warning.severity) == ("layer.years", "warning")
    assert "no provincial rules for 2031" in warning.message_en


def test_lint_finds_sums_of_requirements_no_layer_sets(tmp_path: Path) -> None:
    text = (
        '[professional.cme]\nunit = "credits"\nrequired = { value = 5, citation = "A" }\n'
        'sum_of = { value = ["professional.nope"], citation = "A" }\n'
    )
    (problem,) = lint_file(write(tmp_path, "d.toml", text))
    assert problem.key == "professional.cme.sum_of" and "professional.nope" in problem.message_en


# --- rule structure of the wrong type: a RulesError naming file and key ------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("layer = 5\n", "layer"),
        ("[catalog]\nplatforms = 5\n", "catalog.platforms"),
        ("catalog = 5\n", "catalog"),
        ("[catalog.platforms.x]\nname = { zh = 5 }\ncitation = 'c'\n", "catalog.platforms.x.name"),
        ("[catalog.platforms.x]\nname = 'x'\ncitation = 5\n", "catalog.platforms.x.citation"),
        ("[catalog.topics.x]\nname = 'x'\ngroup = []\ncitation = 'c'\n", "catalog.topics.x.group"),
        ("[public]\nunit = [1]\n", "public.unit"),
        ("[public]\nlabel = { zh = 'x', en = 5 }\n", "public.label"),
        ("[public]\nrequired_hours = { value = 30, citation = 'x', note = 5 }\n", "public.required_hours.note"),
        ("[layer]\nid = 'x'\nrank = 'draft'\nsource = { a = 1 }\n", "layer.source"),
        ("[layer]\nid = 'x'\nrank = 'draft'\nyears = [0]\n", "layer.years"),
        ("[layer]\nid = 'x'\nrank = true\n", "layer.rank"),
    ],
)
def test_rule_structure_of_the_wrong_type_is_a_rules_error_naming_file_and_key(text: str, key: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_layer(text, file="bad.toml", default_rank="draft")
    assert (caught.value.file, caught.value.key) == ("bad.toml", key)


def test_tables_nested_thousands_deep_are_refused_by_name() -> None:
    with pytest.raises(RulesError, match="nested too deeply") as caught:
        parse_layer("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n", file="deep.toml")
    assert caught.value.file == "deep.toml"
    document: dict[str, Any] = {}
    node = document.setdefault("public", {})
    for _ in range(3000):
        node = node.setdefault("a", {})
    with pytest.raises(RulesError, match="nested too deeply") as caught:
        layer_from_dict(document, file="deep.py", default_rank="draft")
    assert caught.value.key.startswith("public.a.a")


def test_a_folder_named_like_a_rule_file_is_refused_on_the_command_line(tmp_path: Path, cohort, capsys) -> None:
    (tmp_path / "x.toml").mkdir()
    assert main(evaluate_args(cohort, "--no-plugins", "--rules", str(tmp_path / "x.toml"))) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "x.toml" in line


def test_load_rules_takes_one_draft_file_as_well_as_a_list(tmp_path: Path) -> None:
    file = write(tmp_path, "d.toml", "[public]\nrequired_hours = { value = 35, citation = 'd' }\n")
    assert cerules.load_rules(2023, plugins=False, rules=file).layers[-1].id == "draft"


# --- fuzzing: any shape of rule document gives a layer or a RulesError, and lint never raises anything else ---


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
keys = st.sampled_from(
    ["layer", "catalog", "public", "professional", "declared", "quality_course", "focus", "required_hours", "required", "unit", "label",
     "value", "citation", "when", "platforms", "topics", "count_topics", "sum_of", "scope", "rank", "id", "years", "x", "name", "zh"]
)  # fmt: skip
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4), max_leaves=25)


@settings(max_examples=300)
@given(document=st.dictionaries(keys, documents, max_size=5))
def test_any_rule_document_gives_a_layer_or_a_rules_error(document: dict[str, Any]) -> None:
    from cerules.rules.lint import lint_layer, read_collecting

    try:
        layer = layer_from_dict(document, file="fuzz.toml", default_rank="draft")
    except RulesError as exc:
        assert exc.file == "fuzz.toml"
    else:
        lint_layer(layer)
    layer, _problems = read_collecting(document, file="fuzz.toml")
    if layer is not None:
        lint_layer(layer)
