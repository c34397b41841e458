"""The engine's version, written into every result so a verdict can be reproduced."""

__version__ = "0.1.0"
