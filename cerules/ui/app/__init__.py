"""The explorer as an app: `cerules explore` serves it with Voilà to people who never open a notebook.

`session.py` runs inside the served notebook's kernel (the cohort from the environment); `server.py`
prepares a copy of `explorer.ipynb` in a temporary folder and runs Voilà on it, on 127.0.0.1 with a token.
"""
