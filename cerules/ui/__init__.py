"""The widget explorer for Jupyter: a thin layer of ipywidgets over plain functions.

May import: whatif and everything below it.
"""
