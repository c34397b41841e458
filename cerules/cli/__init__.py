"""The `cerules` command.

May import everything; nothing imports it.
"""
