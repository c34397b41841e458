"""Reading input files and turning cells into typed, validated columns.

May import: rules, base.
"""
