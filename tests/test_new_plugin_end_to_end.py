"""`cerules new-plugin` gives a package that, once installed, changes an evaluation and passes its own tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cerules.authoring.scaffold import put_example_in_force

BIN = Path(sys.executable).parent


def cerules(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "cerules"), *args], capture_output=True, text=True, env=env, cwd=cwd, check=False)


@pytest.mark.installed_plugins
def test_a_scaffolded_city_plugin_installs_changes_an_evaluation_and_passes_its_rule_tests(tmp_path, examples):
    env = {**os.environ, "CERULES_LOAD_PLUGINS": "yantai"}
    created = cerules("new-plugin", "city", "yantai", "--dir", str(tmp_path), env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    package = tmp_path / "yantai"
    # As its author would: put the example rule in force, citing the city's document (unedited, it changes nothing).
    for file in (package / "cerules_yantai" / "rules" / "yantai-2023.toml", package / "cerules_yantai" / "tests" / "test_yantai_2023.yaml"):
        file.write_text(
            put_example_in_force(file.read_text(encoding="utf-8")).replace("待填写 TODO", "烟人社发〔2023〕5号"), encoding="utf-8"
        )

    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(site), str(package)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))

    listed = json.loads(cerules("plugins", "--json", "--strict", env=env, cwd=tmp_path).stdout)
    assert [p["distribution"] for p in listed["plugins"]] == ["cerules-yantai"]
    assert listed["plugins"][0]["layers"][0]["scope"] == {"city": ["370600"], "unit_level": ["city"]}

    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city,unit_level\np1,烟台,市属\np2,烟台,省直\n", encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text(
        "record_id,person_id,subject,hours,completed_at,topic\n"
        "r1,p1,public,30,2023-05-01,数字技术\nr2,p1,professional,60,2023-06-01,\n"
        "r3,p2,public,30,2023-05-01,数字技术\nr4,p2,professional,60,2023-06-01,\n",
        encoding="utf-8",
    )
    args = ("evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records), "--format", "json", "--strict")
    with_plugin = json.loads(cerules(*args, env=env, cwd=tmp_path).stdout)
    without = json.loads(cerules(*args, "--no-plugins", env=env, cwd=tmp_path).stdout)
    assert [p["compliant"] for p in without["people"]] == [True, True]
    assert [p["compliant"] for p in with_plugin["people"]] == [False, True]  # city staff need the focus series now
    focus = with_plugin["people"][0]["requirements"][1]
    assert (focus["id"], focus["set_by"], focus["plugin"]) == ("public.focus", "yantai", "cerules-yantai")

    tested = cerules("test", "--installed", env=env, cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert tested.stdout.strip().splitlines()[-1].endswith(" passed, 0 failed")
