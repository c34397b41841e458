"""Plugins made inside tests: a module with hook implementations giving one or more layers."""

from __future__ import annotations

import types
from typing import Any

import cerules
from cerules.rules import parse_layer


def layer_plugin(name: str, *toml_texts: str, year: int = 2023) -> types.ModuleType:
    """A plugin module named `name` registering the given TOML layers for `year`."""
    module = types.ModuleType(name)
    layers = [parse_layer(text, file=f"{name}/layer-{i}.toml") for i, text in enumerate(toml_texts)]
    wanted = year

    @cerules.hookimpl
    def register_layers(register: Any, year: int) -> None:
        if year == wanted:
            for layer in layers:
                register(layer)

    module.register_layers = register_layers  # type: ignore[attr-defined]
    return module


def city_layer(layer_id: str, city: str, body: str, *, extra_scope: str = "") -> str:
    return (
        f'[layer]\nid = "{layer_id}"\nrank = "city"\nyears = [2023]\n'
        f'scope = {{ city = ["{city}"], unit_level = ["city"]{extra_scope} }}\n\n{body}'
    )


def department_layer(layer_id: str, series: str, body: str) -> str:
    return f'[layer]\nid = "{layer_id}"\nrank = "department"\nyears = [2023]\nscope = {{ title_series = ["{series}"] }}\n\n{body}'
