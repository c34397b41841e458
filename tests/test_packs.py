"""Rule packs and years as data: a province's rules are a folder, a year is a file, a plugin has no year logic."""

from __future__ import annotations

import json
import shutil
import types
from pathlib import Path

import pytest

import cerules
from cerules.cli.main import main
from cerules.plugins.manager import Plugins, reset_plugins
from cerules.rules import RulesError, dumps_layer, parse_layer
from cerules.rules.packs import default_pack, load_pack
from cerules.whatif.draft import Draft

ROOT = Path(__file__).resolve().parent.parent
SHANDONG = ROOT / "cerules" / "rules" / "data" / "shandong"
PERSONS = ROOT / "examples" / "persons.csv"


@pytest.fixture(autouse=True)
def _fresh_managers():
    reset_plugins()
    yield
    reset_plugins()


def make_pack(folder: Path, *, years: dict[str, str], pack_id: str = "testland", hours_2024: int = 30) -> Path:
    """A pack that is only files: Shandong's pack.toml under another id, and base layers per file name."""
    folder.mkdir(parents=True)
    text = (SHANDONG / "pack.toml").read_text(encoding="utf-8").replace('id = "shandong"', f'id = "{pack_id}"')
    (folder / "pack.toml").write_text(text, encoding="utf-8")
    base = (SHANDONG / "sd-2023.toml").read_text(encoding="utf-8")
    for name, declared in years.items():
        layer = base.replace("years = [2023]", declared)
        if "2024" in name:
            layer = layer.replace(
                'required_hours = { value = 30, citation = "SD-2023 §2(1)" }',
                f'required_hours = {{ value = {hours_2024}, citation = "T-2024 §1" }}',
            )
        (folder / name).write_text(layer, encoding="utf-8")
    return folder


