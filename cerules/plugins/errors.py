"""The error of a plugin that cannot be used: it names the plugin and says why, in zh and en."""

from __future__ import annotations

from ..base.errors import CeruleError


class PluginError(CeruleError, RuntimeError):
    """A plugin that could not be used, named, with the error it raised.

    `plugin` is the plugin's name (its distribution when installed), `error` the English reason
    alone (what `cerules plugins --json` lists), `error_zh` the Chinese one. `skippable` adds how to
    go on without the plugin (an installed plugin may be skipped; the built-in one may not).
    """

    def __init__(self, plugin: str, zh: str, en: str, *, skippable: bool = False) -> None:
        self.plugin, self.error, self.error_zh = plugin, en, zh
        hint_zh = f"（如确需不带这个插件继续，请明确跳过它：--skip-plugin {plugin}）" if skippable else ""
        hint_en = f" (to go on without it, skip it explicitly: --skip-plugin {plugin})" if skippable else ""
        super().__init__(f"插件 {plugin}：{zh}{hint_zh}", f"plugin {plugin}: {en}{hint_en}")
