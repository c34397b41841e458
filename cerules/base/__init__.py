"""Foundations every layer may use: bilingual errors and text, exact hours, Shanghai time, the version.

Imports nothing else of cerules.
"""
