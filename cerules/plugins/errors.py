"""The error of a plugin that cannot be used: it names the plugin and says why, in zh and en."""

from __future__ import annotations

from ..base.errors import CeruleError


class PluginError(CeruleError, RuntimeError):
    """A plugin that could not be used, named, with the error it raised.

    `plugin` is the plugin's name (its distribution when installed), `error` the English reason
    alone (what `cerules plugins --json` lists), `error_zh` the Chinese one.
    """

    def __init__(self, plugin: str, zh: str, en: str) -> None:
        self.plugin, self.error, self.error_zh = plugin, en, zh
        super().__init__(f"插件 {plugin}：{zh}", f"plugin {plugin}: {en}")
