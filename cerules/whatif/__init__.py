"""What-if: drafts as data, their diff against the rules, their impact on a cohort.

`draft` (the Draft; built from dotted paths in `paths`, refused whole with the errors of
`problems`), `diff` (what a draft changes in the resolved rules), `impact` (the Baseline kept
and the Impact of a draft; its tables by group in `breakdown`, each an `ImpactTable` of `tables`).

May import: evaluate and everything below it.
"""
