"""Layers with jurisdictions, combined from plugins deterministically, refusing what they may not do."""

from __future__ import annotations

import itertools
import types
from collections.abc import Iterator
from importlib import metadata

import pytest

import cerules
from cerules.plugins.manager import PluginError, Plugins, reset_plugins
from cerules.rules import RulesError
from tests.conftest import person, record
from tests.plugin_helpers import city_layer, department_layer, layer_plugin

QINGDAO = city_layer(
    "qingdao",
    "370200",
    '[public]\nrequired_hours = { value = 36, citation = "QD §1" }\nplatforms = { value = ["qdjxjy"], citation = "QD §2" }\n',
)
HEALTH = department_layer(
    "health",
    "卫生",
    '[professional]\nrequired_hours = { value = 72, citation = "HEALTH §1" }\n',
)


@pytest.fixture(autouse=True)
def _fresh_managers() -> Iterator[None]:
    """The installed plugins are found once per process: each test here finds them anew."""
    reset_plugins()
    yield
    reset_plugins()


def rules_with(*plugins: types.ModuleType) -> cerules.RuleSet:
    return cerules.load_rules(2023, plugins=list(plugins), strict=True)


def test_a_city_layer_changes_its_city_staff_without_touching_provincial_unit_staff_in_the_city():
    rules = rules_with(layer_plugin("cerules-qingdao", QINGDAO))
    records = [record(hours=30, platform="qdjxjy", record_id="city-platform")]
    city_staff = cerules.evaluate_person(rules, person(city="青岛", unit_level="市属"), records)
    provincial_staff = cerules.evaluate_person(rules, person(city="青岛", unit_level="省直"), records)
    other_city = cerules.evaluate_person(rules, person(city="济宁", unit_level="市属"), records)

    public = city_staff.requirement("public")
    assert (public.required, public.set_by, public.provenance.plugin, public.provenance.citation) == (
        3600,
        "qingdao",
        "cerules-qingdao",
        "QD §1",
    )
    assert city_staff.records[0].status == "credited"
    assert provincial_staff.requirement("public").required == 3000
    assert provincial_staff.records[0].reason == "platform_not_accepted"
    assert other_city.requirement("public").set_by == "province"


def test_a_city_layer_narrows_its_staff_platforms():
    rules = rules_with(layer_plugin("cerules-qingdao", QINGDAO))
    result = cerules.evaluate_person(rules, person(city="370200"), [record(hours=3, platform="sdou")])
    assert result.records[0].reason == "platform_not_accepted"
    assert "QD §2" in result.records[0].message.zh and "qingdao" in result.records[0].message.en


def test_a_department_layer_applies_only_within_its_scope():
    rules = rules_with(layer_plugin("cerules-health", HEALTH))
    doctor = cerules.evaluate_person(rules, person(title_series="卫生", unit_level="省直"), [])
    engineer = cerules.evaluate_person(rules, person(title_series="工程"), [])
    assert (doctor.requirement("professional").required, doctor.requirement("professional").set_by) == (7200, "health")
    assert (engineer.requirement("professional").required, engineer.requirement("professional").set_by) == (6000, "province")


def test_a_layer_lowering_the_provincial_floor_is_refused_at_load_time_naming_plugin_and_file():
    low = city_layer("lowtown", "370800", '[public]\nrequired_hours = { value = 24, citation = "X" }\n')
    with pytest.raises(RulesError) as caught:
        rules_with(layer_plugin("cerules-lowtown", low))
    message = str(caught.value)
    assert "cerules-lowtown" in message and "lowtown/layer-0.toml" in message
    assert "may not lower the provincial floor of 30" in message and "SD-2023 §2(1)" in message


def test_two_layers_of_one_rank_setting_the_same_value_for_the_same_people_are_a_conflict():
    first = department_layer("health", "卫生", '[professional]\nrequired_hours = { value = 70, citation = "A" }\n')
    second = department_layer("nursing", "卫生", '[professional]\nrequired_hours = { value = 80, citation = "B" }\n')
    with pytest.raises(RulesError) as caught:
        rules_with(layer_plugin("cerules-health", first), layer_plugin("cerules-nursing", second))
    message = str(caught.value)
    for words in (
        "conflict",
        "cerules-health",
        "health/layer-0.toml",
        "cerules-nursing",
        "nursing/layer-0.toml",
        "professional.required_hours",
    ):
        assert words in message


def test_layers_of_one_rank_for_different_people_do_not_conflict():
    qingdao = city_layer("qingdao", "370200", '[public]\nrequired_hours = { value = 32, citation = "A" }\n')
    jining = city_layer("jining", "370800", '[public]\nrequired_hours = { value = 34, citation = "B" }\n')
    rules = rules_with(layer_plugin("cerules-qingdao", qingdao), layer_plugin("cerules-jining", jining))
    assert rules.resolve(rules.profile(city="济宁")).requirements[0].required == 3400


