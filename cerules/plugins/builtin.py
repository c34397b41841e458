"""The Shandong rule pack as a plugin: registered through the same hook as any other pack.

It is always present, also with `--no-plugins` (which means "no installed plugins"): the pack
in `cerules/rules/data/shandong/` is the default, whose base layer of a year every Shandong city
and department layer stands on. Its layers carry no plugin name (`plugin = None`).
"""

from __future__ import annotations

from ..rules.packs import default_pack
from .hookspecs import RegisterPath, hookimpl

NAME = "province"
"""The name the built-in plugin is registered under (a name the scaffold refuses for plugins)."""


@hookimpl
def register_packs(register: RegisterPath) -> None:
    """The Shandong pack that ships with cerules."""
    register(default_pack())
