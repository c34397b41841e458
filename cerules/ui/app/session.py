"""The served notebook's one cell: the explorer on the cohort `cerules explore` names in the environment.

The paths, year and language travel as environment variables (the server's environment is its kernels'),
so the notebook itself is the unchanged template and nothing in the package is edited at run time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ...evaluation.cohort import read_inputs
from ..widgets import Explorer, explore

PERSONS = "CERULES_EXPLORE_PERSONS"
RECORDS = "CERULES_EXPLORE_RECORDS"
YEAR = "CERULES_EXPLORE_YEAR"
LANG = "CERULES_EXPLORE_LANG"
PLUGINS = "CERULES_EXPLORE_PLUGINS"
"""`0`: the provincial rules alone; otherwise the installed plugins (as `CERULES_LOAD_PLUGINS` selects)."""
FOLDER = "CERULES_EXPLORE_FOLDER"
"""Where `cerules explore` was started: the draft is exported there (the notebook's own folder is temporary)."""

EXPORT_NAME = "draft.toml"


def explorer_from_environment(environ: Mapping[str, str] | None = None) -> Explorer:
    """The explorer on the persons and records files the environment names, its export aimed at the start folder."""
    env = os.environ if environ is None else environ
    persons, records = env[PERSONS], env[RECORDS]
    explorer = explore(
        read_inputs(persons, records),
        year=int(env.get(YEAR, "2023")),
        plugins=env.get(PLUGINS, "1") != "0",
        lang=env.get(LANG, "zh"),
    )
    explorer.inputs = (persons, records)
    explorer.export_path.value = str(Path(env.get(FOLDER) or os.getcwd()) / EXPORT_NAME)
    return explorer