@pytest.mark.parametrize(
    ("layer", "words"),
    [
        (city_layer("x", "370200", '[professional]\nrequired_hours = { value = 70, citation = "A" }\n'), "sets public subjects only"),
        ('[layer]\nid = "x"\nrank = "city"\nscope = { city = ["370200"] }\n', "city-level staff"),
        (
            '[layer]\nid = "x"\nrank = "department"\n\n[professional]\nrequired_hours = { value = 70, citation = "A" }\n',
            "people of its field",
        ),
        (department_layer("x", "卫生", '[public]\nrequired_hours = { value = 40, citation = "A" }\n'), "sets professional subjects only"),
        (
            department_layer("x", "卫生", '[declared]\nmax_hours_per_day = { value = 10, citation = "A" }\n'),
            "may not set 'declared.max_hours_per_day'",
        ),
    ],
)
def test_a_layer_may_not_set_what_is_outside_its_jurisdiction(layer, words):
    with pytest.raises(RulesError, match=words):
        rules_with(layer_plugin("cerules-x", layer))


def test_results_are_identical_whatever_order_the_plugins_are_registered_in():
    plugins = [
        layer_plugin("cerules-qingdao", QINGDAO),
        layer_plugin("cerules-health", HEALTH),
        layer_plugin("cerules-jining", city_layer("jining", "370800", '[public]\ndeadline = { value = "2023-10-31", citation = "JN" }\n')),
    ]
    people = [person("a", city="青岛", title_series="卫生"), person("b", city="济宁"), person("c", city="青岛", unit_level="省直")]
    records = [
        record(hours=20, platform="qdjxjy", person_id="a"),
        record(hours=20, completed_at="2023-11-02", person_id="b"),
        record("professional", 65, person_id="a"),
    ]
    documents = []
    for order in itertools.permutations(plugins):
        rules = rules_with(*order)
        documents.append(cerules.evaluate(rules, people, records).to_document("en"))
    assert all(document == documents[0] for document in documents)


def test_a_plugin_whose_hook_raises_fails_the_load_by_name_rather_than_leave_its_people_to_the_province():
    broken = types.ModuleType("cerules-broken")

    @cerules.hookimpl
    def register_layers(register, year):
        raise RuntimeError("rule file missing")

    broken.register_layers = register_layers
    good = layer_plugin("cerules-qingdao", QINGDAO)
    for strict in (False, True):
        with pytest.raises(PluginError, match="plugin cerules-broken: hook register_layers raised RuntimeError: rule file missing"):
            cerules.load_rules(2023, plugins=[broken, good], strict=strict)


def test_a_plugin_that_cannot_be_imported_fails_the_load_by_name_unless_skipped(monkeypatch, capsys):
    missing = metadata.EntryPoint(name="ghost", value="cerules_ghost_not_installed", group="cerules")
    monkeypatch.setattr("cerules.plugins.installed.entry_points", lambda: [missing])
    monkeypatch.delenv("CERULES_LOAD_PLUGINS")
    with pytest.raises(PluginError, match="plugin ghost: cannot be imported: ModuleNotFoundError.*--skip-plugin ghost"):
        cerules.load_rules(2023)
    listing = Plugins(keep_going=True)
    assert [e.plugin for e in listing.errors] == ["ghost"]
    assert "cannot be imported: ModuleNotFoundError" in capsys.readouterr().err
    rules = cerules.load_rules(2023, skip=["ghost"])
    assert [layer.id for layer in rules.layers] == ["province"]
    assert rules.skipped_plugins == ("ghost",)


def test_a_hook_implementation_without_a_specification_is_refused(capsys):
    odd = types.ModuleType("cerules-odd")
    odd.register_widgets = cerules.hookimpl(lambda register: None)
    with pytest.raises(PluginError, match="register_widgets"):
        cerules.load_rules(2023, plugins=[odd], strict=True)


def test_the_environment_chooses_which_installed_plugins_load(monkeypatch):
    entry_points = [metadata.EntryPoint(name=n, value="cerules_not_there_" + n, group="cerules") for n in ("a", "b")]
    monkeypatch.setattr("cerules.plugins.installed.entry_points", lambda: entry_points)
    monkeypatch.setenv("CERULES_LOAD_PLUGINS", "")
    assert Plugins().errors == []
    monkeypatch.setenv("CERULES_LOAD_PLUGINS", "b")
    assert [e.plugin for e in Plugins(keep_going=True).errors] == ["b"]
    monkeypatch.setenv("CERULES_LOAD_PLUGINS", "c")
    assert [e.error for e in Plugins(keep_going=True).errors] == ["is not installed (no entry point in the group 'cerules')"]
    with pytest.raises(PluginError, match="plugin c: is not installed"):
        Plugins()


def test_plugins_are_asked_once_per_load_never_per_record():
    calls = []
    module = types.ModuleType("cerules-counting")

    @cerules.hookimpl
    def register_layers(register, year):
        calls.append(year)
        register(cerules.parse_layer(QINGDAO, file="q.toml"))

    module.register_layers = register_layers
    rules = cerules.load_rules(2023, plugins=[module])
    cerules.evaluate(rules, [person(f"p{i}", city="青岛") for i in range(50)], [record(person_id=f"p{i % 50}") for i in range(500)])
    assert calls == [2023]


def test_the_json_names_the_plugin_that_set_a_requirement(tmp_path):
    rules = rules_with(layer_plugin("cerules-qingdao", QINGDAO))
    document = cerules.evaluate(rules, [person(city="青岛")], []).to_document()
    public = document["people"][0]["requirements"][0]
    assert (public["set_by"], public["plugin"], public["citation"]) == ("qingdao", "cerules-qingdao", "QD §1")
    assert [layer["plugin"] for layer in document["rules"]["layers"]] == [None, "cerules-qingdao"]
