"""Tools for rule authors: rule-test files (`cerules test`, the pytest plugin) and the plugin scaffold.

May import: evaluate and everything below it.
"""
