"""Evaluating a cohort: the evaluation of a year, the batch path in chunks, one person's explanation as data.

May import: render, kernel, inputs, plugins, rules, base.
"""
