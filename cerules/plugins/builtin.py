"""The provincial rules as a plugin: registered through the same hook as every city and department.

It is always present, also with `--no-plugins` (which means "no installed plugins"): the shipped
`cerules/rules/data/sd-YYYY.toml` of a year is the base layer that every other layer stands on.
Its layers carry no plugin name (`plugin = None`): they are the package's own.
"""

from __future__ import annotations

from ..rules import available_years, provincial_layer
from .hookspecs import RegisterLayer, hookimpl

NAME = "province"
"""The name the built-in plugin is registered under (a name the scaffold refuses for plugins)."""


@hookimpl
def register_layers(register: RegisterLayer, year: int) -> None:
    """The shipped provincial layer of `year`, when there is one."""
    if year in available_years():
        register(provincial_layer(year))
