"""The kernel: one table of reason codes (`reasons`), policies compiled per profile (`compile`), each
person's records found or gathered (`grouping`), every record decided in one compiled pass (`decide`, reading
and giving the named tuples of arrays in `arrays`), the ledger that every view reads (`ledger`), and running all of it on a cohort (`run`).

May import: inputs, rules, base.
"""