def records_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "records.csv"
    path.write_text("record_id,person_id,subject,hours,completed_at\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def persons_file(tmp_path: Path) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text("person_id,city,unit_level\nA,青岛,市属\n", encoding="utf-8")
    return path


# --- the Shandong pack ----------------------------------------------------------------------------


def test_shandong_is_the_default_pack_and_its_regions_are_data():
    pack = default_pack()
    assert (pack.id, pack.name.zh, pack.regions.province, pack.verified) == ("shandong", "山东省", "370000", True)
    assert len(pack.regions.cities) == 16
    assert [layer.file for layer in pack.layers] == ["cerules/rules/data/shandong/sd-2023.toml"]
    assert pack.known_years() == (2023,) == cerules.rules.available_years()
    regions = pack.regions
    assert [regions.city_code(text) for text in ("370202", "山东省青岛市", "莱芜", "371200", "Qingdao", "370200.0")] == [
        "370200",
        "370200",
        "370100",
        "370100",
        "370200",
        "370200",
    ]
    assert regions.unit_level("省直单位") == "province"
    rules = cerules.load_rules(2023, plugins=False)
    assert (rules.pack_id, rules.regions) == ("shandong", regions)
    assert rules.document_entry()["pack"] == "shandong"


# --- a pack that is only files ---------------------------------------------------------------------


def test_evaluate_a_year_from_a_pack_folder_on_the_command_line(tmp_path, capsys):
    pack = make_pack(tmp_path / "pack", years={"t-2023.toml": "years = [2023]", "t-2024.toml": "from = 2024"}, hours_2024=32)
    records = records_file(tmp_path, ["r1,A,public,31,2024-03-01T10:00:00+08:00", "r2,A,professional,60,2024-04-01T10:00:00+08:00"])
    argv = ["evaluate", "--year", "2024", "--persons", str(persons_file(tmp_path)), "--records", str(records), "--format", "json"]
    assert main([*argv, "--rules-dir", str(pack), "--no-plugins"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["rules"]["pack"] == "testland"
    (person,) = document["people"]
    public = next(r for r in person["requirements"] if r["id"] == "public")
    assert (public["required"], public["credited"], public["met"], person["compliant"]) == (32, 31, False, False)
    assert public["citation"] == "T-2024 §1"
    # the open range goes on: 2030 uses the same file
    assert cerules.load_rules(2030, pack=pack, plugins=False).layers[0].file.endswith("t-2024.toml")


def test_cerules_rules_path_names_the_pack_to_use(tmp_path, monkeypatch):
    make_pack(tmp_path / "packs" / "testland", years={"t.toml": "from = 2020"})
    monkeypatch.setenv("CERULES_RULES_PATH", str(tmp_path / "packs"))
    assert cerules.load_rules(2021, plugins=False).pack_id == "testland"
    assert cerules.load_rules(2023, plugins=False, pack="shandong").pack_id == "shandong"
    with pytest.raises(RulesError, match="no rule pack named 'atlantis'; known packs: shandong, testland"):
        cerules.load_rules(2023, plugins=False, pack="atlantis")


def test_a_pack_registered_by_a_plugin_is_chosen_by_its_id(tmp_path):
    folder = make_pack(tmp_path / "pack", years={"t.toml": "years = [2023]"})
    module = types.ModuleType("cerules-testland")
    module.register_packs = cerules.hookimpl(lambda register: register(folder))  # type: ignore[attr-defined]
    rules = cerules.load_rules(2023, plugins=[module], pack="testland")
    assert rules.pack_id == "testland"
    listed = Plugins([module], installed=False)
    assert sorted(listed.packs()) == ["shandong", "testland"]
    assert listed.pack_plugins["testland"] == "cerules-testland"


def test_the_cities_of_a_pack_are_its_own(tmp_path):
    folder = make_pack(tmp_path / "pack", years={"t.toml": "years = [2023]"})
    text = (folder / "pack.toml").read_text(encoding="utf-8")
    (folder / "pack.toml").write_text(
        text.replace(
            '[regions.370200]\nname = { zh = "青岛市", en = "Qingdao" }',
            '[regions.370200]\nname = { zh = "琴岛市", en = "Qindao" }\naliases = ["岛城"]',
        ),
        encoding="utf-8",
    )
    rules = cerules.load_rules(2023, pack=folder, plugins=False)
    assert rules.regions.city_code("岛城") == rules.regions.city_code("琴岛") == "370200"
    assert rules.profile(city="岛城") == cerules.Profile(city="370200")
    result = cerules.evaluate(
        rules, [{"person_id": "A", "city": "岛城", "unit_level": "市属"}, {"person_id": "B", "city": "青岛", "unit_level": "市属"}], []
    )
    assert [person.person_id for person in result] == ["A"]
    assert "not a Shandong city code or name: '青岛'" in result.rejected_persons[0].problem.text.en


# --- years by data ----------------------------------------------------------------------------------


def test_a_layer_declares_its_years_as_a_list_or_a_range():
    def layer(meta: str) -> cerules.Layer:
        return parse_layer(f'[layer]\nid = "x"\nrank = "draft"\n{meta}\n')

    assert [layer("years = [2023, 2024]").applies_to_year(y) for y in (2022, 2023, 2024)] == [False, True, True]
    assert [layer("from = 2021").applies_to_year(y) for y in (2020, 2021, 2099)] == [False, True, True]
    assert [layer("from = 2021\nuntil = 2023").applies_to_year(y) for y in (2020, 2021, 2023, 2024)] == [False, True, True, False]
    assert [layer("years = [2019]\nfrom = 2023").applies_to_year(y) for y in (2019, 2020, 2023)] == [True, False, True]
    assert layer("").applies_to_year(1999)  # no years: every year
    ranged = layer('from = 2021\nuntil = 2023\npack = "shandong"\nbased_on = 2020')
    assert parse_layer(dumps_layer(ranged)) == ranged
    with pytest.raises(RulesError, match="key 'layer.until': the last year 2020 is before the first year 2021"):
        layer("from = 2021\nuntil = 2020")
    with pytest.raises(RulesError, match="key 'layer.from': expected a year such as 2023"):
        layer('from = "2021"')
    with pytest.raises(RulesError, match="only a draft says which year's rules it is based on"):
        parse_layer('[layer]\nid = "x"\nrank = "city"\nbased_on = 2023\n')


def test_a_plugin_with_no_year_logic_registers_layers_for_two_years(tmp_path):
    pack = make_pack(tmp_path / "pack", years={"t-2023.toml": "years = [2023]", "t-2024.toml": "years = [2024]"})
    rules_folder = tmp_path / "plugin" / "rules"
    rules_folder.mkdir(parents=True)
    city = '[layer]\nid = "qingdao"\nrank = "city"\nyears = [{year}]\npack = "testland"\n'
    city += 'scope = {{ city = ["370200"], unit_level = ["city"] }}\n'
    city += '[public]\nrequired_hours = {{ value = {hours}, citation = "QD-{year} §1" }}\n'
    (rules_folder / "qingdao-2023.toml").write_text(city.format(year=2023, hours=36), encoding="utf-8")
    (rules_folder / "qingdao-2024.toml").write_text(city.format(year=2024, hours=40), encoding="utf-8")
    (rules_folder / "notes.txt").write_text("not a layer\n", encoding="utf-8")
    module = types.ModuleType("cerules-qingdao")

    @cerules.hookimpl
    def register_layers(register):  # no `year`: the files say which years they cover
        register(rules_folder)

    module.register_layers = register_layers  # type: ignore[attr-defined]
    qingdao = cerules.Profile(city="370200")
    for year, hours in ((2023, 3600), (2024, 4000)):
        rules = cerules.load_rules(year, plugins=[module], pack=pack)
        assert [(layer.id, layer.plugin) for layer in rules.layers] == [("province", None), ("qingdao", "cerules-qingdao")]
        public = rules.resolve(qingdao).requirements[0]
        assert (public.required, public.provenance.citation) == (hours, f"QD-{year} §1")
    # a layer for another pack is not used with Shandong's
    assert [layer.id for layer in cerules.load_rules(2023, plugins=[module]).layers] == ["province"]


# --- a year without published rules: a draft based on another year --------------------------------------


def test_a_draft_for_next_year_says_which_year_it_is_based_on(tmp_path, capsys):
    with pytest.raises(RulesError, match=r"has no provincial rules for 2024; years: 2023. A draft may say"):
        cerules.load_rules(2024, plugins=False)
    draft = Draft.from_dict({"public.required_hours": 36}, years=[2024], based_on=2023, citation="2024 草案")
    path = tmp_path / "draft-2024.toml"
    draft.write(path)
    assert "based_on = 2023" in path.read_text(encoding="utf-8")
    rules = cerules.load_rules(2024, rules=[path], plugins=False)
    assert (rules.year, rules.based_on, [layer.id for layer in rules.layers]) == (2024, 2023, ["province", "draft"])
    assert rules.resolve(cerules.Profile(city="370200")).requirements[0].required == 3600
    assert rules.document_entry()["based_on"] == 2023
    assert cerules.load_rules(2024, plugins=False, based_on=2023).based_on == 2023
    records = records_file(tmp_path, ["r1,A,public,36,2024-03-01T10:00:00+08:00", "r2,A,public,10,2023-03-01T10:00:00+08:00"])
    argv = ["evaluate", "--year", "2024", "--persons", str(persons_file(tmp_path)), "--records", str(records), "--rules", str(path)]
    assert main([*argv, "--no-plugins", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    (person,) = document["people"]
    public = person["requirements"][0]
    assert (public["required"], public["credited"], document["rules"]["based_on"]) == (36, 36, 2023)
    assert {record["record_id"]: record["reason"] for record in person["records"]} == {"r1": None, "r2": "out_of_year"}


def test_drafts_based_on_different_years_are_refused(tmp_path):
    one = Draft.from_dict({"public.required_hours": 36}, years=[2024], based_on=2023).layer
    other = parse_layer('[layer]\nid = "other"\nrank = "draft"\nyears = [2024]\nbased_on = 2022\n')
    with pytest.raises(RulesError, match="drafts are based on different years: 2022, 2023"):
        cerules.load_rules(2024, rules=[one, other], plugins=False)
    with pytest.raises(RulesError, match="has no provincial rules for 2019"):
        cerules.load_rules(2024, rules=[parse_layer('[layer]\nid = "d"\nrank = "draft"\nbased_on = 2019\n')], plugins=False)


# --- packs that cannot be used ----------------------------------------------------------------------------


def test_a_pack_that_cannot_be_used_is_refused_naming_the_file_and_key(tmp_path):
    with pytest.raises(RulesError, match="not a rule pack: no pack.toml in it"):
        load_pack(tmp_path)
    overlapping = make_pack(tmp_path / "overlap", years={"a.toml": "from = 2020", "b.toml": "years = [2023]"})
    with pytest.raises(RulesError, match=r"b.toml: key 'layer.years': covers 2023 as .*a.toml does: a year has one base layer"):
        load_pack(overlapping)
    other = make_pack(tmp_path / "other", years={"a.toml": 'years = [2023]\npack = "elsewhere"'})
    with pytest.raises(RulesError, match="key 'layer.pack': belongs to pack 'elsewhere', not 'testland'"):
        load_pack(other)
    bad_region = make_pack(tmp_path / "region", years={"a.toml": "years = [2023]"})
    text = (bad_region / "pack.toml").read_text(encoding="utf-8")
    (bad_region / "pack.toml").write_text(text.replace("[regions.370200]", "[regions.3702]"), encoding="utf-8")
    with pytest.raises(RulesError, match="pack.toml: key 'regions.3702': expected a six-digit GB/T 2260 code"):
        load_pack(bad_region)


def test_lint_checks_a_whole_pack_folder(tmp_path, capsys):
    assert main(["rules", "lint", str(SHANDONG)]) == 0
    capsys.readouterr()
    pack = make_pack(tmp_path / "pack", years={"t.toml": "years = [2023]"})
    shutil.copy(ROOT / "cities" / "qingdao" / "cerules_qingdao" / "rules" / "qingdao-2023.toml", pack / "qingdao.toml")
    text = (pack / "qingdao.toml").read_text(encoding="utf-8").replace('pack = "shandong"', 'pack = "testland"')
    (pack / "qingdao.toml").write_text(text.replace("required_hours = { value = 30,", "required_hours = { value = 20,"), encoding="utf-8")
    assert main(["rules", "lint", str(pack), "--lang", "en"]) == 1
    assert "qingdao.toml: error: key 'public.required_hours'" in capsys.readouterr().out
    broken = make_pack(tmp_path / "broken", years={"a.toml": "from = 2020", "b.toml": "years = [2023]"})
    assert main(["rules", "lint", str(broken), "--lang", "en"]) == 2
    assert "a year has one base layer" in capsys.readouterr().err


# --- windows and new parameters under the layers' rules -------------------------------------------------


def test_a_city_may_not_widen_the_window_of_a_provincial_requirement_but_may_add_its_own():
    city = '[layer]\nid = "qingdao"\nrank = "city"\nyears = [2023]\nscope = { city = ["370200"], unit_level = ["city"] }\n'
    wider = parse_layer(city + '[public]\nwindow_years = { value = 3, citation = "QD §1" }\n')
    with pytest.raises(RulesError, match="may not change the window of the provincial requirement 'public'"):
        cerules.load_rules(2023, plugins=False).with_layer(wider)
    own = parse_layer(
        city + '[public.focus]\nrequired_hours = { value = 12, citation = "QD §2" }\nwindow_years = { value = 3, citation = "QD §2" }\n'
    )
    rules = cerules.load_rules(2023, plugins=False).with_layer(own)
    focus = next(r for r in rules.resolve(cerules.Profile(city="370200")).requirements if r.id == "public.focus")
    assert (focus.window.first_year, focus.window.last_year, focus.window_provenance.citation) == (2021, 2023, "QD §2")


def test_lint_names_an_unknown_subject_in_a_requirement_over_several_subjects(tmp_path, capsys):
    draft = tmp_path / "total.toml"
    draft.write_text(
        '[layer]\nid = "d"\nrank = "draft"\n[total]\nrequired_hours = { value = 90, citation = "T §1" }\n'
        'count_subjects = { value = ["public", "profesional"], citation = "T §1" }\n',
        encoding="utf-8",
    )
    assert main(["rules", "lint", str(draft), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "key 'total.count_subjects': no code 'profesional' in the subjects catalogue" in out
    assert "did you mean 'professional'?" in out


def test_drafts_take_the_new_parameters_like_any_other():
    draft = Draft.from_dict(
        {
            "total": {"required_hours": 90, "count_subjects": ["public", "professional"], "window_years": 2},
            "daily_cap.max_hours": 10,
            "daily_cap.modes": ["online"],
            "counting.minutes_per_hour": 45,
        }
    )
    rules = draft.apply(cerules.load_rules(2023, plugins=False))
    policy = rules.resolve(cerules.Profile(city="370200"))
    total = next(r for r in policy.requirements if r.id == "total")
    assert (total.counted_subjects, total.window.first_year, total.required) == (("public", "professional"), 2022, 9000)
    assert (policy.daily_cap, policy.minutes_per_hour) == (1000, 4500)
    assert policy.daily_cap_applies(declared=False, online=True, subject="public")
    assert not policy.daily_cap_applies(declared=True, online=False, subject="public")
    with pytest.raises(Exception, match="window_years"):
        Draft.from_dict({"public.window_years": 0})
