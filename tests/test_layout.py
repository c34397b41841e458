"""The package's layers: importing costs nothing until a feature is used, and every public name resolves.

Which modules a start-up loads is behaviour (a CLI that loads the kernel to print its version is
slow on every call), so it is checked here in fresh interpreters; the timings themselves are
benchmarks (benchmarks/bench_imports.py), not tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cerules

HEAVY = (
    "numba", "numpy", "pyarrow", "ipywidgets", "matplotlib", "docx", "reportlab", "pandas", "yaml",
    "fastapi", "starlette", "uvicorn", "pydantic", "rich", "openpyxl", "python_calamine", "playwright", "voila",
    "dask", "distributed", "polars",
)  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code: str) -> set[str]:
    """The heavy top-level packages a fresh interpreter has loaded after running `code`."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(done.stdout.splitlines()[-1])) & set(HEAVY)


def test_import_cerules_loads_nothing_heavy() -> None:
    assert loaded_after("import cerules") == set()


def test_loading_the_rules_of_a_year_needs_no_numpy_arrow_or_numba() -> None:
    assert loaded_after("import cerules; cerules.load_rules(2023)") == set()


def test_building_the_command_line_loads_nothing_heavy() -> None:
    assert loaded_after("from cerules.cli.main import build_parser; build_parser()") == set()


def test_linting_a_rule_file_loads_nothing_heavy() -> None:
    code = "from cerules.cli.main import main; main(['rules', 'lint', 'cerules/rules/data/shandong/sd-2023.toml'])"
    assert loaded_after(code) == set()


def test_the_pytest_plugin_loads_nothing_of_the_engine() -> None:
    assert loaded_after("import cerules.authoring.pytest_plugin") == set()


def test_a_feature_loads_what_it_needs_when_used() -> None:
    assert {"numpy", "pyarrow"} <= loaded_after("import cerules; cerules.Evaluation")


def test_an_evaluation_never_loads_the_service() -> None:
    code = (
        "import cerules; rules = cerules.load_rules(2023)\n"
        "cerules.evaluate_files(rules, 'examples/persons.csv', 'examples/records.csv').to_document()"
    )
    assert not loaded_after(code) & {"fastapi", "starlette", "uvicorn", "pydantic"}


def test_serve_without_the_service_extra_says_how_to_install_it() -> None:
    code = (
        "import sys\nfor name in ('fastapi', 'uvicorn'): sys.modules[name] = None\n"
        "from cerules.cli.main import main\nraise SystemExit(main(['serve', '--lang', 'en']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip() == "cerules: cerules serve needs the service extra (missing fastapi): pip install 'cerules[service]'"


def test_every_public_name_resolves() -> None:
    for name in cerules.__all__:
        assert getattr(cerules, name) is not None, name
    assert set(cerules.__all__) <= set(dir(cerules))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        cerules.nothing_here  # noqa: B018


def test_the_explorer_keeps_its_short_import_path() -> None:
    from cerules.widgets import explore

    assert explore is cerules.widgets.explore


@pytest.mark.skipif(shutil.which("lint-imports", path=str(Path(sys.executable).parent)) is None, reason="import-linter not installed")
def test_lower_layers_never_import_higher_ones() -> None:
    """The layering contracts in pyproject.toml ([tool.importlinter]) hold."""
    linter = str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([linter, "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
