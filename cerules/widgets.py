"""The widget explorer's public home: `from cerules.widgets import explore`.

The code lives in `cerules.ui.widgets`; this module only names it, so notebooks keep the short path.
"""

from __future__ import annotations

from .ui.widgets import *  # noqa: F403
from .ui.widgets import __all__ as __all__
