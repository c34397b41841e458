"""Output forms: the JSON document, CSV rows, the terminal table, HTML, charts, atomic files.

Renders what the layers above hand it; imports only kernel, inputs, rules, base at run time.
"""
