"""The impact chart: compliance by group before and after a draft, as grouped bars (matplotlib).

matplotlib is imported only when a chart is drawn (`pip install 'cerules[notebook]'`).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # rendered, never imported: the what-if layer sits above this one
    from ..whatif.tables import ImpactTable


class Chart:
    """A matplotlib figure that shows itself in notebooks as SVG, byte for byte the same each run.

    Text is kept as text in the SVG (the browser draws it, Chinese included, whatever fonts
    matplotlib has); PNG and PDF need a CJK font on the machine for Chinese labels.
    """

    def __init__(self, figure: Any, rc: Mapping[str, Any] | None = None) -> None:
        self.figure = figure
        self._rc = dict(rc or {})

    def _render(self, target: Any, **options: Any) -> None:
        import matplotlib

        rc: Any = self._rc
        with matplotlib.rc_context(rc), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")  # only changes how a name looks
            warnings.filterwarnings("ignore", message="findfont")
            self.figure.savefig(target, **options)

    def to_svg(self) -> str:
        buffer = io.StringIO()
        self._render(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return buffer.getvalue()

    def to_png(self, dpi: int = 100) -> bytes:
        buffer = io.BytesIO()
        self._render(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()

    def save(self, path: str | Any) -> None:
        """Write the chart; the suffix chooses the format (`.svg`, `.png`, `.pdf`)."""
        name = str(path)
        if name.endswith(".svg"):
            with open(name, "w", encoding="utf-8") as handle:
                handle.write(self.to_svg())
        elif name.endswith(".png"):
            with open(name, "wb") as handle:
                handle.write(self.to_png())
        else:
            self._render(name)

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __repr__(self) -> str:
        axes = self.figure.axes[0] if self.figure.axes else None
        return f"<Chart {axes.get_title() if axes else ''!r}>"


_CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC"]


def compliance_chart(table: ImpactTable, *, lang: str = "en", title: str | None = None) -> Chart:
    """Grouped horizontal bars: the compliance rate of each group before and after the draft."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.ticker import PercentFormatter
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("charts need matplotlib: pip install 'cerules[notebook]'") from None
    names = table.column("name_en" if lang == "en" and "name_en" in table.names else "name")
    before = np.array(table.column("rate_before"), dtype=float) * 100
    after = np.array(table.column("rate_after"), dtype=float) * 100
    zh = lang == "zh"
    rc: Any = {
        "font.family": "sans-serif",
        "font.sans-serif": [*(_CJK_FONTS if zh else []), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.hashsalt": "cerules",
        "svg.fonttype": "none",
    }
    with matplotlib.rc_context(rc):
        high = 0.32 * len(names) + 1.4  # inches: fixed margins, no layout engine (a third of the time to draw)
        figure = Figure(figsize=(7.5, high))
        figure.subplots_adjust(left=0.16, right=0.97, top=1 - 0.75 / high, bottom=0.55 / high)
        axes = figure.add_subplot()
        y = np.arange(len(names))[::-1]
        height = 0.38
        axes.barh(y + height / 2, before, height, color="#afb8c1", label="现行规则 baseline" if zh else "baseline")
        axes.barh(y - height / 2, after, height, color="#0969da", label="草案 draft" if zh else "draft")
        for position, value, old in zip(y, after, before, strict=True):
            delta = value - old
            mark = f"{value:.1f}%" + (f" ({delta:+.1f})" if abs(delta) >= 0.05 else "")
            axes.text(min(value, 100) + 1, position - height / 2, mark, va="center", fontsize=7, color="#24292f")
        axes.set_yticks(y, names, fontsize=8)
        axes.set_xlim(0, 115)
        axes.set_xticks([0, 20, 40, 60, 80, 100])
        axes.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
        axes.set_xlabel("达标人数占比" if zh else "share of people compliant")
        axes.set_title(title or ("各市达标率：现行规则与草案" if zh else "Compliance by city: baseline and draft"), fontsize=10, pad=22)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8, frameon=False)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    return Chart(figure, rc)
