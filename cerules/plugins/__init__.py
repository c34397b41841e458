"""Plugins through pluggy: the hook specifications, one plugin manager per process, the built-in
provincial plugin and `load_rules`, which puts the layers of a year together.

May import: rules, base.
"""
