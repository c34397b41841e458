"""Hooks are called through pluggy, as pluggy means them to be; the host still knows who gave what.

Also: one plugin manager per process for the installed plugins, hook tracing, and the provincial
rules as a built-in plugin that is always there.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import pytest

import cerules
from cerules.base.errors import CeruleError
from cerules.plugins import installed
from cerules.plugins.manager import PluginError, Plugins, reset_plugins
from cerules.rules import RulesError
from tests.plugin_helpers import city_layer, department_layer, layer_plugin

QINGDAO = city_layer("qingdao", "370200", '[public]\nrequired_hours = { value = 36, citation = "QD §1" }\n')
JINING = city_layer("jining", "370800", '[public]\nrequired_hours = { value = 34, citation = "JN §1" }\n')
HEALTH = department_layer("health", "卫生", '[professional]\nrequired_hours = { value = 72, citation = "H §1" }\n')


@pytest.fixture(autouse=True)
def _fresh_managers() -> Iterator[None]:
    """Each test builds its own shared managers, so faked entry points never outlive it."""
    reset_plugins()
    yield
    reset_plugins()


def plugin(name: str, **hooks: Any) -> types.ModuleType:
    """A plugin module `name` with the given hook implementations."""
    module = types.ModuleType(name)
    for hook, function in hooks.items():
        setattr(module, hook, function)
    return module


def layer(text: str) -> cerules.Layer:
    return cerules.parse_layer(text, file="memory.toml")


def layers_of(*modules: Any, year: int = 2023) -> list[tuple[str | None, str]]:
    """(plugin, layer id) of every layer the modules register and of the built-in pack's, by plugin name."""
    plugins = Plugins(modules, installed=False, strict=True)
    given = plugins.layers_by_plugin(year) + [("province", each) for each in plugins.packs()["shandong"].layers_for(year)]
    return [(each.plugin, each.id) for _, each in sorted(given, key=lambda pair: pair[0])]


# --- implementations take what they need --------------------------------------------------------


def test_an_implementation_may_take_only_register():
    @cerules.hookimpl
    def register_layers(register):
        register(layer(QINGDAO))

    rules = cerules.load_rules(2023, plugins=[plugin("cerules-qingdao", register_layers=register_layers)], strict=True)
    assert [(each.id, each.plugin) for each in rules.layers] == [("province", None), ("qingdao", "cerules-qingdao")]


def test_an_implementation_may_take_its_arguments_in_any_order_or_none_at_all():
    calls = []

    @cerules.hookimpl
    def register_layers(year, register):
        register(layer(QINGDAO))

    @cerules.hookimpl(specname="register_layers")
    def count():
        calls.append("called")

    assert layers_of(plugin("a", register_layers=register_layers), plugin("b", register_layers=count)) == [
        ("a", "qingdao"),
        (None, "province"),
    ]
    assert calls == ["called"]


def test_tryfirst_and_trylast_order_the_calls():
    order = []

    def recording(name: str, **marks: bool) -> types.ModuleType:
        @cerules.hookimpl(**marks)
        def register_layers(register, year):
            order.append(name)

        return plugin(name, register_layers=register_layers)

    Plugins([recording("last", trylast=True), recording("middle"), recording("first", tryfirst=True)], installed=False).layers(2023)
    assert order[0] == "first" and order[-1] == "last"


def test_a_wrapper_sees_the_call_and_what_it_registers_is_its_own():
    seen = []

    @cerules.hookimpl(wrapper=True)
    def register_layers(register, year):
        register(layer(HEALTH))
        result = yield
        seen.append(year)
        return result

    assert layers_of(plugin("cerules-health", register_layers=register_layers), layer_plugin("cerules-qingdao", QINGDAO)) == [
        ("cerules-health", "health"),
        ("cerules-qingdao", "qingdao"),
        (None, "province"),
    ]
    assert seen == [2023]


# --- who gave what -------------------------------------------------------------------------------


