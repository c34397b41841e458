"""What-if: drafts as data, their diff against the rules, their impact on a cohort.

May import: evaluate and everything below it.
"""
