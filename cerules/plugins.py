"""Installed rule layers from city and department packages (entry-point group `cerules`)."""

from __future__ import annotations

from .rules import Layer


def plugin_layers(year: int) -> list[Layer]:
    """Layers that installed plugins give for a year (none are installed with the core)."""
    return []