def test_closures_of_one_factory_share_their_code_yet_each_layer_keeps_its_own_plugin():
    first, second = layer_plugin("cerules-qingdao", QINGDAO), layer_plugin("cerules-jining", JINING)
    assert first.register_layers.__code__ is second.register_layers.__code__
    assert layers_of(second, first) == [("cerules-jining", "jining"), ("cerules-qingdao", "qingdao"), (None, "province")]


def test_methods_of_two_instances_of_one_class_are_told_apart():
    class CityPlugin:
        def __init__(self, name: str, text: str) -> None:
            self.__name__, self.text = name, text

        @cerules.hookimpl
        def register_layers(self, register, year):
            register(layer(self.text))

    assert layers_of(CityPlugin("cerules-qingdao", QINGDAO), CityPlugin("cerules-jining", JINING)) == [
        ("cerules-jining", "jining"),
        ("cerules-qingdao", "qingdao"),
        (None, "province"),
    ]


def test_register_called_from_a_helper_counts_for_the_implementation_that_called_the_helper():
    def helper(register: Any) -> None:
        register(layer(QINGDAO))

    @cerules.hookimpl
    def register_layers(register, year):
        helper(register)

    assert layers_of(plugin("cerules-qingdao", register_layers=register_layers)) == [("cerules-qingdao", "qingdao"), (None, "province")]


def test_register_kept_and_called_after_the_hook_returned_is_refused():
    kept = []

    @cerules.hookimpl
    def register_layers(register, year):
        kept.append(register)

    layers_of(plugin("cerules-late", register_layers=register_layers))
    with pytest.raises(PluginError, match="register\\(\\) was called outside an implementation of register_layers"):
        kept[0](layer(QINGDAO))


def test_one_function_under_two_plugin_names_is_refused_rather_than_guessed():
    shared = layer_plugin("cerules-qingdao", QINGDAO).register_layers
    with pytest.raises(PluginError, match="one and the same function") as caught:
        layers_of(plugin("a", register_layers=shared), plugin("b", register_layers=shared))
    assert caught.value.plugin == "a, b"


# --- a plugin that fails -----------------------------------------------------------------------


def raising(message: str, **marks: bool) -> Any:
    @cerules.hookimpl(**marks)
    def register_layers(register, year):
        raise RuntimeError(message)

    return register_layers


def test_a_failing_plugin_stops_the_load_naming_it():
    modules = [plugin("cerules-broken", register_layers=raising("no file")), layer_plugin("cerules-qingdao", QINGDAO)]
    with pytest.raises(PluginError, match="plugin cerules-broken: hook register_layers raised RuntimeError: no file") as caught:
        Plugins(modules, installed=False).layers(2023)
    assert caught.value.plugin == "cerules-broken"
    with pytest.raises(PluginError, match="cerules-broken"):
        cerules.load_rules(2023, plugins=modules)


def test_for_a_listing_a_failing_plugin_is_left_out_and_the_others_still_give_their_layers(capsys):
    modules = [
        plugin("cerules-broken", register_layers=raising("no file")),
        layer_plugin("cerules-qingdao", QINGDAO),
        plugin("cerules-worse", register_layers=raising("no luck", tryfirst=True)),
    ]
    plugins = Plugins(modules, installed=False, keep_going=True)
    assert [(each.plugin, each.id) for each in plugins.layers(2023)] == [("cerules-qingdao", "qingdao")]
    assert [(error.plugin, error.error) for error in plugins.errors] == [
        ("cerules-worse", "hook register_layers raised RuntimeError: no luck"),
        ("cerules-broken", "hook register_layers raised RuntimeError: no file"),
    ]
    assert "plugin cerules-broken: hook register_layers raised RuntimeError: no file (left out)" in capsys.readouterr().err


def test_the_plugin_that_raised_is_blamed_not_a_wrapper_the_error_passed_through():
    @cerules.hookimpl(wrapper=True)
    def register_layers(register, year):
        return (yield)

    modules = [plugin("cerules-wrapper", register_layers=register_layers), plugin("cerules-broken", register_layers=raising("x"))]
    plugins = Plugins(modules, installed=False, keep_going=True)
    assert [each.id for each in plugins.layers(2023)] == []
    assert [error.plugin for error in plugins.errors] == ["cerules-broken"]


