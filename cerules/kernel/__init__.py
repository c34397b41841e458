"""The kernel: one table of reason codes, policies compiled per profile, every record decided in one
compiled pass, the ledger that every view reads.

May import: inputs, rules, base.
"""