def test_a_plugin_failing_for_one_year_is_not_blocked_for_another():
    @cerules.hookimpl
    def register_layers(register, year):
        if year == 2022:
            raise RuntimeError("no rules for 2022")
        register(layer(QINGDAO))

    plugins = Plugins([plugin("cerules-qingdao", register_layers=register_layers)], installed=False, keep_going=True)
    assert plugins.layers(2022) == []
    assert [each.id for each in plugins.layers(2023)] == ["qingdao"]


def test_with_strict_a_failing_plugin_stops_even_a_listing():
    with pytest.raises(PluginError, match="plugin cerules-broken: hook register_layers raised RuntimeError: x"):
        Plugins([plugin("cerules-broken", register_layers=raising("x"))], installed=False, strict=True, keep_going=True).layers(2023)


def test_a_plugin_error_speaks_chinese_first_and_english_second():
    error = PluginError("cerules-x", "无法导入", "cannot be imported")
    assert isinstance(error, CeruleError)
    assert (error.in_lang("zh"), error.in_lang("en"), str(error)) == (
        "插件 cerules-x：无法导入",
        "plugin cerules-x: cannot be imported",
        "plugin cerules-x: cannot be imported",
    )


# --- one manager per process -----------------------------------------------------------------------


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the scans of the entry-point group (faked: one plugin, `qingdao`)."""
    module = layer_plugin("cerules_qingdao", QINGDAO)
    entry_point = metadata.EntryPoint(name="qingdao", value="cerules_qingdao", group="cerules")
    monkeypatch.setattr(metadata.EntryPoint, "load", lambda self: module)
    counted: list[int] = []

    def entry_points() -> list[metadata.EntryPoint]:
        counted.append(1)
        return [entry_point]

    monkeypatch.setattr(installed, "entry_points", entry_points)
    monkeypatch.delenv("CERULES_LOAD_PLUGINS")
    return counted


def test_the_installed_plugins_are_found_once_and_their_manager_shared(scans):
    first = cerules.load_rules(2023)
    second = cerules.load_rules(2023, strict=True)
    assert [each.id for each in first.layers] == [each.id for each in second.layers] == ["province", "qingdao"]
    assert Plugins().manager is Plugins(strict=True).manager
    assert len(scans) == 1


def test_each_selection_has_its_manager_and_reset_forgets_them(scans, monkeypatch):
    everything = Plugins().manager
    assert Plugins(names=["qingdao"]).manager is not everything
    monkeypatch.setenv("CERULES_LOAD_PLUGINS", "qingdao")
    assert Plugins().manager is Plugins(names=["qingdao"]).manager
    reset_plugins()
    monkeypatch.delenv("CERULES_LOAD_PLUGINS")
    assert Plugins().manager is not everything


def test_plugin_objects_given_explicitly_get_a_manager_of_their_own(scans):
    shared = Plugins().manager
    given = Plugins([layer_plugin("cerules-health", HEALTH)])
    assert given.manager is not shared
    assert [each.id for each in given.layers(2023)] == ["health", "qingdao"]
    assert len(scans) == 1


# --- tracing ---------------------------------------------------------------------------------------


def test_cerules_trace_plugins_prints_each_hook_call_and_who_registered_what(monkeypatch, capsys):
    monkeypatch.setenv("CERULES_TRACE_PLUGINS", "1")
    modules = [layer_plugin("cerules-qingdao", QINGDAO), plugin("cerules-broken", register_layers=raising("x"))]
    plugins = Plugins(modules, installed=False, keep_going=True)
    plugins.layers(2023)
    plugins.packs()
    err = capsys.readouterr().err
    assert "cerules: trace: register_layers(register, year=2023) calls " in err
    assert "cerules: trace:   register_layers raised RuntimeError: x" in err
    assert "cerules: trace:   cerules-qingdao registered layer 'qingdao' (city, cerules-qingdao/layer-0.toml)" in err
    assert "cerules: trace: register_packs(register) calls province (built-in)" in err
    assert "cerules: trace:   province (built-in) registered pack 'shandong' (cerules/rules/data/shandong; years 2023)" in err


def test_without_cerules_trace_plugins_nothing_is_traced(monkeypatch, capsys):
    monkeypatch.delenv("CERULES_TRACE_PLUGINS", raising=False)
    cerules.load_rules(2023, plugins=[layer_plugin("cerules-qingdao", QINGDAO)])
    assert "trace" not in capsys.readouterr().err


# --- the built-in provincial plugin ------------------------------------------------------------------


def test_the_provincial_rules_come_from_a_built_in_plugin_that_is_always_there():
    plugins = Plugins(installed=False)
    (builtin,) = plugins.info(builtin=True)
    assert (builtin.name, builtin.distribution, builtin.module, builtin.hooks, builtin.builtin) == (
        "province",
        "cerules",
        "cerules.plugins.builtin",
        ("register_packs",),
        True,
    )
    assert plugins.info() == []  # the plugins besides it
    assert plugins.layers(2023) == []  # it gives a pack, not loose layers
    shandong = plugins.packs()["shandong"]
    assert shandong.base_layer(2023) == cerules.provincial_layer(2023)
    assert [each.id for each in cerules.load_rules(2023, plugins=False).layers] == ["province"]


def test_without_a_provincial_layer_for_the_year_the_rules_do_not_load():
    with pytest.raises(RulesError, match=r"rule pack shandong \(Shandong\) has no provincial rules for 2024; years: 2023"):
        cerules.load_rules(2024, plugins=[layer_plugin("cerules-qingdao", QINGDAO.replace("2023", "2024"), year=2024)])
    with pytest.raises(RulesError, match="has no provincial rules for 2024; years: 2023. A draft may say"):
        cerules.load_rules(2024, plugins=False)


def test_an_installed_plugin_may_not_take_the_built_in_plugins_name(monkeypatch, capsys):
    entry_point = metadata.EntryPoint(name="province", value="cerules_province", group="cerules")
    monkeypatch.setattr(metadata.EntryPoint, "load", lambda self: layer_plugin("cerules_province", QINGDAO))
    monkeypatch.setattr(installed, "entry_points", lambda: [entry_point])
    monkeypatch.delenv("CERULES_LOAD_PLUGINS")
    with pytest.raises(PluginError, match="the name 'province' is taken by province"):
        cerules.load_rules(2023)
    plugins = Plugins(keep_going=True)
    assert [(error.plugin, error.error) for error in plugins.errors] == [
        ("province", "the name 'province' is taken by province (built-in)")
    ]
    assert [each.id for each in plugins.layers(2023)] == []
    assert list(plugins.packs()) == ["shandong"]


def test_a_plugin_implementing_an_unknown_hook_is_left_out_whole(capsys):
    odd = layer_plugin("cerules-odd", QINGDAO)
    odd.register_widgets = cerules.hookimpl(lambda register: None)
    plugins = Plugins([odd], installed=False, keep_going=True)
    assert [error.plugin for error in plugins.errors] == ["cerules-odd"]
    assert "register_widgets" in plugins.errors[0].error
    assert [each.id for each in plugins.layers(2023)] == []


def test_cerules_plugins_lists_the_built_in_plugin_marked_as_such(capsys):
    from cerules.cli.main import main

    assert main(["plugins", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    (builtin,) = listed["builtin"]
    assert (builtin["name"], builtin["builtin"], builtin["packs"][0]["id"], builtin["packs"][0]["years"]) == (
        "province",
        True,
        "shandong",
        "2023",
    )
    assert listed["plugins"] == []  # CERULES_LOAD_PLUGINS is empty here: no installed plugins
    assert main(["plugins"]) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        f"cerules {cerules.__version__}  [province]  built-in  hooks: register_packs",
        "  pack 'shandong' (山东省)  years: 2023  cerules/rules/data/shandong",
        "no plugins installed (entry-point group 'cerules')",
    ]
